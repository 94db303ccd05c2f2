"""Benchmark 4: resident memory of one bot process with many people and open wizards.

Runs ``bidgram run`` (its own process, SQLite, long polling) against the emulator.
``users`` people are registered: all but ``through_bot`` of them written straight into
the database (registering 100,000 through a bot that handles a few dozen updates a
second here would take an hour), the rest by sending /start through the bot, so the
figure after registrations shows what registrations through updates leave behind.
Then ``wizards`` of them start posting a project (/post) and send a title, so their
conversation waits at step 2 of 5 with the title in its FSM data (real updates). The figure
is the process's VmRSS after each phase, read from /proc once the bot has answered
everything: Python's heap, aiogram's FSM storage (in memory: one record per person
who ever wrote), SQLAlchemy's pools and caches, the aiohttp session.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bench.harness import (
    TRANSPORTS,
    bot_environment,
    bot_fleet,
    load_emulator,
    scratch_database,
    trim_logs,
)
from emulator import BotAPIEmulator, SimulatedUser
from emulator.records import ApiCall
from storage.db import Database
from storage.migrate import migrate
from storage.models import User

IN_FLIGHT = 200  # updates queued ahead of the bot's answers


@dataclass
class MemoryResult:
    rss_start: float
    rss_users: float
    rss_after: float
    users_seconds: float  # for the /start of those registered through the bot
    wizards_seconds: float
    failures: int  # updates the bot answered with "something went wrong"
    rss_echo: float  # the bare aiogram echo bot, idle: what the framework itself takes


class Answers:
    """Which chats got a bot message containing a marker (one marker per phase)."""

    def __init__(self, emu: BotAPIEmulator) -> None:
        self.marker = ""
        self.chats: set[str] = set()
        self.failed: set[str] = set()  # told "something went wrong" instead
        log = emu.state.log
        add = log.add_call

        def add_call(call: ApiCall) -> None:
            add(call)
            if call.ok and call.method.lower() == "sendmessage":
                said = str(call.params.get("text", ""))
                if self.marker and self.marker in said:
                    self.chats.add(str(call.params.get("chat_id")))
                elif "went wrong" in said:
                    self.failed.add(str(call.params.get("chat_id")))

        log.add_call = add_call  # type: ignore[method-assign]

    def expect(self, marker: str) -> None:
        self.marker, self.chats = marker, set()

    @property
    def count(self) -> int:
        return len(self.chats | self.failed)


async def _flood(
    people: list[SimulatedUser],
    send: Callable[[SimulatedUser], object],
    answers: Answers,
    check: Callable[[], None],
) -> float:
    began = time.monotonic()
    for n, person in enumerate(people, 1):
        while n - answers.count > IN_FLIGHT:
            check()
            await asyncio.sleep(0.01)
        await send(person)  # type: ignore[misc]
    deadline = time.monotonic() + 600
    while answers.count < len(people):
        check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {answers.count} of {len(people)} answered")
        await asyncio.sleep(0.05)
    return time.monotonic() - began


async def echo_rss(workdir: Path) -> float:
    async with load_emulator() as (emu, _tap):
        env = bot_environment("sqlite+aiosqlite:///unused.db", emu.base_url)
        async with bot_fleet(TRANSPORTS["polling"], "echo", emu, env, 1, workdir) as fleet:
            person = emu.user("Echo", started=True)
            await person.send_text("hello")
            await person.wait_for_message("hello", timeout=60)
            await asyncio.sleep(2)
            return fleet.rss_mib()[0]


async def _register(url: str, people: list[SimulatedUser]) -> None:
    """Users as ``UserService.register`` leaves them, in bulk."""
    db = Database(url)
    try:
        now = datetime.now(UTC)
        async with db.engine.begin() as conn:
            for start in range(0, len(people), 5000):
                await conn.execute(
                    insert(User),
                    [
                        {
                            "telegram_id": p.id,
                            "first_name": p.first_name,
                            "language_code": "en",
                            "created_at": now,
                            "is_banned": False,
                        }
                        for p in people[start : start + 5000]
                    ],
                )
    finally:
        await db.dispose()


async def measure(users: int, wizards: int, workdir: Path, through_bot: int = 5000) -> MemoryResult:
    rss_echo = await echo_rss(workdir)
    async with (
        load_emulator() as (emu, _tap),
        scratch_database("sqlite", workdir) as url,
    ):
        db = Database(url)
        await migrate(db.engine)
        await db.dispose()
        env = bot_environment(url, emu.base_url)
        async with bot_fleet(TRANSPORTS["polling"], "bidgram", emu, env, 1, workdir) as fleet:

            def check() -> None:
                fleet.check_alive()
                trim_logs(emu)

            await asyncio.sleep(2)
            rss_start = fleet.rss_mib()[0]
            answers = Answers(emu)
            people = [emu.user(f"Person{i:06d}", started=True) for i in range(users)]
            live = min(users, max(through_bot, wizards))
            await _register(url, people[live:])
            answers.expect("What would you like to do?")
            users_seconds = await _flood(
                people[:live], lambda p: p.send_text("/start"), answers, check
            )
            failures = len(answers.failed)
            await asyncio.sleep(2)
            rss_users = fleet.rss_mib()[0]
            posting = people[:wizards]
            answers.expect("step 1 of 5")
            await _flood(posting, lambda p: p.send_text("/post"), answers, check)
            failures += len(answers.failed)
            answers.expect("Step 2 of 5")
            wizards_seconds = await _flood(
                posting,
                lambda p: p.send_text(f"Telegram shop bot for {p.first_name}"),
                answers,
                check,
            )
            failures += len(answers.failed)
            await asyncio.sleep(2)
            rss_after = fleet.rss_mib()[0]
            return MemoryResult(
                rss_start, rss_users, rss_after, users_seconds, wizards_seconds, failures, rss_echo
            )
