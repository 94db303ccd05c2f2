"""Wiring: the dispatcher with its middlewares and routers, the background services
(timer sweep and alert delivery) and the runners: polling, or the worker alone."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot import errors
from bot.delivery import Delivery
from bot.middlewares import MarketplaceMiddleware
from bot.notifier import Notifier
from bot.ratelimit import limiter_for
from bot.scheduler import start_scheduler
from bot.settings import BotSettings
from bot.texts import common
from core.clock import Clock, SystemClock
from core.gateways import SANDBOX, STARS, TELEGRAM_PAYMENTS, Gateways
from storage.db import Database

log = logging.getLogger("bidgram")


def gateways_for(settings: BotSettings) -> Gateways:
    chosen = {"sandbox": SANDBOX, "stars": STARS, "telegram": TELEGRAM_PAYMENTS}
    return Gateways([chosen[settings.funding_gateway]])


def make_bot(settings: BotSettings) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        settings.token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_dispatcher(
    db: Database,
    settings: BotSettings,
    *,
    clock: Clock | None = None,
    notifier: Notifier,
    storage: BaseStorage | None = None,
) -> Dispatcher:
    from bot.handlers import routers

    clock = clock or SystemClock()
    gateways = gateways_for(settings)
    dp = Dispatcher(storage=storage or MemoryStorage())
    dp["settings"] = settings
    dp["db"] = db
    dp["clock"] = clock
    dp["gateways"] = gateways
    locks = notifier.locks if isinstance(notifier, Delivery) else None
    dp.update.outer_middleware(
        MarketplaceMiddleware(db, settings, clock, gateways, notifier, locks)
    )
    # bidgram talks to people one to one; groups and channels are not its place.
    dp.message.filter(F.chat.type == "private")
    dp.callback_query.filter(F.message.chat.type == "private")
    for router in [errors.router, *routers()]:
        _adopt(dp, router)
    return dp


def _adopt(dp: Dispatcher, router: Router) -> None:
    """Include a module-level router, re-homing it if an earlier dispatcher had it.

    Routers are module singletons (one per area); a process that builds several
    dispatchers, as the end-to-end tests do, must move them to the newest one.
    """
    previous = router.parent_router
    if previous is not None:
        previous.sub_routers.remove(router)
        router._parent_router = None
    dp.include_router(router)


async def set_commands(bot: Bot, settings: BotSettings) -> None:
    commands = [BotCommand(command=c, description=d) for c, d in common.COMMANDS]
    await bot.set_my_commands(commands, scope=BotCommandScopeDefault())
    admin = commands + [BotCommand(command=c, description=d) for c, d in common.ADMIN_COMMANDS]
    for admin_id in sorted(settings.admin_ids):
        try:
            await bot.set_my_commands(admin, scope=BotCommandScopeChat(chat_id=admin_id))
        except Exception as error:  # an admin who never opened the bot has no chat yet
            log.warning("admin commands for %s not set: %s", admin_id, error)


@dataclass
class Services:
    """What a running bidgram process holds: the database, the bot, delivery."""

    settings: BotSettings
    db: Database
    bot: Bot
    clock: Clock
    gateways: Gateways
    delivery: Delivery


@contextlib.asynccontextmanager
async def services(settings: BotSettings, *, background: bool = True) -> AsyncIterator[Services]:
    """Migrate, connect, and (by default) run the timer sweep and the alert delivery
    loop beside whatever the caller serves; stop them all cleanly on the way out."""
    from storage.migrate import migrate

    db = Database(settings.database_url)
    await migrate(db.engine)
    bot = make_bot(settings)
    clock = SystemClock()
    gateways = gateways_for(settings)
    delivery = Delivery(bot, db, settings, clock, gateways, limiter=limiter_for(settings))
    scheduler = None
    sending: asyncio.Task[None] | None = None
    try:
        me = await bot.get_me()
        delivery.bot_username = me.username or ""
        # What start-up built lives as long as the process: keep the garbage collector
        # from rescanning it on every big allocation (a fan-out builds many rows).
        gc.freeze()
        if background:
            scheduler = start_scheduler(
                db, settings, clock, gateways, delivery, settings.sweep_interval
            )
            sending = asyncio.create_task(delivery.run())
        yield Services(settings, db, bot, clock, gateways, delivery)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if sending is not None:
            await delivery.stop()
            try:
                await asyncio.wait_for(sending, timeout=30)
            except TimeoutError:
                log.warning("alert delivery did not stop in time; the rest is resent later")
        await delivery.limiter.close()
        await bot.session.close()
        await db.dispose()


async def run(settings: BotSettings) -> None:
    """Poll until Ctrl-C (aiogram handles SIGINT/SIGTERM and stops cleanly), with the
    timers and alert delivery running in the same process."""
    async with services(settings) as s:
        dp = build_dispatcher(s.db, settings, clock=s.clock, notifier=s.delivery)
        dp["bot_username"] = s.delivery.bot_username
        await set_commands(s.bot, settings)
        await s.bot.delete_webhook(drop_pending_updates=False)
        log.info(
            "bidgram is running as @%s (gateway: %s)",
            s.delivery.bot_username,
            settings.funding_gateway,
        )
        await dp.start_polling(s.bot, handle_signals=True, close_bot_session=False)


async def work(settings: BotSettings, stop: asyncio.Event | None = None) -> None:
    """Only the background: timers and alert delivery, for a process of its own
    (``bidgram worker``) beside bots that take updates. Stops on SIGINT/SIGTERM."""
    import signal

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with services(settings):
        log.info("bidgram worker is running: timers and alert delivery")
        await stop.wait()
