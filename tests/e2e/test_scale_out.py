"""Scaling out: two real `bidgram webhook` processes share PostgreSQL and Redis behind a
load balancer (the emulator sends each person's next update to the other process).

The whole journey completes with every step of every person on a different process than
their previous one; every update delivered again, to both processes at once, changes
nothing and sends nothing, even while its original is still in flight; a request without
the secret is refused; both processes stop cleanly on SIGTERM.

One test, in chapters: starting two cold processes is the expensive part on small machines.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.webhook import HEALTH_PATH
from core import ledger
from emulator import SECRET_HEADER, BotAPIEmulator, SimulatedUser, running_emulator
from storage.db import Database
from storage.models import ProcessedUpdate
from tests.e2e.conftest import ADMIN_ID, TOKEN
from tests.e2e.test_journey import journey

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_URL = "https://bidgram.example/telegram"
START_TIMEOUT = 90.0  # two cold Python processes on a small, busy machine


#: Settings a `bidgram` process a test starts must not take from the test's environment.
OWN_SETTINGS = ("BOT_", "DATABASE_", "REDIS_", "WEBHOOK_", "TELEGRAM_", "METRICS_", "LOG_")


def process_env(**settings: str) -> dict[str, str]:
    """The environment of a `bidgram` process a test starts: the test's own, less any
    bidgram setting, plus the test bot's token and ``settings``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(OWN_SETTINGS)}
    env.update(PYTHONPATH=str(ROOT), BOT_TOKEN=TOKEN, **settings)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Worker:
    """One `bidgram webhook` process."""

    name: str
    port: int
    log: Path
    proc: asyncio.subprocess.Process | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def healthy(self, session: aiohttp.ClientSession) -> dict[str, Any] | None:
        try:
            async with session.get(self.base_url + HEALTH_PATH) as response:
                return dict(await response.json()) if response.status == 200 else None
        except aiohttp.ClientError:
            return None

    async def stop(self) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), 60)


@dataclass
class Cluster:
    emu: BotAPIEmulator
    db: Database
    secret: str
    workers: list[Worker] = field(default_factory=list)

    def person(self, name: str, *, admin: bool = False) -> SimulatedUser:
        return self.emu.user(
            name, username=name.lower(), user_id=ADMIN_ID if admin else None, started=True
        )

    async def claimed(self) -> int:
        async with self.db.uow() as uow:
            stmt = select(func.count()).select_from(ProcessedUpdate)
            return int((await uow.session.execute(stmt)).scalar_one())


async def _start(worker: Worker, env: dict[str, str]) -> None:
    with worker.log.open("wb") as log:
        worker.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "webhook",
            env={**env, "WEBHOOK_PORT": str(worker.port)},
            cwd=worker.log.parent,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )


async def _until_healthy(workers: list[Worker]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    async with aiohttp.ClientSession() as session:
        for worker in workers:
            while True:
                health = await worker.healthy(session)
                if health is not None:
                    assert health == {"status": "ok", "database": "ok", "redis": "ok"}
                    break
                assert worker.proc is not None
                if worker.proc.returncode is not None or loop.time() > deadline:
                    pytest.fail(f"{worker.name} did not come up:\n{worker.output()}")
                await asyncio.sleep(0.2)


def cluster_env(
    emu: BotAPIEmulator,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    secret: str,
    **settings: str,
) -> dict[str, str]:
    """The environment of webhook processes that share PostgreSQL and Redis."""
    return process_env(
        TELEGRAM_API_URL=emu.base_url,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        REDIS_KEY_PREFIX=redis_prefix,
        WEBHOOK_SECRET=secret,
        WEBHOOK_HOST="127.0.0.1",
        ADMIN_IDS=str(ADMIN_ID),
        **settings,
    )


@asynccontextmanager
async def serving(
    workers: list[Worker], env: dict[str, str], emu: BotAPIEmulator
) -> AsyncIterator[None]:
    """The processes started, healthy and with their webhook set; on the way out each gets
    SIGTERM, and each must stop cleanly."""
    try:
        for worker in workers:
            await _start(worker, env)
        await _until_healthy(workers)
        await emu.wait_for_webhook(timeout=START_TIMEOUT)
        yield
    finally:
        codes = [await worker.stop() for worker in workers if worker.proc is not None]
    for worker, code in zip(workers, codes, strict=True):
        out = worker.output()
        assert code == 0, out
        assert "bidgram stopped." in out and "Traceback" not in out, out


@pytest.fixture
async def cluster(
    db: Database, database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> AsyncIterator[Cluster]:
    secret = uuid.uuid4().hex
    async with running_emulator(TOKEN, webhook_retry_delay=0.1) as emu:
        workers = [Worker(name, free_port(), tmp_path / f"{name}.log") for name in ("one", "two")]
        emu.route_webhook(*(worker.base_url for worker in workers))
        env = cluster_env(
            emu,
            database_url,
            redis_url,
            redis_prefix,
            secret,
            WEBHOOK_URL=PUBLIC_URL,
            WEBHOOK_PATH="/telegram",
        )
        async with serving(workers, env, emu):
            yield Cluster(emu, db, secret, workers)
        emu.assert_clean()


def _sender(update: dict[str, Any]) -> int:
    payload = next(value for key, value in update.items() if key != "update_id")
    return int(payload["from"]["id"])


async def test_two_webhook_processes_share_one_marketplace(cluster: Cluster) -> None:
    emu = cluster.emu
    await a_request_without_the_secret_is_refused_by_every_process(cluster)

    # The journey of PRODUCT.md, every person's wizard steps alternating between processes.
    await journey(cluster)  # type: ignore[arg-type]  # a Cluster acts like an App here

    # Each person's consecutive updates were handled by different processes, all with a 200.
    attempts = [attempt for attempt in emu.webhook_attempts if not attempt.again]
    assert attempts and all(attempt.ok for attempt in attempts)
    by_update = {update["update_id"]: _sender(update) for update in emu.updates}
    people = {person for person in by_update.values()}
    assert len(people) == 3
    for person in people:
        targets = [a.target for a in attempts if by_update[a.update_id] == person]
        assert len(targets) >= 3
        assert all(this != that for this, that in itertools.pairwise(targets))
    for worker in cluster.workers:
        assert sum(worker.base_url in a.target for a in attempts) > 20

    # Telegram delivers everything again, to both processes at once: nothing changes.
    sent = {
        method: len(emu.calls_to(method))
        for method in ("sendMessage", "sendDocument", "editMessageText", "answerCallbackQuery")
    }
    async with cluster.db.uow() as uow:
        books = await uow.accounts.total_of_all_postings()
        fees = await ledger.Ledger(uow).balance(ledger.FEES)
    claimed = await cluster.claimed()
    assert claimed == len(emu.updates)
    for update in emu.updates:
        again = await emu.deliver_again(update, times=2)
        assert [attempt.status for attempt in again] == [200, 200]
        assert len({attempt.target for attempt in again}) == 2
    for method, count in sent.items():
        assert len(emu.calls_to(method)) == count, method
    async with cluster.db.uow() as uow:
        assert await uow.accounts.total_of_all_postings() == books
        assert await ledger.Ledger(uow).balance(ledger.FEES) == fees
    assert await cluster.claimed() == claimed

    await a_duplicate_racing_its_original_on_the_other_process_is_handled_once(cluster)


async def a_duplicate_racing_its_original_on_the_other_process_is_handled_once(
    cluster: Cluster,
) -> None:
    alice = cluster.person("Alice")
    await alice.send_text("/start")
    await alice.wait_for_message("What would you like to do?")
    await alice.send_text("/balance")
    original = cluster.emu.updates[-1]
    [again] = await cluster.emu.deliver_again(original)  # while the original is in flight
    assert again.ok
    await alice.wait_for_message("Available")
    await alice.expect_no_message(1.0)
    targets = {
        a.target for a in cluster.emu.webhook_attempts if a.update_id == original["update_id"]
    }
    assert len(targets) == 2  # both processes got it


async def a_request_without_the_secret_is_refused_by_every_process(cluster: Cluster) -> None:
    update = {
        "update_id": 777_777,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": 555_000_555, "type": "private", "first_name": "Mallory"},
            "from": {"id": 555_000_555, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with aiohttp.ClientSession() as session:
        for worker in cluster.workers:
            for headers in ({}, {SECRET_HEADER: "not-" + cluster.secret}):
                async with session.post(
                    worker.base_url + "/telegram", json=update, headers=headers
                ) as response:
                    assert response.status == 401
    async with cluster.db.uow() as uow:
        assert await uow.users.by_telegram_id(555_000_555) is None
    assert await cluster.claimed() == 0
    assert cluster.emu.calls_to("sendMessage") == []
