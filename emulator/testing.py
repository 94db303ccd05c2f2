"""Helpers for tests: a running emulator, an aiogram Bot wired to it, and polling.

These keep end-to-end tests short and make teardown reliable (polling stopped, sessions
closed, emulator stopped) even when the test body fails.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from emulator.limits import RateLimits
from emulator.server import BotAPIEmulator


@contextlib.asynccontextmanager
async def running_emulator(
    token: str = "42:TEST", *, rate_limits: RateLimits | None = None, **options: Any
) -> AsyncIterator[BotAPIEmulator]:
    """A started emulator, with generous flood limits unless told otherwise."""
    emulator = BotAPIEmulator(token, rate_limits=rate_limits or RateLimits.generous(), **options)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


class _LoopbackSession(AiohttpSession):
    """aiogram's session minus the 250 ms grace sleep on close, which exists for TLS only.

    The emulator speaks plain HTTP on loopback, and that sleep per test adds up.
    """

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(emulator: BotAPIEmulator, **bot_options: Any) -> Bot:
    """A real aiogram ``Bot`` whose session talks to the emulator over HTTP."""
    session = _LoopbackSession(api=TelegramAPIServer.from_base(emulator.base_url))
    return Bot(emulator.token, session=session, **bot_options)


class Polls(Protocol):
    """aiogram's ``Dispatcher``, or anything that polls with the same two methods."""

    async def start_polling(self, bot: Bot, **options: Any) -> None: ...

    async def stop_polling(self) -> None: ...


@contextlib.asynccontextmanager
async def polling(
    dispatcher: Dispatcher | Polls,
    bot: Bot,
    emulator: BotAPIEmulator,
    *,
    polling_timeout: int = 5,
    **polling_options: Any,
) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``dispatcher.start_polling`` in a task for the duration of the block.

    Returns once the bot's first getUpdates call arrived, so its ``allowed_updates`` are in
    force before the test makes anyone act.
    """
    polls_before = emulator.state.updates.polls_started
    task = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_signals=False, polling_timeout=polling_timeout, **polling_options
        )
    )
    try:
        waiter = asyncio.ensure_future(emulator.wait_until_polling(after=polls_before))
        done, _ = await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            waiter.cancel()
            task.result()  # polling died during startup: surface its exception
            raise RuntimeError("polling stopped before its first getUpdates")
        waiter.result()
        yield task
    finally:
        if not task.done():
            with contextlib.suppress(RuntimeError):
                await dispatcher.stop_polling()
            await task
        await bot.session.close()
