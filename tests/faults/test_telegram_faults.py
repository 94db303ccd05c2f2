"""Telegram hiccups: a reply is retried, a change is never rolled back for want of a
reply, a lost refund reply never pays the money back twice."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.replies import ATTEMPTS
from core import ledger
from core.clock import FrozenClock
from core.errors import DomainError
from core.services.refunds import retry_delay
from emulator import FaultKind
from storage.db import Database
from storage.enums import MilestoneStatus, RefundStatus
from tests.e2e.test_milestones import at_the_release_prompt
from tests.e2e.test_payments import invoice_for, stars_deal
from tests.e2e.work_support import balance, check_books, market, milestone
from tests.faults.conftest import MODES, STARS, World, eventually, running_world


@pytest.fixture(params=MODES)
async def world(db: Database, clock: FrozenClock, request: pytest.FixtureRequest) -> World:
    async with running_world(db, clock, request.param) as w:
        yield w  # type: ignore[misc]
        w.emu.assert_clean()


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_429_on_the_balance_reply_is_waited_out(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    erin = world.person("Erin")
    await erin.send_text("/start")
    await erin.wait_for_message("What would you like to do?")
    world.emu.inject_fault(FaultKind.RETRY_AFTER, method="sendMessage", chat_id=erin.id)
    await erin.send_text("/balance")
    await erin.wait_for_message("Your balance", timeout=10)
    assert failures(caplog) == []
    assert not any("apolog" in m.text.lower() or "went wrong" in m.text for m in erin.messages)
    # Retried after retry_after, never earlier: the emulator counts that as a violation.
    world.emu.assert_clean()


async def test_a_502_on_the_release_reply_keeps_the_release(world: World) -> None:
    """The confirmation's reply fails every time it is tried: the release stands (it was
    committed first) and the reply still arrives, through the outbox."""
    deal, ms_id, prompt = await at_the_release_prompt(world)
    erin, frank = deal.employer, deal.freelancer
    world.emu.inject_fault(
        FaultKind.BAD_GATEWAY, method="editMessageText", chat_id=erin.id, times=ATTEMPTS
    )
    await erin.click(prompt, "✅ Yes, release 100.00 USD")
    assert (await milestone(world, ms_id)).status is MilestoneStatus.RELEASED
    done = await erin.wait_for_message("Released 100.00 USD", timeout=15)
    assert done.message_id != prompt.message_id  # the edit never went: said anew
    await frank.wait_for_message("released to you", timeout=15)
    assert (await world.ledger_kinds()).count("release") == 1
    assert await balance(world, ledger.available(deal.worker.user_id)) == 9_000
    await check_books(world)


async def test_5xx_and_dropped_connections_on_replies_are_retried(world: World) -> None:
    erin = world.person("Erin")
    world.emu.inject_fault(FaultKind.SERVER_ERROR, method="sendMessage", chat_id=erin.id)
    world.emu.inject_fault(FaultKind.DISCONNECT, method="sendMessage", chat_id=erin.id)
    await erin.send_text("/start")
    await erin.wait_for_message("What would you like to do?", timeout=10)
    menus = [m for m in erin.messages if "What would you like to do?" in m.text]
    assert len(menus) == 1  # retried until it went, and sent once
    assert await world.claimed() == 1


@pytest.fixture
async def stars(db: Database, clock: FrozenClock) -> World:
    async with running_world(db, clock, "polling", **STARS) as w:
        yield w  # type: ignore[misc]


async def test_a_refund_whose_reply_is_lost_is_made_once(stars: World) -> None:
    """refundStarPayment is done at Telegram but its reply is lost: the money stays held
    (no payout can take it), and the retry's "already refunded" settles it once."""
    world = stars
    deal, ms_id = await stars_deal(world)
    erin = deal.employer
    await invoice_for(erin)
    await erin.pay(erin.messages[-1])
    await erin.wait_for_message("Payment received")
    world.emu.inject_fault(FaultKind.LOST_REPLY, method="refundStarPayment")
    async with market(world) as m:
        await m.milestones.cancel(deal.worker, ms_id)
    held = ledger.refund_hold(deal.boss.user_id)
    await world.delivery.refund_once()  # Telegram refunds; the reply is lost
    assert len(world.emu.refunds) == 1
    assert await balance(world, held) == 500
    assert await balance(world, ledger.available(deal.boss.user_id)) == 0
    async with market(world) as m:
        [payment] = await m.ctx.uow.payments.succeeded_for_milestone(ms_id)
        assert payment.refund_status is RefundStatus.PENDING and payment.refund_attempts == 1
        with pytest.raises(DomainError):  # the held Stars cannot be paid out meanwhile
            await m.payouts.request(deal.boss, 500, "my card")
    world.clock.advance(retry_delay(1) + timedelta(seconds=1))
    await world.delivery.refund_once()  # asks again: "already refunded" counts as done
    await erin.wait_for_message("went back to your Telegram Stars")
    assert len(world.emu.refunds) == 1  # the Stars went back once
    assert await balance(world, held) == 0
    assert await balance(world, ledger.external("stars")) == 0
    async with market(world) as m:
        done = await m.payments.get(payment.id)
        assert done.refund_status is RefundStatus.DONE
    await check_books(world)
    [already] = world.emu.violations  # Telegram's "already refunded" answer to the retry
    assert "CHARGE_ALREADY_REFUNDED" in already.description
    world.emu.clear_violations()

    async def told_once() -> bool:
        return sum("went back" in msg.text for msg in erin.messages) == 1

    await eventually(told_once, what="one refund notice")
