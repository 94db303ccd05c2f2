"""The sandbox's world: emulated Telegram, the real bot polling it, a database and a clock.

One :class:`Sandbox` owns them all, starts them in order, tears them down and can start
over (Reset). Everything that happens in a chat, every call the emulator rejected and
every warning the bot logs is published to a :class:`Feed` the page listens to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import timedelta

from aiogram import Bot, Dispatcher
from sqlalchemy import inspect, text

from bot.app import (
    CONCURRENT_UPDATES,
    build_dispatcher,
    describe,
    gateways_for,
    make_bot,
    set_commands,
)
from bot.delivery import Delivery
from bot.polling import poller
from bot.scheduler import sweep_once
from bot.settings import BotSettings, load_bot_settings
from core.clock import MovableClock
from core.gateways import Gateways
from core.locales import LANGUAGES
from core.services.timers import SweepReport
from emulator import BotAPIEmulator, InlineAnswer, RateLimits, SimulatedUser, polling
from emulator.chats import Chat, PeopleChat
from sandbox.views import JSON, bot_json, event_json, person_json, reply_keyboard
from storage.db import Database
from storage.migrate import migrate

log = logging.getLogger("bidgram.sandbox")

TOKEN = "123456789:AAHbidgramSandboxNotARealTelegramToken"
BOT_USERNAME = "bidgram_sandbox_bot"
ADMIN_ID = 900_000_001
MARK = "bidgram_sandbox"  # a table that says "the sandbox may empty this database"
SWEEP_EVERY = 60.0  # seconds of real time between sweeps, as the bot's scheduler does
#: Skipping ahead sweeps at least this often on the way, so every reminder comes at its
#: time and in order (the 48 h and the 24 h one before an auto-release), not only the last.
SWEEP_STEP = timedelta(hours=1)
#: What Telegram takes as a username (here without its length rules: the cast's are short).
USERNAME = re.compile(r"[A-Za-z0-9_]{1,32}")


@dataclass(frozen=True)
class Role:
    name: str
    role: str
    admin: bool = False


CAST = (
    Role("Erin", "employer"),
    Role("Frank", "freelancer"),
    Role("Fiona", "freelancer"),
    Role("Ada", "admin", admin=True),
)


class Feed:
    """Fan-out of live events to every open page (each subscriber has its own queue)."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[tuple[str, JSON]]] = set()

    def subscribe(self) -> asyncio.Queue[tuple[str, JSON]]:
        queue: asyncio.Queue[tuple[str, JSON]] = asyncio.Queue()
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[tuple[str, JSON]]) -> None:
        self._queues.discard(queue)

    def publish(self, kind: str, data: JSON) -> None:
        for queue in self._queues:
            queue.put_nowait((kind, data))

    def close(self) -> None:
        """Tell every open stream to end (the server is stopping)."""
        self.publish("bye", {})


class _FeedLogHandler(logging.Handler):
    """The bot's warnings and errors (a failed handler, an alert not sent) go to the log pane."""

    def __init__(self, feed: Feed) -> None:
        super().__init__(logging.WARNING)
        self.feed = feed

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += f": {record.exc_info[1]!r}"
        self.feed.publish(
            "log", {"level": record.levelname.lower(), "source": record.name, "text": message}
        )


@dataclass
class _Running:
    """One incarnation of the world; Reset throws it away and builds another."""

    emu: BotAPIEmulator
    db: Database
    settings: BotSettings
    clock: MovableClock
    gateways: Gateways
    bot: Bot
    dp: Dispatcher
    notifier: Delivery
    stack: contextlib.AsyncExitStack
    people: dict[int, tuple[SimulatedUser, str]] = field(default_factory=dict)
    inline: dict[int, InlineAnswer] = field(default_factory=dict)  # each one's last results
    watched: set[int] = field(default_factory=set)  # chats between people being published
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    sending: asyncio.Task[None] | None = None  # the alert delivery loop


Seeder = Callable[["Sandbox"], Awaitable[None]]


class Sandbox:
    """The emulator, the bot against it, the database and the movable clock."""

    def __init__(
        self,
        database_url: str,
        feed: Feed,
        *,
        demo: Seeder | None = None,
        overrides: dict[str, object] | None = None,
    ) -> None:
        self.database_url = database_url
        self.feed = feed
        self.demo = demo
        self.overrides = dict(overrides or {})
        self._world: _Running | None = None
        self._log_handler = _FeedLogHandler(feed)
        self._lock = asyncio.Lock()
        self._timers = asyncio.Lock()  # one sweep at a time: skipping ahead or the periodic one

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def world(self) -> _Running:
        if self._world is None:
            raise RuntimeError("the sandbox is not running")
        return self._world

    async def start(self) -> None:
        """Fresh database, emulator, bot, the cast of people; demo data when asked."""
        stack = contextlib.AsyncExitStack()
        try:
            db = Database(self.database_url)
            stack.push_async_callback(db.dispose)
            await wipe(db)
            await migrate(db.engine)
            clock = MovableClock()
            emu = await stack.enter_async_context(_emulator(clock))
            settings = sandbox_settings(self.database_url, emu.base_url, **self.overrides)
            gateways = gateways_for(settings)
            bot = make_bot(settings)
            notifier = Delivery(bot, db, settings, clock, gateways)
            dp = build_dispatcher(db, settings, clock=clock, notifier=notifier)
            dp["bot_username"] = notifier.bot_username = BOT_USERNAME
            world = _Running(emu, db, settings, clock, gateways, bot, dp, notifier, stack)
            self._world = world
            for role in CAST:
                self._add(role.name, role.role, user_id=ADMIN_ID if role.admin else None)
            await set_commands(bot, settings)
            await describe(bot)
            polls = poller(dp, bot, db, clock, CONCURRENT_UPDATES)
            await stack.enter_async_context(polling(polls, bot, emu, polling_timeout=10))
            world.tasks.append(asyncio.create_task(self._watch_log()))
            world.tasks.append(asyncio.create_task(self._sweep_now_and_then()))
            world.sending = asyncio.create_task(notifier.run())  # the outbox, as in production
            for logger in ("aiogram", "bidgram"):
                logging.getLogger(logger).addHandler(self._log_handler)
            if self.demo is not None:
                await self.demo(self)
        except BaseException:
            if self._world is not None:
                await self.stop()  # watchers, log handlers and the stack
            else:
                await stack.aclose()
            raise

    async def stop(self) -> None:
        world, self._world = self._world, None
        if world is None:
            return
        for logger in ("aiogram", "bidgram"):
            logging.getLogger(logger).removeHandler(self._log_handler)
        if world.sending is not None:  # let delivery finish what it holds, never cut it
            await world.notifier.stop()
            await asyncio.wait({world.sending}, timeout=10)
        for task in world.tasks:
            task.cancel()
        await asyncio.gather(*world.tasks, return_exceptions=True)
        await world.stack.aclose()

    async def reset(self) -> JSON:
        """Start over: a fresh database and emulator, the same cast, the clock at now."""
        async with self._lock, self._timers:
            await self.stop()
            await self.start()
            snapshot = self.snapshot()
        self.feed.publish("reset", snapshot)
        return snapshot

    # -- people -----------------------------------------------------------------------------

    def _add(
        self,
        name: str,
        role: str,
        *,
        user_id: int | None = None,
        started: bool = False,
        language: str = "en",
        username: str | None = None,
    ) -> SimulatedUser:
        world = self.world
        if username is None and USERNAME.fullmatch(name.lower()):
            username = name.lower()
        person = world.emu.user(
            name, username=username, user_id=user_id, started=started, language_code=language
        )
        world.people[person.id] = (person, role)
        world.tasks.append(asyncio.create_task(self._watch_chat(person)))
        return person

    def add_person(
        self,
        name: str,
        language: str = "en",
        *,
        role: str = "person",
        username: str | None = None,
    ) -> JSON:
        """Someone new opens a chat with the bot (a plain user; admins come from settings),
        their Telegram client set to ``language`` (one the bot speaks). ``role`` is what the
        page calls them; ``username`` is their @username (by default their name, when it
        is one: Latin letters, digits and ``_``; a name in another script has none)."""
        name = name.strip()
        if not 1 <= len(name) <= 32:
            raise ValueError("A name has 1 to 32 characters.")
        if language not in LANGUAGES:
            raise ValueError(f"A language the bot speaks: {', '.join(LANGUAGES)}.")
        if username is not None and not USERNAME.fullmatch(username):
            raise ValueError("A username has Latin letters, digits and _ only.")
        person = self._add(name, role, language=language, username=username)
        view = person_json(person, role, self.world.emu.state)
        self.feed.publish("person", view)
        return view

    def person(self, person_id: int) -> SimulatedUser:
        found = self.world.people.get(person_id)
        if found is None:
            raise LookupError(f"There is no person {person_id} in this sandbox.")
        return found[0]

    def people(self) -> list[SimulatedUser]:
        return [person for person, _ in self.world.people.values()]

    # -- inline mode and chats between people -----------------------------------------------

    async def inline_query(self, person: SimulatedUser, query: str, offset: str) -> InlineAnswer:
        answer = await person.inline_query(query, offset=offset)
        self.world.inline[person.id] = answer
        return answer

    async def choose_inline_result(
        self, person: SimulatedUser, result_id: str, to: SimulatedUser | None
    ) -> JSON:
        """Send one of the person's last inline results to the chat it was typed in."""
        answer = self.world.inline.get(person.id)
        if answer is None:
            raise LookupError("Search in inline mode first (type @bot and some words).")
        if to is not None:
            self.watch_people_chat(person.chat_with(to))
        sent = await person.choose_inline_result(answer, result_id, to=to)
        return {"id": sent.message_id, "inline_message_id": sent.inline_message_id}

    def chat_of(self, person: SimulatedUser, other: int | None) -> Chat:
        """The person's chat with the bot (``other`` None), or with another person."""
        if other is None:
            return person.chat
        chat = person.chat_with(self.person(other))
        self.watch_people_chat(chat)
        return chat

    def watch_people_chat(self, chat: PeopleChat) -> None:
        """Publish a chat between two people to both, from its first message on."""
        world = self.world
        if chat.id not in world.watched:
            world.watched.add(chat.id)
            world.tasks.append(asyncio.create_task(self._watch_people_chat(chat)))

    # -- time -------------------------------------------------------------------------------

    async def advance(self, delta: timedelta, step: timedelta = SWEEP_STEP) -> SweepReport:
        """Move the bot's clock forward by ``delta`` a ``step`` at a time, sweeping after
        each and letting its alerts go out before the next: what a running bot would have
        done in that time, in order, each message dated when it was due."""
        world = self.world
        done = SweepReport()
        async with self._timers:
            await world.notifier.drain()  # what is due now goes out at the time it is now
            left = delta
            while left > timedelta(0):
                world.clock.advance(min(step, left))
                left -= step
                self.feed.publish("clock", self.clock_json())
                report = await self._sweep()
                await world.notifier.drain()
                _add(done, report)
        return done

    async def run_due_work(self) -> SweepReport:
        """Everything time-driven that is due now: the one place the sandbox runs timers."""
        async with self._timers:
            return await self._sweep()

    async def _sweep(self) -> SweepReport:
        world = self.world
        report = await sweep_once(
            world.db, world.settings, world.clock, world.gateways, world.notifier
        )
        if report.total or report.failures:
            self.feed.publish("log", {"level": "info", "source": "timers", "text": said(report)})
        return report

    async def _sweep_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_EVERY)
            try:
                await self.run_due_work()
            except Exception:
                log.exception("timers failed")

    def clock_json(self) -> JSON:
        clock = self.world.clock
        return {
            "now": clock.now().isoformat(),
            "offset_seconds": int(clock.offset.total_seconds()),
        }

    # -- what the page sees -----------------------------------------------------------------

    def snapshot(self) -> JSON:
        world = self.world
        state = world.emu.state
        return {
            "bot_username": BOT_USERNAME,
            "bot": bot_json(world.emu),
            "clock": self.clock_json(),
            "currency": world.settings.currency,
            "currency_exponent": world.settings.currency_exponent,
            "gateway": world.settings.funding_gateway,
            "database": world.settings.database_url,
            "people": [person_json(p, role, state) for p, role in world.people.values()],
        }

    def _publish(self, person: SimulatedUser, chat: Chat, seen: int) -> int:
        """Publish a chat's events from ``seen`` on, as this person sees them."""
        fresh = chat.events[seen:]
        other = chat.other(person.profile).id if isinstance(chat, PeopleChat) else None
        for event in fresh:
            data = event_json(person.id, event, other)
            if other is None:
                data["reply_keyboard"] = reply_keyboard(person)
            self.feed.publish("chat", data)
        return seen + len(fresh)

    async def _watch_chat(self, person: SimulatedUser) -> None:
        """Publish every change in one chat as it happens (both sides, edits, deletions)."""
        chat = person.chat
        seen = 0
        while True:
            await chat.changes.wait_for(_longer((chat.events, seen)), 3600)
            seen = self._publish(person, chat, seen)

    async def _watch_people_chat(self, chat: PeopleChat) -> None:
        """The same for a chat between two people, to each of them."""
        first, second = (self.person(member.id) for member in chat.members)
        seen = 0
        while True:
            await chat.changes.wait_for(_longer((chat.events, seen)), 3600)
            self._publish(first, chat, seen)
            seen = self._publish(second, chat, seen)

    async def _watch_log(self) -> None:
        """Calls the emulator rejected and rules the bot broke, as they are recorded."""
        records = self.world.emu.state.log
        calls = violations = 0
        while True:
            await records.changes.wait_for(
                _longer((records.calls, calls), (records.violations, violations)), 3600
            )
            for call in records.calls[calls:]:
                if not call.ok and call.error_code != 409:
                    self.feed.publish(
                        "log", {"level": "error", "source": "Bot API", "text": str(call)}
                    )
            for violation in records.violations[violations:]:
                if violation.method is None:  # rejected calls were shown above
                    self.feed.publish(
                        "log", {"level": "error", "source": "Bot API", "text": str(violation)}
                    )
            calls, violations = len(records.calls), len(records.violations)


def _longer(*lists: tuple[Sequence[object], int]) -> Callable[[], bool | None]:
    """A check for ``Changes.wait_for``: has any list grown past the length seen?"""
    return lambda: True if any(len(items) > seen for items, seen in lists) else None


def _add(total: SweepReport, report: SweepReport) -> None:
    for counted in fields(SweepReport):
        value = getattr(report, counted.name)
        setattr(total, counted.name, getattr(total, counted.name) + value)


@contextlib.asynccontextmanager
async def _emulator(clock: MovableClock) -> AsyncIterator[BotAPIEmulator]:
    """Telegram for the sandbox: its messages are dated by the bot's movable clock."""
    emu = BotAPIEmulator(
        TOKEN,
        rate_limits=RateLimits.generous(),
        bot_username=BOT_USERNAME,
        clock=lambda: clock.now().timestamp(),
    )
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


def said(report: SweepReport) -> str:
    """What a sweep did, in words, for the log pane."""
    done = [
        (report.bidding_ended, "ended bidding on {} project(s)"),
        (report.projects_closed, "closed {} project(s)"),
        (report.awards_lapsed, "lapsed {} offer(s)"),
        (report.milestones_auto_released, "auto-released {} milestone(s)"),
        (report.disputes_defaulted, "settled {} unanswered dispute(s)"),
        (report.disputes_escalated, "escalated {} dispute(s) to an admin"),
        (report.due_reminders + report.auto_release_reminders, "sent {} reminder(s)"),
        (len(report.failures), "{} item(s) failed; see the bot's log"),
    ]
    return "; ".join(phrase.format(n) for n, phrase in done if n) or "nothing due"


def sandbox_settings(database_url: str, api_url: str, **overrides: object) -> BotSettings:
    """The bot's settings in the sandbox: a fixed fake token, the emulator as Telegram.

    Other settings (windows, limits, the gateway) come from the environment as usual, but
    never from a ``.env`` file, which may hold a real deployment's token and database.
    """
    values: dict[str, object] = {
        "database_url": database_url,
        "bot_token": TOKEN,
        "telegram_api_url": api_url,
        "admin_ids": frozenset({ADMIN_ID}),
        "projects_channel": None,
        # One person plays everyone, and skipping ahead sends a week's alerts at once: our
        # own flood limits (Telegram's, on a real bot) would only hold them back.
        "send_rate": 500.0,
        "send_burst": 200,
        "chat_rate": 50.0,
        "chat_burst": 100,
        "_env_file": None,
    }
    values.update(overrides)
    return load_bot_settings(**values)


class NotASandboxDatabase(Exception):
    """The database holds people the sandbox did not create: it will not empty it."""


async def wipe(db: Database) -> None:
    """Drop every table bidgram has, so the migrations build a fresh database.

    A database with users in it that the sandbox did not mark as its own (a real
    deployment's, named by a stray ``DATABASE_URL``) is refused, never emptied.
    """
    from storage.models import Base

    async with db.engine.begin() as conn:
        tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        if "users" in tables and MARK not in tables:
            people = (await conn.execute(text("SELECT count(*) FROM users"))).scalar_one()
            if people:
                raise NotASandboxDatabase(
                    f"{db.url} holds {people} users and was not made by the sandbox, which "
                    "empties its database; point DATABASE_URL at an empty database, or unset "
                    "it to use ./sandbox.db"
                )
        await conn.run_sync(Base.metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await conn.execute(text(f"CREATE TABLE IF NOT EXISTS {MARK} (note VARCHAR(80))"))
