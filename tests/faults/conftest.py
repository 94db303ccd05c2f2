"""The fault-injection suite: the real bot, the emulator, and things breaking on cue.

``world`` runs the bot in webhook mode (the emulator posts each update and delivers it
again until it gets a 200, as Telegram does) or in long-polling mode, with its database
either direct or through ``PgProxy`` (PostgreSQL only), so a test can cut the database
before an update, in the middle of one, or at its commit. Telegram's side fails through
the emulator's injected faults. After recovery every test checks what matters: each
update applied once, each payment credited once, each refund made once, books balanced.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import CONCURRENT_UPDATES, build_dispatcher, gateways_for, make_bot
from bot.delivery import Delivery
from bot.polling import poller
from bot.updates import UpdateProcessor
from bot.webhook import WebhookServer
from core.clock import FrozenClock
from emulator import SimulatedUser, polling, running_emulator
from storage.db import Database
from storage.models import DeadLetter, LedgerTransaction, ProcessedUpdate
from tests.e2e.conftest import ADMIN_ID, TOKEN, App, e2e_settings
from tests.faults.pgproxy import PgProxy

URL = "https://bidgram.example/telegram"
SECRET = "faults-SECRET-0123456789"
MODES = ["webhook", "polling"]
STARS = {"funding_gateway": "stars", "currency": "XTR", "currency_exponent": 0}


@dataclass
class World(App):
    """``App`` (what the end-to-end helpers take) plus what breaks and how to look."""

    mode: str = "polling"
    proxy: PgProxy | None = None
    server: WebhookServer | None = None
    processor: UpdateProcessor | None = None  # the bot's, for replaying dead letters

    def person(self, name: str, *, admin: bool = False) -> SimulatedUser:
        return self.emu.user(
            name, username=name.lower(), user_id=ADMIN_ID if admin else None, started=True
        )

    async def count(self, model: Any, *where: Any) -> int:
        async with self.db.uow() as uow:
            stmt = select(func.count()).select_from(model).where(*where)
            return int((await uow.session.execute(stmt)).scalar_one())

    async def claimed(self) -> int:
        return await self.count(ProcessedUpdate)

    async def ledger_kinds(self) -> list[str]:
        async with self.db.uow() as uow:
            stmt = select(LedgerTransaction.kind).order_by(LedgerTransaction.id)
            return list((await uow.session.execute(stmt)).scalars())

    async def dead_letters(self) -> list[DeadLetter]:
        async with self.db.uow() as uow:
            letters = await uow.dead_letters.waiting()
            uow.session.expunge_all()  # readable after the unit of work ends
            return letters

    def statuses(self) -> list[int]:
        """What the webhook answered the emulator's deliveries, in order."""
        return [attempt.status for attempt in self.emu.webhook_attempts]


@asynccontextmanager
async def running_world(
    db: Database,
    clock: FrozenClock,
    mode: str,
    *,
    proxy: PgProxy | None = None,
    **overrides: object,
) -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        emu = await stack.enter_async_context(
            running_emulator(TOKEN, webhook_retry_delay=0.1, webhook_max_retry_delay=0.5)
        )
        bot_db = db
        if proxy is not None:
            bot_db = Database(proxy.url)
            stack.push_async_callback(bot_db.dispose)
        hook = {
            "webhook_url": URL,
            "webhook_secret": SECRET,
            "webhook_host": "127.0.0.1",
            "webhook_path": "/telegram",
            "webhook_shutdown_timeout": 10,
        }
        settings = e2e_settings(bot_db.url, emu.base_url, **hook, **overrides)
        bot = make_bot(settings)
        stack.push_async_callback(bot.session.close)
        delivery = Delivery(bot, bot_db, settings, clock, gateways_for(settings))
        dp = build_dispatcher(bot_db, settings, clock=clock, notifier=delivery)
        dp["bot_username"] = delivery.bot_username = "bidgram_test_bot"
        sending = asyncio.create_task(delivery.run())

        async def stop_sending() -> None:
            await delivery.stop()
            await asyncio.wait_for(sending, 20)

        stack.push_async_callback(stop_sending)
        processor = UpdateProcessor(dp, bot, bot_db, clock)
        world = World(
            emu, db, settings, clock, delivery, mode=mode, proxy=proxy, processor=processor
        )
        if mode == "webhook":
            server = WebhookServer(dp, bot, settings, bot_db, port=0, clock=clock)
            await server.start()
            stack.push_async_callback(server.stop)
            emu.route_webhook(f"http://127.0.0.1:{server.port}")
            world.server = server
        else:
            polls = poller(dp, bot, bot_db, clock, CONCURRENT_UPDATES)
            await stack.enter_async_context(polling(polls, bot, emu))
        yield world
        if proxy is not None:
            proxy.restore()  # teardown talks to the database too


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[PgProxy]:
    """A proxy in front of this run's PostgreSQL database (tests marked ``postgres``)."""
    pg = PgProxy(database_url)
    await pg.start()
    try:
        yield pg
    finally:
        await pg.stop()


async def eventually(check: Any, within: float = 20.0, what: str = "condition") -> None:
    """Wait until ``await check()`` is truthy (recovery takes a few retries)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
