"""Awards: offering the project, accepting, declining, withdrawing, lapsing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.actors import Actor
from core.errors import Conflict, InvalidState
from storage.enums import AwardStatus, BidStatus, ContractStatus, ProjectStatus
from storage.models import Award
from tests.harness import Harness


def events(h: Harness, kind: str) -> list[tuple[tuple[int, ...], dict[str, Any]]]:
    return [(e.recipients, e.to_payload()) for e in h.events if e.kind == kind]


class Scene:
    """An open project with bids from Frank and Grace (and a retracted one from Quinn)."""

    employer: Actor
    frank: Actor
    grace: Actor
    quinn: Actor
    project_id: int
    frank_bid: int
    grace_bid: int
    quinn_bid: int


async def scene(h: Harness) -> Scene:
    s = Scene()
    s.employer = await h.employer()
    s.frank = await h.freelancer()
    s.grace = await h.freelancer("Grace")
    s.quinn = await h.freelancer("Quinn")
    s.project_id = await h.open_project(s.employer)
    s.frank_bid = await h.bid(s.frank, s.project_id, amount=30_000, days=10)
    s.grace_bid = await h.bid(s.grace, s.project_id, amount=25_000, days=5)
    s.quinn_bid = await h.bid(s.quinn, s.project_id)
    async with h.tx() as m:
        await m.bids.retract(s.quinn, s.quinn_bid)
    return s


async def offer(h: Harness, s: Scene, bid_id: int | None = None) -> Award:
    async with h.tx() as m:
        return await m.awards.offer(s.employer, bid_id or s.frank_bid)


async def state(h: Harness, s: Scene) -> tuple[ProjectStatus, dict[str, BidStatus]]:
    async with h.tx() as m:
        project = await m.projects.get(s.project_id)
        bids = await m.ctx.uow.bids.for_project(s.project_id)
    names = {s.frank.user_id: "frank", s.grace.user_id: "grace", s.quinn.user_id: "quinn"}
    return project.status, {names[b.freelancer_id]: b.status for b in bids}


async def award_status(h: Harness, award_id: int) -> AwardStatus:
    async with h.tx() as m:
        return (await m.awards.get(award_id)).status


# --- offering ------------------------------------------------------------------------


async def test_employer_offers_the_project_to_a_bidder(h: Harness) -> None:
    s = await scene(h)
    h.clock.advance(hours=1)
    award = await offer(h, s)
    assert award.status is AwardStatus.PENDING
    assert award.freelancer_id == s.frank.user_id and award.bid_id == s.frank_bid
    assert award.offered_at == h.clock.now()
    assert award.expires_at == h.clock.now() + h.settings.award_acceptance_window
    assert award.expires_at - award.offered_at == timedelta(hours=36)
    assert await state(h, s) == (
        ProjectStatus.AWARDED,
        {"frank": BidStatus.AWARDED, "grace": BidStatus.ACTIVE, "quinn": BidStatus.RETRACTED},
    )
    assert events(h, "award.offered") == [
        ((s.frank.user_id,), {"project_id": s.project_id, "award_id": award.id})
    ]


async def test_only_the_employer_can_offer(h: Harness) -> None:
    s = await scene(h)
    mallory = await h.employer("Mallory")
    await h.refused(lambda m: m.awards.offer(mallory, s.frank_bid), "project.not_owner")
    await h.refused(lambda m: m.awards.offer(s.frank, s.frank_bid), "project.not_owner")


async def test_offering_a_missing_bid_is_not_found(h: Harness) -> None:
    s = await scene(h)
    await h.refused(lambda m: m.awards.offer(s.employer, 987_654), "bid.not_found")


async def test_only_an_active_bid_can_be_offered(h: Harness) -> None:
    s = await scene(h)
    await h.refused(lambda m: m.awards.offer(s.employer, s.quinn_bid), "bid.not_active")
    async with h.tx() as m:
        await m.bids.decline(s.employer, s.grace_bid)
    await h.refused(lambda m: m.awards.offer(s.employer, s.grace_bid), "bid.not_active")


async def test_second_offer_while_one_is_pending_is_a_conflict(h: Harness) -> None:
    s = await scene(h)
    await offer(h, s)
    error = await h.refused(
        lambda m: m.awards.offer(s.employer, s.grace_bid), "award.pending_exists"
    )
    assert isinstance(error, Conflict)
    await h.refused(lambda m: m.awards.offer(s.employer, s.frank_bid), "award.pending_exists")


async def test_a_project_can_be_awarded_after_bidding_until_the_decision_window_ends(
    h: Harness,
) -> None:
    s = await scene(h)
    h.clock.advance(h.settings.bidding_window)
    async with h.tx() as m:
        assert await m.projects.end_bidding_if_due(s.project_id) is ProjectStatus.BIDDING_ENDED
    h.clock.advance(h.settings.award_decision_window - timedelta(seconds=1))
    async with h.tx() as m:
        await m.awards.check_offer(s.employer, s.frank_bid)
    h.clock.advance(seconds=1)  # the window is over, even before the sweep closes it
    await h.refused(lambda m: m.awards.offer(s.employer, s.frank_bid), "project.not_open")
    async with h.tx() as m:
        assert await m.projects.close_unawarded_if_due(s.project_id)
    await h.refused(lambda m: m.awards.offer(s.employer, s.frank_bid), "project.not_open")


async def test_cancelled_project_cannot_be_awarded(h: Harness) -> None:
    s = await scene(h)
    async with h.tx() as m:
        await m.projects.cancel(s.employer, s.project_id)
    await h.refused(lambda m: m.awards.offer(s.employer, s.frank_bid), "project.not_open")


# --- accepting -----------------------------------------------------------------------


async def test_accepting_creates_the_contract_and_closes_other_bids(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    h.clock.advance(hours=5)
    async with h.tx() as m:
        contract = await m.awards.accept(s.frank, award.id)
    assert contract.status is ContractStatus.ACTIVE
    assert (contract.employer_id, contract.freelancer_id) == (s.employer.user_id, s.frank.user_id)
    assert (contract.project_id, contract.award_id, contract.bid_id) == (
        s.project_id,
        award.id,
        s.frank_bid,
    )
    assert (contract.agreed_amount, contract.delivery_days) == (30_000, 10)
    assert contract.started_at == h.clock.now()
    # The due date is the one the offer's terms named: the bid's 10 days from the offer.
    assert contract.deadline_at == award.due_at == award.offered_at + timedelta(days=10)
    assert await award_status(h, award.id) is AwardStatus.ACCEPTED
    assert await state(h, s) == (
        ProjectStatus.IN_PROGRESS,
        {"frank": BidStatus.HIRED, "grace": BidStatus.CLOSED, "quinn": BidStatus.RETRACTED},
    )
    assert events(h, "award.accepted") == [
        ((s.employer.user_id,), {"project_id": s.project_id, "contract_id": contract.id})
    ]
    assert events(h, "project.awarded_to_other") == [
        ((s.grace.user_id,), {"project_id": s.project_id})
    ]


async def test_only_the_offered_freelancer_can_accept_or_decline(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    await h.refused(lambda m: m.awards.accept(s.grace, award.id), "award.not_yours")
    await h.refused(lambda m: m.awards.accept(s.employer, award.id), "award.not_yours")
    await h.refused(lambda m: m.awards.decline(s.grace, award.id), "award.not_yours")
    await h.refused(lambda m: m.awards.decline(s.employer, award.id), "award.not_yours")


async def test_accepting_a_missing_offer_is_not_found(h: Harness) -> None:
    s = await scene(h)
    await h.refused(lambda m: m.awards.accept(s.frank, 987_654), "award.not_found")
    await h.refused(lambda m: m.awards.decline(s.frank, 987_654), "award.not_found")
    await h.refused(lambda m: m.awards.withdraw(s.employer, 987_654), "award.not_found")


async def test_accepting_twice_is_a_conflict(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    async with h.tx() as m:
        await m.awards.accept(s.frank, award.id)
    await h.refused(lambda m: m.awards.accept(s.frank, award.id), "award.already_accepted")
    await h.refused(lambda m: m.awards.decline(s.frank, award.id), "award.already_accepted")


async def test_only_one_accepted_award_per_project(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    async with h.tx() as m:
        await m.awards.accept(s.frank, award.id)
    await h.refused(lambda m: m.awards.offer(s.employer, s.grace_bid), "project.not_open")
    # Even a stray pending offer for the same project (say, a race) cannot hire a second
    # freelancer: the project already has its contract.
    async with h.tx() as m:
        stray = m.ctx.uow.awards.add(
            Award(
                project_id=s.project_id,
                bid_id=s.grace_bid,
                freelancer_id=s.grace.user_id,
                status=AwardStatus.PENDING,
                offered_at=h.clock.now(),
                expires_at=h.clock.now() + timedelta(hours=36),
                deliverables=["The bot"],
                revision_rounds=2,
                due_at=h.clock.now() + timedelta(days=10),
            )
        )
        await m.ctx.uow.flush()
    await h.refused(lambda m: m.awards.accept(s.grace, stray.id), "award.already_accepted")
    async with h.tx() as m:
        contract = await m.contracts.for_project(s.project_id)
    assert contract is not None and contract.freelancer_id == s.frank.user_id


# --- declining and withdrawing -------------------------------------------------------


async def test_declined_offer_reopens_the_project_for_another_award(h: Harness) -> None:
    s = await scene(h)
    h.clock.advance(days=6, hours=23)  # one hour of bidding left
    award = await offer(h, s)
    h.clock.advance(hours=2)  # the original bidding window is over now
    async with h.tx() as m:
        declined = await m.awards.decline(s.frank, award.id)
    assert declined.status is AwardStatus.DECLINED
    assert declined.responded_at == h.clock.now()
    async with h.tx() as m:
        project = await m.projects.get(s.project_id)
    # No more bids, but the employer has the award decision window to pick another.
    assert project.status is ProjectStatus.BIDDING_ENDED
    assert project.award_by == project.bidding_ends_at + h.settings.award_decision_window
    assert await state(h, s) == (
        ProjectStatus.BIDDING_ENDED,
        {"frank": BidStatus.CLOSED, "grace": BidStatus.ACTIVE, "quinn": BidStatus.RETRACTED},
    )
    assert events(h, "award.declined") == [
        ((s.employer.user_id,), {"project_id": s.project_id, "award_id": award.id})
    ]
    async with h.tx() as m:
        assert not await m.projects.close_unawarded_if_due(s.project_id)
    second = await offer(h, s, s.grace_bid)
    async with h.tx() as m:
        contract = await m.awards.accept(s.grace, second.id)
    assert contract.freelancer_id == s.grace.user_id


async def test_decline_keeps_a_longer_bidding_window(h: Harness) -> None:
    s = await scene(h)
    async with h.tx() as m:
        ends = (await m.projects.get(s.project_id)).bidding_ends_at
    award = await offer(h, s)
    async with h.tx() as m:
        await m.awards.decline(s.frank, award.id)
    async with h.tx() as m:
        assert (await m.projects.get(s.project_id)).bidding_ends_at == ends


async def test_declined_offer_cannot_be_accepted(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    async with h.tx() as m:
        await m.awards.decline(s.frank, award.id)
    await h.refused(lambda m: m.awards.accept(s.frank, award.id), "award.declined")
    await h.refused(lambda m: m.awards.withdraw(s.employer, award.id), "award.declined")


async def test_employer_withdraws_a_pending_offer(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    async with h.tx() as m:
        withdrawn = await m.awards.withdraw(s.employer, award.id)
    assert withdrawn.status is AwardStatus.WITHDRAWN
    assert await state(h, s) == (
        ProjectStatus.OPEN,
        {"frank": BidStatus.ACTIVE, "grace": BidStatus.ACTIVE, "quinn": BidStatus.RETRACTED},
    )
    assert events(h, "award.withdrawn") == [
        ((s.frank.user_id,), {"project_id": s.project_id, "award_id": award.id})
    ]
    await h.refused(lambda m: m.awards.accept(s.frank, award.id), "award.withdrawn")
    await h.refused(lambda m: m.awards.withdraw(s.employer, award.id), "award.withdrawn")
    second = await offer(h, s, s.grace_bid)
    assert second.freelancer_id == s.grace.user_id


async def test_only_the_employer_can_withdraw_an_offer(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    await h.refused(lambda m: m.awards.withdraw(s.frank, award.id), "project.not_owner")
    await h.refused(lambda m: m.awards.withdraw(s.grace, award.id), "project.not_owner")


async def test_accepted_offer_cannot_be_withdrawn(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    async with h.tx() as m:
        await m.awards.accept(s.frank, award.id)
    await h.refused(lambda m: m.awards.withdraw(s.employer, award.id), "award.accepted")


# --- lapsing -------------------------------------------------------------------------


async def test_offer_does_not_lapse_inside_its_window(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    h.clock.advance(h.settings.award_acceptance_window - timedelta(seconds=1))
    before = await h.snapshot()
    async with h.tx() as m:
        assert not await m.awards.lapse_if_due(award.id)
    assert await h.snapshot() == before
    async with h.tx() as m:
        await m.awards.accept(s.frank, award.id)


async def test_accepting_after_the_window_is_refused_as_lapsed(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    h.clock.advance(h.settings.award_acceptance_window)
    error = await h.refused(lambda m: m.awards.accept(s.frank, award.id), "award.lapsed")
    assert isinstance(error, InvalidState)
    await h.refused(lambda m: m.awards.decline(s.frank, award.id), "award.lapsed")


async def test_unanswered_offer_lapses_and_the_employer_may_award_someone_else(
    h: Harness,
) -> None:
    s = await scene(h)
    award = await offer(h, s)
    h.clock.advance(h.settings.award_acceptance_window + timedelta(minutes=1))
    async with h.tx() as m:
        assert await m.awards.lapse_if_due(award.id)
    assert await award_status(h, award.id) is AwardStatus.LAPSED
    async with h.tx() as m:
        project = await m.projects.get(s.project_id)
    assert project.status is ProjectStatus.OPEN
    assert project.bidding_ends_at is not None and project.bidding_ends_at > h.clock.now()
    assert await state(h, s) == (
        ProjectStatus.OPEN,
        {"frank": BidStatus.ACTIVE, "grace": BidStatus.ACTIVE, "quinn": BidStatus.RETRACTED},
    )
    [(to, data)] = events(h, "award.lapsed")
    assert to == (s.employer.user_id, s.frank.user_id)
    assert data == {"project_id": s.project_id, "award_id": award.id}
    await h.refused(lambda m: m.awards.accept(s.frank, award.id), "award.lapsed")
    second = await offer(h, s, s.grace_bid)
    async with h.tx() as m:
        contract = await m.awards.accept(s.grace, second.id)
    assert contract.freelancer_id == s.grace.user_id


async def test_lapsing_is_idempotent_and_ignores_answered_offers(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    h.clock.advance(days=2)
    async with h.tx() as m:
        assert await m.awards.lapse_if_due(award.id)
    before = await h.snapshot()
    async with h.tx() as m:
        assert not await m.awards.lapse_if_due(award.id)
    assert await h.snapshot() == before
    second = await offer(h, s, s.grace_bid)
    async with h.tx() as m:
        await m.awards.accept(s.grace, second.id)
    h.clock.advance(days=2)
    async with h.tx() as m:
        assert not await m.awards.lapse_if_due(second.id)
    assert await award_status(h, second.id) is AwardStatus.ACCEPTED
    assert len(events(h, "award.lapsed")) == 1


async def test_the_timer_sweep_lapses_due_offers(h: Harness) -> None:
    s = await scene(h)
    award = await offer(h, s)
    h.clock.advance(h.settings.award_acceptance_window)
    async with h.tx() as m:
        report = await m.timers.sweep()
    assert report.awards_lapsed == 1
    assert await award_status(h, award.id) is AwardStatus.LAPSED
    async with h.tx() as m:
        assert (await m.timers.sweep()).awards_lapsed == 0
