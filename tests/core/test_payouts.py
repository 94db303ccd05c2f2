"""Payouts: a user asks for their balance; an operator pays it (or says no)."""

from __future__ import annotations

from typing import Any

import pytest

from core import ledger
from core.actors import Actor
from storage.enums import PayoutStatus
from tests.harness import Harness

PAYOUTS = ledger.external("payouts")
BANK = "IBAN DE89 3704 0044 0532 0130 00"


async def earner(h: Harness, earned: int = 10_000) -> Actor:
    """A freelancer with ``earned`` (after the fee) on their balance."""
    gross = earned * 10 // 9  # less the 10% fee (rounded down) leaves at least ``earned``
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, gross)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    assert await h.available(freelancer) >= earned
    return freelancer


async def requested(h: Harness, actor: Actor, amount: int) -> int:
    async with h.tx() as m:
        return (await m.payouts.request(actor, amount, BANK)).id


async def test_a_payout_request_sets_the_money_aside(h: Harness) -> None:
    freelancer = await earner(h)
    available = await h.available(freelancer)
    async with h.tx() as m:
        payout = await m.payouts.request(freelancer, 5_000, f"  {BANK}  ")
    assert payout.status is PayoutStatus.REQUESTED
    assert payout.destination == BANK
    assert payout.requested_at == h.clock.now()
    assert await h.available(freelancer) == available - 5_000
    assert await h.balance(ledger.payout_hold(freelancer.user_id)) == 5_000
    async with h.tx() as m:
        balance = await m.payouts.balance(freelancer.user_id)
        mine = await m.payouts.of_user(freelancer)
    assert (balance.available, balance.on_hold) == (available - 5_000, 5_000)
    assert [p.id for p in mine] == [payout.id]
    assert h.events[-1].kind == "payout.requested"
    await h.check_books()


async def test_the_whole_balance_can_be_paid_out(h: Harness) -> None:
    freelancer = await earner(h)
    available = await h.available(freelancer)
    await requested(h, freelancer, available)
    assert await h.available(freelancer) == 0
    await h.check_books()


async def test_a_payout_cannot_exceed_the_available_balance(h: Harness) -> None:
    freelancer = await earner(h)
    available = await h.available(freelancer)
    await h.refused(
        lambda m: m.payouts.request(freelancer, available + 1, BANK), "ledger.insufficient_funds"
    )
    await requested(h, freelancer, available - 2_000)
    # What is on hold is no longer available.
    await h.refused(
        lambda m: m.payouts.request(freelancer, 2_001, BANK), "ledger.insufficient_funds"
    )
    await h.check_books()


async def test_someone_with_no_money_cannot_ask_for_a_payout(h: Harness) -> None:
    broke = await h.freelancer("Bram")
    await h.refused(lambda m: m.payouts.request(broke, 1_000, BANK), "ledger.insufficient_funds")
    await h.check_books()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (999, "payout.too_small"),
        (0, "payout.too_small"),
        (-5_000, "payout.too_small"),
        (1_500.5, "money.not_whole"),
    ],
)
async def test_payout_amount_must_be_a_whole_amount_of_at_least_the_minimum(
    h: Harness, amount: Any, code: str
) -> None:
    freelancer = await earner(h)
    await h.refused(lambda m: m.payouts.request(freelancer, amount, BANK), code)


async def test_the_smallest_payout_is_allowed(h: Harness) -> None:
    freelancer = await earner(h)
    await requested(h, freelancer, h.settings.min_payout)
    assert await h.balance(ledger.payout_hold(freelancer.user_id)) == h.settings.min_payout


async def test_a_payout_needs_a_destination(h: Harness) -> None:
    freelancer = await earner(h)
    await h.refused(
        lambda m: m.payouts.request(freelancer, 2_000, "ab"), "payout.destination.too_short"
    )
    await h.refused(
        lambda m: m.payouts.request(freelancer, 2_000, "x" * 501), "payout.destination.too_long"
    )


async def test_a_banned_user_cannot_ask_for_a_payout(h: Harness) -> None:
    freelancer = await earner(h)
    admin = await h.admin()
    async with h.tx() as m:
        await m.users.ban(admin, freelancer.user_id, "Fraud")
    await h.refused(lambda m: m.payouts.request(freelancer, 2_000, BANK), "user.banned")


async def test_an_admin_marks_a_payout_paid_and_the_money_leaves(h: Harness) -> None:
    freelancer = await earner(h)
    available = await h.available(freelancer)
    payout_id = await requested(h, freelancer, 5_000)
    admin = await h.admin()
    async with h.tx() as m:
        assert [p.id for p in await m.payouts.queue(admin)] == [payout_id]
        payout = await m.payouts.mark_paid(admin, payout_id, "Wire 2026-01-05")
    assert payout.status is PayoutStatus.PAID
    assert payout.decided_by_id == admin.user_id
    assert payout.decided_at == h.clock.now()
    assert payout.note == "Wire 2026-01-05"
    assert await h.balance(ledger.payout_hold(freelancer.user_id)) == 0
    assert await h.available(freelancer) == available - 5_000
    assert await h.balance(PAYOUTS) == 5_000  # it went out into the world
    assert h.events[-1].kind == "payout.paid"
    assert h.events[-1].recipients == (freelancer.user_id,)
    async with h.tx() as m:
        assert await m.payouts.queue(admin) == []
    await h.check_books()


async def test_an_admin_rejects_a_payout_and_the_money_is_available_again(h: Harness) -> None:
    freelancer = await earner(h)
    available = await h.available(freelancer)
    payout_id = await requested(h, freelancer, 5_000)
    admin = await h.admin()
    await h.refused(lambda m: m.payouts.reject(admin, payout_id, "  "), "payout.note.empty")
    async with h.tx() as m:
        payout = await m.payouts.reject(admin, payout_id, "The IBAN is invalid")
    assert payout.status is PayoutStatus.REJECTED
    assert payout.note == "The IBAN is invalid"
    assert await h.available(freelancer) == available
    assert await h.balance(ledger.payout_hold(freelancer.user_id)) == 0
    assert await h.balance(PAYOUTS) == 0
    assert h.events[-1].kind == "payout.rejected"
    await h.check_books()


async def test_only_an_admin_decides_payouts(h: Harness) -> None:
    freelancer = await earner(h)
    payout_id = await requested(h, freelancer, 5_000)
    stranger = await h.user("Stella")
    for actor in (freelancer, stranger):
        await h.refused(lambda m, a=actor: m.payouts.mark_paid(a, payout_id), "admin.only")
        await h.refused(lambda m, a=actor: m.payouts.reject(a, payout_id, "no"), "admin.only")
        await h.refused(lambda m, a=actor: m.payouts.queue(a), "admin.only")
    await h.check_books()


@pytest.mark.parametrize("first", ["paid", "rejected"])
@pytest.mark.parametrize("second", ["paid", "rejected"])
async def test_a_payout_is_decided_once(h: Harness, first: str, second: str) -> None:
    freelancer = await earner(h)
    payout_id = await requested(h, freelancer, 5_000)
    admin = await h.admin()
    async with h.tx() as m:
        if first == "paid":
            await m.payouts.mark_paid(admin, payout_id)
        else:
            await m.payouts.reject(admin, payout_id, "Wrong account")
    if second == "paid":
        await h.refused(lambda m: m.payouts.mark_paid(admin, payout_id), "payout.decided")
    else:
        await h.refused(lambda m: m.payouts.reject(admin, payout_id, "Again"), "payout.decided")
    await h.check_books()


async def test_an_unknown_payout_is_not_found(h: Harness) -> None:
    admin = await h.admin()
    await h.refused(lambda m: m.payouts.mark_paid(admin, 31_337), "payout.not_found")


async def test_an_admin_cannot_decide_their_own_payout(h: Harness) -> None:
    admin = await h.admin()
    async with h.tx() as m:
        await m.users.update_profile(
            admin,
            headline="Admin who also freelances",
            bio="Runs the platform and takes the odd Python job on the side.",
            skills=["python"],
            hourly_rate=5_000,
        )
    employer, _, contract = await h.hire(freelancer=admin)
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    payout_id = await requested(h, admin, 5_000)
    await h.refused(lambda m: m.payouts.mark_paid(admin, payout_id), "payout.own")
    await h.refused(lambda m: m.payouts.reject(admin, payout_id, "no"), "payout.own")
