"""Milestones: agree, fund, deliver, release (with the fee), ask for changes, cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core import ledger
from core.actors import Actor
from core.marketplace import Marketplace
from storage.enums import MilestoneStatus, PaymentStatus
from storage.models import Contract, Milestone
from tests.harness import Harness

SANDBOX = ledger.external("sandbox")


# --- helpers ----------------------------------------------------------------------------


async def ban(h: Harness, actor: Actor) -> None:
    admin = await h.admin()
    async with h.tx() as m:
        await m.users.ban(admin, actor.user_id, "Fraud")


def with_settings(h: Harness, **update: Any) -> Harness:
    """The same database and clock under other settings (another deployment's config)."""
    return Harness(
        h.db,
        h.settings.model_copy(update=update),
        h.clock,
        admin_telegram_id=h.admin_telegram_id,
    )


async def delivered(h: Harness, amount: int = 10_000) -> tuple[Actor, Actor, Contract, Milestone]:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, amount)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Done: the bot is live.", ["file-1"])
    return employer, freelancer, contract, await h.get_milestone(ms.id)


def kinds(h: Harness) -> list[str]:
    return [e.kind for e in h.events]


async def history(h: Harness, actor: Actor, milestone_id: int) -> list[str]:
    async with h.tx() as m:
        return [e.kind for e in await m.milestones.history(actor, milestone_id)]


# --- creating and agreeing ----------------------------------------------------------------


async def test_employer_creates_a_milestone_for_the_freelancer(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    due = h.clock.now() + timedelta(days=5)
    async with h.tx() as m:
        ms = await m.milestones.create(
            employer, contract.id, description="  Design the database  ", amount=7_500, due_at=due
        )
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.PENDING
    assert ms.description == "Design the database"
    assert ms.amount == 7_500
    assert ms.due_at == due
    assert ms.escrow == 0
    assert h.events[-1].kind == "milestone.created"
    assert h.events[-1].recipients == (freelancer.user_id,)
    assert await history(h, freelancer, ms.id) == ["created"]


async def test_only_the_employer_creates_milestones(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    stranger = await h.user("Stella")

    def create(actor: Actor) -> Any:
        return lambda m: m.milestones.create(actor, contract.id, description="x", amount=100)

    await h.refused(create(freelancer), "milestone.employer_only")
    await h.refused(create(stranger), "contract.not_party")
    await ban(h, employer)
    await h.refused(create(employer), "user.banned")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (0, "milestone.amount_positive"),
        (-1, "milestone.amount_positive"),
        (100_000_001, "milestone.amount_too_large"),
        (100.5, "money.not_whole"),
        (True, "money.not_whole"),
    ],
)
async def test_milestone_amount_must_be_a_positive_whole_amount_within_limits(
    h: Harness, amount: Any, code: str
) -> None:
    employer, _, contract = await h.hire()
    await h.refused(
        lambda m: m.milestones.create(employer, contract.id, description="Part", amount=amount),
        code,
    )


async def test_the_largest_allowed_milestone_is_accepted(h: Harness) -> None:
    employer, _, contract = await h.hire()
    async with h.tx() as m:
        ms = await m.milestones.create(
            employer, contract.id, description="All of it", amount=h.settings.max_budget
        )
    assert ms.amount == h.settings.max_budget


@pytest.mark.parametrize(
    ("description", "code"),
    [("", "milestone.description.empty"), ("   \n ", "milestone.description.empty")],
)
async def test_milestone_needs_a_description(h: Harness, description: str, code: str) -> None:
    employer, _, contract = await h.hire()
    await h.refused(
        lambda m: m.milestones.create(employer, contract.id, description=description, amount=1_000),
        code,
    )


async def test_milestone_description_has_a_length_limit(h: Harness) -> None:
    employer, _, contract = await h.hire()
    limit = h.settings.milestone_description_max
    await h.refused(
        lambda m: m.milestones.create(
            employer, contract.id, description="x" * (limit + 1), amount=1_000
        ),
        "milestone.description.too_long",
    )
    async with h.tx() as m:
        ms = await m.milestones.create(employer, contract.id, description="x" * limit, amount=1_000)
    assert len(ms.description) == limit


async def test_milestone_due_date_must_be_in_the_future(h: Harness) -> None:
    employer, _, contract = await h.hire()
    for due in (h.clock.now(), h.clock.now() - timedelta(minutes=1)):
        await h.refused(
            lambda m, due=due: m.milestones.create(
                employer, contract.id, description="Part", amount=1_000, due_at=due
            ),
            "milestone.due_past",
        )


async def test_no_milestones_on_an_ended_contract(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    await h.refused(
        lambda m: m.milestones.create(employer, contract.id, description="More", amount=1_000),
        "contract.ended",
    )
    await h.refused(
        lambda m: m.milestones.request(freelancer, contract.id, description="More", amount=1_000),
        "contract.ended",
    )


async def test_freelancer_requests_a_milestone_and_the_employer_accepts_it(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        ms = await m.milestones.request(
            freelancer, contract.id, description="Payment module", amount=4_000
        )
    assert ms.status is MilestoneStatus.REQUESTED
    assert ms.requested_by_freelancer is True
    assert h.events[-1].kind == "milestone.requested"
    assert h.events[-1].recipients == (employer.user_id,)

    await h.refused(
        lambda m: m.milestones.accept_request(freelancer, ms.id), "milestone.employer_only"
    )
    await h.refused(
        lambda m: m.milestones.start_funding(employer, ms.id, "sandbox"), "milestone.not_fundable"
    )
    async with h.tx() as m:
        await m.milestones.accept_request(employer, ms.id)
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.PENDING
    await h.refused(
        lambda m: m.milestones.accept_request(employer, ms.id), "milestone.not_requested"
    )
    await h.refused(
        lambda m: m.milestones.reject_request(employer, ms.id), "milestone.not_requested"
    )
    assert await history(h, employer, ms.id) == ["requested", "request_accepted"]


async def test_employer_rejects_a_requested_milestone(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        ms = await m.milestones.request(freelancer, contract.id, description="Extra", amount=4_000)
    await h.refused(
        lambda m: m.milestones.reject_request(freelancer, ms.id), "milestone.employer_only"
    )
    async with h.tx() as m:
        await m.milestones.reject_request(employer, ms.id, "Not in scope")
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.REJECTED
    assert ms.closed_at == h.clock.now()
    assert h.events[-1].kind == "milestone.request_rejected"
    await h.refused(
        lambda m: m.milestones.accept_request(employer, ms.id), "milestone.not_requested"
    )
    await h.refused(lambda m: m.milestones.cancel(freelancer, ms.id), "milestone.closed")


async def test_only_the_freelancer_requests_milestones(h: Harness) -> None:
    employer, _, contract = await h.hire()
    stranger = await h.user("Stella")
    await h.refused(
        lambda m: m.milestones.request(employer, contract.id, description="x", amount=100),
        "milestone.freelancer_only",
    )
    await h.refused(
        lambda m: m.milestones.request(stranger, contract.id, description="x", amount=100),
        "contract.not_party",
    )


async def test_a_request_is_withdrawn_by_the_freelancer_and_rejected_by_the_employer(
    h: Harness,
) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        ms = await m.milestones.request(freelancer, contract.id, description="Extra", amount=4_000)
    await h.refused(lambda m: m.milestones.cancel(employer, ms.id), "milestone.reject_instead")
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.CANCELLED


async def test_strangers_cannot_read_a_contracts_milestones(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, fund=False)
    stranger = await h.user("Stella")
    await h.refused(
        lambda m: m.milestones.for_contract(stranger, contract.id), "contract.not_party"
    )
    await h.refused(lambda m: m.milestones.history(stranger, ms.id), "contract.not_party")
    await h.refused(lambda m: m.milestones.get(999_999), "milestone.not_found")
    admin = await h.admin()
    async with h.tx() as m:
        assert [x.id for x in await m.milestones.for_contract(admin, contract.id)] == [ms.id]


# --- funding -----------------------------------------------------------------------------


async def test_sandbox_funding_puts_the_money_in_escrow_at_once(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000, fund=False)
    async with h.tx() as m:
        started = await m.milestones.start_funding(employer, ms.id, "sandbox")
    assert started.funded is True
    assert started.payment.status is PaymentStatus.SUCCEEDED
    assert started.payment.gateway == "sandbox"
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.FUNDED
    assert ms.funded_amount == 10_000 and ms.escrow == 10_000
    assert ms.funded_at == h.clock.now()
    assert await h.balance(ledger.escrow(ms.id)) == 10_000
    assert await h.balance(SANDBOX) == -10_000  # the money came from outside
    assert await h.available(employer) == 0  # and went straight through to escrow
    assert "milestone.funded" in kinds(h)
    funded = next(e for e in h.events if e.kind == "milestone.funded")
    assert freelancer.user_id in funded.recipients
    await h.check_books()


async def test_only_the_employer_funds_a_milestone(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, fund=False)
    stranger = await h.user("Stella")
    for actor in (freelancer, stranger):
        await h.refused(
            lambda m, a=actor: m.milestones.start_funding(a, ms.id, "sandbox"),
            "milestone.employer_only",
        )
        await h.refused(
            lambda m, a=actor: m.milestones.fund_from_balance(a, ms.id), "milestone.employer_only"
        )
    await ban(h, employer)
    await h.refused(lambda m: m.milestones.start_funding(employer, ms.id, "sandbox"), "user.banned")


async def test_a_milestone_is_funded_once(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    await h.refused(
        lambda m: m.milestones.start_funding(employer, ms.id, "sandbox"),
        "milestone.already_funded",
    )
    await h.refused(
        lambda m: m.milestones.fund_from_balance(employer, ms.id), "milestone.already_funded"
    )
    await h.check_books()


async def test_funding_through_a_gateway_that_is_not_enabled_is_refused(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, fund=False)
    await h.refused(
        lambda m: m.milestones.start_funding(employer, ms.id, "stars"), "payment.gateway_unknown"
    )


async def test_funding_from_balance_needs_the_money_on_the_balance(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000, fund=False)
    await h.refused(
        lambda m: m.milestones.fund_from_balance(employer, ms.id), "ledger.insufficient_funds"
    )
    # A refund puts money on the employer's balance ...
    refunded = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, refunded.id)
    assert await h.available(employer) == 10_000
    # ... which funds the next milestone without new money coming in.
    async with h.tx() as m:
        await m.milestones.fund_from_balance(employer, ms.id)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.FUNDED and ms.escrow == 10_000
    assert await h.available(employer) == 0
    assert await h.balance(SANDBOX) == -10_000
    await h.check_books()


async def test_funding_from_a_balance_that_is_too_small_moves_nothing(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    small = await h.milestone(employer, contract.id, 5_000)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, small.id)
    big = await h.milestone(employer, contract.id, 5_001, fund=False)
    await h.refused(
        lambda m: m.milestones.fund_from_balance(employer, big.id), "ledger.insufficient_funds"
    )
    assert await h.available(employer) == 5_000
    await h.check_books()


# --- delivering --------------------------------------------------------------------------


async def test_freelancer_delivers_a_funded_milestone(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "  Here it is  ", ["doc-1", "", "photo-2"])
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.DELIVERED
    assert ms.delivered_at == h.clock.now()
    assert ms.auto_release_at == h.clock.now() + h.settings.delivery_review_window
    assert h.events[-1].kind == "milestone.delivered"
    assert h.events[-1].recipients == (employer.user_id,)
    async with h.tx() as m:
        events = await m.milestones.history(employer, ms.id)
        contract_now = await m.contracts.get(employer, contract.id)
    delivery = events[-1]
    assert delivery.kind == "delivered"
    assert delivery.note == "Here it is"
    assert delivery.file_ids == ["doc-1", "photo-2"]
    assert contract_now.last_delivered_at == h.clock.now()


async def test_only_the_hired_freelancer_delivers(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    stranger = await h.freelancer("Stan")
    for actor in (employer, stranger):
        await h.refused(
            lambda m, a=actor: m.milestones.deliver(a, ms.id, "Done"), "milestone.freelancer_only"
        )
    await ban(h, freelancer)
    await h.refused(lambda m: m.milestones.deliver(freelancer, ms.id, "Done"), "user.banned")


async def test_work_is_delivered_only_once_funded(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, fund=False)
    await h.refused(
        lambda m: m.milestones.deliver(freelancer, ms.id, "Done"), "milestone.not_funded"
    )


async def test_a_delivery_is_not_sent_twice(h: Harness) -> None:
    _, freelancer, _, ms = await delivered(h)
    await h.refused(
        lambda m: m.milestones.deliver(freelancer, ms.id, "Again"), "milestone.already_delivered"
    )


async def test_delivery_note_and_files_are_checked(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    limit = h.settings.delivery_note_max
    await h.refused(lambda m: m.milestones.deliver(freelancer, ms.id, " "), "milestone.note.empty")
    await h.refused(
        lambda m: m.milestones.deliver(freelancer, ms.id, "x" * (limit + 1)),
        "milestone.note.too_long",
    )
    too_many = [f"file-{i}" for i in range(h.settings.max_attachments + 1)]
    await h.refused(
        lambda m: m.milestones.deliver(freelancer, ms.id, "Done", too_many), "milestone.files"
    )
    await h.refused(
        lambda m: m.milestones.deliver(freelancer, ms.id, "Done", ["f" * 256]), "milestone.files"
    )
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "x" * limit, too_many[:-1])


async def test_employer_asks_for_changes_and_the_freelancer_delivers_again(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h)
    await h.refused(
        lambda m: m.milestones.request_changes(freelancer, ms.id, "Fix it"),
        "milestone.employer_only",
    )
    await h.refused(
        lambda m: m.milestones.request_changes(employer, ms.id, ""), "milestone.changes.empty"
    )
    async with h.tx() as m:
        await m.milestones.request_changes(employer, ms.id, "The checkout button is broken")
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.FUNDED
    assert ms.auto_release_at is None
    assert h.events[-1].kind == "milestone.changes_requested"
    assert h.events[-1].recipients == (freelancer.user_id,)
    await h.refused(
        lambda m: m.milestones.request_changes(employer, ms.id, "More"), "milestone.not_delivered"
    )
    h.clock.advance(days=1)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Fixed")
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.DELIVERED
    assert ms.auto_release_at == h.clock.now() + h.settings.delivery_review_window
    assert await history(h, employer, ms.id) == [
        "created",
        "funded",
        "delivered",
        "changes_requested",
        "delivered",
    ]


async def test_changes_cannot_be_requested_before_a_delivery(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    await h.refused(
        lambda m: m.milestones.request_changes(employer, ms.id, "Hurry"), "milestone.not_delivered"
    )


# --- releasing ---------------------------------------------------------------------------


async def test_employer_releases_a_delivery_and_the_platform_takes_its_fee(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_000)
    async with h.tx() as m:
        result = await m.milestones.release(employer, ms.id)
    assert (result.released, result.fee, result.refunded) == (10_000, 1_000, 0)
    assert result.paid_to_freelancer == 9_000
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.RELEASED
    assert ms.released_amount == 10_000 and ms.fee_amount == 1_000 and ms.escrow == 0
    assert ms.closed_at == h.clock.now() and ms.auto_release_at is None
    assert await h.available(freelancer) == 9_000
    assert await h.balance(ledger.FEES) == 1_000
    assert await h.balance(ledger.escrow(ms.id)) == 0
    released, settled = h.events[-2:]
    assert released.kind == "milestone.released"
    assert released.recipients == (freelancer.user_id,)
    assert released.to_payload()["amount"] == 10_000 and released.to_payload()["fee"] == 1_000
    # The only milestone, all paid: the freelancer is asked to have the contract ended
    # (the employer, who released it, in the reply to the release).
    assert result.contract_settled
    assert (settled.kind, settled.recipients) == ("contract.settled", (freelancer.user_id,))
    await h.check_books()


async def test_the_fee_is_rounded_down_in_the_freelancers_favour(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_009)
    async with h.tx() as m:
        result = await m.milestones.release(employer, ms.id)
    assert result.fee == 1_000  # 1000.9 rounds down
    assert await h.available(freelancer) == 9_009
    await h.check_books()


async def test_a_zero_fee_deployment_pays_the_freelancer_everything(h: Harness) -> None:
    free = with_settings(h, platform_fee_bps=0)
    employer, freelancer, contract = await free.hire()
    ms = await free.milestone(employer, contract.id, 10_000)
    async with free.tx() as m:
        result = await m.milestones.release(employer, ms.id)
    assert result.fee == 0
    assert await free.available(freelancer) == 10_000
    assert await free.balance(ledger.FEES) == 0
    assert (await free.get_milestone(ms.id)).fee_amount == 0
    await free.check_books()


async def test_another_fee_rate_applies_as_configured(h: Harness) -> None:
    dear = with_settings(h, platform_fee_bps=2_500)
    employer, freelancer, contract = await dear.hire()
    ms = await dear.milestone(employer, contract.id, 10_000)
    async with dear.tx() as m:
        result = await m.milestones.release(employer, ms.id)
    assert result.fee == 2_500
    assert await dear.available(freelancer) == 7_500
    await dear.check_books()


async def test_a_partial_release_keeps_the_rest_in_escrow(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_000)
    async with h.tx() as m:
        result = await m.milestones.release(employer, ms.id, 4_000)
    assert (result.released, result.fee) == (4_000, 400)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.FUNDED  # the rest waits for more work
    assert ms.auto_release_at is None
    assert ms.escrow == 6_000
    assert await h.balance(ledger.escrow(ms.id)) == 6_000
    assert await h.available(freelancer) == 3_600
    await h.check_books()

    async with h.tx() as m:
        rest = await m.milestones.release(employer, ms.id)
    assert (rest.released, rest.fee) == (6_000, 600)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.RELEASED
    assert ms.released_amount == 10_000 and ms.fee_amount == 1_000
    assert await h.available(freelancer) == 9_000
    await h.check_books()


async def test_twenty_small_releases_pay_the_same_fee_as_one(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 180)
    fees = []
    for _ in range(20):
        async with h.tx() as m:
            fees.append((await m.milestones.release(employer, ms.id, 9)).fee)
    assert sum(fees) == 18  # 10% of 1.80, as one release of it would pay
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.RELEASED and ms.fee_amount == 18
    assert await h.available(freelancer) == 162
    assert await h.balance(ledger.FEES) == 18
    await h.check_books()


async def test_the_release_preview_shows_the_fee_the_release_takes(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 180)
    previews, charges = [], []
    for amount in (9, 9, 9, 14, 100, 39):
        async with h.tx() as m:
            preview = await m.milestones.release_preview(employer, ms.id, amount)
        async with h.tx() as m:
            result = await m.milestones.release(employer, ms.id, amount)
        previews.append((preview.fee, preview.net))
        charges.append((result.fee, result.paid_to_freelancer))
    assert previews == charges
    assert previews[1] == (1, 8)  # the second 9 cents completes the first cent of fee
    assert sum(fee for fee, _ in charges) == 18
    await h.check_books()


async def test_a_replayed_release_answers_with_the_fee_it_took(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 180)
    for key in ("rk-1", "rk-2"):
        async with h.tx() as m:
            await m.milestones.release(employer, ms.id, 9, request_key=key)
    async with h.tx() as m:
        first = await m.milestones.release(employer, ms.id, 9, request_key="rk-1")
        second = await m.milestones.release(employer, ms.id, 9, request_key="rk-2")
    assert (first.replayed, first.fee) == (True, 0)
    assert (second.replayed, second.fee) == (True, 1)
    assert (await h.get_milestone(ms.id)).fee_amount == 1


async def test_the_employer_may_release_before_a_delivery(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    assert await h.available(freelancer) == 9_000
    await h.check_books()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (10_001, "milestone.release_exceeds"),
        (0, "milestone.amount_positive"),
        (-5, "milestone.amount_positive"),
        (10.0, "money.not_whole"),
    ],
)
async def test_release_amount_must_fit_the_escrow(h: Harness, amount: Any, code: str) -> None:
    employer, _, _, ms = await delivered(h, 10_000)
    await h.refused(lambda m: m.milestones.release(employer, ms.id, amount), code)
    await h.check_books()


async def test_releasing_more_than_is_left_after_a_partial_release_is_refused(h: Harness) -> None:
    employer, _, _, ms = await delivered(h, 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 7_000)
    await h.refused(
        lambda m: m.milestones.release(employer, ms.id, 3_001), "milestone.release_exceeds"
    )
    await h.check_books()


async def test_employer_cannot_release_twice(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    await h.refused(lambda m: m.milestones.release(employer, ms.id), "milestone.not_releasable")
    await h.refused(lambda m: m.milestones.release(employer, ms.id, 1), "milestone.not_releasable")
    assert await h.available(freelancer) == 9_000
    await h.check_books()


async def test_a_release_sent_twice_with_the_same_request_key_moves_money_once(
    h: Harness,
) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_000)
    async with h.tx() as m:
        first = await m.milestones.release(employer, ms.id, 3_000, request_key="upd-77")
    async with h.tx() as m:
        again = await m.milestones.release(employer, ms.id, 3_000, request_key="upd-77")
    assert first.replayed is False and first.released == 3_000
    assert again.replayed is True and again.released == 3_000 and again.fee == 300
    ms = await h.get_milestone(ms.id)
    assert ms.released_amount == 3_000 and ms.escrow == 7_000
    assert await h.available(freelancer) == 2_700
    # A new request (another key) is a new release.
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 3_000, request_key="upd-78")
    assert (await h.get_milestone(ms.id)).escrow == 4_000
    await h.check_books()


async def test_a_request_key_reused_with_another_amount_is_refused(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 3_000, request_key="upd-90")
    await h.refused(
        lambda m: m.milestones.release(employer, ms.id, 4_000, request_key="upd-90"),
        "milestone.request_key_reused",
    )
    assert await h.available(freelancer) == 2_700
    await h.check_books()


async def test_a_full_release_replayed_after_it_closed_the_milestone_is_not_an_error(
    h: Harness,
) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, request_key="cb-1")
    async with h.tx() as m:
        again = await m.milestones.release(employer, ms.id, request_key="cb-1")
    assert again.replayed is True
    assert await h.available(freelancer) == 9_000
    await h.check_books()


async def test_only_the_employer_releases(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h)
    stranger = await h.user("Stella")
    for actor in (freelancer, stranger):
        await h.refused(
            lambda m, a=actor: m.milestones.release(a, ms.id), "milestone.employer_only"
        )
    await ban(h, employer)
    await h.refused(lambda m: m.milestones.release(employer, ms.id), "user.banned")
    await h.check_books()


async def test_an_unfunded_milestone_cannot_be_released(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, fund=False)
    error = await h.refused(
        lambda m: m.milestones.release(employer, ms.id), "milestone.not_releasable"
    )
    assert error.details == {"reason": "unfunded"}


# --- cancelling --------------------------------------------------------------------------


async def test_employer_cannot_cancel_a_funded_milestone(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    await h.refused(
        lambda m: m.milestones.cancel(employer, ms.id), "milestone.employer_cannot_cancel_funded"
    )
    await h.check_books()


async def test_employer_cannot_take_back_a_delivered_milestone(h: Harness) -> None:
    employer, _, _, ms = await delivered(h)
    await h.refused(
        lambda m: m.milestones.cancel(employer, ms.id), "milestone.employer_cannot_cancel_funded"
    )


async def test_only_freelancer_can_cancel_funded_milestone_and_the_employer_is_refunded(
    h: Harness,
) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    stranger = await h.user("Stella")
    await h.refused(lambda m: m.milestones.cancel(stranger, ms.id), "contract.not_party")
    await ban(h, freelancer)
    await h.refused(lambda m: m.milestones.cancel(freelancer, ms.id), "user.banned")
    admin = await h.admin()
    async with h.tx() as m:
        await m.users.unban(admin, freelancer.user_id)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.REFUNDED
    assert ms.refunded_amount == 10_000 and ms.escrow == 0 and ms.fee_amount == 0
    assert await h.available(employer) == 10_000
    assert await h.available(freelancer) == 0
    assert await h.balance(ledger.FEES) == 0
    cancelled, settled = h.events[-2:]
    assert (cancelled.kind, cancelled.recipients) == ("milestone.cancelled", (employer.user_id,))
    assert (settled.kind, settled.recipients) == ("contract.settled", (employer.user_id,))
    await h.check_books()


async def test_freelancer_cancelling_after_a_partial_release_refunds_the_rest(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 4_000)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.RELEASED  # some of it was paid
    assert (ms.released_amount, ms.refunded_amount) == (4_000, 6_000)
    assert await h.available(employer) == 6_000
    assert await h.available(freelancer) == 3_600
    await h.check_books()


async def test_a_cancel_sent_twice_with_the_same_request_key_refunds_once(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id, request_key="cb-9")
    async with h.tx() as m:
        again = await m.milestones.cancel(freelancer, ms.id, request_key="cb-9")
    assert again.status is MilestoneStatus.REFUNDED
    assert await h.available(employer) == 10_000
    await h.check_books()


@pytest.mark.parametrize("side", ["employer", "freelancer"])
async def test_either_side_cancels_an_unfunded_milestone(h: Harness, side: str) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, fund=False)
    actor = employer if side == "employer" else freelancer
    async with h.tx() as m:
        await m.milestones.cancel(actor, ms.id)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.CANCELLED
    assert ms.closed_at == h.clock.now()
    other = freelancer if actor is employer else employer
    assert h.events[-1].kind == "milestone.cancelled"
    assert h.events[-1].recipients == (other.user_id,)
    await h.refused(lambda m: m.milestones.cancel(actor, ms.id), "milestone.closed")
    await h.refused(
        lambda m: m.milestones.start_funding(employer, ms.id, "sandbox"), "milestone.not_fundable"
    )
    await h.check_books()


# --- auto-release ------------------------------------------------------------------------


async def test_silence_releases_a_delivery_after_the_review_window(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_000)
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
    h.clock.advance(h.settings.delivery_review_window - timedelta(seconds=1))
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
    assert await h.available(freelancer) == 0

    h.clock.advance(seconds=1)
    async with h.tx() as m:
        result = await m.milestones.auto_release_if_due(ms.id)
    assert result is not None and (result.released, result.fee) == (10_000, 1_000)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.RELEASED
    assert await h.available(freelancer) == 9_000
    auto, settled = h.events[-2:]
    assert auto.kind == "milestone.auto_released"
    assert set(auto.recipients) == {freelancer.user_id, employer.user_id}
    assert result.contract_settled and settled.kind == "contract.settled"  # nobody acted:
    assert set(settled.recipients) == {freelancer.user_id, employer.user_id}  # both asked
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
    assert await h.available(freelancer) == 9_000
    await h.check_books()


async def test_a_funded_milestone_without_a_delivery_is_never_auto_released(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    h.clock.advance(days=365)
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
    assert await h.available(freelancer) == 0


async def test_asking_for_changes_stops_the_auto_release_clock(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h)
    async with h.tx() as m:
        await m.milestones.request_changes(employer, ms.id, "Not yet")
    h.clock.advance(h.settings.delivery_review_window + timedelta(days=1))
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
    assert await h.available(freelancer) == 0


# --- closed milestones stay closed -------------------------------------------------------


async def _released(h: Harness) -> tuple[Actor, Actor, Milestone]:
    employer, freelancer, _, ms = await delivered(h)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    return employer, freelancer, await h.get_milestone(ms.id)


async def _refunded(h: Harness) -> tuple[Actor, Actor, Milestone]:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)
    return employer, freelancer, await h.get_milestone(ms.id)


@pytest.mark.parametrize("make", [_released, _refunded], ids=["released", "refunded"])
async def test_a_released_or_refunded_milestone_cannot_be_touched_again(
    h: Harness, make: Any
) -> None:
    employer, freelancer, ms = await make(h)
    attempts: list[tuple[Any, str]] = [
        (lambda m: m.milestones.release(employer, ms.id), "milestone.not_releasable"),
        (lambda m: m.milestones.deliver(freelancer, ms.id, "More"), "milestone.not_funded"),
        (lambda m: m.milestones.cancel(freelancer, ms.id), "milestone.closed"),
        (lambda m: m.milestones.cancel(employer, ms.id), "milestone.closed"),
        (
            lambda m: m.milestones.request_changes(employer, ms.id, "More"),
            "milestone.not_delivered",
        ),
        (
            lambda m: m.milestones.start_funding(employer, ms.id, "sandbox"),
            "milestone.not_fundable",
        ),
        (lambda m: m.milestones.fund_from_balance(employer, ms.id), "milestone.not_fundable"),
        (
            lambda m: m.disputes.open(
                employer, ms.id, deliverables=[0], reason="I want my money back", claimed_amount=1
            ),
            "dispute.nothing_to_dispute",
        ),
    ]
    for attempt, code in attempts:
        await h.refused(attempt, code)
    h.clock.advance(days=30)
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
    await h.check_books()


async def test_unknown_milestones_are_not_found(h: Harness) -> None:
    employer, freelancer, _ = await h.hire()

    async def release(m: Marketplace) -> None:
        await m.milestones.release(employer, 424_242)

    await h.refused(release, "milestone.not_found")
    await h.refused(lambda m: m.milestones.deliver(freelancer, 424_242, "x"), "milestone.not_found")


async def test_changes_cannot_be_requested_once_the_review_window_is_over(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, 10_000)
    h.clock.advance(h.settings.delivery_review_window)
    # Silence until now means release, even if the timer has not run yet: asking for
    # changes now would restart the freelancer's wait.
    await h.refused(
        lambda m: m.milestones.request_changes(employer, ms.id, "One more thing"),
        "milestone.review_window_over",
    )
    # Paying is still fine, and moves the money once.
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
    assert await h.available(freelancer) == 9_000
    await h.check_books()
