"""Reputation from real history: visible ratings and contract outcomes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.actors import Actor
from core.services.reputation import Reputation, lost_by
from storage.enums import ContractStatus, DisputeResolution, DisputeStatus, PartyRole
from storage.models import Contract, Dispute
from tests.core.test_record import settled
from tests.harness import Harness

AGREED = 30_000  # the bid amount h.hire agrees on; the bid promises delivery in 10 days


async def finished(
    h: Harness,
    employer: Actor,
    freelancer: Actor,
    *,
    paid: int = AGREED,
    deliver_after_days: float = 1,
) -> Contract:
    """A completed contract: one milestone of ``paid`` delivered after some days, released."""
    _, _, contract = await h.hire(employer, freelancer, amount=AGREED)
    ms = await h.milestone(employer, contract.id, paid)
    h.clock.advance(days=deliver_after_days)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Done")
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        return await m.contracts.end(employer, contract.id)


async def cancelled(h: Harness, employer: Actor, freelancer: Actor) -> Contract:
    _, _, contract = await h.hire(employer, freelancer)
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)
    async with h.tx() as m:
        return await m.contracts.end(freelancer, contract.id)


async def reputation(h: Harness, actor: Actor, role: PartyRole) -> Reputation:
    async with h.tx() as m:
        return await m.reputation.of(actor.user_id, role)


async def review(h: Harness, author: Actor, contract: Contract, stars: int) -> None:
    async with h.tx() as m:
        await m.reviews.write(author, contract.id, stars, f"{stars} stars from me.")


async def test_a_newcomer_has_no_reputation_yet(h: Harness) -> None:
    newcomer = await h.freelancer("Nina")
    rep = await reputation(h, newcomer, PartyRole.FREELANCER)
    assert rep.rating is None and rep.reviews == 0
    assert (rep.completed, rep.cancelled, rep.active, rep.paid) == (0, 0, 0, 0)
    assert rep.completion_rate is None
    assert rep.on_time_rate is None
    assert rep.on_budget_rate is None


async def test_track_record_counts_real_contracts(h: Harness) -> None:
    employer = await h.employer()
    freelancer = await h.freelancer()
    await finished(h, employer, freelancer)  # on time, on budget
    await finished(h, employer, freelancer, deliver_after_days=11)  # late
    await finished(h, employer, freelancer, paid=40_000)  # over budget
    await cancelled(h, employer, freelancer)
    await h.hire(employer, freelancer)  # still active

    rep = await reputation(h, freelancer, PartyRole.FREELANCER)
    assert (rep.completed, rep.cancelled, rep.active) == (3, 1, 1)
    assert (rep.finished, rep.failed) == (3, 1)  # the freelancer cancelled that one
    assert (rep.delivered, rep.on_time) == (3, 2)
    assert rep.on_budget == 2
    assert rep.paid == AGREED + AGREED + 40_000
    assert rep.completion_rate == pytest.approx(3 / 4)
    assert rep.on_time_rate == pytest.approx(2 / 3)
    assert rep.on_budget_rate == pytest.approx(2 / 3)

    # The employer's own record counts the same contracts from their side.
    boss = await reputation(h, employer, PartyRole.EMPLOYER)
    assert (boss.completed, boss.cancelled, boss.active) == (3, 1, 1)
    # Neither has a record in the other role.
    assert (await reputation(h, employer, PartyRole.FREELANCER)).completed == 0
    assert (await reputation(h, freelancer, PartyRole.EMPLOYER)).completed == 0
    await h.check_books()


async def test_a_delivery_on_the_deadline_is_on_time(h: Harness) -> None:
    employer, freelancer = await h.employer(), await h.freelancer()
    await finished(h, employer, freelancer, deliver_after_days=10)
    rep = await reputation(h, freelancer, PartyRole.FREELANCER)
    assert (rep.completed, rep.on_time) == (1, 1)


async def test_the_first_delivery_decides_whether_it_was_on_time(h: Harness) -> None:
    """Asking for changes never makes the freelancer look late: the redelivery after the
    deadline does not count, the first delivery within it does."""
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "First try")
    async with h.tx() as m:
        await m.milestones.request_changes(employer, ms.id, "Not what I asked for")
    h.clock.advance(days=12)  # redelivered after the deadline
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Second try")
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    rep = await reputation(h, freelancer, PartyRole.FREELANCER)
    assert (rep.completed, rep.delivered, rep.on_time) == (1, 1, 1)
    assert rep.on_time_rate == 1.0


async def test_a_first_delivery_after_the_due_date_is_late_whatever_follows(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        due = h.clock.now() + timedelta(days=2)  # the milestone's own due date decides
        ms = await m.milestones.create(
            employer, contract.id, description="Logo", amount=10_000, due_at=due
        )
    async with h.tx() as m:
        await m.milestones.start_funding(employer, ms.id, "sandbox")
    h.clock.advance(days=3)  # within the contract's ten days, past the milestone's two
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Here it is")
    rep = await reputation(h, freelancer, PartyRole.FREELANCER)
    assert (rep.delivered, rep.on_time, rep.on_time_rate) == (1, 0, 0.0)


async def test_money_paid_across_milestones_decides_whether_it_was_on_budget(h: Harness) -> None:
    employer, freelancer, contract = await h.hire(amount=AGREED)
    for amount in (20_000, 10_001):  # one cent over the agreed 30 000 in total
        ms = await h.milestone(employer, contract.id, amount)
        async with h.tx() as m:
            await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    rep = await reputation(h, freelancer, PartyRole.FREELANCER)
    assert (rep.completed, rep.on_budget, rep.paid) == (1, 0, 30_001)


async def test_average_rating_counts_only_visible_reviews(h: Harness) -> None:
    employer, freelancer = await h.employer(), await h.freelancer()
    first = await finished(h, employer, freelancer)
    second = await finished(h, employer, freelancer)
    await review(h, employer, first, 5)  # hidden: the freelancer has not answered yet
    await review(h, employer, second, 3)
    await review(h, freelancer, second, 4)  # both wrote: visible on both sides

    rep = await reputation(h, freelancer, PartyRole.FREELANCER)
    assert (rep.rating, rep.reviews) == (3.0, 1)
    boss = await reputation(h, employer, PartyRole.EMPLOYER)
    assert (boss.rating, boss.reviews) == (4.0, 1)
    async with h.tx() as m:
        shown = await m.reputation.reviews_about(freelancer.user_id, PartyRole.FREELANCER)
    assert [r.rating for r in shown] == [3]

    # When the first contract's review window closes, its lone review shows too.
    h.clock.advance(h.settings.review_window)
    rep = await reputation(h, freelancer, PartyRole.FREELANCER)
    assert (rep.rating, rep.reviews) == (4.0, 2)
    async with h.tx() as m:
        shown = await m.reputation.reviews_about(freelancer.user_id, PartyRole.FREELANCER)
    assert sorted(r.rating for r in shown) == [3, 5]


async def test_a_reviews_role_keeps_employer_and_freelancer_ratings_apart(h: Harness) -> None:
    alice = await h.freelancer("Alice")  # works as a freelancer and hires as an employer
    bob = await h.freelancer("Bob")
    as_freelancer = await finished(h, bob, alice)
    as_employer = await finished(h, alice, bob)
    await review(h, bob, as_freelancer, 5)
    await review(h, alice, as_freelancer, 5)
    await review(h, bob, as_employer, 1)
    await review(h, alice, as_employer, 2)
    assert (await reputation(h, alice, PartyRole.FREELANCER)).rating == 5.0
    assert (await reputation(h, alice, PartyRole.EMPLOYER)).rating == 1.0
    assert (await reputation(h, bob, PartyRole.FREELANCER)).rating == 2.0


async def test_reputation_windows_follow_the_configured_review_window(h: Harness) -> None:
    employer, freelancer = await h.employer(), await h.freelancer()
    contract = await finished(h, employer, freelancer)
    await review(h, employer, contract, 5)
    h.clock.advance(h.settings.review_window - timedelta(seconds=1))
    assert (await reputation(h, freelancer, PartyRole.FREELANCER)).reviews == 0
    h.clock.advance(seconds=1)
    assert (await reputation(h, freelancer, PartyRole.FREELANCER)).reviews == 1


# --- completion: only what this side cancelled or lost -------------------------------------


async def settled_by_admin(h: Harness, verdict: DisputeResolution) -> tuple[Actor, Actor, Contract]:
    """An employer's dispute an admin decides, then the employer ends the contract."""
    employer, freelancer, contract = await h.hire()
    await settled(h, contract, employer, freelancer, verdict)
    async with h.tx() as m:
        ended = await m.contracts.end(employer, contract.id)
    return employer, freelancer, ended


async def test_a_contract_the_employer_cancelled_is_not_held_against_the_freelancer(
    h: Harness,
) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        await m.projects.cancel(employer, contract.project_id)
    rep = await reputation(h, freelancer, PartyRole.FREELANCER)
    assert (rep.cancelled, rep.failed, rep.completion_rate) == (1, 0, None)
    await finished(h, employer, freelancer)
    assert (await reputation(h, freelancer, PartyRole.FREELANCER)).completion_rate == 1.0
    # The employer cancelled it: on their side it counts.
    boss = await reputation(h, employer, PartyRole.EMPLOYER)
    assert (boss.failed, boss.finished, boss.completion_rate) == (1, 1, 0.5)


async def test_an_unpaid_contract_counts_against_whoever_ended_it(h: Harness) -> None:
    employer, freelancer = await h.employer(), await h.freelancer()
    _, _, walked_away = await h.hire(employer, freelancer)
    async with h.tx() as m:
        await m.contracts.end(freelancer, walked_away.id)
    _, _, let_go = await h.hire(employer, freelancer)
    async with h.tx() as m:
        await m.contracts.end(employer, let_go.id)
    rep = await reputation(h, freelancer, PartyRole.FREELANCER)
    assert (rep.cancelled, rep.failed, rep.completion_rate) == (2, 1, 0.0)
    assert (await reputation(h, employer, PartyRole.EMPLOYER)).failed == 1


async def test_a_refund_the_freelancer_lost_counts_against_them_one_the_employer_lost_does_not(
    h: Harness,
) -> None:
    _, lost_it, refunded = await settled_by_admin(h, DisputeResolution.REFUND)
    assert refunded.status is ContractStatus.CANCELLED
    rep = await reputation(h, lost_it, PartyRole.FREELANCER)
    assert (rep.failed, rep.finished, rep.completion_rate) == (1, 0, 0.0)

    employer, won_it, released = await settled_by_admin(h, DisputeResolution.RELEASE)
    assert released.status is ContractStatus.COMPLETED
    rep = await reputation(h, won_it, PartyRole.FREELANCER)
    assert (rep.failed, rep.finished, rep.completion_rate) == (0, 1, 1.0)
    boss = await reputation(h, employer, PartyRole.EMPLOYER)
    assert (boss.failed, boss.finished, boss.completion_rate) == (1, 0, 0.0)


async def test_a_split_verdict_counts_against_nobody(h: Harness) -> None:
    employer, freelancer, contract = await settled_by_admin(h, DisputeResolution.SPLIT)
    assert contract.status is ContractStatus.COMPLETED
    assert (await reputation(h, freelancer, PartyRole.FREELANCER)).completion_rate == 1.0
    assert (await reputation(h, employer, PartyRole.EMPLOYER)).completion_rate == 1.0


def dispute_row(
    resolution: DisputeResolution | None, filer: PartyRole, status: DisputeStatus
) -> Dispute:
    return Dispute(resolution=resolution, filer_role=filer, status=status)


@pytest.mark.parametrize(
    ("resolution", "filer", "loser"),
    [
        (DisputeResolution.REFUND, PartyRole.EMPLOYER, PartyRole.FREELANCER),
        (DisputeResolution.REFUND, PartyRole.FREELANCER, PartyRole.FREELANCER),
        (DisputeResolution.RELEASE, PartyRole.FREELANCER, PartyRole.EMPLOYER),
        (DisputeResolution.RELEASE, PartyRole.EMPLOYER, PartyRole.EMPLOYER),
        # the timer decides against the side that stayed silent: the respondent
        (DisputeResolution.DEFAULT, PartyRole.EMPLOYER, PartyRole.FREELANCER),
        (DisputeResolution.DEFAULT, PartyRole.FREELANCER, PartyRole.EMPLOYER),
        (DisputeResolution.SPLIT, PartyRole.EMPLOYER, None),
        (DisputeResolution.AGREED, PartyRole.FREELANCER, None),
    ],
)
def test_who_lost_a_dispute(
    resolution: DisputeResolution, filer: PartyRole, loser: PartyRole | None
) -> None:
    assert lost_by(dispute_row(resolution, filer, DisputeStatus.RESOLVED)) is loser
    assert lost_by(dispute_row(None, filer, DisputeStatus.WITHDRAWN)) is None
