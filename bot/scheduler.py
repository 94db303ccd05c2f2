"""Time-driven work while the bot runs: close projects, lapse offers, auto-release,
settle unanswered disputes, escalate stale negotiations — and alert the people concerned.

Every item re-checks its own condition under a row lock (core.services.timers), so a
sweep that runs twice does each thing once.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.notifier import Notifier, TelegramNotifier
from core.clock import Clock
from core.events import Event
from core.gateways import Gateways
from core.marketplace import Marketplace
from core.services.timers import SweepReport
from core.settings import Settings
from storage.db import Database

log = logging.getLogger("bidgram.scheduler")


async def sweep_once(
    db: Database, settings: Settings, clock: Clock, gateways: Gateways, notifier: Notifier
) -> SweepReport:
    async with db.uow() as uow:
        market = Marketplace(uow, settings, clock, gateways)
        report = await market.timers.sweep()
        await uow.commit()
    events = market.take_events()
    if isinstance(notifier, TelegramNotifier):
        await _return_stars(db, settings, clock, gateways, notifier.bot, events)
    if events:
        await notifier.publish(events)
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
    """A dispute the timer settled with a full refund sends Stars back, as a person's would."""
    from bot.handlers.payments import return_stars

    refunds: list[Event] = []
    for event in events:
        if event.kind != "dispute.resolved":
            continue
        async with db.uow() as uow:
            dispute = await uow.disputes.get(int(event.data["dispute_id"] or 0))
            if dispute is None:
                continue
            market = Marketplace(uow, settings, clock, gateways)
            await return_stars(bot, market, dispute.milestone_id)
            await uow.commit()
            refunds.extend(market.take_events())
    events.extend(refunds)


def start_scheduler(
    db: Database,
    settings: Settings,
    clock: Clock,
    gateways: Gateways,
    notifier: Notifier,
    every_seconds: int = 60,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        sweep_once,
        "interval",
        seconds=every_seconds,
        args=[db, settings, clock, gateways, notifier],
        id="sweep",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
