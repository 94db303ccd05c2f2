"""Long polling that never acknowledges an update before it is handled.

Telegram forgets every update below the ``offset`` of the next ``getUpdates``. aiogram's
own polling asks for the next batch while the last one is still being handled, so an
update whose handling then failed (the database down) was already gone. Here a batch
is handled to its end first — each update done, dead-lettered or dropped
(``bot.updates``); one that failed for an outage is tried again with growing pauses —
and only then is the next batch asked for. A process stopped half-way acknowledged
nothing of its batch: the next start gets it again, and the update-id claims make the
updates already handled no-ops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.metrics import Metrics
from bot.updates import Outcome, UpdateProcessor
from core.clock import Clock
from storage.db import Database

log = logging.getLogger("bidgram.polling")

#: Pauses between tries of an update that failed for an outage, and of getUpdates.
RETRY_PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


def pause(attempt: int) -> float:
    return RETRY_PAUSES[min(attempt, len(RETRY_PAUSES)) - 1]


class Poller:
    """Polls Telegram for one dispatcher. ``start_polling`` / ``stop_polling`` have the
    shape of aiogram's, so tools that run a dispatcher's polling can run this."""

    def __init__(self, dp: Dispatcher, processor: UpdateProcessor, *, concurrency: int) -> None:
        self.dp = dp
        self.processor = processor
        self.concurrency = concurrency
        self._stop = asyncio.Event()
        self._stopped = asyncio.Event()
        self._stopped.set()

    async def start_polling(
        self,
        bot: Bot,
        *,
        handle_signals: bool = True,
        polling_timeout: int = 30,
        allowed_updates: list[str] | None = None,
        **_: Any,
    ) -> None:
        """Poll until ``stop_polling`` (or SIGINT/SIGTERM with ``handle_signals``)."""
        self._stop.clear()
        self._stopped.clear()
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
        for signum in signals:
            loop.add_signal_handler(signum, self._stop.set)
        try:
            me = await bot.me()
            log.info("polling for updates as @%s (id %s)", me.username, me.id)
            allowed = allowed_updates or self.dp.resolve_used_update_types()
            await self._poll(bot, polling_timeout, allowed)
        finally:
            for signum in signals:
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(signum)
            self._stopped.set()

    async def stop_polling(self) -> None:
        """Finish the batch in hand (an update stuck on an outage is left for the next
        start), then return."""
        self._stop.set()
        await self._stopped.wait()

    async def _poll(self, bot: Bot, hold: int, allowed: list[str]) -> None:
        offset: int | None = None
        failures = 0
        request_timeout = int(bot.session.timeout + hold) if bot.session.timeout else None
        while not self._stop.is_set():
            ask = GetUpdates(offset=offset, timeout=hold, allowed_updates=allowed)
            getting = asyncio.ensure_future(bot(ask, request_timeout=request_timeout))
            stopping = asyncio.ensure_future(self._stop.wait())
            await asyncio.wait({getting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not getting.done():  # stopped while Telegram held the request open
                getting.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await getting
                return
            try:
                updates: list[Update] = getting.result()
            except Exception as error:
                failures += 1
                log.warning("getUpdates failed (%r); asking again", error)
                await self._sleep(pause(failures))
                continue
            failures = 0
            if not updates:
                continue
            if not await self._handle(updates):
                return  # stopped with part of the batch not done: none of it acknowledged
            offset = updates[-1].update_id + 1

    async def _handle(self, updates: list[Update]) -> bool:
        """Handle a batch, at most ``concurrency`` at once (each person's in order: the
        update middleware serialises them); True when every update is settled."""
        slots = asyncio.Semaphore(self.concurrency)

        async def one(update: Update) -> bool:
            async with slots:
                return await self._settle(update)

        return all(await asyncio.gather(*(one(u) for u in updates)))

    async def _settle(self, update: Update) -> bool:
        """Process one update until it is no longer an outage's; False if stopped first."""
        attempt = 0
        while True:
            try:
                outcome = await self.processor.process(update)
            except Exception:
                # Not even dead-lettering worked: keep the update, and say so loudly.
                log.exception("update %s could not be handled or kept", update.update_id)
                outcome = Outcome.RETRY
            if outcome is not Outcome.RETRY:
                return True
            attempt += 1
            if self._stop.is_set():
                return False
            await self._sleep(pause(attempt))

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):  # wait_for could swallow a cancellation
                await self._stop.wait()


def poller(
    dp: Dispatcher,
    bot: Bot,
    db: Database,
    clock: Clock,
    concurrency: int,
    *,
    metrics: Metrics | None = None,
) -> Poller:
    """The poller of a bot process (``bidgram run``, the sandbox, the end-to-end tests)."""
    processor = UpdateProcessor(dp, bot, db, clock, metrics=metrics)
    return Poller(dp, processor, concurrency=concurrency)
