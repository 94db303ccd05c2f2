"""The front door for real: Telegram (the emulator) posts over HTTPS to deploy/nginx's site,
run unchanged in Debian's nginx, in front of two real `bidgram webhook` processes on
PostgreSQL and Redis.

People take a few steps through it; then the process holding an update (a release, held
on a row lock) gets SIGTERM: it stops taking connections, nginx sends the next update to
the other process, and the held update still finishes on the stopping one and is
answered. Every update got its 200 and was applied once; /health passes through, nothing
else but the webhook path does; the processes logged JSON lines carrying the update's
ids and never the token or the secret.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text

from core import ledger
from core.clock import FrozenClock
from emulator import SECRET_HEADER, BotAPIEmulator, running_emulator
from storage.db import Database
from storage.enums import MilestoneStatus
from storage.models import ProcessedUpdate
from tests.deploy.conftest import Nginx, running_nginx
from tests.e2e.conftest import TOKEN, App, e2e_settings
from tests.e2e.test_milestones import at_the_release_prompt
from tests.e2e.test_scale_out import Worker, cluster_env, free_port, serving
from tests.e2e.work_support import balance, check_books, milestone
from tests.tls import Certificate, self_signed

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

PUBLIC_URL = "https://bidgram.example/webhook"  # WEBHOOK_PATH: the default, as in the site


@dataclass
class Front:
    emu: BotAPIEmulator
    db: Database
    app: App  # what the end-to-end helpers take
    nginx: Nginx
    certificate: Certificate
    secret: str
    workers: list[Worker]

    async def get(self, path: str) -> tuple[int, str]:
        """GET through nginx, over TLS, trusting the test's certificate only."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.nginx.base_url + path, ssl=self.certificate.trusted()) as response,
        ):
            return response.status, await response.text()

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> int:
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                self.nginx.base_url + path,
                json=body,
                headers=headers,
                ssl=self.certificate.trusted(),
            ) as response,
        ):
            return response.status


@pytest.fixture
async def front(
    db: Database,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    nginx_binary: str,
    tmp_path: Path,
) -> AsyncIterator[Front]:
    certificate = self_signed(tmp_path)
    secret = uuid.uuid4().hex
    async with running_emulator(TOKEN, webhook_retry_delay=0.1, webhook_max_retry_delay=1.0) as emu:
        workers = [Worker(name, free_port(), tmp_path / f"{name}.log") for name in ("one", "two")]
        env = cluster_env(
            emu,
            database_url,
            redis_url,
            redis_prefix,
            secret,
            WEBHOOK_URL=PUBLIC_URL,
            WEBHOOK_SHUTDOWN_TIMEOUT="60",  # the held update must not be cut on a slow machine
            LOG_FORMAT="json",
        )
        nginx_dir = tmp_path / "nginx"
        async with running_nginx(
            nginx_binary, nginx_dir, [w.port for w in workers], certificate
        ) as nginx:
            emu.route_webhook(nginx.base_url, ssl=certificate.trusted())
            # The processes run on the wall clock: seed on it too, so no timer fires meanwhile.
            clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
            app = App(emu, db, e2e_settings(database_url, emu.base_url), clock, None)  # type: ignore[arg-type]  # no delivery here
            async with serving(workers, env, emu):
                try:
                    yield Front(emu, db, app, nginx, certificate, secret, workers)
                except BaseException:
                    print(nginx.logs())  # shown with the failure
                    raise
        emu.assert_clean()


async def in_progress(worker: Worker) -> float:
    """The process's own count of updates it is handling (its /metrics, not via nginx)."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{worker.base_url}/metrics") as response,
    ):
        body = await response.text()
    for family in text_string_to_metric_families(body):
        if family.name == "bidgram_updates_in_progress":
            return float(family.samples[0].value)
    raise AssertionError("no bidgram_updates_in_progress in /metrics")


async def attempts(emu: BotAPIEmulator, update_id: int) -> list[int | None]:
    """What the webhook answered each delivery of an update, once one was answered 200."""
    for _ in range(200):
        statuses = [a.status for a in emu.webhook_attempts if a.update_id == update_id]
        if 200 in statuses:
            return statuses
        await asyncio.sleep(0.05)
    raise AssertionError(f"update {update_id} was never answered 200: {statuses}")


async def waiting_on_a_lock(db: Database) -> int:
    async with db.engine.connect() as conn:
        stmt = text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int((await conn.execute(stmt)).scalar_one())


async def test_telegram_reaches_two_processes_through_nginx_and_a_stopped_one_loses_nothing(
    front: Front,
) -> None:
    emu, app = front.emu, front.app
    await only_the_webhook_and_health_pass_through_nginx(front)

    # A few steps through nginx: both start the bot, Frank delivers, Erin opens the release.
    deal, ms_id, prompt = await at_the_release_prompt(app)
    erin, frank = deal.employer, deal.freelancer

    # The release is held on the milestone's row lock, in flight in one of the processes.
    async with front.db.engine.connect() as holder:
        await holder.begin()
        await holder.execute(
            text("SELECT id FROM milestones WHERE id = :id FOR UPDATE"), {"id": ms_id}
        )
        pressed = asyncio.create_task(erin.click(prompt, "✅ Yes, release 100.00 USD", timeout=120))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        busy: list[Worker] = []
        while not busy or await waiting_on_a_lock(front.db) == 0:
            assert loop.time() < deadline, "the release never reached the lock"
            await asyncio.sleep(0.1)
            busy = [w for w in front.workers if await in_progress(w) == 1]
        [stopping] = busy
        held = emu.updates[-1]["update_id"]  # Erin's press, the last update so far
        [other] = [w for w in front.workers if w is not stopping]

        # SIGTERM: it stops taking connections. Of Frank's next two updates, nginx's round
        # robin sends one to the stopping process: refused, so nginx takes it to the other.
        assert stopping.proc is not None
        stopping.proc.terminate()
        await asyncio.sleep(0.5)
        during: list[int] = []
        for _ in range(2):
            await frank.send_text("/balance")
            during.append(emu.updates[-1]["update_id"])
            await frank.wait_for_message("Available", timeout=30)
        for update_id in during:  # each answered 200 at once: Telegram had no retry to make
            assert await attempts(emu, update_id) == [200]
        upstreams = [line for line in front.nginx.log("access.log") if "POST /webhook" in line]
        assert any(
            f"127.0.0.1:{stopping.port}, 127.0.0.1:{other.port}" in line for line in upstreams
        ), "\n".join(upstreams)
        assert stopping.proc.returncode is None  # still finishing the held release
        assert not pressed.done()
        assert (await milestone(app, ms_id)).status is MilestoneStatus.DELIVERED
        await holder.rollback()  # the release goes on, in the stopping process

    await pressed
    await erin.wait_for_message("Released 100.00 USD", timeout=30)
    assert await asyncio.wait_for(stopping.proc.wait(), 60) == 0
    await frank.wait_for_message("USD released to you for", timeout=30)

    # Every update was answered 200 in the end, and applied once.
    answered = {a.update_id for a in emu.webhook_attempts if a.ok}
    assert answered == {u["update_id"] for u in emu.updates}
    assert await attempts(emu, held) == [200]
    async with front.db.uow() as uow:
        claimed = await uow.session.execute(select(func.count()).select_from(ProcessedUpdate))
        assert claimed.scalar_one() == len(emu.updates)
    assert (await milestone(app, ms_id)).status is MilestoneStatus.RELEASED
    assert await balance(app, ledger.available(deal.worker.user_id)) == 9_000
    assert sum("USD released to you for" in m.text for m in frank.messages) == 1
    await check_books(app)

    # The stopping process logged JSON lines, the held update's with its ids and outcome.
    lines = [line for line in stopping.output().splitlines() if line.startswith("{")]
    logged = [json.loads(line) for line in lines]
    assert logged and all({"time", "level", "logger", "message"} <= set(e) for e in logged)
    [done] = [e for e in logged if e.get("update_id") == held and "outcome" in e]
    assert done["outcome"] == "handled" and done["person_id"] == erin.id
    assert "milestones" in done["handler"] and done["duration_ms"] > 0
    for worker in (stopping, other):
        output = worker.output()
        assert TOKEN.partition(":")[2] not in output and front.secret not in output
    assert "bidgram stopped." in stopping.output()


async def only_the_webhook_and_health_pass_through_nginx(front: Front) -> None:
    status, body = await front.get("/health")
    assert (status, json.loads(body)) == (
        200,
        {"status": "ok", "database": "ok", "redis": "ok"},
    )
    assert (await front.get("/metrics"))[0] == 404  # scraped from inside, per process
    assert (await front.get("/webhook"))[0] == 403  # Telegram only POSTs
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1}}}
    assert await front.post("/webhook", update, {SECRET_HEADER: "wrong"}) == 401
    assert await front.post("/webhook", update, {}) == 401
