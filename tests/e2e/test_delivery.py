"""Alerts are durable and polite: the outbox against a strict emulator that fails on cue.

Each test runs the real sender (aiogram over HTTP) against the project's Bot API
emulator with Telegram's own flood limits, and injects what a real deployment meets:
429 with retry_after, 5xx, dropped connections, people who blocked the bot, a process
that dies with messages in hand, and a restart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from sqlalchemy import select, text

from bot.app import gateways_for, make_bot
from bot.delivery import Delivery
from bot.i18n import i18n, written
from bot.notifier import DIGESTS, RENDERERS, Alert, AlertContext
from bot.ratelimit import Limits, LocalLimiter
from bot.replies import collecting
from bot.settings import BotSettings
from bot.texts import admin as admin_texts
from core.actors import Actor
from core.clock import Clock, FrozenClock, SystemClock
from core.events import KINDS, Event
from core.events.users import UserUnbanned
from core.marketplace import Marketplace
from emulator import (
    ApiCall,
    BotAPIEmulator,
    FaultKind,
    RateLimits,
    SimulatedUser,
    running_emulator,
)
from storage.db import Database
from storage.models import OutboxEvent, OutboxMessage
from tests.e2e.conftest import TOKEN, App, e2e_settings
from tests.e2e.work_support import market, publish, settled


@dataclass
class Rig:
    """An emulator with Telegram's limits, a database and senders ("processes")."""

    emu: BotAPIEmulator
    db: Database
    settings: BotSettings
    wall: FrozenClock
    bots: list[Bot] = field(default_factory=list)

    def process(self, *, wall: Clock | None = None, **changes: object) -> Delivery:
        """A sender as a fresh process would have it: its own bot session and limiter."""
        settings = self.settings.model_copy(update=changes) if changes else self.settings
        bot = make_bot(settings)
        self.bots.append(bot)
        clock = FrozenClock(datetime(2026, 11, 26, tzinfo=UTC))
        return Delivery(
            bot,
            self.db,
            settings,
            clock,
            gateways_for(settings),
            limiter=LocalLimiter(Limits.of(settings)),
            wall=wall or self.wall,
        )

    async def queue(self, chat: int | str, text: str, **fields: object) -> int:
        """An outbox message, as the expander writes it."""
        now = self.wall.now()
        async with self.db.uow() as uow:
            row = OutboxMessage(
                chat=str(chat),
                text=text,
                priority=0,
                status="pending",
                not_before=now,
                created_at=now,
                attempts=0,
                **fields,
            )
            uow.session.add(row)
            await uow.flush()
            await uow.commit()
            return row.id

    async def rows(self) -> list[OutboxMessage]:
        async with self.db.uow() as uow:
            result = await uow.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
            rows = list(result.scalars())
            uow.session.expunge_all()  # keep what was read: the block ends in a rollback
            return rows

    def sends_to(self, chat: int) -> list[ApiCall]:
        return [
            c
            for c in self.emu.calls
            if c.method.lower().startswith("send") and str(c.params.get("chat_id")) == str(chat)
        ]


@pytest.fixture
async def rig(db: Database, database_url: str) -> AsyncIterator[Rig]:
    async with running_emulator(TOKEN, rate_limits=RateLimits.telegram()) as emu:
        # Our own limits as shipped (not the generous ones of the functional tests).
        settings = e2e_settings(
            database_url,
            emu.base_url,
            send_rate=25.0,
            send_burst=5,
            chat_rate=1.0,
            chat_burst=3,
            delivery_poll=0.05,
        )
        r = Rig(emu, db, settings, FrozenClock(datetime.now(UTC)))
        try:
            yield r
        finally:
            for bot in r.bots:
                await bot.session.close()
        emu.assert_clean()


def people(rig: Rig, n: int) -> list[int]:
    return [rig.emu.user(f"P{i}", started=True).id for i in range(n)]


async def drain_until(d: Delivery, done: object, seconds: float = 15.0) -> None:
    """Drain repeatedly (on the real clock) until ``done()`` holds."""
    assert callable(done)
    deadline = time.monotonic() + seconds
    while not await done():
        assert time.monotonic() < deadline, "delivery did not finish in time"
        await d.drain()
        await asyncio.sleep(0.05)


async def registered(
    m: Marketplace, employer: SimulatedUser, freelancer: SimulatedUser
) -> tuple[Actor, Actor]:
    boss = m.users.actor(await m.users.register(employer.id, employer.first_name))
    worker = m.users.actor(await m.users.register(freelancer.id, freelancer.first_name))
    await m.users.update_profile(
        worker,
        headline="Senior Python developer",
        bio="Ten years of building web services, bots and data pipelines.",
        skills=["python"],
        hourly_rate=5000,
    )
    return boss, worker


# --- nothing lost, nothing twice -----------------------------------------------------------


async def test_alerts_written_while_nobody_sends_go_out_once_after_a_restart(app: App) -> None:
    """The process dies right after its commit: the alert waits in the outbox."""
    await app.delivery.stop()  # nobody is sending: as if the process died after commit
    await asyncio.sleep(0.3)
    erin, frank = app.person("Erin"), app.person("Frank")
    async with market(app) as m:
        boss, worker = await registered(m, erin, frank)
        project = await m.projects.create_draft(
            boss,
            title="Shop bot with payments",
            description="A bot that takes orders, accepts payments and notifies staff.",
            skills=["python"],
            budget_min=10_000,
            budget_max=30_000,
        )
        await m.projects.publish(boss, project.id)
        m.take_events()
        await m.bids.place(
            worker,
            project.id,
            amount=20_000,
            delivery_days=5,
            proposal="Two weeks, tested and documented.",
        )
        events = m.take_events()
    await publish(app, events)
    await erin.expect_no_message(within=0.3)

    restarted = Delivery(
        app.delivery.bot, app.db, app.settings, app.clock, gateways_for(app.settings)
    )
    assert await restarted.drain() >= 1
    await erin.wait_for_message("bid")
    sent = len(app.emu.calls_to("sendMessage"))
    again = Delivery(app.delivery.bot, app.db, app.settings, app.clock, gateways_for(app.settings))
    assert await again.drain() == 0  # a second restart resends nothing
    assert len(app.emu.calls_to("sendMessage")) == sent
    assert len([m for m in erin.messages if "bid" in m.text.lower()]) == 1


async def test_a_message_held_by_a_process_that_died_goes_out_once_its_lease_ends(
    rig: Rig,
) -> None:
    (chat,) = people(rig, 1)
    await rig.queue(chat, "Your milestone was funded.")
    dead = rig.process()
    claimed, _ = await dead._claim(1)  # claimed, then the process dies before sending
    assert [c.chat for c in claimed] == [str(chat)]

    survivor = rig.process()
    assert await survivor.drain() == 0  # still leased: not sent twice meanwhile
    assert rig.sends_to(chat) == []
    rig.wall.advance(rig.settings.delivery_lease + timedelta(seconds=1))
    assert await survivor.drain() == 1
    assert [c.ok for c in rig.sends_to(chat)] == [True]
    assert await survivor.drain() == 0
    (row,) = await rig.rows()
    assert row.status == "sent" and row.telegram_message_id is not None


async def test_retry_after_is_honoured_and_holds_back_only_that_chat(rig: Rig) -> None:
    slow, other = people(rig, 2)
    rig.emu.inject_fault(FaultKind.RETRY_AFTER, chat_id=slow, retry_after=1)
    await rig.queue(slow, "First to the slow chat.")
    await rig.queue(slow, "Second to the slow chat.")
    await rig.queue(other, "To someone else.")
    d = rig.process(wall=SystemClock())

    async def all_sent() -> bool:
        return all(r.status == "sent" for r in await rig.rows())

    await drain_until(d, all_sent)
    calls = rig.sends_to(slow)
    assert [c.error_code for c in calls] == [429, None, None]
    assert calls[1].at - calls[0].at >= 1.0 - 0.05  # waited retry_after
    assert [c.params["text"] for c in calls if c.ok] == [
        "First to the slow chat.",
        "Second to the slow chat.",
    ]
    assert rig.sends_to(other)[0].at < calls[1].at  # the other chat did not wait


async def test_server_errors_and_dropped_connections_are_retried_with_backoff(
    rig: Rig,
) -> None:
    (chat,) = people(rig, 1)
    rig.emu.inject_fault(FaultKind.SERVER_ERROR, chat_id=chat, times=1)
    rig.emu.inject_fault(FaultKind.DISCONNECT, chat_id=chat, times=1)
    rig.emu.inject_fault(FaultKind.BAD_GATEWAY, chat_id=chat, times=1)
    await rig.queue(chat, "Your payout was sent.")
    d = rig.process()
    for attempt in range(1, 4):
        assert await d.drain() == 1  # one try, then it waits out its backoff
        assert await d.drain() == 0
        (row,) = await rig.rows()
        assert row.status == "pending" and row.attempts == attempt
        assert row.not_before > rig.wall.now()
        rig.wall.advance(timedelta(seconds=2**attempt * 1.25 + 0.1))
    assert await d.drain() == 1
    (row,) = await rig.rows()
    assert row.status == "sent"
    assert [c.ok for c in rig.sends_to(chat)][-1] is True
    assert len([c for c in rig.sends_to(chat) if c.ok]) == 1


async def test_a_message_that_keeps_failing_gives_up_and_says_why(rig: Rig) -> None:
    (chat,) = people(rig, 1)
    rig.emu.inject_fault(FaultKind.SERVER_ERROR, chat_id=chat, times=100)
    await rig.queue(chat, "Never arrives.")
    d = rig.process(delivery_max_attempts=3)
    for _ in range(3):
        await d.drain()
        rig.wall.advance(timedelta(minutes=10))
    (row,) = await rig.rows()
    assert row.status == "failed" and row.attempts == 3
    assert "Internal Server Error" in (row.last_error or "")
    assert await d.drain() == 0


async def test_a_person_who_blocked_the_bot_gets_nothing_more_and_why_is_recorded(
    app: App,
) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    async with market(app) as m:
        _, worker = await registered(m, erin, frank)
    frank.profile.blocked_bot = True  # silently: the bot learns it from the 403
    back = UserUnbanned(recipients=(worker.user_id,), user_id=worker.user_id)
    await publish(app, [back, back, back])  # three alerts queued at once
    await settled(app)
    assert [c.error_code for c in sends_to(app, frank)] == [403]  # one try, then never again
    await publish(app, [back])  # queued after the block was recorded: not even tried
    await settled(app)
    assert [c.error_code for c in sends_to(app, frank)] == [403]
    async with app.db.uow() as uow:
        rows = await uow.session.execute(
            select(OutboxMessage.status, OutboxMessage.last_error).where(
                OutboxMessage.chat == str(frank.id)
            )
        )
        outcomes = list(rows.all())
        user = await uow.users.by_telegram_id(frank.id)
        assert user is not None and user.blocked_bot_at is not None
    assert [s for s, _ in outcomes] == ["blocked"] * 4
    assert all("blocked" in (why or "") for _, why in outcomes)
    app.emu.state.log.violations.clear()  # the one 403 is the point of this test

    # Writing to the bot again (unblocking) makes alerts reach them once more.
    frank.profile.blocked_bot = False
    await frank.send_text("/start")
    await frank.wait_for_message("What would you like to do?")
    await publish(app, [UserUnbanned(recipients=(worker.user_id,), user_id=worker.user_id)])
    await settled(app)
    assert sends_to(app, frank)[-1].ok


def sends_to(app: App, person: SimulatedUser) -> list[ApiCall]:
    return [
        c for c in app.emu.calls_to("sendMessage") if str(c.params["chat_id"]) == str(person.id)
    ]


# --- Telegram's limits, measured where Telegram would measure them --------------------------


def windows(times: Sequence[float], width: float) -> int:
    """The most calls inside any window of ``width`` seconds."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] > width:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_sending_stays_under_telegrams_limits_per_chat_and_overall(rig: Rig) -> None:
    busy, also_busy, *others = people(rig, 82)
    for n in range(7):
        await rig.queue(busy, f"busy {n}")
    for n in range(4):
        await rig.queue(also_busy, f"also busy {n}")
    for chat in others:
        await rig.queue(chat, "one alert")
    d = rig.process(wall=SystemClock())
    running = asyncio.create_task(d.run())

    async def all_sent() -> bool:
        return all(r.status == "sent" for r in await rig.rows())

    try:
        deadline = time.monotonic() + 30
        while not await all_sent():
            assert time.monotonic() < deadline, "not all sent"
            await asyncio.sleep(0.1)
    finally:
        await d.stop()
        await asyncio.wait_for(running, 10)
    sends = [c for c in rig.emu.calls if c.method.lower() == "sendmessage"]
    assert all(c.ok for c in sends), "Telegram never had to say 429"
    assert len(sends) == 7 + 4 + 80
    overall = [c.at for c in sends]
    assert windows(overall, 1.0) <= 30
    for chat in (busy, also_busy):
        at = [c.at for c in rig.sends_to(chat)]
        for width in (1.0, 2.0, 3.0):
            assert windows(at, width) <= 3 + width  # a burst of 3, then 1 a second
    # ...and the limiter does not crawl: 80 chats at 25/s take about three seconds.
    assert max(overall) - min(overall) < 12


# --- many alerts at once become one digest -------------------------------------------------


@pytest.fixture
def bulk_kind() -> Iterator[str]:
    """A test event kind whose alerts may merge into a digest listing their refs."""

    @dataclass(frozen=True, kw_only=True)
    class Bulk(Event, kind="test.bulk"):
        ref: int

    async def render(event: Bulk, ctx: AlertContext) -> list[Alert]:
        ref = event.ref
        return [Alert(r, f"Item {ref}", digest="test-bulk", ref_id=ref) for r in event.recipients]

    async def digest(refs: Sequence[int], ctx: AlertContext) -> tuple[str, None]:
        items = ", ".join(f"Item {r}" for r in refs)
        reader = f"{i18n.current_locale}, {written(NOON, '%H:%M', 'HH:mm')}"
        return f"Digest ({reader}): {items}", None

    RENDERERS[Bulk] = render
    DIGESTS["test-bulk"] = digest
    yield Bulk.kind
    del RENDERERS[Bulk]
    del KINDS[Bulk.kind]
    del DIGESTS["test-bulk"]


async def test_many_alerts_at_once_become_one_digest(rig: Rig, bulk_kind: str) -> None:
    (chat,) = people(rig, 1)
    async with rig.db.uow() as uow:
        await uow.users.ensure(chat, rig.wall.now())
        await uow.commit()
    d = rig.process(digest_after=3, digest_window=timedelta(hours=1))
    for ref in range(1, 7):
        async with rig.db.uow() as uow:
            uow.outbox.add_event(bulk_kind, [chat], {"ref": ref}, rig.wall.now())
            await uow.commit()
        await d.drain()
    texts = [c.params["text"] for c in rig.sends_to(chat)]
    assert texts == ["Item 1", "Item 2", "Item 3"]  # then the rest are held...
    rig.wall.advance(timedelta(hours=1, seconds=1))
    await d.drain()
    texts = [c.params["text"] for c in rig.sends_to(chat)]
    assert texts[3:] == ["Digest (en, 12:00 UTC): Item 4, Item 5, Item 6"]  # ...and go out as one
    statuses = [r.status for r in await rig.rows()]
    assert statuses == ["sent"] * 4 + ["merged"] * 2


async def test_a_digest_is_worded_for_its_reader(rig: Rig, bulk_kind: str) -> None:
    """A digest is written when it is sent, in its reader's language and zone."""
    (chat,) = people(rig, 1)
    async with rig.db.uow() as uow:
        user = await uow.users.ensure(chat, rig.wall.now())
        user.language, user.time_zone = "ru", "Asia/Almaty"
        await uow.commit()
    d = rig.process(digest_after=1, digest_window=timedelta(hours=1))
    for ref in (1, 2, 3):
        async with rig.db.uow() as uow:
            uow.outbox.add_event(bulk_kind, [chat], {"ref": ref}, rig.wall.now())
            await uow.commit()
        await d.drain()
    rig.wall.advance(timedelta(hours=1, seconds=1))
    await d.drain()
    texts = [c.params["text"] for c in rig.sends_to(chat)]
    assert texts[1:] == ["Digest (ru, 17:00 (Алматы)): Item 2, Item 3"]


async def test_direct_alerts_are_not_held_behind_a_digest(rig: Rig, bulk_kind: str) -> None:
    (chat,) = people(rig, 1)
    d = rig.process(digest_after=1, digest_window=timedelta(hours=1))
    for ref in (1, 2):
        async with rig.db.uow() as uow:
            uow.outbox.add_event(bulk_kind, [chat], {"ref": ref}, rig.wall.now())
            await uow.commit()
        await d.drain()
    await rig.queue(chat, "A bid arrived.")
    await d.drain()
    assert [c.params["text"] for c in rig.sends_to(chat)] == ["Item 1", "A bid arrived."]


# --- several processes ------------------------------------------------------------------------


@pytest.mark.postgres
async def test_two_processes_share_the_outbox_and_never_send_twice(rig: Rig) -> None:
    chats = people(rig, 120)
    for chat in chats:
        await rig.queue(chat, "Shared work")
    first, second = rig.process(wall=SystemClock()), rig.process(wall=SystemClock())
    tasks = [asyncio.create_task(p.run()) for p in (first, second)]

    async def all_sent() -> bool:
        return all(r.status == "sent" for r in await rig.rows())

    try:
        deadline = time.monotonic() + 30
        while not await all_sent():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
    finally:
        for p in (first, second):
            await p.stop()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
    for chat in chats:
        assert len([c for c in rig.sends_to(chat) if c.ok]) == 1


async def test_rows_queued_by_an_older_version_still_go_out(rig: Rig) -> None:
    """Rows already in the outbox when the events became classes: one with a key its
    kind no longer has is sent; one of a kind this version does not know tells nobody."""
    (chat,) = people(rig, 1)
    async with rig.db.uow() as uow:
        user = await uow.users.ensure(chat, rig.wall.now())
        old = {"user_id": user.id, "reason": "from an older version"}
        uow.outbox.add_event("user.unbanned", [user.id], old, rig.wall.now())
        uow.outbox.add_event("user.renamed", [user.id], {"user_id": user.id}, rig.wall.now())
        await uow.commit()
    await rig.process().drain()
    assert [c.params["text"] for c in rig.sends_to(chat)] == [admin_texts.you_are_unbanned()]
    async with rig.db.uow() as uow:
        assert await uow.outbox.counts() == {"sent": 1, "events waiting": 0}


async def test_the_expander_sends_what_it_made_up_to_the_free_slots_without_a_claim_of_its_own(
    rig: Rig,
) -> None:
    """Expanding an event claims the heads it made in the same transaction, as many as
    there are free send slots, and sends them; the rest waits for the sender."""
    chats = people(rig, 3)
    async with rig.db.uow() as uow:
        users = [await uow.users.ensure(chat, rig.wall.now()) for chat in chats]
        reason = {"reason": "a mistake"}
        for user in users:
            uow.outbox.add_event(
                "user.unbanned", [user.id], {"user_id": user.id, **reason}, rig.wall.now()
            )
        await uow.commit()
    d = rig.process(delivery_workers=2)
    assert await d._expand() == 0  # a short batch: nothing left behind
    async with rig.db.uow() as uow:
        rows = (await uow.session.execute(select(OutboxMessage))).scalars().all()
        assert sorted(row.claimed_by == d.worker for row in rows) == [False, True, True]
    await asyncio.gather(*d._sending)
    assert sum(len(rig.sends_to(chat)) for chat in chats) == 2
    assert await d.drain() == 1  # the third, by the sender
    assert all(len(rig.sends_to(chat)) == 1 for chat in chats)


# --- an update's own alerts ---------------------------------------------------------------


async def _updated(d: Delivery, rig: Rig, *events: Event) -> Callable[[], None]:
    """An update's transaction that recorded ``events``, committed as the update
    middleware commits it; what delivers its alerts."""
    async with rig.db.uow() as uow:
        m = Marketplace(uow, rig.settings, FrozenClock(datetime(2026, 11, 26, tzinfo=UTC)))
        m.ctx.events.extend(events)
        deliver = await d.prepare(m, m.write_events())
        await m.commit()
    return deliver


async def _unbanned(rig: Rig, chats: list[int]) -> list[UserUnbanned]:
    async with rig.db.uow() as uow:
        users = [await uow.users.ensure(chat, rig.wall.now()) for chat in chats]
        await uow.commit()
    return [UserUnbanned(recipients=(u.id,), user_id=u.id) for u in users]


def _sending(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, workers: int = 8
) -> tuple[Delivery, list[str]]:
    """A process whose loops are taken as running (``prepare`` works only then), and the
    loops it wakes."""
    d = rig.process(delivery_workers=workers)
    d._running = True
    woken: list[str] = []
    monkeypatch.setattr(d, "_wake", woken.append)
    return d, woken


async def _events(rig: Rig) -> list[OutboxEvent]:
    async with rig.db.uow() as uow:
        events = list((await uow.session.execute(select(OutboxEvent))).scalars())
        uow.session.expunge_all()  # keep what was read: the block ends in a rollback
        return events


async def test_an_updates_alert_is_made_and_claimed_in_its_transaction_and_sent_once_it_commits(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No expander and no claim of the sender's: the message is written claimed by this
    process, and sending it wakes no loop (its chat had nothing else waiting)."""
    (chat,) = people(rig, 1)
    d, woken = _sending(rig, monkeypatch)
    deliver = await _updated(d, rig, *await _unbanned(rig, [chat]))
    (event,) = await _events(rig)
    assert event.expanded_at is not None
    (row,) = await rig.rows()
    assert (row.claimed_by, row.status) == (d.worker, "pending")
    assert rig.sends_to(chat) == []  # nothing before the commit is confirmed to the caller
    with collecting() as replies:  # as the update middleware calls it: its replies held
        deliver()
        await asyncio.gather(*d._sending)
    assert replies.calls == []  # sent as alerts are, not held among the update's replies
    assert len(rig.sends_to(chat)) == 1
    assert [r.status for r in await rig.rows()] == ["sent"]
    assert woken == []


async def test_an_updates_alert_waits_behind_a_message_its_chat_already_has(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Order per chat holds: the new alert is left to the sender, which is woken, and
    goes out after the one that was waiting."""
    first, second = people(rig, 2)
    waiting = await rig.queue(first, "sent before")
    d, woken = _sending(rig, monkeypatch)
    deliver = await _updated(d, rig, *await _unbanned(rig, [first, second]))
    rows = {r.chat: r for r in await rig.rows() if r.id != waiting}
    assert rows[str(first)].claimed_by is None
    assert rows[str(second)].claimed_by == d.worker
    deliver()
    assert woken == ["sender"]
    await asyncio.gather(*d._sending)
    await drain_until(d, lambda: _all_sent(rig))
    texts = [c.params["text"] for c in rig.sends_to(first)]
    assert texts[0] == "sent before" and len(texts) == 2


async def _all_sent(rig: Rig) -> bool:
    rows = await rig.rows()
    return bool(rows) and all(r.status == "sent" for r in rows)


async def test_an_updates_alerts_claim_no_more_than_the_free_send_slots(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    chats = people(rig, 3)
    d, woken = _sending(rig, monkeypatch, workers=2)
    deliver = await _updated(d, rig, *await _unbanned(rig, chats))
    assert sorted(r.claimed_by == d.worker for r in await rig.rows()) == [False, True, True]
    deliver()
    assert woken == ["sender"]
    await asyncio.gather(*d._sending)
    await drain_until(d, lambda: _all_sent(rig))
    assert all(len(rig.sends_to(chat)) == 1 for chat in chats)


@pytest.fixture
def flaky_kind() -> Iterator[list[str]]:
    """A test event whose first rendering fails in SQL (which aborts a PostgreSQL
    transaction unless a savepoint holds it), the next ones render."""
    failures = ["SELECT no_such_column FROM users"]

    @dataclass(frozen=True, kw_only=True)
    class Flaky(Event, kind="test.flaky"):
        pass

    async def render(event: Flaky, ctx: AlertContext) -> list[Alert]:
        if failures:
            await ctx.market.ctx.uow.session.execute(text(failures.pop()))
        return [Alert(r, "rendered at last") for r in event.recipients]

    RENDERERS[Flaky] = render
    yield failures
    del RENDERERS[Flaky]
    del KINDS[Flaky.kind]


async def test_an_alert_that_fails_to_render_is_left_to_the_expander_and_the_update_commits(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, flaky_kind: list[str]
) -> None:
    (chat,) = people(rig, 1)
    d, woken = _sending(rig, monkeypatch)
    flaky = KINDS["test.flaky"](recipients=(chat,))  # its renderer writes to them directly
    deliver = await _updated(d, rig, flaky)
    assert flaky_kind == []  # it failed once
    (event,) = await _events(rig)
    assert (event.kind, event.expanded_at) == ("test.flaky", None)
    assert await rig.rows() == []
    deliver()
    assert woken == ["expander"]
    await drain_until(d, lambda: _all_sent(rig))
    assert [c.params["text"] for c in rig.sends_to(chat)] == ["rendered at last"]


async def test_events_that_may_reach_thousands_are_left_to_the_expander(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    (chat,) = people(rig, 1)
    d, woken = _sending(rig, monkeypatch)
    (unbanned,) = await _unbanned(rig, [chat])
    monkeypatch.setattr("bot.delivery.FAN_OUT", {UserUnbanned})
    deliver = await _updated(d, rig, unbanned)
    assert [e.expanded_at for e in await _events(rig)] == [None]
    deliver()
    assert woken == ["expander"]


async def test_an_update_expands_nothing_while_the_delivery_loops_are_not_running(
    rig: Rig,
) -> None:
    """``drain`` does the work then (tests, the sandbox's sweeps, ``bidgram sweep``)."""
    (chat,) = people(rig, 1)
    d = rig.process()
    await _updated(d, rig, *await _unbanned(rig, [chat]))
    assert [e.expanded_at for e in await _events(rig)] == [None]
    await drain_until(d, lambda: _all_sent(rig))
    assert len(rig.sends_to(chat)) == 1


# --- each alert worded for its reader ------------------------------------------------------


@pytest.fixture
def clock_kind() -> Iterator[list[tuple[str, str]]]:
    """A test event whose alert says a moment; the (language, zone) of every rendering."""
    renderings: list[tuple[str, str]] = []

    @dataclass(frozen=True, kw_only=True)
    class Moment(Event, kind="test.moment"):
        pass

    async def render(event: Moment, ctx: AlertContext) -> list[Alert]:
        renderings.append((i18n.current_locale, written(NOON, "%H:%M", "HH:mm")))
        return [Alert(r, f"At {written(NOON, '%H:%M', 'HH:mm')}") for r in event.recipients]

    RENDERERS[Moment] = render
    yield renderings
    del RENDERERS[Moment]
    del KINDS[Moment.kind]


NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def _readers(rig: Rig, chats: list[int], zones: list[str | None], language: str) -> None:
    async with rig.db.uow() as uow:
        for chat, zone in zip(chats, zones, strict=True):
            user = await uow.users.ensure(chat, rig.wall.now())
            user.time_zone = zone
            user.language = language if zone else None
        await uow.commit()


async def _worded(rig: Rig, chats: list[int]) -> dict[str, str]:
    async with rig.db.uow() as uow:
        uow.outbox.add_event("test.moment", chats, {}, rig.wall.now())
        await uow.commit()
    await rig.process().expand_once()
    async with rig.db.uow() as uow:
        rows = (await uow.session.execute(select(OutboxMessage))).scalars().all()
        return {row.chat: row.text for row in rows}


async def test_an_event_is_worded_again_for_each_other_reader(
    rig: Rig, clock_kind: list[tuple[str, str]]
) -> None:
    chats = people(rig, 3)
    await _readers(rig, chats, [None, "Europe/Moscow", "Asia/Almaty"], "ru")
    worded = await _worded(rig, chats)
    assert worded == {
        str(chats[0]): "At 12:00 UTC",
        str(chats[1]): "At 15:00 (Москва)",
        str(chats[2]): "At 17:00 (Алматы)",
    }
    assert len(clock_kind) == 3  # the default, then once per other reader


async def test_an_event_read_in_too_many_zones_is_worded_once_per_language(
    rig: Rig, clock_kind: list[tuple[str, str]]
) -> None:
    zones = ["Europe/Moscow", "Asia/Almaty", "Asia/Tashkent", "Europe/Minsk", "Asia/Omsk"]
    zones += ["Asia/Novosibirsk", "Asia/Yekaterinburg", "Europe/Samara", "Asia/Irkutsk"]
    chats = people(rig, len(zones))
    await _readers(rig, chats, zones, "ru")
    worded = await _worded(rig, chats)
    assert set(worded.values()) == {"At 12:00 UTC"}  # the times in UTC, named so
    assert [language for language, _ in clock_kind] == ["en", "ru"]
