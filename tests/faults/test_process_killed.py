"""A real `bidgram webhook` process SIGKILLed in the middle of a release, its commit in
flight: nothing of it is kept, Telegram (the emulator) delivers the update again, and
the process that takes over applies it exactly once."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from core import ledger
from core.clock import FrozenClock
from emulator import BotAPIEmulator, running_emulator
from storage.db import Database
from storage.enums import MilestoneStatus
from tests.e2e.conftest import ADMIN_ID, TOKEN, e2e_settings
from tests.e2e.test_milestones import at_the_release_prompt
from tests.e2e.test_scale_out import Worker, _start, free_port, process_env
from tests.e2e.work_support import balance, check_books, milestone
from tests.faults.conftest import SECRET, URL, World, eventually
from tests.faults.pgproxy import Cut, PgProxy, Trap

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

START_TIMEOUT = 90.0  # a cold Python process on a small, busy machine


@dataclass
class Host:
    """Where `bidgram webhook` processes run, one after the other, on one port."""

    emu: BotAPIEmulator
    env: dict[str, str]
    port: int
    logs: Path
    started: int = 0

    async def start(self) -> Worker:
        self.started += 1
        worker = Worker(f"process-{self.started}", self.port, self.logs / f"{self.started}.log")
        await _start(worker, self.env)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        async with aiohttp.ClientSession() as session:
            while await worker.healthy(session) is None:
                assert worker.proc is not None
                if worker.proc.returncode is not None or loop.time() > deadline:
                    pytest.fail(f"{worker.name} did not come up:\n{worker.output()}")
                await asyncio.sleep(0.2)
        return worker


@pytest.fixture
async def host(
    db: Database, database_url: str, proxy: PgProxy, tmp_path: Path
) -> AsyncIterator[Host]:
    async with running_emulator(TOKEN, webhook_retry_delay=0.2, webhook_max_retry_delay=1.0) as emu:
        port = free_port()
        emu.route_webhook(f"http://127.0.0.1:{port}")
        env = process_env(
            TELEGRAM_API_URL=emu.base_url,
            DATABASE_URL=proxy.url,
            WEBHOOK_URL=URL,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PATH="/telegram",
            ADMIN_IDS=str(ADMIN_ID),
        )
        yield Host(emu, env, port, tmp_path)


async def test_a_process_killed_mid_release_loses_and_doubles_nothing(
    host: Host, db: Database, database_url: str, proxy: PgProxy
) -> None:
    # The processes run on the wall clock: seed on it too, so no timer fires meanwhile.
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    settings = e2e_settings(database_url, host.emu.base_url)
    app = World(host.emu, db, settings, clock, None)  # type: ignore[arg-type]  # no delivery here
    first = await host.start()
    deal, ms_id, prompt = await at_the_release_prompt(app)
    erin, frank = deal.employer, deal.freelancer

    # The release's commit is on its way to the server when the process is killed.
    trap = proxy.arm(
        Trap(b"COMMIT", Cut.HOLD, within=(b"processed_updates", b"ledger_transactions"))
    )
    pressed = asyncio.create_task(erin.click(prompt, "✅ Yes, release 100.00 USD", timeout=120))
    await asyncio.wait_for(trap.sprung.wait(), 30)
    assert first.proc is not None
    first.proc.send_signal(signal.SIGKILL)
    assert await asyncio.wait_for(first.proc.wait(), 30) == -signal.SIGKILL
    proxy.cut_all()  # the dead process's connections close: the server rolls back
    trap.release()
    assert (await milestone(app, ms_id)).status is MilestoneStatus.DELIVERED  # nothing kept

    second = await host.start()  # takes over; Telegram delivers the update again
    try:
        await pressed
        await erin.wait_for_message("Released 100.00 USD", timeout=30)
        await frank.wait_for_message("💰", timeout=30)
        assert (await milestone(app, ms_id)).status is MilestoneStatus.RELEASED
        assert await balance(app, ledger.available(deal.worker.user_id)) == 9_000

        async def told_once() -> bool:
            return sum(m.text.startswith("💰") for m in frank.messages) == 1

        await eventually(told_once, what="one release alert")
        failed = [a for a in host.emu.webhook_attempts if not a.ok]
        assert failed  # the delivery the dead process never answered
        await check_books(app)
    finally:
        code = await second.stop()
    assert code == 0, second.output()
    assert "Traceback" not in second.output(), second.output()
    host.emu.assert_clean()
