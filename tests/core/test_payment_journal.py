"""The payment journal: a charge Telegram reports is written down before anything else,
and credited exactly once — by its update, or by the sweep when that update failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.services.payments import RECEIPT_GRACE, PaymentService
from storage.enums import MilestoneStatus
from storage.models import LedgerTransaction, PaymentReceipt
from tests.core.test_payments import invoice, stars_tx
from tests.harness import Harness


async def receive(h: Harness, payment_id: int | None, charge: str, amount: int = 10_000) -> None:
    async with h.tx() as m:
        payload = f"pay:{payment_id}" if payment_id is not None else "someone-elses"
        await m.payments.receive(charge, payload, payment_id, 4242, amount, "XTR")


async def receipts(h: Harness) -> list[PaymentReceipt]:
    async with h.db.uow() as uow:
        found = list((await uow.session.execute(select(PaymentReceipt))).scalars())
        uow.session.expunge_all()
        return found


async def deposits(h: Harness) -> int:
    async with h.db.uow() as uow:
        stmt = select(LedgerTransaction).where(LedgerTransaction.kind == "deposit")
        return len(list((await uow.session.execute(stmt)).scalars()))


async def test_a_charge_is_journaled_once_however_often_it_is_reported(h: Harness) -> None:
    _, _, _, _, payment_id = await invoice(h)
    for _ in range(3):
        await receive(h, payment_id, "stx-1")
    [receipt] = await receipts(h)
    assert (receipt.charge_id, receipt.payment_id, receipt.amount) == ("stx-1", payment_id, 10_000)
    assert receipt.credited_at is None and await deposits(h) == 0  # written down, not credited


async def test_crediting_a_journaled_charge_funds_the_milestone_once(h: Harness) -> None:
    _, _, _, ms, payment_id = await invoice(h)
    await receive(h, payment_id, "stx-1")
    async with stars_tx(h) as m:
        confirmation = await m.payments.credit("stx-1")
    assert confirmation is not None and confirmation.funded
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.FUNDED
    await h.refused(lambda m: m.payments.credit("stx-1"), "payment.already_confirmed")
    [receipt] = await receipts(h)
    assert receipt.outcome == "credited" and receipt.credited_at == h.clock.now()
    assert await deposits(h) == 1
    await h.check_books()


async def test_the_sweep_credits_what_a_failed_update_left(h: Harness) -> None:
    """The update journaled the charge and then failed: the sweep credits it once the
    update's own chance has passed, and only once."""
    _, _, _, ms, payment_id = await invoice(h)
    await receive(h, payment_id, "stx-1")
    async with stars_tx(h) as m:
        assert (await m.timers.sweep()).payments_credited == 0  # the update may still do it
    h.clock.advance(RECEIPT_GRACE)
    async with stars_tx(h) as m:
        report = await m.timers.sweep()
    assert report.payments_credited == 1 and report.failures == []
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.FUNDED
    h.clock.advance(timedelta(hours=1))
    async with stars_tx(h) as m:
        assert (await m.timers.sweep()).payments_credited == 0
    assert await deposits(h) == 1
    assert "milestone.funded" in [e.kind for e in h.events]
    await h.check_books()


async def test_a_charge_credited_before_the_journal_is_not_credited_again(h: Harness) -> None:
    _, _, _, _, payment_id = await invoice(h)
    async with h.tx() as m:
        await m.payments.confirm(payment_id, "stx-1", 10_000)  # an older version did this
    await receive(h, payment_id, "stx-1")
    async with stars_tx(h) as m:
        assert await m.payments.credit("stx-1") is None
    [receipt] = await receipts(h)
    assert receipt.outcome == "duplicate" and receipt.credited_at is not None
    assert await deposits(h) == 1


async def test_a_charge_for_no_invoice_of_ours_is_kept_for_an_operator(h: Harness) -> None:
    await receive(h, None, "stx-foreign")
    async with h.tx() as m:
        assert await m.payments.credit("stx-foreign") is None
    [receipt] = await receipts(h)
    assert receipt.outcome == "unmatched" and "payment.not_found" in (receipt.last_error or "")
    h.clock.advance(RECEIPT_GRACE)
    async with h.tx() as m:
        assert (await m.timers.sweep()).payments_credited == 0  # not tried again
    assert await deposits(h) == 0


async def test_a_sweep_that_fails_to_credit_counts_the_attempt(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, _, _, payment_id = await invoice(h)
    await receive(h, payment_id, "stx-1")
    h.clock.advance(RECEIPT_GRACE)

    async def down(*_: object, **__: object) -> None:
        raise ConnectionResetError("the database went away")

    monkeypatch.setattr(PaymentService, "confirm", down)
    async with stars_tx(h) as m:
        report = await m.timers.sweep()
    assert report.payments_credited == 0 and "ConnectionResetError" in report.failures[0]
    [receipt] = await receipts(h)
    assert receipt.credited_at is None and receipt.attempts == 1
    monkeypatch.undo()
    async with stars_tx(h) as m:
        assert (await m.timers.sweep()).payments_credited == 1
    assert await deposits(h) == 1
    await h.check_books()


async def test_an_unknown_charge_cannot_be_credited(h: Harness) -> None:
    await h.refused(lambda m: m.payments.credit("never-seen"), "payment.not_journaled")
