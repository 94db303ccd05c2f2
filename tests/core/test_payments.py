"""Payments: money arriving from a gateway is credited exactly once, and never lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import func, select

from core import ledger
from core.actors import Actor
from core.errors import NotAllowed
from core.gateways import SANDBOX, STARS, Gateways
from core.marketplace import Marketplace
from storage.enums import MilestoneStatus, PaymentStatus
from storage.models import Contract, Milestone, Payment
from tests.harness import Harness

STARS_ACCOUNT = ledger.external("stars")


@asynccontextmanager
async def stars_tx(h: Harness) -> AsyncIterator[Marketplace]:
    """A unit of work in a deployment that also takes Telegram Stars."""
    async with h.db.uow() as uow:
        market = Marketplace(uow, h.settings, h.clock, Gateways([SANDBOX, STARS]))
        yield market
        await uow.commit()
        h.events.extend(market.take_events())


async def invoice(
    h: Harness, amount: int = 10_000
) -> tuple[Actor, Actor, Contract, Milestone, int]:
    """A milestone with a Stars invoice sent to the employer, not paid yet."""
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, amount, fund=False)
    async with stars_tx(h) as m:
        started = await m.milestones.start_funding(employer, ms.id, "stars")
    assert started.funded is False
    return employer, freelancer, contract, ms, started.payment.id


async def payments_of(h: Harness, milestone_id: int) -> list[Payment]:
    async with h.tx() as m:
        stmt = select(Payment).where(Payment.milestone_id == milestone_id).order_by(Payment.id)
        return list((await m.ctx.uow.session.execute(stmt)).scalars())


async def ban(h: Harness, actor: Actor) -> None:
    admin = await h.admin()
    async with h.tx() as m:
        await m.users.ban(admin, actor.user_id, "Chargebacks")


async def test_a_stars_invoice_waits_for_telegram_to_confirm_the_money(h: Harness) -> None:
    employer, freelancer, _, ms, payment_id = await invoice(h)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.PENDING and ms.escrow == 0
    [payment] = await payments_of(h, ms.id)
    assert payment.id == payment_id
    assert payment.status is PaymentStatus.PENDING
    assert (payment.gateway, payment.amount, payment.currency) == ("stars", 10_000, "USD")
    assert await h.balance(STARS_ACCOUNT) == 0  # nothing moved yet

    async with h.tx() as m:
        confirmation = await m.payments.confirm(payment_id, "tg-charge-1", 10_000)
    assert confirmation.funded is True
    assert confirmation.credited_to_balance == 0
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.FUNDED and ms.escrow == 10_000
    [payment] = await payments_of(h, ms.id)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.external_id == "tg-charge-1"
    assert payment.confirmed_at == h.clock.now()
    assert await h.balance(STARS_ACCOUNT) == -10_000
    assert await h.balance(ledger.escrow(ms.id)) == 10_000
    assert await h.available(employer) == 0
    funded = h.events[-1]
    assert funded.kind == "milestone.funded"
    assert set(funded.recipients) == {employer.user_id, freelancer.user_id}
    await h.check_books()


async def test_a_confirmation_delivered_twice_moves_money_once(h: Harness) -> None:
    _, _, _, ms, payment_id = await invoice(h)
    async with h.tx() as m:
        await m.payments.confirm(payment_id, "tg-charge-1", 10_000)
    await h.refused(
        lambda m: m.payments.confirm(payment_id, "tg-charge-1", 10_000),
        "payment.already_confirmed",
    )
    assert await h.balance(STARS_ACCOUNT) == -10_000
    assert (await h.get_milestone(ms.id)).funded_amount == 10_000
    assert len(await payments_of(h, ms.id)) == 1
    await h.check_books()


async def test_a_charge_id_is_credited_once_even_for_another_invoice(h: Harness) -> None:
    employer, _, contract, _ms, payment_id = await invoice(h)
    other = await h.milestone(employer, contract.id, 10_000, fund=False)
    async with stars_tx(h) as m:
        other_payment = (await m.milestones.start_funding(employer, other.id, "stars")).payment
    async with h.tx() as m:
        await m.payments.confirm(payment_id, "tg-charge-1", 10_000)
    await h.refused(
        lambda m: m.payments.confirm(other_payment.id, "tg-charge-1", 10_000),
        "payment.already_confirmed",
    )
    assert (await h.get_milestone(other.id)).status is MilestoneStatus.PENDING
    await h.check_books()


async def test_the_sandbox_confirmation_cannot_be_replayed(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    [payment] = await payments_of(h, ms.id)
    assert payment.status is PaymentStatus.SUCCEEDED
    await h.refused(
        lambda m: m.payments.confirm(payment.id, payment.external_id or "", 10_000),
        "payment.already_confirmed",
    )
    await h.check_books()


async def test_money_for_a_milestone_cancelled_meanwhile_lands_on_the_payers_balance(
    h: Harness,
) -> None:
    employer, _, contract, ms, payment_id = await invoice(h)
    async with h.tx() as m:
        await m.milestones.cancel(employer, ms.id)
    async with h.tx() as m:
        confirmation = await m.payments.confirm(payment_id, "tg-late", 10_000)
    assert confirmation.funded is False
    assert confirmation.credited_to_balance == 10_000
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.CANCELLED and ms.escrow == 0
    assert await h.available(employer) == 10_000
    assert await h.balance(STARS_ACCOUNT) == -10_000
    credited = h.events[-1]
    assert credited.kind == "payment.credited_to_balance"
    assert credited.recipients == (employer.user_id,)
    assert credited.to_payload()["amount"] == 10_000
    await h.check_books()

    # The money is still the employer's: it funds the next milestone.
    nxt = await h.milestone(employer, contract.id, 10_000, fund=False)
    async with h.tx() as m:
        await m.milestones.fund_from_balance(employer, nxt.id)
    assert await h.available(employer) == 0
    assert (await h.get_milestone(nxt.id)).escrow == 10_000
    await h.check_books()


async def test_money_arriving_after_the_contract_ended_lands_on_the_balance(h: Harness) -> None:
    employer, _, contract, _ms, payment_id = await invoice(h)
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    async with h.tx() as m:
        confirmation = await m.payments.confirm(payment_id, "tg-after-end", 10_000)
    assert confirmation.funded is False and confirmation.credited_to_balance == 10_000
    assert await h.available(employer) == 10_000
    await h.check_books()


async def test_a_payment_for_a_different_amount_is_kept_on_the_balance(h: Harness) -> None:
    employer, _, _, ms, payment_id = await invoice(h, 10_000)
    async with h.tx() as m:
        confirmation = await m.payments.confirm(payment_id, "tg-odd", 9_000)
    assert confirmation.funded is False and confirmation.credited_to_balance == 9_000
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.PENDING
    assert await h.available(employer) == 9_000
    await h.check_books()


async def test_two_invoices_paid_for_one_milestone_fund_it_once(h: Harness) -> None:
    employer, _, _, ms, first = await invoice(h, 10_000)
    async with stars_tx(h) as m:
        second = (await m.milestones.start_funding(employer, ms.id, "stars")).payment.id
    async with h.tx() as m:
        assert (await m.payments.confirm(first, "tg-a", 10_000)).funded is True
    async with h.tx() as m:
        late = await m.payments.confirm(second, "tg-b", 10_000)
    assert late.funded is False and late.credited_to_balance == 10_000
    ms = await h.get_milestone(ms.id)
    assert ms.funded_amount == 10_000
    assert await h.available(employer) == 10_000
    assert await h.balance(STARS_ACCOUNT) == -20_000
    await h.check_books()


async def test_a_second_different_charge_for_a_paid_invoice_is_recorded_and_credited(
    h: Harness,
) -> None:
    employer, _, _, ms, payment_id = await invoice(h, 10_000)
    async with h.tx() as m:
        await m.payments.confirm(payment_id, "tg-charge-1", 10_000)
    async with h.tx() as m:
        extra = await m.payments.confirm(payment_id, "tg-charge-2", 10_000)
    assert extra.funded is False and extra.credited_to_balance == 10_000
    assert extra.payment.id != payment_id
    payments = await payments_of(h, ms.id)
    assert [(p.external_id, p.status) for p in payments] == [
        ("tg-charge-1", PaymentStatus.SUCCEEDED),
        ("tg-charge-2", PaymentStatus.SUCCEEDED),
    ]
    assert payments[1].payer_id == employer.user_id
    assert (await h.get_milestone(ms.id)).funded_amount == 10_000
    assert await h.available(employer) == 10_000
    assert await h.balance(STARS_ACCOUNT) == -20_000
    # ... and that second charge, delivered again, is not credited again.
    await h.refused(
        lambda m: m.payments.confirm(payment_id, "tg-charge-2", 10_000),
        "payment.already_confirmed",
    )
    await h.check_books()


async def test_a_confirmation_needs_a_charge_id_and_money(h: Harness) -> None:
    _, _, _, _, payment_id = await invoice(h)
    await h.refused(lambda m: m.payments.confirm(payment_id, "", 10_000), "payment.external_id")
    await h.refused(
        lambda m: m.payments.confirm(payment_id, "x" * 256, 10_000), "payment.external_id"
    )
    await h.refused(lambda m: m.payments.confirm(payment_id, "tg-1", 0), "payment.amount")
    await h.refused(lambda m: m.payments.confirm(payment_id, "tg-1", -10), "payment.amount")
    await h.refused(lambda m: m.payments.confirm(987_654, "tg-1", 10_000), "payment.not_found")


async def test_check_payable_accepts_the_invoice_as_sent(h: Harness) -> None:
    _, _, _, _, payment_id = await invoice(h, 10_000)
    async with h.tx() as m:
        payment = await m.payments.check_payable(payment_id, 10_000, "USD")
    assert payment.id == payment_id


async def test_check_payable_refuses_a_changed_amount_or_currency_saying_which(
    h: Harness,
) -> None:
    _, _, _, _, payment_id = await invoice(h, 10_000)
    amount = await h.refused(
        lambda m: m.payments.check_payable(payment_id, 9_999, "USD"), "payment.amount_changed"
    )
    assert amount.details == {"amount": 10_000, "paid": 9_999}
    currency = await h.refused(
        lambda m: m.payments.check_payable(payment_id, 10_000, "XTR"), "payment.currency_changed"
    )
    assert currency.details == {"invoiced": "USD", "currency": "XTR"}


async def test_check_payable_refuses_an_invoice_already_paid(h: Harness) -> None:
    _, _, _, _, payment_id = await invoice(h, 10_000)
    async with h.tx() as m:
        await m.payments.confirm(payment_id, "tg-1", 10_000)
    await h.refused(
        lambda m: m.payments.check_payable(payment_id, 10_000, "USD"), "payment.not_pending"
    )


async def test_check_payable_refuses_a_milestone_that_no_longer_needs_money(h: Harness) -> None:
    employer, _, _, ms, payment_id = await invoice(h, 10_000)
    async with h.tx() as m:
        await m.milestones.cancel(employer, ms.id)
    await h.refused(
        lambda m: m.payments.check_payable(payment_id, 10_000, "USD"),
        "payment.milestone_not_fundable",
    )


async def test_check_payable_refuses_a_banned_payer(h: Harness) -> None:
    employer, _, _, _, payment_id = await invoice(h, 10_000)
    await ban(h, employer)
    await h.refused(lambda m: m.payments.check_payable(payment_id, 10_000, "USD"), "user.banned")


async def test_no_money_is_created_or_destroyed_across_payments(h: Harness) -> None:
    employer, freelancer, _, ms, payment_id = await invoice(h, 10_000)
    async with h.tx() as m:
        await m.payments.confirm(payment_id, "tg-1", 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 2_500)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)
    outside = await h.balance(STARS_ACCOUNT)
    inside = (
        await h.available(employer) + await h.available(freelancer) + await h.balance(ledger.FEES)
    )
    assert outside == -10_000 and inside == 10_000
    async with h.db.uow() as uow:
        count = (await uow.session.execute(select(func.count(Payment.id)))).scalar_one()
    assert count == 1
    await h.check_books()


async def test_a_long_charge_id_is_credited_once_like_any_other(h: Harness) -> None:
    """Gateways' charge ids can be long; the money must still arrive, exactly once."""
    employer, _, _, ms, payment_id = await invoice(h, 10_000)
    charge = "ch_" + "A1b2C3d4" * 31  # 251 characters, within what a confirmation accepts
    async with h.tx() as m:
        confirmation = await m.payments.confirm(payment_id, charge, 10_000)
    assert confirmation.funded is True
    assert (await h.get_milestone(ms.id)).escrow == 10_000
    await h.refused(
        lambda m: m.payments.confirm(payment_id, charge, 10_000), "payment.already_confirmed"
    )
    # Another long id sharing the first 200 characters is another charge.
    other = charge[:200] + "Z" * 51
    async with h.tx() as m:
        extra = await m.payments.confirm(payment_id, other, 10_000)
    assert extra.credited_to_balance == 10_000
    assert await h.available(employer) == 10_000
    assert await h.balance(STARS_ACCOUNT) == -20_000
    await h.check_books()


async def test_check_payable_refuses_someone_else_paying_the_invoice(h: Harness) -> None:
    employer, _, _, _, payment_id = await invoice(h)
    stranger = await h.user("Stella")
    async with stars_tx(h) as m:
        with pytest.raises(NotAllowed) as refused:
            await m.payments.check_payable(payment_id, 10_000, "USD", payer=stranger)
        assert refused.value.code == "payment.not_yours"
        assert await m.payments.check_payable(payment_id, 10_000, "USD", payer=employer)
