"""The database goes away before an update, in the middle of one, or at its commit.

Nothing is acknowledged that was not kept: the webhook answers 503 and Telegram (the
emulator) delivers the update again; the poller keeps the update and tries it again
before it asks for more. Once the database is back, every update is applied exactly
once, every payment credited exactly once, and the books balance.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from core import ledger
from core.clock import FrozenClock
from storage.db import Database
from storage.enums import MilestoneStatus
from storage.models import PaymentReceipt
from tests.e2e.test_milestones import at_the_release_prompt
from tests.e2e.test_payments import invoice_for, stars_deal
from tests.e2e.work_support import balance, check_books, milestone
from tests.faults.conftest import MODES, STARS, World, eventually, running_world
from tests.faults.pgproxy import Cut, PgProxy, Trap

pytestmark = pytest.mark.postgres

MENU = "What would you like to do?"
#: Every update's own transaction claims its id first; the journal's and the alert
#: delivery's transactions never do.
UPDATE = (b"processed_updates",)
#: The transaction of the update that credits a payment (not its pre-checkout's, not
#: the journal's).
CREDIT = (b"processed_updates", b"payment_receipts")
DOWNTIME = 1.0  # seconds the database stays away once a trap has sprung


@pytest.fixture(params=MODES)
async def world(
    db: Database, clock: FrozenClock, proxy: PgProxy, request: pytest.FixtureRequest
) -> AsyncIterator[World]:
    async with running_world(db, clock, request.param, proxy=proxy) as w:
        yield w
        w.emu.assert_clean()


@pytest.fixture(params=MODES)
async def stars(
    db: Database, clock: FrozenClock, proxy: PgProxy, request: pytest.FixtureRequest
) -> AsyncIterator[World]:
    """Paid in Telegram Stars, so payments arrive as Telegram reports them."""
    async with running_world(db, clock, request.param, proxy=proxy, **STARS) as w:
        yield w
        w.emu.assert_clean()


async def come_back_after(proxy: PgProxy, trap: Trap) -> None:
    """The database stays away a while once ``trap`` springs, then returns."""
    await asyncio.wait_for(trap.sprung.wait(), 20)
    await asyncio.sleep(DOWNTIME)
    proxy.restore()


def acknowledged_nothing_while_down(world: World) -> None:
    if world.mode == "webhook":
        assert 503 in world.statuses()  # Telegram was told to deliver it again
        assert 500 not in world.statuses()


async def test_a_payment_during_an_outage_is_credited_once_it_is_back(stars: World) -> None:
    """The finding: the database was down when Telegram reported the payment; the update
    was answered 200 and the money never credited. Now it cannot be acknowledged before
    it is journaled, and it is credited once the database is back."""
    world = stars
    assert world.proxy is not None
    deal, ms_id = await stars_deal(world)
    erin, frank = deal.employer, deal.freelancer
    await invoice_for(erin)
    trap = world.proxy.arm(Trap(b"INSERT INTO payment_receipts"))  # the journal write
    back = asyncio.create_task(come_back_after(world.proxy, trap))
    await erin.pay(erin.messages[-1])
    await erin.wait_for_message("Payment received", timeout=30)
    await back
    await frank.wait_for_message("Funded:", timeout=15)
    acknowledged_nothing_while_down(world)
    assert (await milestone(world, ms_id)).status is MilestoneStatus.FUNDED
    assert (await world.ledger_kinds()).count("deposit") == 1
    assert await balance(world, ledger.escrow(ms_id)) == 500
    assert await world.count(PaymentReceipt, PaymentReceipt.outcome == "credited") == 1
    await check_books(world)


@pytest.mark.parametrize(
    ("pattern", "cut"),
    [
        (b"INSERT INTO ledger_transactions", Cut.BEFORE),  # in the middle of the update
        (b"COMMIT", Cut.BEFORE),  # the commit never reaches the server
        (b"COMMIT", Cut.AFTER),  # committed, but the bot never hears so
    ],
    ids=["mid-update", "before-commit", "commit-in-doubt"],
)
async def test_a_payment_cut_anywhere_in_its_update_is_credited_once(
    stars: World, pattern: bytes, cut: Cut
) -> None:
    world = stars
    assert world.proxy is not None
    deal, ms_id = await stars_deal(world)
    erin, frank = deal.employer, deal.freelancer
    await invoice_for(erin)
    trap = world.proxy.arm(Trap(pattern, cut, within=CREDIT))
    back = asyncio.create_task(come_back_after(world.proxy, trap))
    await erin.pay(erin.messages[-1])
    await back
    await frank.wait_for_message("Funded:", timeout=30)
    await erin.wait_for_message("Payment received", timeout=30)  # in doubt too: kept
    acknowledged_nothing_while_down(world)
    assert (await world.ledger_kinds()).count("deposit") == 1
    assert (await world.ledger_kinds()).count("fund") == 1
    assert await balance(world, ledger.escrow(ms_id)) == 500
    receipts = await world.count(PaymentReceipt, PaymentReceipt.credited_at.is_not(None))
    assert receipts == 1
    await check_books(world)


@pytest.mark.parametrize(
    ("pattern", "cut"),
    [
        (b"INSERT INTO processed_updates", Cut.BEFORE),  # before anything of the update
        (b"INSERT INTO ledger_transactions", Cut.BEFORE),
        (b"COMMIT", Cut.BEFORE),
        (b"COMMIT", Cut.AFTER),
    ],
    ids=["before-update", "mid-update", "before-commit", "commit-in-doubt"],
)
async def test_a_release_cut_anywhere_is_applied_once(
    world: World, pattern: bytes, cut: Cut
) -> None:
    assert world.proxy is not None
    deal, ms_id, prompt = await at_the_release_prompt(world)
    erin, frank = deal.employer, deal.freelancer
    within = () if pattern.startswith(b"INSERT INTO processed") else UPDATE
    trap = world.proxy.arm(Trap(pattern, cut, within=within))
    back = asyncio.create_task(come_back_after(world.proxy, trap))
    await erin.click(prompt, "✅ Yes, release 100.00 USD", timeout=30)
    await back
    await frank.wait_for_message("💰", timeout=30)
    assert (await milestone(world, ms_id)).status is MilestoneStatus.RELEASED
    assert (await world.ledger_kinds()).count("release") == 1
    assert await balance(world, ledger.available(deal.worker.user_id)) == 9_000

    async def told_once() -> bool:
        return sum(m.text.startswith("💰") for m in frank.messages) == 1

    await eventually(told_once, what="one release alert")
    await asyncio.sleep(0.3)
    assert await told_once()
    acknowledged_nothing_while_down(world)
    await check_books(world)


async def test_an_outage_before_an_update_loses_nothing(world: World) -> None:
    """Plain messages too: /start during an outage is answered once the database is back,
    and a wizard step is not taken twice."""
    assert world.proxy is not None
    erin = world.person("Erin")
    world.proxy.outage()
    await erin.send_text("/start")
    await asyncio.sleep(DOWNTIME)
    assert not any(MENU in m.text for m in erin.messages)  # nothing could be said yet
    world.proxy.restore()
    await erin.wait_for_message(MENU, timeout=30)
    await asyncio.sleep(0.3)
    assert sum(MENU in m.text for m in erin.messages) == 1
    assert await world.claimed() == 1
    acknowledged_nothing_while_down(world)
    if world.mode == "polling":
        assert len(world.emu.delivered()) == len(world.emu.updates)  # confirmed only now


@pytest.mark.parametrize("cut", [Cut.BEFORE, Cut.AFTER], ids=["before-commit", "in-doubt"])
async def test_a_wizard_step_cut_at_its_commit_is_taken_once(world: World, cut: Cut) -> None:
    """Conversation state moves with the update's commit: a step whose commit failed is
    not half-taken (the title is not read again as the description, nor asked twice)."""
    assert world.proxy is not None
    erin = world.person("Erin")
    await erin.send_text("/post")
    await erin.wait_for_message("step 1 of 5")
    trap = world.proxy.arm(Trap(b"COMMIT", cut, within=UPDATE))
    back = asyncio.create_task(come_back_after(world.proxy, trap))
    await erin.send_text("A logo for my bakery")
    await back
    await erin.wait_for_message("Step 2 of 5", timeout=30)
    await asyncio.sleep(0.3)
    assert sum("Step 2 of 5" in m.text for m in erin.messages) == 1
    assert not any("at least 30 characters" in m.text for m in erin.messages)
    await erin.send_text("A round logo with a loaf of bread, for signs and paper bags.")
    await erin.wait_for_message("Step 3 of 5")
    acknowledged_nothing_while_down(world)
