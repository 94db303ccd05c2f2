"""End-to-end: the real bot (aiogram, HTTP, middlewares, database) against the emulator.

Each test gets a fresh database, a strict Bot API emulator, and the bot polling it.
People are simulated users of the emulator; ``app.sweep()`` runs due timers the way
the scheduler will. Any call Telegram would have rejected fails the test at teardown.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import CONCURRENT_UPDATES, build_dispatcher, gateways_for, make_bot
from bot.delivery import Delivery
from bot.polling import poller
from bot.scheduler import sweep_once
from bot.settings import BotSettings
from core.clock import FrozenClock
from core.services.timers import SweepReport
from emulator import BotAPIEmulator, SimulatedUser, polling, running_emulator
from storage.db import Database

TOKEN = "123456789:AAHbidgramEndToEndTestTokenXYZ0123456"
ADMIN_ID = 900_000_001


@dataclass
class App:
    emu: BotAPIEmulator
    db: Database
    settings: BotSettings
    clock: FrozenClock
    delivery: Delivery

    def person(self, name: str, *, admin: bool = False) -> SimulatedUser:
        """A person who has opened the bot before (so alerts can reach them)."""
        return self.emu.user(
            name, username=name.lower(), user_id=ADMIN_ID if admin else None, started=True
        )

    async def sweep(self) -> SweepReport:
        """Run due timers as the scheduler does; their alerts go out through the outbox."""
        return await sweep_once(
            self.db, self.settings, self.clock, gateways_for(self.settings), self.delivery
        )


def e2e_settings(database_url: str, api_url: str, **overrides: object) -> BotSettings:
    values: dict[str, object] = {
        "database_url": database_url,
        "bot_token": TOKEN,
        "telegram_api_url": api_url,
        "admin_ids": frozenset({ADMIN_ID}),
        # Functional tests are not about flood limits (tests/e2e/test_delivery.py is):
        # the emulator is generous, and so is our own limiter.
        "send_rate": 500.0,
        "send_burst": 200,
        "chat_rate": 50.0,
        "chat_burst": 100,
        "delivery_poll": 0.2,
        "_env_file": None,
    }
    values.update(overrides)
    return BotSettings(**values)  # type: ignore[arg-type]


async def app_delivery_stopped(delivery: Delivery, sending: asyncio.Task[None]) -> None:
    await delivery.stop()
    await asyncio.wait_for(sending, timeout=10)


@pytest.fixture
def bot_overrides() -> dict[str, object]:
    """Override in a test module to change settings (e.g. the funding gateway)."""
    return {}


@pytest.fixture
async def app(
    db: Database, database_url: str, clock: FrozenClock, bot_overrides: dict[str, object]
) -> AsyncIterator[App]:
    async with running_app(db, database_url, clock, **bot_overrides) as running:
        yield running


@asynccontextmanager
async def running_app(
    db: Database,
    database_url: str,
    clock: FrozenClock,
    *,
    emulator: dict[str, Any] | None = None,
    **overrides: object,
) -> AsyncIterator[App]:
    """The bot polling a fresh emulator (``emulator``: its options) on ``db``; the
    emulator must end clean."""
    async with running_emulator(TOKEN, **(emulator or {})) as emu:
        settings = e2e_settings(database_url, emu.base_url, **overrides)
        bot = make_bot(settings)
        delivery = Delivery(bot, db, settings, clock, gateways_for(settings))
        dp = build_dispatcher(db, settings, clock=clock, notifier=delivery)
        dp["bot_username"] = delivery.bot_username = "bidgram_test_bot"
        sending = asyncio.create_task(delivery.run())
        try:
            async with polling(poller(dp, bot, db, clock, CONCURRENT_UPDATES), bot, emu):
                yield App(emu, db, settings, clock, delivery)
        finally:
            await app_delivery_stopped(delivery, sending)
            await bot.session.close()
        emu.assert_clean()
