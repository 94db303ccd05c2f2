"""Wiring: the dispatcher with its middlewares and routers, what a bot process runs
(``running``: database, Redis, the timers and alert delivery), and the runners: polling,
or the worker alone. Webhook mode lives in ``bot.webhook``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    CallbackQuery,
    LinkPreviewOptions,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from babel.support import LazyProxy

from bot import deeplinks
from bot.callbacks import ProjectCb
from bot.delivery import Delivery
from bot.fsm import CompactMemoryStorage
from bot.i18n import SOURCE_LANGUAGE, languages, speaking
from bot.lean import release_freed_memory
from bot.locks import RedisPersonLocks
from bot.logs import HandlerName
from bot.metrics import ApiCallMetrics, Metrics, MetricsServer
from bot.middlewares import CallbackReply, MarketplaceMiddleware
from bot.notifier import Notifier
from bot.polling import poller
from bot.ratelimit import Limiter, Limits, LocalLimiter, RedisLimiter
from bot.replies import ReplyMiddleware
from bot.scheduler import start_scheduler
from bot.session import BotSession
from bot.settings import BotSettings
from bot.texts import common
from bot.texts.common import DESCRIPTION, SHORT_DESCRIPTION
from bot.updates import UpdateProcessor
from core.clock import Clock, SystemClock
from core.gateways import Gateways
from core.settings import ConfigurationError
from storage.db import Database

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger("bidgram")

#: How long handled update ids are kept; Telegram gives up retrying well before.
KEEP_UPDATE_IDS = timedelta(days=1)

# Updates handled at once by one process. Beyond this they wait in Telegram's queue, not
# in ours: unbounded, a burst held every pooled connection and updates at the back timed
# out waiting for one (docs/benchmarks.md). Below the pool size (5 + 10 overflow) so
# the timers and alert hooks always find a connection.
CONCURRENT_UPDATES = 10

#: Seconds a stopping process gives alert delivery to finish the sends in flight (a send
#: cut short goes again when its lease runs out). Service managers must wait longer.
DELIVERY_STOP_TIMEOUT = 30.0


def gateways_for(settings: BotSettings) -> Gateways:
    return settings.gateways()


def make_bot(settings: BotSettings, metrics: Metrics | None = None) -> Bot:
    session = BotSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(ReplyMiddleware())  # replies after the commit, with retries
    if metrics is not None:  # inside ReplyMiddleware: counts each request actually made
        session.middleware(ApiCallMetrics(metrics))
    return Bot(
        settings.token(),
        session=session,
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)
        ),
    )


def build_dispatcher(
    db: Database,
    settings: BotSettings,
    *,
    clock: Clock | None = None,
    notifier: Notifier,
    storage: BaseStorage | None = None,
) -> Dispatcher:
    from bot.routers import in_loop, routers

    clock = clock or SystemClock()
    gateways = gateways_for(settings)
    dp = Dispatcher(storage=storage or CompactMemoryStorage())
    dp["settings"] = settings
    dp["db"] = db
    dp["clock"] = clock
    dp["gateways"] = gateways
    locks = notifier.locks if isinstance(notifier, Delivery) else None
    dp.update.outer_middleware(
        MarketplaceMiddleware(db, settings, clock, gateways, notifier, locks)
    )
    # bidgram talks to people one to one; groups and channels are not its place. A press
    # on a card someone shared in inline mode comes with no message, wherever it was shared.
    dp.message.filter(in_loop(F.chat.type == "private"))
    dp.callback_query.filter(
        in_loop((F.message.chat.type == "private") | (F.message.is_(None) & F.inline_message_id))
    )
    names = HandlerName()  # which handler took each update, for the logs
    for name, observer in dp.observers.items():
        if name not in ("update", "error"):
            observer.middleware(names)
    dp.include_router(_inline_presses())
    dp.include_routers(*routers())  # fresh ones: each dispatcher has its own
    return dp


def _inline_presses() -> Router:
    """Presses on shared cards, before any area sees them: the areas answer in the chat a
    button's message is in, and a shared card's chat is one the bot is not in. So the
    press opens the bot instead, on the project when the button names one."""
    from bot.routers import in_loop

    router = Router(name="inline_presses")

    @router.callback_query(in_loop(F.inline_message_id))
    async def open_the_bot(
        query: CallbackQuery, callback_reply: CallbackReply, bot_username: str
    ) -> None:
        project = _project_of(query.data or "")
        opens = deeplinks.link(bot_username, "p", project) if project else None
        callback_reply.sent = True
        await query.answer(url=opens or f"https://t.me/{bot_username}")

    return router


def _project_of(data: str) -> int | None:
    try:
        return ProjectCb.unpack(data).project_id
    except (TypeError, ValueError):
        return None


def _spoken(default: str) -> list[tuple[str | None, str]]:
    """(Telegram's ``language_code``, our language) for each catalogue, and the default for
    every client language without one (``None``)."""
    return [(None, default), *((language, language) for language in languages())]


async def describe(bot: Bot, default_language: str = SOURCE_LANGUAGE) -> None:
    """The bot's description and short description, in each language bidgram speaks."""
    for code, language in _spoken(default_language):
        with speaking(language):
            await bot.set_my_description(str(DESCRIPTION), language_code=code)
            await bot.set_my_short_description(str(SHORT_DESCRIPTION), language_code=code)


def _commands(*lists: tuple[tuple[str, LazyProxy], ...]) -> list[BotCommand]:
    return [BotCommand(command=c, description=str(d)) for each in lists for c, d in each]


async def set_commands(bot: Bot, settings: BotSettings) -> None:
    """The command menu in each language: everyone's, and the admins' with /admin."""
    admins: dict[str | None, list[BotCommand]] = {}
    for code, language in _spoken(settings.default_language):
        with speaking(language):
            everyone = _commands(common.COMMANDS)
            admins[code] = _commands(common.COMMANDS, common.ADMIN_COMMANDS)
        await bot.set_my_commands(everyone, scope=BotCommandScopeDefault(), language_code=code)
    for admin_id in sorted(settings.admin_ids):
        try:
            for code, menu in admins.items():
                scope = BotCommandScopeChat(chat_id=admin_id)
                await bot.set_my_commands(menu, scope=scope, language_code=code)
        except Exception as error:  # an admin who never opened the bot has no chat yet
            log.warning("admin commands for %s not set: %s", admin_id, error)


@dataclass
class Running:
    """A bot process's parts, whatever brings the updates in (polling, webhook, none)."""

    settings: BotSettings
    db: Database
    bot: Bot
    clock: Clock
    gateways: Gateways
    delivery: Delivery
    dp: Dispatcher
    scheduler: AsyncIOScheduler
    metrics: Metrics
    redis: Redis | None = None


@asynccontextmanager
async def running(settings: BotSettings) -> AsyncIterator[Running]:
    """Migrate, connect (database, Redis when configured, Telegram), build the dispatcher,
    set the commands menu, start the timers and the alert delivery loop; stop and close
    all of it on the way out (delivery finishes what it holds first).

    ``run`` (polling), ``bot.webhook.serve`` and ``work`` (no updates) all use it.
    """
    from storage.migrate import migrate

    # Updates in flight, sends in flight, and the delivery's claims and the timers.
    connections = CONCURRENT_UPDATES + settings.delivery_workers + 2
    db = Database(settings.database_url, connections=connections)
    redis: Redis | None = None
    metrics = Metrics()
    metrics.watch(db, settings.currency, settings.metrics_cache)
    try:
        await migrate(db.engine)
        bot = make_bot(settings, metrics)
        try:
            clock = SystemClock()
            gateways = gateways_for(settings)
            limiter: Limiter = LocalLimiter(Limits.of(settings))
            storage: BaseStorage = CompactMemoryStorage()
            locks: RedisPersonLocks | None = None
            if settings.redis_url is not None:
                # Imported here: a process without Redis never loads its client (4 MiB).
                from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

                redis = await connect_redis(settings.redis_url)
                keys = DefaultKeyBuilder(prefix=settings.redis_key_prefix, with_bot_id=True)
                storage = RedisStorage(redis, key_builder=keys)
                limiter = RedisLimiter(
                    redis, Limits.of(settings), f"{settings.redis_key_prefix}:rate", owned=False
                )
                locks = RedisPersonLocks(RedisEventIsolation(redis, key_builder=keys), bot.id)
            delivery = Delivery(bot, db, settings, clock, gateways, limiter=limiter)
            if locks is not None:
                delivery.locks = locks  # type: ignore[assignment]
            dp = build_dispatcher(db, settings, clock=clock, notifier=delivery, storage=storage)
            me = await bot.get_me()
            dp["bot_username"] = delivery.bot_username = me.username or ""
            await set_commands(bot, settings)
            await describe(bot, settings.default_language)
            scheduler = start_scheduler(
                db, settings, clock, gateways, delivery, settings.sweep_interval, metrics=metrics
            )
            scheduler.add_job(
                prune_update_ids,
                "interval",
                hours=1,
                args=[db, clock],
                id="prune-update-ids",
                max_instances=1,
                coalesce=True,
            )
            # What start-up built lives as long as the process: keep the garbage collector
            # from rescanning it on every big allocation (a fan-out builds many rows).
            release_freed_memory()  # and hand back what start-up used and let go
            gc.freeze()
            sending = asyncio.create_task(delivery.run())
            try:
                yield Running(
                    settings, db, bot, clock, gateways, delivery, dp, scheduler, metrics, redis
                )
            finally:
                scheduler.shutdown(wait=False)
                await delivery.stop()
                try:
                    await asyncio.wait_for(sending, timeout=DELIVERY_STOP_TIMEOUT)
                except TimeoutError:
                    log.warning("alert delivery did not stop in time; a lease resends the rest")
        finally:
            await bot.session.close()
    finally:
        if redis is not None:
            await redis.aclose()
        await db.dispose()


async def connect_redis(url: str) -> Redis:
    """A Redis client that answered a PING, or a ConfigurationError that says why not."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    redis = Redis.from_url(url)
    try:
        await redis.ping()  # type: ignore[misc]  # redis-py types it sync-or-async
    except (RedisError, OSError) as error:
        await redis.aclose()
        shown = re.sub(r"//[^@/]*@", "//***@", url)
        raise ConfigurationError(f"REDIS_URL: cannot reach Redis at {shown}: {error}") from None
    return redis


async def prune_update_ids(db: Database, clock: Clock, keep: timedelta = KEEP_UPDATE_IDS) -> int:
    """Forget handled update ids older than ``keep`` (they only guard against retries)."""
    async with db.uow() as uow:
        pruned = await uow.updates.prune(clock.now() - keep)
        await uow.commit()
    return pruned


@asynccontextmanager
async def serving_metrics(app: Running) -> AsyncIterator[MetricsServer | None]:
    """``/metrics`` at ``METRICS_HOST:METRICS_PORT`` while the block runs, if the port is set."""
    if app.settings.metrics_port is None:
        yield None
        return
    server = MetricsServer(app.metrics, app.settings.metrics_host, app.settings.metrics_port)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def run(settings: BotSettings) -> None:
    """Migrate, then poll until Ctrl-C (aiogram handles SIGINT/SIGTERM and stops cleanly),
    with the timers and alert delivery running in the same process."""
    async with running(settings) as app, serving_metrics(app):
        await app.bot.delete_webhook(drop_pending_updates=False)
        log.info(
            "bidgram is running as @%s (gateway: %s)",
            app.delivery.bot_username,
            settings.funding_gateway,
        )
        polls = poller(app.dp, app.bot, app.db, app.clock, CONCURRENT_UPDATES, metrics=app.metrics)
        await polls.start_polling(app.bot, handle_signals=True)


async def work(settings: BotSettings, stop: asyncio.Event | None = None) -> None:
    """Only the timers and alert delivery, in a process of their own (``bidgram
    worker``) beside processes that take updates. Stops on SIGINT/SIGTERM."""
    import signal

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with running(settings) as app, serving_metrics(app):
        log.info("bidgram worker is running: timers and alert delivery")
        await stop.wait()


async def replay(settings: BotSettings, ids: list[int], reason: str = "") -> dict[int, str]:
    """Handle the dead letters ``ids`` (all waiting ones when empty) again; each one's
    outcome. Their alerts go to the outbox, sent by this process or any other. Each is
    on the audit trail as the operator's, with ``reason``."""
    async with running(settings) as app:
        processor = UpdateProcessor(app.dp, app.bot, app.db, app.clock, metrics=app.metrics)
        if not ids:
            async with app.db.uow() as uow:
                ids = [letter.id for letter in await uow.dead_letters.waiting(app.bot.id)]
        outcomes: dict[int, str] = {}
        for letter_id in ids:
            outcomes[letter_id] = str(await processor.replay(letter_id, reason))
        await app.delivery.drain()
        return outcomes
