"""/metrics on every long-running process, scraped as Prometheus does.

A webhook process counts the updates of a short journey by kind and outcome, its Bot API
requests by method and result (a 429 the emulator injects included), and reports the
money in escrow once a milestone is funded. `bidgram worker` serves its own /metrics and
counts the timers it fires by rule; `bidgram run` (polling) serves one too. A burst of
scrapes reads the database once.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import build_dispatcher, gateways_for, make_bot
from bot.delivery import Delivery
from bot.metrics import CONTENT_TYPE, METRICS_PATH, Metrics
from bot.webhook import WebhookServer
from core.clock import FrozenClock
from emulator import BotAPIEmulator, FaultKind, running_emulator
from storage.db import Database
from tests.e2e.conftest import TOKEN, App, e2e_settings
from tests.e2e.test_milestones import open_card
from tests.e2e.test_scale_out import free_port, process_env
from tests.e2e.test_worker import offer_made_days_ago, run_worker
from tests.e2e.work_support import hired, seeded_milestone

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str) -> Samples:
    """Every sample at ``url``, keyed by name and labels."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == CONTENT_TYPE
        body = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@dataclass
class Served:
    app: App
    metrics: Metrics
    url: str


@pytest.fixture
async def served(db: Database, database_url: str, clock: FrozenClock) -> AsyncIterator[Served]:
    """A webhook process in this one: the bot, its server with /metrics, the emulator."""
    async with running_emulator(TOKEN, webhook_retry_delay=0.05) as emu:
        settings = e2e_settings(
            database_url,
            emu.base_url,
            webhook_url="https://bidgram.example/webhook",
            webhook_secret="metrics-SECRET-0123456789",
            webhook_host="127.0.0.1",
            metrics_cache=0,  # every scrape reads the database: the test looks right after
        )
        metrics = Metrics()
        metrics.watch(db, settings.currency, settings.metrics_cache)
        bot = make_bot(settings, metrics)
        delivery = Delivery(bot, db, settings, clock, gateways_for(settings))
        dp = build_dispatcher(db, settings, clock=clock, notifier=delivery)
        dp["bot_username"] = delivery.bot_username = "bidgram_test_bot"
        server = WebhookServer(dp, bot, settings, db, port=0, clock=clock, metrics=metrics)
        sending = asyncio.create_task(delivery.run())
        try:
            await server.start()
            emu.route_webhook(f"http://127.0.0.1:{server.port}")
            url = f"http://127.0.0.1:{server.port}{METRICS_PATH}"
            yield Served(App(emu, db, settings, clock, delivery), metrics, url)
        finally:
            await server.stop()
            await delivery.stop()
            await asyncio.wait_for(sending, 10)
            await bot.session.close()
        emu.assert_clean()


def kinds(emu: BotAPIEmulator) -> Counter[str]:
    return Counter(next(k for k in update if k != "update_id") for update in emu.updates)


async def test_a_short_journey_moves_the_webhook_process_counters(served: Served) -> None:
    app, url = served.app, served.url
    before = await scrape(url)
    assert value(before, "bidgram_updates_total", kind="message", outcome="handled") == 0
    assert value(before, "bidgram_escrow_minor_units", currency="USD") == 0
    assert value(before, "bidgram_figures_ok") == 1

    # Erin funds a milestone through the bot.
    deal = await hired(app)
    await seeded_milestone(app, deal, 12_500, fund=False)
    erin = deal.employer
    await open_card(erin)
    await erin.click(erin.messages[-1], "💳 Fund 125.00 USD (sandbox)")
    await erin.wait_for_message("Milestone funded")
    # Telegram turns her next reply away once with 429; the reply goes out after 1 s.
    app.emu.inject_fault(FaultKind.RETRY_AFTER, method="sendMessage", retry_after=1)
    await erin.send_text("/balance")
    await erin.wait_for_message("Available", timeout=10)
    await app.emu.wait_for_deliveries(len(app.emu.updates))

    after = await scrape(url)
    sent = kinds(app.emu)
    assert sent["message"] >= 3 and sent["callback_query"] >= 3
    for kind, count in sent.items():
        assert value(after, "bidgram_updates_total", kind=kind, outcome="handled") == count
        assert value(after, "bidgram_update_duration_seconds_count", kind=kind) == count
    assert value(after, "bidgram_updates_total", kind="message", outcome="dead") == 0
    assert value(after, "bidgram_updates_in_progress") == 0
    # Every update claims its id and reads its person at least.
    statements = value(after, "bidgram_sql_statements_total")
    assert statements - value(before, "bidgram_sql_statements_total") >= 2 * sum(sent.values())

    ok = value(after, "bidgram_bot_api_calls_total", method="sendMessage", result="ok")
    assert ok == len([c for c in app.emu.calls_to("sendMessage") if c.ok])
    assert ok >= 3
    assert value(after, "bidgram_bot_api_calls_total", method="sendMessage", result="429") == 1
    # Button presses are answered on the webhook's reply, not by a request of their own.
    answered = value(
        after, "bidgram_bot_api_calls_total", method="answerCallbackQuery", result="webhook_reply"
    )
    assert answered == sent["callback_query"]

    assert value(after, "bidgram_escrow_minor_units", currency="USD") == 12_500
    assert value(after, "bidgram_fees_earned_minor_units", currency="USD") == 0
    assert value(after, "bidgram_users") == 2
    assert value(after, "bidgram_projects", status="in_progress") == 1
    assert value(after, "bidgram_dead_letters_waiting") == 0


async def test_a_burst_of_scrapes_reads_the_database_once(db: Database) -> None:
    metrics = Metrics()
    metrics.watch(db, "USD", timedelta(seconds=60))
    reads = 0
    read = metrics._figures
    assert read is not None

    async def counted() -> None:
        nonlocal reads
        reads += 1
        await read()

    metrics._figures = counted
    pages = await asyncio.gather(*(metrics.render() for _ in range(20)))
    assert reads == 1
    assert all(b"bidgram_figures_ok 1.0" in page for page in pages)
    await metrics.render()
    assert reads == 1  # still fresh


async def test_the_worker_serves_metrics_and_counts_the_timers_it_fires(db: Database) -> None:
    port = free_port()
    async with running_emulator(TOKEN) as emu:
        settings = e2e_settings(
            db.engine.url.render_as_string(hide_password=False),
            emu.base_url,
            metrics_host="127.0.0.1",
            metrics_port=port,
        )
        erin = emu.user("Erin", started=True)
        frank = emu.user("Frank", started=True)
        await offer_made_days_ago(db, settings, erin, frank)
        scraped: list[Samples] = []

        async def lapsed_and_told() -> None:
            await erin.wait_for_message("did not answer your offer", timeout=30)
            await frank.wait_for_message("lapsed", timeout=30)
            scraped.append(await scrape(f"http://127.0.0.1:{port}{METRICS_PATH}"))

        await run_worker(settings, lapsed_and_told)
        [samples] = scraped
        assert value(samples, "bidgram_timers_fired_total", rule="awards_lapsed") == 1
        assert value(samples, "bidgram_timers_fired_total", rule="milestones_auto_released") == 0
        assert ("bidgram_timers_fired_total", frozenset({("rule", "reviews_published")})) in samples
        assert value(samples, "bidgram_bot_api_calls_total", method="sendMessage", result="ok") >= 2
        assert value(samples, "bidgram_updates_total", kind="message", outcome="handled") == 0
        with pytest.raises(aiohttp.ClientConnectionError):  # gone with the worker
            await scrape(f"http://127.0.0.1:{port}{METRICS_PATH}")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_bidgram_run_serves_metrics_while_it_polls(db: Database, tmp_path: Path) -> None:
    port = free_port()
    async with running_emulator(TOKEN) as emu:
        env = process_env(
            TELEGRAM_API_URL=emu.base_url,
            DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
            METRICS_HOST="127.0.0.1",
            METRICS_PORT=str(port),
        )
        log = tmp_path / "run.log"
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        try:
            await emu.wait_until_polling(timeout=90)
            alice = emu.user("Alice", started=True)
            await alice.send_text("/start")
            await alice.wait_for_message("What would you like to do?", timeout=30)
            samples = await scrape(f"http://127.0.0.1:{port}{METRICS_PATH}")
            assert value(samples, "bidgram_updates_total", kind="message", outcome="handled") == 1
            assert value(samples, "bidgram_bot_api_calls_total", method="getUpdates", result="ok")
            assert value(samples, "bidgram_users") == 1
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 60)
        output = log.read_text(errors="replace")
        assert code == 0 and "bidgram stopped." in output, output
        assert "Traceback" not in output, output
        emu.assert_clean()
