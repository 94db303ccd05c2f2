"""Wiring: the dispatcher with its middlewares and routers, and the polling runner."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot import errors
from bot.fsm import CompactMemoryStorage
from bot.middlewares import MarketplaceMiddleware
from bot.notifier import Notifier, TelegramNotifier
from bot.scheduler import start_scheduler
from bot.session import BotSession
from bot.settings import BotSettings
from bot.texts import common
from core.clock import Clock, SystemClock
from core.gateways import SANDBOX, STARS, TELEGRAM_PAYMENTS, Gateways
from storage.db import Database

log = logging.getLogger("bidgram")

# Updates handled at once by one process. Beyond this they wait in Telegram's queue, not
# in ours: unbounded, a burst held every pooled connection and updates at the back timed
# out waiting for one (docs/benchmarks.md). Below the pool size (5 + 10 overflow) so
# the timers and alert hooks always find a connection.
CONCURRENT_UPDATES = 10


def gateways_for(settings: BotSettings) -> Gateways:
    chosen = {"sandbox": SANDBOX, "stars": STARS, "telegram": TELEGRAM_PAYMENTS}
    return Gateways([chosen[settings.funding_gateway]])


def make_bot(settings: BotSettings) -> Bot:
    session = BotSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
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
    dp = Dispatcher(storage=storage or CompactMemoryStorage())
    dp["settings"] = settings
    dp["db"] = db
    dp["clock"] = clock
    dp["gateways"] = gateways
    locks = notifier.locks if isinstance(notifier, TelegramNotifier) else None
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


async def run(settings: BotSettings) -> None:
    """Migrate, then poll until Ctrl-C (aiogram handles SIGINT/SIGTERM and stops cleanly)."""
    from storage.migrate import migrate

    db = Database(settings.database_url)
    await migrate(db.engine)
    bot = make_bot(settings)
    clock = SystemClock()
    gateways = gateways_for(settings)
    notifier = TelegramNotifier(bot, db, settings, clock, gateways)
    dp = build_dispatcher(db, settings, clock=clock, notifier=notifier)
    scheduler = start_scheduler(db, settings, clock, gateways, notifier)
    try:
        me = await bot.get_me()
        dp["bot_username"] = notifier.bot_username = me.username or ""
        await set_commands(bot, settings)
        await bot.delete_webhook(drop_pending_updates=False)
        log.info("bidgram is running as @%s (gateway: %s)", me.username, settings.funding_gateway)
        await dp.start_polling(
            bot,
            handle_signals=True,
            close_bot_session=True,
            tasks_concurrency_limit=CONCURRENT_UPDATES,
        )
    finally:
        scheduler.shutdown(wait=False)
        await db.dispose()
