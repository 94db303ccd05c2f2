"""``bidgram worker``: timers and alert delivery in a process of their own.

What came due while no process was running fires once when one starts, and its alerts
reach the people concerned; a second worker started afterwards repeats nothing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.app import work
from bot.settings import BotSettings
from core.clock import FrozenClock
from core.marketplace import Marketplace
from emulator import BotAPIEmulator, SimulatedUser, running_emulator
from storage.db import Database
from tests.e2e.conftest import TOKEN, e2e_settings


async def offer_made_days_ago(
    db: Database, settings: BotSettings, erin: SimulatedUser, frank: SimulatedUser
) -> None:
    """An offer made three days ago, before the worker was started: long lapsed now."""
    clock = FrozenClock(datetime.now(UTC) - timedelta(days=3))
    async with db.uow() as uow:
        m = Marketplace(uow, settings, clock)
        boss = m.users.actor(await m.users.register(erin.id, erin.first_name))
        worker = m.users.actor(await m.users.register(frank.id, frank.first_name))
        await m.users.update_profile(
            worker,
            headline="Senior Python developer",
            bio="Ten years of building web services, bots and data pipelines.",
            skills=["python"],
            hourly_rate=5000,
        )
        project = await m.projects.create_draft(
            boss,
            title="Shop bot with payments",
            description="A bot that takes orders, accepts payments and notifies staff.",
            skills=["python"],
            budget_min=10_000,
            budget_max=30_000,
        )
        await m.projects.publish(boss, project.id)
        bid = await m.bids.place(
            worker, project.id, amount=20_000, delivery_days=5, proposal="Two weeks, tested well."
        )
        await m.awards.offer(boss, bid.id)
        m.take_events()  # those alerts belong to another test
        await uow.commit()


async def run_worker(settings: BotSettings, until: object) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(work(settings, stop))
    try:
        assert callable(until)
        await until()
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_worker_fires_what_came_due_while_down_once_and_delivers_it(db: Database) -> None:
    async with running_emulator(TOKEN) as emu:
        # The worker opens the test's own database, as a separate process would.
        settings = e2e_settings(db.engine.url.render_as_string(hide_password=False), emu.base_url)
        erin = emu.user("Erin", started=True)
        frank = emu.user("Frank", started=True)
        await offer_made_days_ago(db, settings, erin, frank)

        async def lapse_told() -> None:
            await erin.wait_for_message("did not answer your offer", timeout=30)
            await frank.wait_for_message("lapsed", timeout=30)

        await run_worker(settings, lapse_told)
        told = _sends(emu)

        async def a_while() -> None:
            await asyncio.sleep(1.5)

        await run_worker(settings, a_while)  # a restart: nothing is due, nothing resent
        assert _sends(emu) == told
        assert len([m for m in erin.messages if "did not answer" in m.text]) == 1
        emu.assert_clean()


def _sends(emu: BotAPIEmulator) -> int:
    return len([c for c in emu.calls if c.method.lower() == "sendmessage"])
