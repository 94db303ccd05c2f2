"""Stars back to the payer: held first, confirmed or given back after Telegram answers.

A lost reply must never pay the same money back twice: while the gateway is asked, the
money sits in the payer's refund hold, where neither a payout nor new work can take it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import ledger
from core.actors import Actor
from core.services.refunds import REFUND_LEASE, RefundOutcome, retry_delay
from storage.enums import MilestoneStatus, RefundStatus
from storage.models import Contract, LedgerTransaction, Milestone, Payment
from tests.core.test_payments import stars_tx
from tests.harness import Harness

STARS_ACCOUNT = ledger.external("stars")


async def stars_funded(h: Harness) -> tuple[Actor, Actor, Contract, Milestone, Payment]:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000, fund=False)
    async with stars_tx(h) as m:
        payment = (await m.milestones.start_funding(employer, ms.id, "stars")).payment
    async with h.tx() as m:
        await m.payments.confirm(payment.id, "stx-charge-1", 10_000)
    async with h.tx() as m:
        return employer, freelancer, contract, ms, await m.payments.get(payment.id)


async def cancelled(h: Harness) -> tuple[Actor, Actor, Contract, Milestone, Payment]:
    """A Stars-funded milestone the freelancer cancelled: its refund has started."""
    employer, freelancer, contract, ms, payment = await stars_funded(h)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)
    return employer, freelancer, contract, ms, payment


async def keys(h: Harness) -> list[str]:
    async with h.db.uow() as uow:
        stmt = select(LedgerTransaction.idempotency_key).where(
            LedgerTransaction.idempotency_key.like("refund:%")
        )
        return sorted((await uow.session.execute(stmt)).scalars())


async def finish(h: Harness, payment_id: int, outcome: RefundOutcome) -> Payment:
    async with h.tx() as m:
        return await m.refunds.finish(payment_id, outcome, f"said {outcome}")


async def test_a_cancel_holds_the_stars_for_their_way_back(h: Harness) -> None:
    employer, _, _, ms, payment = await cancelled(h)
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.REFUNDED
    assert await h.available(employer) == 0  # nothing to spend twice
    assert await h.balance(ledger.refund_hold(employer.user_id)) == 10_000
    async with h.tx() as m:
        pending = await m.payments.get(payment.id)
        assert pending.refund_status is RefundStatus.PENDING
        assert pending.refunded_amount == 0
        assert await m.refunds.refundable(ms.id) == []  # already on its way
        assert (await m.payouts.balance(employer.user_id)).refunding == 10_000
    assert "payment.refund_started" in [e.kind for e in h.events]
    assert await keys(h) == [f"refund:{payment.id}:hold"]
    await h.check_books()


async def test_a_confirmed_refund_leaves_once(h: Harness) -> None:
    employer, _, _, _, payment = await cancelled(h)
    done = await finish(h, payment.id, RefundOutcome.DONE)
    assert done.refund_status is RefundStatus.DONE and done.refunded_amount == 10_000
    assert await h.balance(ledger.refund_hold(employer.user_id)) == 0
    assert await h.balance(STARS_ACCOUNT) == 0  # the Stars left as they came
    event = h.events[-1]
    assert event.kind == "payment.refunded" and event.recipients == (employer.user_id,)
    assert event.to_payload()["amount"] == 10_000
    # A late or repeated answer (a retry that crossed the first reply) changes nothing.
    before = await h.snapshot()
    for late in RefundOutcome:
        await finish(h, payment.id, late)
    assert await h.snapshot() == before
    assert await keys(h) == [f"refund:{payment.id}:hold", f"refund:{payment.id}:source"]
    await h.check_books()


async def test_a_refused_refund_goes_back_to_the_balance(h: Harness) -> None:
    employer, _, _, ms, payment = await cancelled(h)
    refused = await finish(h, payment.id, RefundOutcome.REFUSED)
    assert refused.refund_status is RefundStatus.REFUSED
    assert refused.refund_error == "said refused"
    assert await h.available(employer) == 10_000  # can fund work or be paid out
    assert await h.balance(ledger.refund_hold(employer.user_id)) == 0
    assert await h.balance(STARS_ACCOUNT) == -10_000
    assert h.events[-1].kind == "payment.refund_refused"
    async with h.tx() as m:
        assert await m.refunds.refundable(ms.id) == []  # refused once is refused
    await h.check_books()


async def test_a_lost_reply_keeps_the_money_held_until_telegram_answers(h: Harness) -> None:
    """The refund happened at Telegram but its reply timed out: the money stays held (a
    payout of it is refused), and the retry's "already refunded" finishes it once."""
    employer, _, _, _, payment = await cancelled(h)
    async with h.tx() as m:
        [claimed] = await m.refunds.claim_due()
        assert claimed.id == payment.id
    async with h.tx() as m:
        assert await m.refunds.claim_due() == []  # leased to the first asker
    retrying = await finish(h, payment.id, RefundOutcome.RETRY)
    assert retrying.refund_status is RefundStatus.PENDING and retrying.refund_attempts == 1
    assert retrying.refund_next_at == h.clock.now() + retry_delay(1)
    await h.refused(
        lambda m: m.payouts.request(employer, 10_000, "card 4242"), "ledger.insufficient_funds"
    )
    async with h.tx() as m:
        assert await m.refunds.claim_due() == []  # not before its pause
    h.clock.advance(retry_delay(1))
    async with h.tx() as m:
        [again] = await m.refunds.claim_due()
    await finish(h, again.id, RefundOutcome.DONE)
    assert await h.balance(STARS_ACCOUNT) == 0
    assert await h.balance(ledger.refund_hold(employer.user_id)) == 0
    assert await h.available(employer) == 0
    await h.check_books()


async def test_a_lease_that_runs_out_is_asked_again(h: Harness) -> None:
    """A process that claimed a refund and died: another asks again after the lease."""
    _, _, _, _, payment = await cancelled(h)
    async with h.tx() as m:
        assert [p.id for p in await m.refunds.claim_due()] == [payment.id]
    h.clock.advance(REFUND_LEASE - timedelta(seconds=1))
    async with h.tx() as m:
        assert await m.refunds.claim_due() == []
    h.clock.advance(timedelta(seconds=1))
    async with h.tx() as m:
        assert [p.id for p in await m.refunds.claim_due()] == [payment.id]


async def test_pauses_between_tries_grow_to_an_hour(h: Harness) -> None:
    pauses = [retry_delay(n) for n in range(1, 7)]
    assert pauses == sorted(pauses)
    assert pauses[-1] == timedelta(hours=1)


async def test_only_money_that_came_back_in_full_goes_to_its_source(h: Harness) -> None:
    employer, freelancer, _contract, ms, payment = await stars_funded(h)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 4_000)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)  # the rest, 6,000, back to the employer
    async with h.tx() as m:
        assert await m.refunds.refundable(ms.id) == []
        assert (await m.payments.get(payment.id)).refund_status is None
    assert await h.available(employer) == 6_000
    assert await keys(h) == []
    await h.check_books()


async def test_a_late_stars_payment_kept_on_the_balance_can_go_back(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000, fund=False)
    async with stars_tx(h) as m:
        payment = (await m.milestones.start_funding(employer, ms.id, "stars")).payment
    async with h.tx() as m:
        await m.milestones.cancel(employer, ms.id)
    async with h.tx() as m:
        assert (await m.payments.confirm(payment.id, "stx-late", 10_000)).funded is False
    async with h.tx() as m:
        [late] = await m.refunds.refundable(ms.id)
        assert late.id == payment.id
        milestone = await m.ctx.uow.milestones.lock(ms.id)
        assert milestone is not None
        [started] = await m.refunds.start(milestone)
    await finish(h, started.id, RefundOutcome.DONE)
    assert await h.available(employer) == 0
    assert await h.balance(STARS_ACCOUNT) == 0
    await h.check_books()


async def test_sandbox_money_never_goes_to_a_source(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.REFUNDED
    async with h.tx() as m:
        assert await m.refunds.refundable(ms.id) == []
        [payment] = await m.ctx.uow.payments.succeeded_for_milestone(ms.id)
        assert payment.refund_status is None
    assert await h.available(employer) == 10_000  # test money stays on the balance
    assert "payment.refund_started" not in [e.kind for e in h.events]
    await h.check_books()
