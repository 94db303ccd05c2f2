"""Every core entry point that takes an amount refuses one that is not whole minor units.

A float, a bool or a Decimal stored by one service broke the ledger later (issue 12:
``disputes.offer(..., 2500.5)`` was stored, then settling it raised ``TypeError``). Each
entry point must refuse it with a domain error before anything is written, as it must
an amount too large for the books.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from core.actors import Actor
from core.gateways import SANDBOX, STARS, Gateways
from core.marketplace import Marketplace
from storage.enums import DisputeResolution
from tests.harness import Harness

BAD = [
    (2_500.5, "money.not_whole"),
    (5_000.0, "money.not_whole"),
    (Decimal(5_000), "money.not_whole"),
    (True, "money.not_whole"),
    (2**63, "money.out_of_range"),  # one past what a BIGINT column holds
]
BANK = "IBAN DE89 3704 0044 0532 0130 00"
PROPOSAL = "I have built many shop bots; here is how I would do yours."


@dataclass(frozen=True)
class World:
    """A contract with a funded milestone, one in dispute and one invoiced (a pending
    payment), and an open project with a bid on it."""

    employer: Actor
    freelancer: Actor
    bidder: Actor
    admin: Actor
    contract_id: int
    milestone_id: int
    dispute_id: int
    project_id: int
    bid_id: int
    payment_id: int


async def world(h: Harness) -> World:
    employer, freelancer, contract = await h.hire()
    funded = await h.milestone(employer, contract.id, 10_000)
    disputed = await h.milestone(employer, contract.id, 10_000)
    invoiced = await h.milestone(employer, contract.id, 10_000, fund=False)
    async with h.db.uow() as uow:  # a Stars invoice waits for Telegram's confirmation
        market = Marketplace(uow, h.settings, h.clock, Gateways([SANDBOX, STARS]))
        started = await market.milestones.start_funding(employer, invoiced.id, "stars")
        dispute = await market.disputes.open(
            employer,
            disputed.id,
            deliverables=[0],
            reason="The work does not match the brief.",
            claimed_amount=1,
        )
        await uow.commit()
    project_id = await h.open_project(employer)
    bidder = await h.freelancer("Fiona")
    return World(
        employer=employer,
        freelancer=freelancer,
        bidder=bidder,
        admin=await h.admin(),
        contract_id=contract.id,
        milestone_id=funded.id,
        dispute_id=dispute.id,
        project_id=project_id,
        bid_id=await h.bid(bidder, project_id),
        payment_id=started.payment.id,
    )


Call = Callable[[Marketplace, World, Any], Awaitable[Any] | Any]

ENTRY_POINTS: dict[str, Call] = {
    "milestone create": lambda m, w, a: m.milestones.create(
        w.employer, w.contract_id, description="More work", amount=a
    ),
    "milestone request": lambda m, w, a: m.milestones.request(
        w.freelancer, w.contract_id, description="More work", amount=a
    ),
    "milestone amount step": lambda m, w, a: m.milestones.check_amount(a),
    "partial release": lambda m, w, a: m.milestones.release(w.employer, w.milestone_id, a),
    "release preview": lambda m, w, a: m.milestones.release_preview(w.employer, w.milestone_id, a),
    "dispute claim": lambda m, w, a: m.disputes.open(
        w.employer,
        w.milestone_id,
        deliverables=[0],
        reason="The work does not match the brief.",
        claimed_amount=a,
    ),
    "dispute offer": lambda m, w, a: m.disputes.offer(w.freelancer, w.dispute_id, a),
    "admin split": lambda m, w, a: m.disputes.resolve(
        w.admin, w.dispute_id, DisputeResolution.SPLIT, release_amount=a
    ),
    "payout": lambda m, w, a: m.payouts.request(w.freelancer, a, BANK),
    "payout amount step": lambda m, w, a: m.payouts.check_amount(w.freelancer, a),
    "bid": lambda m, w, a: m.bids.place(
        w.freelancer, w.project_id, amount=a, delivery_days=10, proposal=PROPOSAL
    ),
    "bid edit": lambda m, w, a: m.bids.edit(w.bidder, w.bid_id, amount=a),
    "bid amount step": lambda m, w, a: m.bids.check_terms(amount=a),
    "project budget": lambda m, w, a: m.projects.create_draft(
        w.employer,
        title="Build a Telegram bot for my shop",
        description="A bot that takes orders, accepts payments and notifies staff.",
        skills=["python"],
        budget_min=1_000,
        budget_max=a,
    ),
    "project budget edit": lambda m, w, a: m.projects.edit(w.employer, w.project_id, budget_min=a),
    "project budget step": lambda m, w, a: m.projects.check_fields(budget_max=a),
    "project search": lambda m, w, a: m.projects.search(budget_at_least=a),
    "hourly rate": lambda m, w, a: m.users.update_profile(w.freelancer, hourly_rate=a),
    "alerts minimum budget": lambda m, w, a: m.subscriptions.set_min_budget(w.freelancer, a),
    "alerts subscription": lambda m, w, a: m.subscriptions.subscribe(
        w.freelancer, ["python"], min_budget=a
    ),
    "payment confirm": lambda m, w, a: m.payments.confirm(w.payment_id, "second-charge", a),
    "payment pre-checkout": lambda m, w, a: m.payments.check_payable(w.payment_id, a, "USD"),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
async def test_an_amount_that_is_not_whole_minor_units_is_refused_before_anything_is_written(
    h: Harness, entry: str
) -> None:
    w = await world(h)
    call = ENTRY_POINTS[entry]
    for amount, code in BAD:

        async def attempt(m: Marketplace, amount: Any = amount) -> Any:
            result = call(m, w, amount)
            return await result if isinstance(result, Awaitable) else result

        await h.refused(attempt, code)  # and the database is as it was
