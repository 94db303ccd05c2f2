"""Disputes: frozen escrow, a response window, negotiation, arbitration, verdicts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.screens.disputes import load_view
from bot.texts import admin as admin_texts
from bot.texts import disputes as texts
from core import ledger
from core.actors import Actor
from core.marketplace import Marketplace
from storage.enums import (
    DisputeResolution,
    DisputeStatus,
    MilestoneStatus,
    OfferStatus,
    PartyRole,
)
from storage.models import Contract, Dispute, Milestone
from tests.harness import Harness

REASON = "The work does not match the brief at all."


# --- helpers ----------------------------------------------------------------------------


async def dispute(
    h: Harness,
    *,
    by: str = "employer",
    claim: int | None = None,
    amount: int = 10_000,
    delivered: bool = True,
) -> tuple[Actor, Actor, Contract, Milestone, Dispute]:
    """A funded (and by default delivered) milestone, disputed by ``by``."""
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, amount)
    if delivered:
        async with h.tx() as m:
            await m.milestones.deliver(freelancer, ms.id, "Done, please review", ["zip-1"])
    filer = employer if by == "employer" else freelancer
    async with h.tx() as m:
        d = await m.disputes.open(
            filer,
            ms.id,
            reason=REASON,
            claimed_amount=claim if claim is not None else amount,
            deliverables=[0] if filer is employer else [],
        )
    return employer, freelancer, contract, await h.get_milestone(ms.id), d


async def responded(h: Harness, **kwargs: Any) -> tuple[Actor, Actor, Contract, Milestone, Dispute]:
    employer, freelancer, contract, ms, d = await dispute(h, **kwargs)
    respondent = freelancer if d.respondent_id == freelancer.user_id else employer
    async with h.tx() as m:
        d = await m.disputes.respond(respondent, d.id, "I disagree: everything was delivered.")
    return employer, freelancer, contract, ms, d


async def current(h: Harness, dispute_id: int) -> Dispute:
    admin = await h.admin()
    async with h.tx() as m:
        return await m.disputes.get(admin, dispute_id)


async def ban(h: Harness, actor: Actor) -> None:
    admin = await h.admin()
    async with h.tx() as m:
        await m.users.ban(admin, actor.user_id, "Abuse")


# --- opening -----------------------------------------------------------------------------


async def test_employer_disputes_a_delivery_and_the_money_is_frozen(h: Harness) -> None:
    employer, freelancer, contract, ms, d = await dispute(h, by="employer", claim=6_000)
    assert d.status is DisputeStatus.AWAITING_RESPONSE
    assert (d.filed_by_id, d.respondent_id) == (employer.user_id, freelancer.user_id)
    assert d.filer_role is PartyRole.EMPLOYER
    assert d.contract_id == contract.id
    assert d.claimed_amount == 6_000
    assert d.reason == REASON
    assert d.deliverables == ["Build a Telegram bot for my shop"]  # what she named
    # One window for both sides: 4 days.
    assert d.respond_by == h.clock.now() + h.settings.dispute_response_window
    assert d.respond_by - d.created_at == timedelta(days=4)
    assert ms.status is MilestoneStatus.DISPUTED
    assert ms.status_before_dispute is MilestoneStatus.DELIVERED
    assert ms.escrow == 10_000
    assert h.events[-1].kind == "dispute.opened"
    assert h.events[-1].recipients == (freelancer.user_id,)
    await h.check_books()


async def test_freelancer_disputes_and_the_employer_gets_the_same_window(h: Harness) -> None:
    employer, _freelancer, _, ms, d = await dispute(h, by="freelancer", delivered=False)
    assert d.filer_role is PartyRole.FREELANCER
    assert d.respondent_id == employer.user_id
    assert d.deliverables == []
    assert d.respond_by == h.clock.now() + h.settings.dispute_response_window
    assert d.respond_by - d.created_at == timedelta(days=4)
    assert ms.status_before_dispute is MilestoneStatus.FUNDED


async def test_only_a_party_opens_a_dispute(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    stranger = await h.user("Stella")
    admin = await h.admin()
    for actor in (stranger, admin):
        await h.refused(
            lambda m, a=actor: m.disputes.open(a, ms.id, reason=REASON, claimed_amount=100),
            "contract.not_party",
        )
    await ban(h, freelancer)
    await h.refused(
        lambda m: m.disputes.open(freelancer, ms.id, reason=REASON, claimed_amount=100),
        "user.banned",
    )


async def test_only_funded_unreleased_money_can_be_disputed(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    pending = await h.milestone(employer, contract.id, fund=False)
    await h.refused(
        lambda m: m.disputes.open(
            employer, pending.id, deliverables=[0], reason=REASON, claimed_amount=100
        ),
        "dispute.nothing_to_dispute",
    )
    paid = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.release(employer, paid.id)
    await h.refused(
        lambda m: m.disputes.open(freelancer, paid.id, reason=REASON, claimed_amount=100),
        "dispute.nothing_to_dispute",
    )
    await h.refused(
        lambda m: m.disputes.open(
            employer, 123_456, deliverables=[0], reason=REASON, claimed_amount=100
        ),
        "milestone.not_found",
    )


@pytest.mark.parametrize("claim", [0, -1, 10_001])
async def test_the_claim_is_between_one_and_the_escrow(h: Harness, claim: int) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    await h.refused(
        lambda m: m.disputes.open(
            employer, ms.id, deliverables=[0], reason=REASON, claimed_amount=claim
        ),
        "dispute.claim_range",
    )


async def test_the_claim_is_bounded_by_what_is_left_after_a_partial_release(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 4_000)
    await h.refused(
        lambda m: m.disputes.open(freelancer, ms.id, reason=REASON, claimed_amount=6_001),
        "dispute.claim_range",
    )
    async with h.tx() as m:
        d = await m.disputes.open(freelancer, ms.id, reason=REASON, claimed_amount=6_000)
    assert d.claimed_amount == 6_000


async def test_a_dispute_needs_a_reason_of_sensible_length(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    await h.refused(
        lambda m: m.disputes.open(
            employer, ms.id, deliverables=[0], reason="bad", claimed_amount=100
        ),
        "dispute.reason.too_short",
    )
    await h.refused(
        lambda m: m.disputes.open(
            employer,
            ms.id,
            deliverables=[0],
            reason="x" * (h.settings.dispute_reason_max + 1),
            claimed_amount=100,
        ),
        "dispute.reason.too_long",
    )


async def test_a_second_dispute_on_the_same_milestone_is_refused(h: Harness) -> None:
    employer, freelancer, _, ms, _ = await dispute(h)
    for actor in (employer, freelancer):
        await h.refused(
            lambda m, a=actor: m.disputes.open(a, ms.id, reason=REASON, claimed_amount=100),
            "dispute.exists",
        )


# --- frozen --------------------------------------------------------------------------------


async def test_disputed_money_is_frozen(h: Harness) -> None:
    employer, freelancer, contract, ms, _ = await dispute(h)
    frozen = "milestone.disputed"
    await h.refused(lambda m: m.milestones.release(employer, ms.id), frozen)
    await h.refused(lambda m: m.milestones.release(employer, ms.id, 1_000), frozen)
    await h.refused(lambda m: m.milestones.deliver(freelancer, ms.id, "Again"), frozen)
    await h.refused(lambda m: m.milestones.cancel(freelancer, ms.id), frozen)
    await h.refused(lambda m: m.milestones.cancel(employer, ms.id), frozen)
    await h.refused(lambda m: m.milestones.request_changes(employer, ms.id, "Fix"), frozen)
    await h.refused(
        lambda m: m.milestones.fund_from_balance(employer, ms.id), "milestone.already_funded"
    )
    await h.refused(lambda m: m.contracts.end(employer, contract.id), "contract.money_in_escrow")
    # Silence past the delivery window does not release disputed money.
    h.clock.advance(h.settings.delivery_review_window + timedelta(days=1))
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
    assert (await h.get_milestone(ms.id)).escrow == 10_000
    assert await h.available(freelancer) == 0
    await h.check_books()


# --- responding and negotiating ------------------------------------------------------------


async def test_only_the_respondent_responds(h: Harness) -> None:
    employer, freelancer, _, _ms, d = await dispute(h, by="employer")
    stranger = await h.user("Stella")
    await h.refused(
        lambda m: m.disputes.respond(employer, d.id, "Me too"), "dispute.respondent_only"
    )
    await h.refused(lambda m: m.disputes.respond(stranger, d.id, "Hi"), "dispute.not_party")
    await h.refused(lambda m: m.disputes.respond(freelancer, d.id, " "), "dispute.response.empty")
    await h.refused(
        lambda m: m.disputes.respond(freelancer, d.id, "x" * (h.settings.dispute_reason_max + 1)),
        "dispute.response.too_long",
    )
    async with h.tx() as m:
        await m.disputes.respond(freelancer, d.id, "The brief was followed to the letter.")
    d = await current(h, d.id)
    assert d.status is DisputeStatus.NEGOTIATION
    assert d.response == "The brief was followed to the letter."
    assert d.responded_at == h.clock.now()
    assert d.negotiation_ends_at == h.clock.now() + h.settings.negotiation_window
    assert h.events[-1].kind == "dispute.responded"
    assert h.events[-1].recipients == (employer.user_id,)
    await h.refused(
        lambda m: m.disputes.respond(freelancer, d.id, "Again"), "dispute.already_responded"
    )


async def test_a_banned_party_cannot_take_part(h: Harness) -> None:
    _, freelancer, _, _, d = await dispute(h, by="employer")
    await ban(h, freelancer)
    await h.refused(lambda m: m.disputes.respond(freelancer, d.id, "Reply"), "user.banned")
    await h.refused(lambda m: m.disputes.offer(freelancer, d.id, 5_000), "user.banned")


async def test_an_offer_from_the_respondent_is_an_answer(h: Harness) -> None:
    employer, freelancer, _, _, d = await dispute(h, by="employer")
    async with h.tx() as m:
        offer = await m.disputes.offer(freelancer, d.id, 7_000)
    assert offer.status is OfferStatus.OPEN
    assert (offer.by_user_id, offer.release_amount) == (freelancer.user_id, 7_000)
    d = await current(h, d.id)
    assert d.status is DisputeStatus.NEGOTIATION
    assert d.response is None
    assert h.events[-1].kind == "dispute.offer"
    assert h.events[-1].recipients == (employer.user_id,)


@pytest.mark.parametrize("amount", [-1, 10_001])
async def test_an_offer_is_between_nothing_and_the_escrow(h: Harness, amount: int) -> None:
    employer, _, _, _, d = await responded(h)
    await h.refused(lambda m: m.disputes.offer(employer, d.id, amount), "dispute.offer_range")


async def test_a_new_offer_supersedes_the_earlier_ones(h: Harness) -> None:
    employer, freelancer, _, _, d = await responded(h)
    async with h.tx() as m:
        first = await m.disputes.offer(employer, d.id, 2_000)
    async with h.tx() as m:
        second = await m.disputes.offer(freelancer, d.id, 8_000)
    async with h.tx() as m:
        third = await m.disputes.offer(employer, d.id, 5_000)
    async with h.tx() as m:
        offers = await m.disputes.offers(freelancer, d.id)
    assert [(o.id, o.status) for o in offers] == [
        (first.id, OfferStatus.SUPERSEDED),
        (second.id, OfferStatus.SUPERSEDED),
        (third.id, OfferStatus.OPEN),
    ]
    await h.refused(
        lambda m: m.disputes.accept_offer(employer, second.id), "dispute.offer_not_open"
    )
    await h.refused(
        lambda m: m.disputes.accept_offer(freelancer, first.id), "dispute.offer_not_open"
    )


async def test_accepting_ones_own_offer_is_refused(h: Harness) -> None:
    employer, _, _, _, d = await responded(h)
    async with h.tx() as m:
        offer = await m.disputes.offer(employer, d.id, 3_000)
    await h.refused(lambda m: m.disputes.accept_offer(employer, offer.id), "dispute.own_offer")
    stranger = await h.user("Stella")
    await h.refused(lambda m: m.disputes.accept_offer(stranger, offer.id), "dispute.not_party")
    await h.refused(lambda m: m.disputes.accept_offer(employer, 99_999), "dispute.offer_not_found")


async def test_an_accepted_offer_settles_the_dispute(h: Harness) -> None:
    employer, freelancer, _, ms, d = await responded(h)
    async with h.tx() as m:
        offer = await m.disputes.offer(employer, d.id, 6_000)
    async with h.tx() as m:
        result = await m.disputes.accept_offer(freelancer, offer.id)
    assert (result.released, result.fee, result.refunded) == (6_000, 600, 4_000)
    assert await h.available(freelancer) == 5_400
    assert await h.available(employer) == 4_000
    assert await h.balance(ledger.FEES) == 600
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.RELEASED and ms.escrow == 0
    assert ms.status_before_dispute is None
    d = await current(h, d.id)
    assert d.status is DisputeStatus.RESOLVED
    assert d.resolution is DisputeResolution.AGREED
    assert (d.released_amount, d.refunded_amount) == (6_000, 4_000)
    assert d.resolved_by_id == freelancer.user_id
    async with h.tx() as m:
        [accepted] = await m.disputes.offers(employer, d.id)
    assert accepted.status is OfferStatus.ACCEPTED
    settled, ended = h.events[-2:]
    assert (settled.kind, settled.recipients) == ("dispute.settled", (employer.user_id,))
    assert (ended.kind, ended.recipients) == ("contract.settled", (employer.user_id,))
    await h.refused(lambda m: m.disputes.accept_offer(freelancer, offer.id), "dispute.closed")
    await h.check_books()


async def test_split_texts_show_the_fee_a_settlement_after_a_partial_release_takes(
    h: Harness,
) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 100)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 9)  # 0.9 cents of fee due: none taken yet
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, deliverables=[0], reason=REASON, claimed_amount=91
        )
    async with h.tx() as m:
        offer = await m.disputes.offer(freelancer, d.id, 91)
    async with h.tx() as m:
        v = await load_view(m, employer, d.id)
    money, bps, held = h.settings.money, h.settings.platform_fee_bps, v.milestone
    taken = {"released": held.released_amount, "fee_taken": held.fee_amount}
    # 10% of the 1.00 released in all is 0.10: the freelancer receives 0.81 of these 0.91.
    assert "they receive 0.81 USD" in texts.alert_offer(v, offer, money, bps)
    assert "they receive 0.81 USD" in texts.confirm_offer(91, 91, "Erin", money, bps, **taken)
    verdict = admin_texts.confirm_verdict(d.id, 91, 91, "", money, bps, **taken)
    assert "they receive 0.81 USD" in verdict and "(platform fee 10%: 0.10 USD)" in verdict
    async with h.tx() as m:
        result = await m.disputes.accept_offer(employer, offer.id)
    assert (result.released, result.fee) == (91, 10)
    async with h.tx() as m:
        v = await load_view(m, employer, d.id)
    assert "(0.81 USD after the platform fee)" in texts.outcome(v, money, bps)
    assert await h.available(freelancer) == 9 + 81
    await h.check_books()


async def test_an_offer_of_nothing_accepted_refunds_everything(h: Harness) -> None:
    employer, freelancer, _, ms, d = await responded(h)
    async with h.tx() as m:
        offer = await m.disputes.offer(freelancer, d.id, 0)
    async with h.tx() as m:
        result = await m.disputes.accept_offer(employer, offer.id)
    assert (result.released, result.refunded) == (0, 10_000)
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.REFUNDED
    assert await h.available(employer) == 10_000
    await h.check_books()


async def test_the_respondent_may_accept_the_filers_offer_before_answering(h: Harness) -> None:
    employer, freelancer, _, _, d = await dispute(h, by="freelancer")
    async with h.tx() as m:
        offer = await m.disputes.offer(freelancer, d.id, 9_000)
    async with h.tx() as m:
        await m.disputes.accept_offer(employer, offer.id)
    assert await h.available(freelancer) == 8_100
    assert await h.available(employer) == 1_000
    await h.check_books()


# --- escalating ----------------------------------------------------------------------------


async def test_escalation_waits_for_the_response(h: Harness) -> None:
    employer, freelancer, _, _, d = await dispute(h, by="employer")
    for actor in (employer, freelancer):
        await h.refused(
            lambda m, a=actor: m.disputes.escalate(a, d.id), "dispute.awaiting_response"
        )


async def test_either_side_escalates_a_negotiation_to_arbitration(h: Harness) -> None:
    employer, freelancer, _, ms, d = await responded(h, by="employer")
    async with h.tx() as m:
        offer = await m.disputes.offer(freelancer, d.id, 8_000)
    stranger = await h.user("Stella")
    await h.refused(lambda m: m.disputes.escalate(stranger, d.id), "dispute.not_party")
    async with h.tx() as m:
        await m.disputes.escalate(freelancer, d.id)
    d = await current(h, d.id)
    assert d.status is DisputeStatus.ARBITRATION
    assert d.escalated_by_id == freelancer.user_id
    assert d.escalated_at == h.clock.now()
    kinds = [e.kind for e in h.events[-2:]]
    assert kinds == ["dispute.needs_arbiter", "dispute.escalated"]
    assert h.events[-1].recipients == (employer.user_id,)
    await h.refused(lambda m: m.disputes.escalate(employer, d.id), "dispute.in_arbitration")
    # Talks are over: an admin decides.
    await h.refused(lambda m: m.disputes.offer(employer, d.id, 5_000), "dispute.in_arbitration")
    await h.refused(lambda m: m.disputes.accept_offer(employer, offer.id), "dispute.in_arbitration")
    admin = await h.admin()
    async with h.tx() as m:
        assert [x.id for x in await m.disputes.queue(admin)] == [d.id]
    await h.refused(lambda m: m.disputes.queue(employer), "admin.only")
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.DISPUTED


async def test_a_stale_negotiation_goes_to_an_admin_by_itself(h: Harness) -> None:
    employer, freelancer, _, _, d = await responded(h)
    h.clock.advance(h.settings.negotiation_window - timedelta(seconds=1))
    async with h.tx() as m:
        assert await m.disputes.escalate_if_due(d.id) is False
    assert (await current(h, d.id)).status is DisputeStatus.NEGOTIATION
    h.clock.advance(seconds=1)
    async with h.tx() as m:
        assert await m.disputes.escalate_if_due(d.id) is True
    d = await current(h, d.id)
    assert d.status is DisputeStatus.ARBITRATION
    assert d.escalated_by_id is None
    assert set(h.events[-1].recipients) == {employer.user_id, freelancer.user_id}
    async with h.tx() as m:
        assert await m.disputes.escalate_if_due(d.id) is False


async def test_escalate_if_due_leaves_an_unanswered_dispute_alone(h: Harness) -> None:
    _, _, _, _, d = await dispute(h)
    h.clock.advance(days=60)
    async with h.tx() as m:
        assert await m.disputes.escalate_if_due(d.id) is False


# --- withdrawing ---------------------------------------------------------------------------


@pytest.mark.parametrize("was_delivered", [True, False])
async def test_the_filer_withdraws_and_the_milestone_is_as_before(
    h: Harness, was_delivered: bool
) -> None:
    employer, freelancer, _, ms, d = await dispute(h, by="employer", delivered=was_delivered)
    async with h.tx() as m:
        offer = await m.disputes.offer(freelancer, d.id, 9_000)
    await h.refused(lambda m: m.disputes.withdraw(freelancer, d.id), "dispute.filer_only")
    stranger = await h.user("Stella")
    await h.refused(lambda m: m.disputes.withdraw(stranger, d.id), "dispute.not_party")
    async with h.tx() as m:
        await m.disputes.withdraw(employer, d.id)
    d = await current(h, d.id)
    assert d.status is DisputeStatus.WITHDRAWN
    assert d.resolved_at == h.clock.now()
    ms = await h.get_milestone(ms.id)
    expected = MilestoneStatus.DELIVERED if was_delivered else MilestoneStatus.FUNDED
    assert ms.status is expected
    assert ms.status_before_dispute is None
    assert ms.escrow == 10_000
    async with h.tx() as m:
        [closed] = await m.disputes.offers(employer, d.id)
    assert closed.status is OfferStatus.CLOSED
    assert h.events[-1].kind == "dispute.withdrawn"
    assert h.events[-1].recipients == (freelancer.user_id,)
    await h.refused(lambda m: m.disputes.accept_offer(employer, offer.id), "dispute.closed")
    await h.refused(lambda m: m.disputes.withdraw(employer, d.id), "dispute.closed")
    # The money moves normally again.
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    assert await h.available(freelancer) == 9_000
    await h.check_books()


# --- arbitration ---------------------------------------------------------------------------


async def arbitration(h: Harness) -> tuple[Actor, Actor, Milestone, Dispute]:
    employer, freelancer, _, ms, d = await responded(h)
    async with h.tx() as m:
        await m.disputes.escalate(employer, d.id)
    return employer, freelancer, ms, d


async def test_an_admin_resolves_by_releasing_everything(h: Harness) -> None:
    employer, freelancer, ms, d = await arbitration(h)
    admin = await h.admin()
    async with h.tx() as m:
        result = await m.disputes.resolve(
            admin, d.id, DisputeResolution.RELEASE, note="Delivered as briefed"
        )
    assert (result.released, result.fee, result.refunded) == (10_000, 1_000, 0)
    assert await h.available(freelancer) == 9_000
    d = await current(h, d.id)
    assert d.status is DisputeStatus.RESOLVED
    assert d.resolution is DisputeResolution.RELEASE
    assert d.resolved_by_id == admin.user_id
    assert d.resolution_note == "Delivered as briefed"
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.RELEASED
    resolved, settled = h.events[-2:]
    assert resolved.kind == "dispute.resolved" and result.contract_settled
    assert set(resolved.recipients) == {employer.user_id, freelancer.user_id}
    assert settled.kind == "contract.settled"  # the admin acted: both sides are asked
    assert set(settled.recipients) == {employer.user_id, freelancer.user_id}
    await h.check_books()


async def test_an_admin_resolves_by_refunding_everything(h: Harness) -> None:
    employer, freelancer, ms, d = await arbitration(h)
    admin = await h.admin()
    async with h.tx() as m:
        result = await m.disputes.resolve(admin, d.id, DisputeResolution.REFUND)
    assert (result.released, result.fee, result.refunded) == (0, 0, 10_000)
    assert await h.available(employer) == 10_000
    assert await h.available(freelancer) == 0
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.REFUNDED
    await h.check_books()


async def test_an_admin_splits_the_escrow(h: Harness) -> None:
    employer, freelancer, _, d = await arbitration(h)
    admin = await h.admin()
    for bad in (None, 0, 10_000, 10_001, -1):
        await h.refused(
            lambda m, b=bad: m.disputes.resolve(
                admin, d.id, DisputeResolution.SPLIT, release_amount=b
            ),
            "dispute.split_range",
        )
    async with h.tx() as m:
        result = await m.disputes.resolve(
            admin, d.id, DisputeResolution.SPLIT, release_amount=3_000
        )
    assert (result.released, result.fee, result.refunded) == (3_000, 300, 7_000)
    assert await h.available(freelancer) == 2_700
    assert await h.available(employer) == 7_000
    await h.refused(
        lambda m: m.disputes.resolve(admin, d.id, DisputeResolution.RELEASE), "dispute.closed"
    )
    await h.check_books()


@pytest.mark.parametrize("verdict", [DisputeResolution.AGREED, DisputeResolution.DEFAULT])
async def test_an_admin_verdict_is_release_refund_or_split(
    h: Harness, verdict: DisputeResolution
) -> None:
    _, _, _, d = await arbitration(h)
    admin = await h.admin()
    await h.refused(lambda m: m.disputes.resolve(admin, d.id, verdict), "dispute.verdict")


async def test_only_an_admin_resolves(h: Harness) -> None:
    employer, freelancer, _, d = await arbitration(h)
    stranger = await h.user("Stella")
    for actor in (employer, freelancer, stranger):
        await h.refused(
            lambda m, a=actor: m.disputes.resolve(a, d.id, DisputeResolution.RELEASE),
            "admin.only",
        )
    await h.check_books()


async def test_an_admin_who_is_a_party_cannot_judge(h: Harness) -> None:
    admin = await h.admin()
    _, freelancer, contract = await h.hire(employer=admin)
    ms = await h.milestone(admin, contract.id)
    async with h.tx() as m:
        d = await m.disputes.open(freelancer, ms.id, reason=REASON, claimed_amount=ms.amount)
    async with h.tx() as m:
        await m.disputes.respond(admin, d.id, "It is not finished yet, sorry.")
    async with h.tx() as m:
        await m.disputes.escalate(freelancer, d.id)
    await h.refused(
        lambda m: m.disputes.resolve(admin, d.id, DisputeResolution.REFUND),
        "dispute.arbiter_is_party",
    )


async def test_a_disputes_record_gives_the_arbiter_the_whole_story(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        await m.messages.send(employer, contract.project_id, freelancer.user_id, "Logo by Friday?")
    async with h.tx() as m:
        await m.messages.send(freelancer, contract.project_id, employer.user_id, "Yes, Friday.")
    ms = await h.milestone(employer, contract.id, 10_000)
    other = await h.milestone(employer, contract.id, 2_000, fund=False)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Logo attached", ["logo.png"])
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, deliverables=[0], reason=REASON, claimed_amount=10_000
        )
    async with h.tx() as m:
        await m.disputes.offer(freelancer, d.id, 5_000)
    # Someone else's conversation on another project is not part of it.
    other_employer, other_freelancer, other_contract = await h.hire()
    async with h.tx() as m:
        await m.messages.send(
            other_employer, other_contract.project_id, other_freelancer.user_id, "Unrelated"
        )

    admin = await h.admin()
    async with h.tx() as m:
        record = await m.disputes.record(admin, d.id)
    assert record.dispute.id == d.id
    assert record.milestone.id == ms.id
    assert record.contract.id == contract.id
    assert record.project.id == contract.project_id
    assert record.bid is not None and record.bid.id == contract.bid_id
    assert record.bid.proposal.startswith("I have built many shop bots")
    assert [x.kind for x in record.history] == [
        "created",
        "funded",
        "delivered",
        "disputed",
        "dispute_offer",
    ]
    delivery = record.history[2]
    assert (delivery.note, delivery.file_ids) == ("Logo attached", ["logo.png"])
    assert [(x.sender_id, x.text) for x in record.messages] == [
        (employer.user_id, "Logo by Friday?"),
        (freelancer.user_id, "Yes, Friday."),
    ]
    assert [x.release_amount for x in record.offers] == [5_000]
    assert [x.id for x in record.milestones] == [ms.id, other.id]


async def test_only_an_admin_reads_the_record(h: Harness) -> None:
    employer, freelancer, _, _, d = await dispute(h)
    stranger = await h.user("Stella")
    for actor in (employer, freelancer, stranger):
        await h.refused(lambda m, a=actor: m.disputes.record(a, d.id), "admin.only")
    await h.refused(lambda m: m.disputes.get(stranger, d.id), "dispute.not_party")
    async with h.tx() as m:
        assert [x.id for x in await m.disputes.of_user(freelancer)] == [d.id]
        assert (await m.disputes.get(freelancer, d.id)).id == d.id


# --- silence -------------------------------------------------------------------------------


@pytest.mark.parametrize("was_delivered", [True, False])
async def test_a_silent_freelancer_sends_the_dispute_to_an_admin_never_to_a_refund(
    h: Harness, was_delivered: bool
) -> None:
    employer, freelancer, _, ms, d = await dispute(
        h, by="employer", claim=10_000, delivered=was_delivered
    )
    h.clock.advance(days=4, seconds=-1)
    async with h.tx() as m:
        assert await m.disputes.answer_silence_if_due(d.id) is None
    h.clock.advance(seconds=1)
    async with h.tx() as m:
        silence = await m.disputes.answer_silence_if_due(d.id)
    assert silence is not None and silence.escalated and silence.settlement is None
    assert await h.available(employer) == 0  # nothing refunded by default
    assert await h.available(freelancer) == 0
    d = await current(h, d.id)
    assert (d.status, d.escalated_by_id, d.resolution) == (DisputeStatus.ARBITRATION, None, None)
    ms = await h.get_milestone(ms.id)
    assert (ms.status, ms.escrow) == (MilestoneStatus.DISPUTED, 10_000)
    kinds = [e.kind for e in h.events[-2:]]
    assert kinds == ["dispute.needs_arbiter", "dispute.escalated"]
    assert set(h.events[-1].recipients) == {employer.user_id, freelancer.user_id}
    # The admin's record says whether the work was delivered.
    admin = await h.admin()
    async with h.tx() as m:
        record = await m.disputes.record(admin, d.id)
    escalated = record.history[-1]
    assert escalated.kind == "dispute_escalated" and escalated.actor_id is None
    said = "the work was delivered" if was_delivered else "nothing was delivered"
    assert escalated.note == f"the freelancer did not respond in time; {said}"
    assert len(record.deliveries) == int(was_delivered)
    async with h.tx() as m:
        assert await m.disputes.answer_silence_if_due(d.id) is None
    await h.check_books()


async def test_a_silent_employer_has_the_same_four_days_before_the_freelancers_claim_stands(
    h: Harness,
) -> None:
    _employer, freelancer, _, ms, d = await dispute(h, by="freelancer", claim=10_000)
    h.clock.advance(days=4, seconds=-1)
    async with h.tx() as m:
        assert await m.disputes.answer_silence_if_due(d.id) is None
    h.clock.advance(seconds=1)
    async with h.tx() as m:
        silence = await m.disputes.answer_silence_if_due(d.id)
    assert silence is not None and not silence.escalated
    result = silence.settlement
    assert result is not None and (result.released, result.fee) == (10_000, 1_000)
    assert (await current(h, d.id)).resolution is DisputeResolution.DEFAULT
    assert await h.available(freelancer) == 9_000
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.RELEASED
    await h.check_books()


async def test_a_default_gives_the_filer_what_they_claimed_and_no_more(h: Harness) -> None:
    employer, freelancer, _, _, d = await dispute(h, by="freelancer", claim=6_000)
    h.clock.advance(h.settings.dispute_response_window)
    async with h.tx() as m:
        silence = await m.disputes.answer_silence_if_due(d.id)
    result = silence.settlement if silence else None
    assert result is not None and (result.released, result.refunded) == (6_000, 4_000)
    assert await h.available(freelancer) == 5_400
    assert await h.available(employer) == 4_000
    await h.check_books()


async def test_an_employers_partial_claim_is_not_refunded_by_silence_either(h: Harness) -> None:
    employer, freelancer, _, _, d = await dispute(h, by="employer", claim=2_500)
    h.clock.advance(h.settings.dispute_response_window)
    async with h.tx() as m:
        silence = await m.disputes.answer_silence_if_due(d.id)
    assert silence is not None and silence.escalated
    assert await h.available(employer) == 0 and await h.available(freelancer) == 0
    await h.check_books()


async def test_an_answered_dispute_never_defaults(h: Harness) -> None:
    _, _, _, ms, d = await responded(h, by="employer")
    h.clock.advance(days=30)
    async with h.tx() as m:
        assert await m.disputes.answer_silence_if_due(d.id) is None
    assert (await h.get_milestone(ms.id)).escrow == 10_000


# --- windows are rules, not just timers ----------------------------------------------------


async def test_a_delivery_past_its_review_window_cannot_be_disputed(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Done")
    h.clock.advance(h.settings.delivery_review_window - timedelta(seconds=1))
    # Still inside the window: disputing is the employer's right (checked, then undone).
    async with h.db.uow() as uow:
        market = Marketplace(uow, h.settings, h.clock)
        await market.disputes.open(
            employer, ms.id, deliverables=[0], reason=REASON, claimed_amount=10_000
        )
    h.clock.advance(seconds=1)
    # The window is over: the money is the freelancer's, even if the timer has not run yet.
    for actor in (employer, freelancer):
        await h.refused(
            lambda m, a=actor: m.disputes.open(a, ms.id, reason=REASON, claimed_amount=10_000),
            "dispute.nothing_to_dispute",
        )
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is not None
    assert await h.available(freelancer) == 9_000
    await h.check_books()


async def test_a_respondent_cannot_answer_after_the_response_window(h: Harness) -> None:
    employer, freelancer, _, _, d = await dispute(h, by="employer", claim=10_000)
    h.clock.set(d.respond_by)
    await h.refused(
        lambda m: m.disputes.respond(freelancer, d.id, "Sorry, I was away."),
        "dispute.response_window_over",
    )
    await h.refused(
        lambda m: m.disputes.offer(freelancer, d.id, 5_000), "dispute.response_window_over"
    )
    # The silence stands even if the timer runs late: an admin decides, nothing is refunded.
    h.clock.advance(hours=6)
    async with h.tx() as m:
        silence = await m.disputes.answer_silence_if_due(d.id)
    assert silence is not None and silence.escalated
    assert await h.available(employer) == 0
    assert (await current(h, d.id)).status is DisputeStatus.ARBITRATION
    await h.check_books()


async def test_a_respondent_may_answer_until_the_last_moment(h: Harness) -> None:
    _, freelancer, _, _, d = await dispute(h, by="employer")
    h.clock.set(d.respond_by - timedelta(seconds=1))
    async with h.tx() as m:
        await m.disputes.offer(freelancer, d.id, 5_000)
    assert (await current(h, d.id)).status is DisputeStatus.NEGOTIATION


async def test_the_review_clock_stops_while_a_freelancers_dispute_freezes_the_delivery(
    h: Harness,
) -> None:
    """A freelancer filing and later withdrawing must not turn a dispute into an
    auto-release: the employer could not review while the money was frozen."""
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Done")
    review_ends = h.clock.now() + h.settings.delivery_review_window
    h.clock.advance(days=10)  # four days of review left
    async with h.tx() as m:
        d = await m.disputes.open(freelancer, ms.id, reason=REASON, claimed_amount=10_000)
    async with h.tx() as m:
        await m.disputes.respond(employer, d.id, "The work is not finished, see my notes.")
    async with h.tx() as m:
        await m.disputes.escalate(employer, d.id)
    h.clock.advance(days=20)  # arbitration takes its time; the review window is long gone
    async with h.tx() as m:
        await m.disputes.withdraw(freelancer, d.id)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.DELIVERED
    assert ms.auto_release_at == review_ends + timedelta(days=20)
    # Nothing is released behind the employer's back; they still have their four days.
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
        assert (await m.timers.sweep()).milestones_auto_released == 0
    assert await h.available(freelancer) == 0
    async with h.tx() as m:
        await m.milestones.request_changes(employer, ms.id, "Please finish the checkout")
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.FUNDED
    await h.check_books()
