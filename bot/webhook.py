"""Webhook mode: Telegram (through a load balancer) POSTs updates to this process.

* Every request must carry the secret registered with ``setWebhook`` in the
  ``X-Telegram-Bot-Api-Secret-Token`` header; one without it (or with any other value)
  gets 401 and is not read. A body that is not a JSON object holding an update gets 400.
* An update is answered only after it was handled and committed, so a process that dies
  half-way leaves Telegram without a 200 and Telegram delivers it again — to this process
  or another; the update id claimed in the database makes that second delivery a no-op
  when the first did commit (``bot.middlewares``). An update that failed because the
  database, Redis or the network did gets 503, so Telegram delivers it again too; one
  that failed with a bug is dead-lettered and answered 200 (``bot.updates``).
* ``GET /health`` checks the database (and Redis when configured): 200 or 503, for the
  load balancer. ``GET /metrics`` is this process's Prometheus metrics (``bot.metrics``);
  the balancer serves neither it nor anything but the webhook path and /health to the
  outside (deploy/nginx).
* SIGTERM/SIGINT stop accepting connections, let the updates in flight finish (up to
  ``WEBHOOK_SHUTDOWN_TIMEOUT``), then close everything. Other processes keep serving:
  the webhook stays registered.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.app import running
from bot.metrics import METRICS_PATH, Metrics, bound_port
from bot.replies import WebhookReply
from bot.settings import BotSettings
from bot.updates import Outcome, UpdateProcessor
from core.clock import Clock, SystemClock
from storage.db import Database

if TYPE_CHECKING:  # the client is imported only where Redis is configured
    from redis.asyncio import Redis

log = logging.getLogger("bidgram.webhook")

HEALTH_PATH = "/health"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024**2  # Telegram's updates are a few kilobytes
CHECK_TIMEOUT = 5.0  # seconds a health check waits for the database or Redis


class WebhookServer:
    """The aiohttp server of one webhook process: the update route and the health check."""

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        settings: BotSettings,
        db: Database,
        redis: Redis | None = None,
        *,
        port: int | None = None,
        clock: Clock | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.dp = dp
        self.bot = bot
        self.settings = settings
        self.db = db
        self.redis = redis
        self.url, self._secret = settings.webhook()
        self._port = settings.webhook_port if port is None else port
        self._runner: web.AppRunner | None = None
        self.metrics = metrics or Metrics()
        self.processor = UpdateProcessor(dp, bot, db, clock or SystemClock(), metrics=self.metrics)

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.settings.webhook_path, self.updates)
        app.router.add_get(HEALTH_PATH, self.health)
        app.router.add_get(METRICS_PATH, self.metrics.handle)
        return app

    async def updates(self, request: web.Request) -> web.Response:
        """One update, answered only once it is handled (not aiogram's default of
        answering first): a 200 tells Telegram the update is safe. The 200 carries the
        button-press answer, if any (``bot.replies.WebhookReply``)."""
        given = request.headers.get(SECRET_HEADER, "")
        expected = self._secret.encode()
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = self._parse(await request.read())
        except ValueError as error:
            log.warning("webhook request refused: %s", error)
            return web.Response(status=400, text=f"Bad Request: {error}")
        reply = WebhookReply()
        outcome = await self.processor.process(update, webhook_reply=reply)
        if outcome is Outcome.RETRY:
            return web.Response(status=503, text="Try again later")
        body = reply.body()
        if body is None:
            return web.Response(status=200)
        self.metrics.api_call(body["method"], "webhook_reply")
        return web.json_response(body)

    def _parse(self, body: bytes) -> Update:
        """The update in ``body``, or ValueError saying what is wrong with it."""
        if not body:
            raise ValueError("empty body")
        try:
            raw = json.loads(body)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        except ValueError as error:  # includes a body that is not UTF-8
            raise ValueError(f"not JSON ({error})") from None
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        try:
            return Update.model_validate(raw, context={"bot": self.bot})
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        except ValidationError as error:
            raise ValueError(f"not an update ({error.error_count()} errors)") from None

    async def health(self, request: web.Request) -> web.Response:
        checks: dict[str, str] = {"database": await self._check(self._database())}
        if self.redis is not None:
            checks["redis"] = await self._check(self._redis(self.redis))
        healthy = all(result == "ok" for result in checks.values())
        return web.json_response(
            {"status": "ok" if healthy else "unavailable", **checks},
            status=200 if healthy else 503,
        )

    async def _database(self) -> None:
        await self.db.ping()

    @staticmethod
    async def _redis(redis: Redis) -> None:
        await redis.ping()  # type: ignore[misc]  # redis-py types it sync-or-async

    @staticmethod
    async def _check(probe: Any) -> str:
        try:
            await asyncio.wait_for(probe, CHECK_TIMEOUT)
        except Exception as error:
            log.warning("health check failed: %r", error)
            return f"error: {type(error).__name__}"
        return "ok"

    @property
    def port(self) -> int:
        return bound_port(self._runner)

    async def start(self) -> None:
        """Listen, then register the webhook (so Telegram never posts before we listen)."""
        timeout = self.settings.webhook_shutdown_timeout.total_seconds()
        runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=timeout)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.webhook_host, self._port)
        await site.start()
        self._runner = runner
        await self.bot.set_webhook(
            self.url,
            secret_token=self._secret,
            allowed_updates=self.dp.resolve_used_update_types(),
            drop_pending_updates=False,
        )

    async def stop(self) -> None:
        """Stop listening and wait for the updates in flight (the webhook stays set)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve(settings: BotSettings) -> None:
    """Run one webhook process until SIGTERM or SIGINT."""
    settings.webhook()  # missing URL or secret: stop before connecting to anything
    if settings.redis_url is None:
        log.warning(
            "REDIS_URL is not set: conversations live in this process's memory, "
            "so run only one webhook process"
        )
    async with running(settings) as app:
        server = WebhookServer(
            app.dp, app.bot, settings, app.db, app.redis, clock=app.clock, metrics=app.metrics
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await server.start()
            log.info(
                "bidgram is serving webhooks as @%s on %s:%s%s (public URL %s)",
                app.delivery.bot_username,
                settings.webhook_host,
                server.port,
                settings.webhook_path,
                server.url,
            )
            await stop.wait()
            log.info("stopping: finishing the updates in flight")
        finally:
            await server.stop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(signum)
