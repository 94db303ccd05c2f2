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

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery import Delivery
from bot.metrics import Metrics
from core.clock import Clock, SystemClock
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
    metrics: Metrics | None = None,
) -> SweepReport:
    async with db.uow() as uow:
        market = Marketplace(uow, settings, clock, gateways)
        report = await market.timers.sweep()
        await market.commit()
    if metrics is not None:
        metrics.swept(report)  # after the commit: what it counts did happen
    if delivery is not None:
        delivery.wake()  # its alerts; a refund it started wakes the refund loop from there
    if report.total:
        log.info("sweep: %s", report)
    for failure in report.failures:
        log.error("sweep item failed: %s", failure)
    return report


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
    *,
    metrics: Metrics | None = None,
) -> AsyncIOScheduler:
    """Sweep now (whatever came due while we were down) and then every ``every``."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    now = SystemClock().now()
    scheduler.add_job(
        sweep_once,
        "interval",
        seconds=every.total_seconds(),
        args=[db, settings, clock, gateways, delivery, metrics],
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
