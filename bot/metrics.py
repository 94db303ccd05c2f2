"""Prometheus metrics of one bot process, served as text at ``/metrics``.

Counters move where things happen: every update's outcome (``bot.updates``), every Bot
API request (``ApiCallMetrics``, a request middleware on the bot session) and every timer
the sweep fires (``bot.scheduler``). What the database holds (the outbox, dead letters,
escrow, fees) is read when Prometheus scrapes, and kept for ``METRICS_CACHE`` so a burst of
scrapes costs one round of cheap queries. Several processes report the same database
figures: take ``max`` of those across processes, ``sum`` of the counters.

Each ``Metrics`` has a registry of its own (not prometheus_client's global one), so a test
process can build several bots without their counters colliding.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import fields
from datetime import timedelta
from typing import Any

import prometheus_client
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from core.clock import SystemClock
from core.services.timers import SweepReport
from storage.db import Database

log = logging.getLogger("bidgram.metrics")

METRICS_PATH = "/metrics"
#: The classic text format: every Prometheus version reads it.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Seconds a scrape waits for the database before it answers with the last figures.
READ_TIMEOUT = 5.0
#: Update handling times: most take milliseconds, Telegram gives up at 60 seconds.
UPDATE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
#: The timer rules a sweep reports (``SweepReport``'s counts).
TIMER_RULES = tuple(f.name for f in fields(SweepReport) if f.name != "failures")

# The ``_created`` series prometheus_client adds to every counter only doubles the output.
prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]


class Metrics:
    """The metrics of one process (module docstring)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter(
            "bidgram_updates",
            "Updates by kind (message, callback_query, ...) and outcome "
            "(handled, retry, dead, dropped)",
            ["kind", "outcome"],
            registry=r,
        )
        self.update_seconds = Histogram(
            "bidgram_update_duration_seconds",
            "Time from an update's arrival to its outcome",
            ["kind"],
            buckets=UPDATE_BUCKETS,
            registry=r,
        )
        self.in_progress = Gauge(
            "bidgram_updates_in_progress", "Updates being handled right now", registry=r
        )
        self.api_calls = Counter(
            "bidgram_bot_api_calls",
            "Bot API calls by method and result (ok, error, 429, or webhook_reply: sent as"
            " the answer to a webhook delivery)",
            ["method", "result"],
            registry=r,
        )
        self.statements = Counter(
            "bidgram_sql_statements",
            "SQL statements sent to the database (all of this process's work)",
            registry=r,
        )
        self.timers = Counter(
            "bidgram_timers_fired", "Timer items a sweep acted on, by rule", ["rule"], registry=r
        )
        self.timer_failures = Counter(
            "bidgram_timer_failures", "Timer items that failed (and are tried again)", registry=r
        )
        self.outbox_pending = Gauge(
            "bidgram_outbox_pending_messages", "Alerts waiting to be sent", registry=r
        )
        self.outbox_events = Gauge(
            "bidgram_outbox_events_waiting", "Committed events not yet rendered", registry=r
        )
        self.outbox_oldest = Gauge(
            "bidgram_outbox_oldest_pending_seconds",
            "How long the oldest alert that is due has waited (0 when none)",
            registry=r,
        )
        self.dead_letters = Gauge(
            "bidgram_dead_letters_waiting", "Updates that failed with a bug, to replay", registry=r
        )
        self.escrow = Gauge(
            "bidgram_escrow_minor_units", "Money held in escrow", ["currency"], registry=r
        )
        self.fees = Gauge(
            "bidgram_fees_earned_minor_units", "Platform fees earned", ["currency"], registry=r
        )
        self.users = Gauge("bidgram_users", "People known to the bot", registry=r)
        self.projects = Gauge("bidgram_projects", "Projects by status", ["status"], registry=r)
        self.disputes = Gauge(
            "bidgram_disputes_in_arbitration", "Disputes waiting for an admin", registry=r
        )
        self.payouts = Gauge("bidgram_payouts_requested", "Payouts waiting to be paid", registry=r)
        self.figures_ok = Gauge(
            "bidgram_figures_ok",
            "1 when the last read of the database figures succeeded, else 0",
            registry=r,
        )
        self._figures: Callable[[], Awaitable[None]] | None = None
        self._cache = 0.0
        self._read_at: float | None = None
        self._reading = asyncio.Lock()

    # --- where things happen ------------------------------------------------------------

    def update_done(self, kind: str, outcome: str, seconds: float) -> None:
        self.updates.labels(kind, outcome).inc()
        self.update_seconds.labels(kind).observe(seconds)

    def api_call(self, method: str, result: str) -> None:
        self.api_calls.labels(method, result).inc()

    def swept(self, report: SweepReport) -> None:
        for rule in TIMER_RULES:
            count = int(getattr(report, rule))
            if count:
                self.timers.labels(rule).inc(count)
        if report.failures:
            self.timer_failures.inc(len(report.failures))

    # --- what the database holds, read at scrape time -----------------------------------

    def watch(self, db: Database, currency: str, cache: timedelta) -> None:
        """Report ``db``'s figures too, read at most once per ``cache``."""
        self._figures = lambda: self._read(db, currency)
        db.on_statement(self.statements.inc)
        self._cache = cache.total_seconds()
        for rule in TIMER_RULES:  # every rule shows, at 0 until it fires
            self.timers.labels(rule)

    async def _read(self, db: Database, currency: str) -> None:
        from core.services.admin import platform_figures

        now = SystemClock().now()  # outbox times are wall-clock times (bot.delivery)
        async with db.uow() as uow:
            backlog = await uow.outbox.backlog(now)
            dead = await uow.dead_letters.count_waiting()
            figures = await platform_figures(uow)
        oldest = backlog.oldest_due
        self.outbox_pending.set(backlog.pending)
        self.outbox_events.set(backlog.events_waiting)
        self.outbox_oldest.set(max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
        self.dead_letters.set(dead)
        self.escrow.labels(currency).set(figures.escrow)
        self.fees.labels(currency).set(figures.fees)
        self.users.set(figures.users)
        self.projects.labels("open").set(figures.open_projects)
        self.projects.labels("in_progress").set(figures.in_progress_projects)
        self.disputes.set(figures.disputes_in_arbitration)
        self.payouts.set(figures.payouts_requested)

    async def refresh(self) -> None:
        """Read the database figures unless a read is fresh; concurrent scrapes share one."""
        if self._figures is None:
            return
        async with self._reading:
            fresh = self._read_at is not None and time.monotonic() - self._read_at < self._cache
            if fresh:
                return
            try:
                await asyncio.wait_for(self._figures(), READ_TIMEOUT)
            except Exception as error:  # the scrape still answers, with the last figures
                log.warning("metrics: database figures not read: %r", error)
                self.figures_ok.set(0)
            else:
                self.figures_ok.set(1)
            self._read_at = time.monotonic()

    async def render(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)

    async def handle(self, request: web.Request) -> web.Response:
        """``GET /metrics``."""
        body = await self.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


class ApiCallMetrics(BaseRequestMiddleware):
    """Counts each Bot API request that reaches Telegram, by method and result.

    Registered after ``ReplyMiddleware``, so it sits inside it: a reply held until the
    commit is counted when it is sent, and each retry counts as a request of its own.
    """

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(self, make_request: Any, bot: Bot, method: TelegramMethod[Any]) -> Any:
        name = str(getattr(method, "__api_method__", type(method).__name__))
        try:
            result = await make_request(bot, method)
        except TelegramRetryAfter:
            self.metrics.api_call(name, "429")
            raise
        except Exception:
            self.metrics.api_call(name, "error")
            raise
        self.metrics.api_call(name, "ok")
        return result


def bound_port(runner: web.AppRunner | None) -> int:
    """The port a started server listens on (useful with port 0, which picks a free one)."""
    if runner is None:
        raise RuntimeError("start() the server first")
    return int(runner.addresses[0][1])


class MetricsServer:
    """``/metrics`` on a port of its own, for processes without a web server of their own
    (``bidgram run`` and ``bidgram worker``); webhook processes serve it beside /health."""

    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self.metrics = metrics
        self.host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        return bound_port(self._runner)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(METRICS_PATH, self.metrics.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.host, self._port).start()
        self._runner = runner
        log.info("metrics at http://%s:%s%s", self.host, self.port, METRICS_PATH)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
