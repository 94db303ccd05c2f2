"""A realistic mix of people using bidgram, and the echo bot's equivalent.

Every session is one simulated person (or pair) doing one kind of thing over and
over, each step waiting for the bot's answer as a person would (closed loop):

* browse    — /find, Next ›, open a result's card (3 updates)
* search    — /find, 🔎 Search words, type two words (3 updates)
* bid       — open a project by deep link, the bid wizard, ✅ Place bid; the employer
              gets the new-bid alert (6 updates)
* relay     — employer and bidder talk through the bot, each message relayed (2 updates)
* milestone — the freelancer requests a milestone through the wizard, the employer
              accepts it from the alert (8 updates)

Sessions are weighted 30/20/20/15/15 per cent. The echo mix runs as many sessions, each
sending a text and waiting for its echo. A :class:`Pacer` caps the offered rate (the
latency benchmark's steady 100 updates/s); without one the bot is saturated.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.harness import Tap
from bot.callbacks import ChatCb
from core.clock import SystemClock
from core.gateways import SANDBOX, Gateways
from core.marketplace import Marketplace
from core.settings import Settings
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from storage.db import Database
from storage.migrate import migrate

WAIT = float(os.environ.get("BENCH_WAIT", "120"))  # a saturated bot is slow, not broken
PROPOSAL = "I have built a dozen shop bots with payments; here is how I would build yours."
WORDS = ["python", "telegram", "shop", "scraper", "logo", "design", "payments", "parser"]
SKILLS = ["python", "telegram-bots", "web-scraping", "logo-design"]
WEIGHTS = {"browse": 30, "search": 20, "bid": 20, "relay": 15, "milestone": 15}
BOT_ENV = {"BIDS_PER_DAY": "1000000", "ALERT_FANOUT": "50"}
"""Settings for the bot under load: bidders bid far more than 30 times a day here."""


class Pacer:
    """Hands out send slots at a fixed rate, shared by all sessions (open-loop pacing)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next = time.monotonic()

    async def slot(self) -> None:
        now = time.monotonic()
        self.next = max(self.next + self.interval, now)
        delay = self.next - now
        if delay > 0:
            await asyncio.sleep(delay)


@dataclass
class Run:
    """Shared by a run's sessions: when to stop, the pacer, what was measured."""

    tap: Tap
    emu: BotAPIEmulator
    deadline: float = 0.0
    pacer: Pacer | None = None
    bid_latencies: list[float] = field(default_factory=list)
    cycles: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def going(self) -> bool:
        return time.monotonic() < self.deadline

    async def pace(self) -> None:
        if self.pacer is not None:
            await self.pacer.slot()

    def done(self, kind: str) -> None:
        self.cycles[kind] = self.cycles.get(kind, 0) + 1


Session = Callable[[Run], Awaitable[None]]


# --- the cast, seeded through core ---------------------------------------------------------


@dataclass
class Cast:
    sessions: list[tuple[str, Session]]


def _split(total: int) -> dict[str, int]:
    counts = {kind: max(1, round(total * w / 100)) for kind, w in WEIGHTS.items()}
    return counts


async def seed_cast(emu: BotAPIEmulator, database_url: str, sessions: int, projects: int) -> Cast:
    """People in the emulator and, for each, what they need in the database."""
    db = Database(database_url)
    await migrate(db.engine)
    settings = Settings(database_url=database_url, bids_per_day=1_000_000, _env_file=None)  # type: ignore[call-arg]
    counts = _split(sessions)
    cast: list[tuple[str, Session]] = []
    rng = random.Random(7)
    try:
        async with db.uow() as uow:
            m = Marketplace(uow, settings, SystemClock(), Gateways([SANDBOX]))

            async def person(name: str, *, freelancer: bool = False) -> tuple[SimulatedUser, int]:
                who = emu.user(name, started=True)
                user = await m.users.register(who.id, name)
                if freelancer:
                    await m.users.update_profile(
                        m.users.actor(user),
                        headline=f"{name}, senior developer",
                        bio="Ten years of web services, Telegram bots and data pipelines.",
                        skills=["python"],
                        hourly_rate=4000,
                    )
                return who, user.id

            employers = [await person(f"Boss{i:04d}") for i in range(10)]
            project_ids: list[int] = []
            owner: dict[int, str] = {}
            for n in range(projects):
                boss, boss_id = employers[n % len(employers)]
                words = rng.sample(WORDS, 3)
                title = f"{' '.join(words).capitalize()} project {n}"
                draft = await m.projects.create_draft(
                    m.users.actor(await m.users.get(boss_id)),
                    title=title,
                    description=f"Build a {' and '.join(words)} thing for a small business.",
                    skills=rng.sample(SKILLS, 2),
                    budget_min=10_000,
                    budget_max=50_000,
                )
                await m.projects.publish(m.users.actor(await m.users.get(boss_id)), draft.id)
                project_ids.append(draft.id)
                owner[draft.id] = f"{boss.first_name}|{title}"
                if n % 100 == 99:  # a commit lets the unit of work's rows go
                    await uow.commit()
            m.take_events()

            for i in range(counts["browse"]):
                cast.append(("browse", _browse((await person(f"Browser{i:04d}"))[0])))
            for i in range(counts["search"]):
                who = (await person(f"Seeker{i:04d}"))[0]
                cast.append(("search", _search(who, random.Random(i))))
            for i in range(counts["bid"]):
                who = (await person(f"Bidder{i:04d}", freelancer=True))[0]
                order = project_ids[i::1] + project_ids[:i]
                cast.append(("bid", _bid(who, order, owner, employers)))
            for i in range(counts["relay"]):
                boss, boss_id = await person(f"Talker{i:04d}")
                worker, worker_id = await person(f"Helper{i:04d}", freelancer=True)
                draft = await m.projects.create_draft(
                    m.users.actor(await m.users.get(boss_id)),
                    title=f"Chat project {i}",
                    description="A project the employer discusses with one bidder.",
                    skills=["python"],
                    budget_min=10_000,
                    budget_max=50_000,
                )
                await m.projects.publish(m.users.actor(await m.users.get(boss_id)), draft.id)
                await m.bids.place(
                    m.users.actor(await m.users.get(worker_id)),
                    draft.id,
                    amount=20_000,
                    delivery_days=5,
                    proposal=PROPOSAL,
                )
                cast.append(("relay", _relay(boss, worker, draft.id, worker_id)))
            for i in range(counts["milestone"]):
                boss, boss_id = await person(f"Client{i:04d}")
                worker, worker_id = await person(f"Maker{i:04d}", freelancer=True)
                title = f"Contract number {i} for a shop"
                draft = await m.projects.create_draft(
                    m.users.actor(await m.users.get(boss_id)),
                    title=title,
                    description="A bot that takes orders, accepts payments and notifies staff.",
                    skills=["python"],
                    budget_min=10_000,
                    budget_max=50_000,
                )
                boss_actor = m.users.actor(await m.users.get(boss_id))
                worker_actor = m.users.actor(await m.users.get(worker_id))
                await m.projects.publish(boss_actor, draft.id)
                bid = await m.bids.place(
                    worker_actor, draft.id, amount=30_000, delivery_days=10, proposal=PROPOSAL
                )
                award = await m.awards.offer(boss_actor, bid.id)
                await m.awards.accept(worker_actor, award.id)
                cast.append(("milestone", _milestone(boss, worker, title)))
            m.take_events()
            await uow.commit()
    finally:
        await db.dispose()
    return Cast(cast)


# --- what people do -----------------------------------------------------------------------


async def _act(run: Run, action: Awaitable[object]) -> None:
    await run.pace()
    await action


def _browse(p: SimulatedUser) -> Session:
    async def session(run: Run) -> None:
        while run.going():
            await _act(run, p.send_text("/find"))
            page = await p.wait_for_message("Open projects", timeout=WAIT)
            await _act(run, p.click(page, "Next ›"))
            shown = page.message_id
            page = await p.wait_for_message(
                lambda m, shown=shown: m.message_id == shown, timeout=WAIT
            )
            first = next(b.text for row in page.buttons for b in row if b.text[:1].isdigit())
            await _act(run, p.click(page, first))
            await p.wait_for_message(
                lambda m: "Bid on this project" in str(m.button_texts), timeout=WAIT
            )
            run.done("browse")

    return session


def _search(p: SimulatedUser, rng: random.Random) -> Session:
    async def session(run: Run) -> None:
        while run.going():
            await _act(run, p.send_text("/find"))
            page = await p.wait_for_message("Open projects", timeout=WAIT)
            await _act(run, p.click(page, "🔎 Search words"))
            await p.wait_for_message("Type the words", timeout=WAIT)
            await _act(run, p.send_text(" ".join(rng.sample(WORDS, 2))))
            await p.wait_for_message("words “", timeout=WAIT)
            run.done("search")

    return session


def _bid(
    p: SimulatedUser,
    order: list[int],
    owner: dict[int, str],
    employers: list[tuple[SimulatedUser, int]],
) -> Session:
    chats = {boss.first_name: boss for boss, _ in employers}
    remaining = iter(order)  # across runs (warm-up, then measured): never the same project twice

    async def session(run: Run) -> None:
        for pid in remaining:
            if not run.going():
                return
            await _act(run, p.send_text(f"/start p_{pid}"))
            card = await p.wait_for_message(
                lambda m: "💼 Bid on this project" in m.button_texts, timeout=WAIT
            )
            await _act(run, p.click(card, "💼 Bid on this project"))
            await p.wait_for_message("step 1 of 3", timeout=WAIT)
            await _act(run, p.send_text("275"))
            await p.wait_for_message("Step 2 of 3", timeout=WAIT)
            await _act(run, p.send_text("7"))
            await p.wait_for_message("Step 3 of 3", timeout=WAIT)
            await _act(run, p.send_text(PROPOSAL))
            summary = await p.wait_for_message("Place this bid?", timeout=WAIT)
            boss_name, title = owner[pid].split("|", 1)
            boss = chats[boss_name]
            since = len(boss.chat.events)
            await _act(run, p.click(summary, "✅ Place bid"))
            update_id = run.tap.last_push[p.id]
            await p.wait_for_message("is in.", timeout=WAIT)
            alert = await _alert(boss, since, f"New bid on {title}\n", p.first_name)
            arrived = run.tap.delivered.get(update_id)
            if arrived is not None:
                run.bid_latencies.append(alert - arrived)
            run.done("bid")

    return session


async def _alert(boss: SimulatedUser, since: int, heading: str, bidder: str) -> float:
    """When the bot sent the employer the alert about this bid (emulator's clock)."""

    def sent() -> float | None:
        for event in boss.chat.events[since:]:
            text = event.message.text
            if event.message.from_bot and heading in text and bidder in text:
                return event.at
        return None

    at = await boss.chat.changes.wait_for(sent, WAIT)
    if at is None:
        raise TimeoutError(f"no alert {heading!r} for {bidder}")
    return at


def _relay(boss: SimulatedUser, worker: SimulatedUser, project_id: int, worker_id: int) -> Session:
    async def session(run: Run) -> None:
        await boss.send_text("/menu")
        menu = await boss.wait_for_message(timeout=WAIT)
        await boss.forge_click(menu, ChatCb(project_id=project_id, user_id=worker_id).pack())
        await boss.wait_for_message("You are now talking to", timeout=WAIT)
        n = 0
        while run.going():
            n += 1
            await _act(run, boss.send_text(f"Question number {n}: can you start on Monday?"))
            got = await worker.wait_for_message("💬 ", timeout=WAIT)
            await _act(run, worker.reply_to(got, f"Answer number {n}: yes, Monday works."))
            await boss.wait_for_message("💬 ", timeout=WAIT)
            run.done("relay")

    return session


REQUEST = "➕ Request milestone"


def _has(button: str) -> Callable[[ChatMessage], bool]:
    return lambda message: button in message.button_texts


def _milestone(boss: SimulatedUser, worker: SimulatedUser, title: str) -> Session:
    async def session(run: Run) -> None:
        n = 0
        while run.going():
            n += 1
            await _act(run, worker.send_text("/contracts"))
            listing = await worker.wait_for_message("Your contracts", timeout=WAIT)
            await _act(run, worker.click(listing, title[:24]))
            # A contract with many milestones is shown in pages; the buttons are on the last.
            screen = await worker.wait_for_message(_has(REQUEST), timeout=WAIT)
            await _act(run, worker.click(screen, REQUEST))
            await worker.wait_for_message("request a milestone", timeout=WAIT)
            await _act(run, worker.send_text(f"Part {n} of the work"))
            await worker.wait_for_message("How much", timeout=WAIT)
            await _act(run, worker.send_text("1"))
            await worker.wait_for_message("Due in how many days?", timeout=WAIT)
            await _act(run, worker.send_text("7"))
            preview = await worker.wait_for_message("Request this milestone?", timeout=WAIT)
            await _act(run, worker.click(preview, "✅ Confirm"))
            await worker.wait_for_message("requested", timeout=WAIT)
            ask = await boss.wait_for_message("requests a milestone", timeout=WAIT)
            await _act(run, boss.click(ask, "✅ Accept request"))
            await boss.wait_for_message("Accepted", timeout=WAIT)
            run.done("milestone")

    return session


def echo_cast(emu: BotAPIEmulator, sessions: int) -> Cast:
    def talker(p: SimulatedUser) -> Session:
        async def session(run: Run) -> None:
            n = 0
            while run.going():
                n += 1
                await _act(run, p.send_text(f"hello number {n}"))
                await p.wait_for_message(f"hello number {n}", timeout=WAIT)
                run.done("echo")

        return session

    return Cast([("echo", talker(emu.user(f"Echo{i:04d}", started=True))) for i in range(sessions)])


# --- running a mix --------------------------------------------------------------------------


@dataclass
class Outcome:
    updates: int
    seconds: float
    cycles: dict[str, int]
    bid_latencies: list[float]

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


async def drive(
    cast: Cast, run: Run, seconds: float, *, warmup: float = 0.0, check: Callable[[], None]
) -> Outcome:
    """Run every session for ``seconds`` after ``warmup``; count updates the bot took."""
    tasks = [asyncio.create_task(session(run)) for _, session in cast.sessions]
    run.deadline = time.monotonic() + warmup + seconds + 3600  # corrected below
    try:
        if warmup:
            await _watch(tasks, warmup, check)
        run.bid_latencies.clear()
        run.cycles.clear()
        began, before = time.monotonic(), run.tap.pushed
        run.deadline = began + seconds
        await _watch(tasks, seconds, check)
        # Sessions finish the step they are in; count what they pushed until they stop.
        await asyncio.wait_for(asyncio.gather(*tasks), 2 * WAIT)
        elapsed = time.monotonic() - began
        return Outcome(run.tap.pushed - before, elapsed, dict(run.cycles), list(run.bid_latencies))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _watch(
    tasks: list[asyncio.Task[None]], seconds: float, check: Callable[[], None]
) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        failed = [t for t in tasks if t.done() and not t.cancelled() and t.exception()]
        if failed:
            raise failed[0].exception()  # type: ignore[misc]
        check()
        await asyncio.sleep(min(0.5, max(0.0, end - time.monotonic())))
