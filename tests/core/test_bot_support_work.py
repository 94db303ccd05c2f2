"""Core support for the work-and-money screens: what may be done now, previews, refunds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from core import ledger
from core.actors import Actor
from core.errors import DomainError
from core.marketplace import Marketplace
from core.services.milestones import MILESTONE_ACTIONS
from storage.models import Contract
from tests.harness import Harness

STARS_ACCOUNT = ledger.external("stars")
REASON = "The work does not match what we agreed."


# --- check and actions agree with the operations ---------------------------------------


def operation(action: str, actor: Actor, ms_id: int) -> Callable[[Marketplace], Awaitable[Any]]:
    async def dispute(m: Marketplace) -> Any:
        """Filed as the bot files it: naming a deliverable when the work was delivered."""
        named = [0] if (await m.disputes.opening(actor, ms_id)).must_name else []
        return await m.disputes.open(
            actor, ms_id, reason=REASON, claimed_amount=1, deliverables=named
        )

    ops: dict[str, Callable[[Marketplace], Awaitable[Any]]] = {
        "accept_request": lambda m: m.milestones.accept_request(actor, ms_id),
        "reject_request": lambda m: m.milestones.reject_request(actor, ms_id),
        "fund": lambda m: m.milestones.start_funding(actor, ms_id, "sandbox"),
        "fund_balance": lambda m: m.milestones.fund_from_balance(actor, ms_id),
        "deliver": lambda m: m.milestones.deliver(actor, ms_id, "Here it is."),
        "release": lambda m: m.milestones.release(actor, ms_id),
        "request_changes": lambda m: m.milestones.request_changes(actor, ms_id, "Fix it."),
        "extra_milestone": lambda m: m.milestones.create_extra(
            actor, ms_id, description="The extra pages", amount=5_000
        ),
        "cancel": lambda m: m.milestones.cancel(actor, ms_id),
        "dispute": dispute,
    }
    return ops[action]


async def succeeds(h: Harness, fn: Callable[[Marketplace], Awaitable[Any]]) -> bool:
    """Whether the operation goes through (rolled back either way)."""
    async with h.db.uow() as uow:
        try:
            await fn(Marketplace(uow, h.settings, h.clock))
        except DomainError:
            return False
        return True


async def in_state(h: Harness, state: str) -> tuple[Actor, Actor, Contract, int]:
    employer, freelancer, contract = await h.hire()
    if state == "requested":
        async with h.tx() as m:
            ms = await m.milestones.request(
                freelancer, contract.id, description="Logo", amount=5_000
            )
        return employer, freelancer, contract, ms.id
    ms = await h.milestone(employer, contract.id, 10_000, fund=state != "pending")
    steps: dict[str, list[Callable[[Marketplace], Awaitable[Any]]]] = {
        "pending": [],
        "funded": [],
        "delivered": [operation("deliver", freelancer, ms.id)],
        "released": [operation("release", employer, ms.id)],
        "refunded": [operation("cancel", freelancer, ms.id)],
        "disputed": [operation("dispute", employer, ms.id)],
        "part_released": [lambda m: m.milestones.release(employer, ms.id, 4_000)],
        "cancelled": [],
        # delivered, and the two included change rounds used: past the cap
        "past_the_cap": [
            operation("deliver", freelancer, ms.id),
            operation("request_changes", employer, ms.id),
            operation("deliver", freelancer, ms.id),
            operation("request_changes", employer, ms.id),
            operation("deliver", freelancer, ms.id),
        ],
    }
    if state == "cancelled":
        steps["cancelled"] = [operation("cancel", employer, ms.id)]
    for step in steps[state]:
        async with h.tx() as m:
            await step(m)
    return employer, freelancer, contract, ms.id


STATES = [
    "requested",
    "pending",
    "funded",
    "delivered",
    "released",
    "refunded",
    "disputed",
    "part_released",
    "past_the_cap",
]


@pytest.mark.parametrize("state", STATES)
async def test_actions_are_exactly_the_operations_that_succeed(h: Harness, state: str) -> None:
    employer, freelancer, _, ms_id = await in_state(h, state)
    for actor in (employer, freelancer):
        async with h.tx() as m:
            offered = await m.milestones.actions(actor, ms_id)
        for action in MILESTONE_ACTIONS:
            works = await succeeds(h, operation(action, actor, ms_id))
            assert (action in offered) == works, (state, actor, action)


async def test_check_raises_what_the_operation_would(h: Harness) -> None:
    employer, freelancer, _, ms_id = await in_state(h, "released")
    stale = await h.refused(lambda m: m.milestones.check(employer, ms_id, "release"))
    real = await h.refused(lambda m: m.milestones.release(employer, ms_id))
    assert (stale.code, stale.details) == (real.code, real.details)
    assert stale.details == {"reason": "settled"}
    await h.refused(
        lambda m: m.milestones.check(freelancer, ms_id, "fund"), "milestone.employer_only"
    )
    await h.refused(lambda m: m.milestones.check(employer, ms_id, "bogus"), "milestone.action")


async def test_a_stranger_may_do_nothing(h: Harness) -> None:
    _, _, _, ms_id = await in_state(h, "funded")
    stranger = await h.user("Mallory")
    await h.refused(lambda m: m.milestones.check(stranger, ms_id, "deliver"), "contract.not_party")
    async with h.tx() as m:
        assert await m.milestones.actions(stranger, ms_id) == frozenset()


async def test_paying_from_balance_is_offered_when_the_balance_covers_it(h: Harness) -> None:
    employer, _freelancer, contract, _refunded = await in_state(h, "refunded")
    assert await h.available(employer) == 10_000
    nxt = await h.milestone(employer, contract.id, 10_000, fund=False)
    dearer = await h.milestone(employer, contract.id, 10_001, fund=False)
    async with h.tx() as m:
        assert "fund_balance" in await m.milestones.actions(employer, nxt.id)
        assert "fund_balance" not in await m.milestones.actions(employer, dearer.id)
    error = await h.refused(
        lambda m: m.milestones.check(employer, dearer.id, "fund_balance"),
        "milestone.balance_short",
    )
    assert error.details == {"available": 10_000, "amount": 10_001}


# --- release preview -------------------------------------------------------------------


async def test_release_preview_shows_the_fee_and_the_freelancers_share(h: Harness) -> None:
    employer, _, _, ms_id = await in_state(h, "delivered")
    before = await h.snapshot()
    async with h.tx() as m:
        full = await m.milestones.release_preview(employer, ms_id)
        part = await m.milestones.release_preview(employer, ms_id, 2_550)
    assert (full.amount, full.fee, full.net) == (10_000, 1_000, 9_000)
    assert (part.amount, part.fee, part.net) == (2_550, 255, 2_295)
    assert await h.snapshot() == before  # a preview moves nothing


async def test_release_preview_refuses_what_release_refuses(h: Harness) -> None:
    employer, freelancer, _, ms_id = await in_state(h, "funded")
    await h.refused(
        lambda m: m.milestones.release_preview(employer, ms_id, 10_001), "milestone.release_exceeds"
    )
    await h.refused(
        lambda m: m.milestones.release_preview(employer, ms_id, 0), "milestone.amount_positive"
    )
    await h.refused(
        lambda m: m.milestones.release_preview(employer, ms_id, 10.5),  # type: ignore[arg-type]
        "money.not_whole",
    )
    await h.refused(
        lambda m: m.milestones.release_preview(freelancer, ms_id), "milestone.employer_only"
    )


# --- wizard steps ------------------------------------------------------------------------


async def test_contract_checks_follow_the_roles_and_the_contract_state(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        assert (
            await m.milestones.check_contract(employer, contract.id, "create")
        ).id == contract.id
        await m.milestones.check_contract(freelancer, contract.id, "request")
    await h.refused(
        lambda m: m.milestones.check_contract(freelancer, contract.id, "create"),
        "milestone.employer_only",
    )
    await h.refused(
        lambda m: m.milestones.check_contract(employer, contract.id, "request"),
        "milestone.freelancer_only",
    )
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    await h.refused(
        lambda m: m.milestones.check_contract(employer, contract.id, "create"), "contract.ended"
    )


async def test_term_checks_use_the_milestone_rules(h: Harness) -> None:
    async with h.tx() as m:
        ms = m.milestones
        assert ms.check_description("  Design  ") == "Design"
        assert ms.check_amount(h.settings.max_budget) == h.settings.max_budget
        assert ms.due_in_days(3) - h.clock.now() == timedelta(days=3)
    cases: list[tuple[Callable[[Marketplace], Any], str]] = [
        (lambda m: m.milestones.check_description("   "), "milestone.description.empty"),
        (
            lambda m: m.milestones.check_description("x" * 501),
            "milestone.description.too_long",
        ),
        (lambda m: m.milestones.check_amount(0), "milestone.amount_positive"),
        (lambda m: m.milestones.check_amount(-5), "milestone.amount_positive"),
        (
            lambda m: m.milestones.check_amount(h.settings.max_budget + 1),
            "milestone.amount_too_large",
        ),
        (lambda m: m.milestones.due_in_days(0), "milestone.due_days"),
        (lambda m: m.milestones.due_in_days(366), "milestone.due_days"),
    ]
    for fn, code in cases:
        async with h.tx() as m:
            with pytest.raises(DomainError) as caught:
                fn(m)
        assert caught.value.code == code


# --- payouts -----------------------------------------------------------------------------


async def test_payout_amount_check(h: Harness) -> None:
    employer, freelancer, _, _ = await in_state(h, "released")
    assert await h.available(freelancer) == 9_000
    async with h.tx() as m:
        assert await m.payouts.check_amount(freelancer) == 9_000
        assert await m.payouts.check_amount(freelancer, 1_000) == 1_000
    await h.refused(lambda m: m.payouts.check_amount(freelancer, 9_001), "payout.exceeds_balance")
    await h.refused(lambda m: m.payouts.check_amount(freelancer, 999), "payout.too_small")
    await h.refused(lambda m: m.payouts.check_amount(employer), "payout.balance_too_small")


async def test_payout_destination_check(h: Harness) -> None:
    async with h.tx() as m:
        assert m.payouts.check_destination("  IBAN DE89  ") == "IBAN DE89"
        for bad, code in (
            ("ab", "payout.destination.too_short"),
            ("x" * 501, "payout.destination.too_long"),
        ):
            with pytest.raises(DomainError) as caught:
                m.payouts.check_destination(bad)
            assert caught.value.code == code


async def test_a_refund_says_what_it_gave_back_and_the_same_tap_again_is_a_replay(
    h: Harness,
) -> None:
    _, freelancer, _, ms_id = await in_state(h, "funded")
    done = await h.run(
        lambda m: m.milestones.cancel_reporting(freelancer, ms_id, request_key="tap-1")
    )
    assert (done.refunded, done.replayed, done.contract_settled) == (10_000, False, True)
    again = await h.run(
        lambda m: m.milestones.cancel_reporting(freelancer, ms_id, request_key="tap-1")
    )
    assert (again.replayed, again.contract_settled) == (True, False)
    assert await h.available(freelancer) == 0  # the money went back once, to the employer
