"""Work that happens because time passed, on APScheduler 3 in the bot process (or in
``bidgram worker``): the timer sweep and the outbox's housekeeping.

Timers are not scheduled jobs but data: every sweep asks the database what is due
(core.services.timers) and each item re-checks its own condition under a row lock.
So a restart loses nothing (the first sweep runs at start and fires whatever came due
while the process was down, once), and several processes sweeping one PostgreSQL
database do each thing once. The sweep's events go to the outbox with its commit;
the delivery loop sends them.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery import Delivery
from core.clock import Clock, SystemClock
from core.events import Event
from core.gateways import Gateways
from core.marketplace import Marketplace
from core.services.timers import SweepReport
from core.settings import Settings
from storage.db import Database

log = logging.getLogger("bidgram.scheduler")

OUTBOX_KEPT = timedelta(days=7)  # settled alerts are kept this long, for support


async def sweep_once(
    db: Database,
    settings: Settings,
    clock: Clock,
    gateways: Gateways,
    delivery: Delivery | None = None,
) -> SweepReport:
    async with db.uow() as uow:
        market = Marketplace(uow, settings, clock, gateways)
        report = await market.timers.sweep()
        events = await market.commit()
    if delivery is not None:
        await _return_stars(db, settings, clock, gateways, delivery.bot, events)
        delivery.wake()
    if report.total:
        log.info("sweep: %s", report)
    for failure in report.failures:
        log.error("sweep item failed: %s", failure)
    return report


async def _return_stars(
    db: Database,
    settings: Settings,
    clock: Clock,
    gateways: Gateways,
    bot: Bot,
    events: list[Event],
) -> None:
    """A dispute the timer settled with a full refund sends Stars back, as a person's would.

    Should this process stop before it gets here, nothing is lost: the refund stays on
    the payer's bidgram balance, where it can fund work or be paid out.
    """
    from bot.handlers.payments import return_stars

    for event in events:
        if event.kind != "dispute.resolved":
            continue
        async with db.uow() as uow:
            dispute = await uow.disputes.get(int(event.data["dispute_id"] or 0))
            if dispute is None:
                continue
            market = Marketplace(uow, settings, clock, gateways)
            await return_stars(bot, market, dispute.milestone_id)
            await market.commit()


async def prune_outbox(db: Database, wall: Clock | None = None) -> int:
    async with db.uow() as uow:
        gone = await uow.outbox.prune((wall or SystemClock()).now() - OUTBOX_KEPT)
        await uow.commit()
    return gone


def start_scheduler(
    db: Database,
    settings: Settings,
    clock: Clock,
    gateways: Gateways,
    delivery: Delivery | None,
    every: timedelta = timedelta(seconds=30),
) -> AsyncIOScheduler:
    """Sweep now (whatever came due while we were down) and then every ``every``."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    now = SystemClock().now()
    scheduler.add_job(
        sweep_once,
        "interval",
        seconds=every.total_seconds(),
        args=[db, settings, clock, gateways, delivery],
        id="sweep",
        max_instances=1,
        coalesce=True,
        next_run_time=now,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        prune_outbox,
        "interval",
        hours=1,
        args=[db],
        id="prune-outbox",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler
