"""Timers: everything that happens because time passed happens once, and not before its time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from core.actors import Actor
from core.services.milestones import MilestoneService
from core.services.timers import SweepReport
from storage.enums import (
    AwardStatus,
    BidStatus,
    DisputeResolution,
    DisputeStatus,
    MilestoneStatus,
    ProjectStatus,
)
from tests.harness import Harness

REASON = "Nothing usable was delivered to me."


async def sweep(h: Harness, batch: int = 100) -> SweepReport:
    async with h.tx() as m:
        return await m.timers.sweep(batch)


def counts(report: SweepReport) -> dict[str, int]:
    """What the sweep did, by counter (zeros left out)."""
    return {k: v for k, v in vars(report).items() if k != "failures" and v}


async def status_of_project(h: Harness, pid: int) -> ProjectStatus:
    async with h.tx() as m:
        return (await m.projects.get(pid)).status


async def test_nothing_is_due_in_an_empty_marketplace(h: Harness) -> None:
    report = await sweep(h)
    assert report.total == 0 and report.failures == []


async def test_a_project_with_bids_closes_when_nobody_is_awarded_in_time(h: Harness) -> None:
    employer = await h.employer()
    bidder = await h.freelancer()
    pid = await h.open_project(employer)
    bid_id = await h.bid(bidder, pid)
    h.clock.advance(h.settings.bidding_window - timedelta(seconds=1))
    assert (await sweep(h)).total == 0
    assert await status_of_project(h, pid) is ProjectStatus.OPEN

    h.clock.advance(seconds=1)
    assert counts(await sweep(h)) == {"bidding_ended": 1}
    assert await status_of_project(h, pid) is ProjectStatus.BIDDING_ENDED
    h.clock.advance(h.settings.award_decision_window)
    assert counts(await sweep(h)) == {"projects_closed": 1}
    assert await status_of_project(h, pid) is ProjectStatus.CLOSED
    async with h.tx() as m:
        assert (await m.bids.get(bid_id)).status is BidStatus.CLOSED
    closed = [e for e in h.events if e.kind == "project.closed"]
    assert len(closed) == 1
    assert set(closed[0].recipients) == {employer.user_id, bidder.user_id}

    assert (await sweep(h)).total == 0
    assert len([e for e in h.events if e.kind == "project.closed"]) == 1


async def test_an_unanswered_award_lapses_and_the_project_reopens(h: Harness) -> None:
    employer = await h.employer()
    bidder = await h.freelancer()
    pid = await h.open_project(employer)
    bid_id = await h.bid(bidder, pid)
    async with h.tx() as m:
        award = await m.awards.offer(employer, bid_id)
    h.clock.advance(h.settings.award_acceptance_window - timedelta(seconds=1))
    assert (await sweep(h)).total == 0
    async with h.tx() as m:
        assert (await m.awards.get(award.id)).status is AwardStatus.PENDING

    h.clock.advance(seconds=1)
    assert counts(await sweep(h)) == {"awards_lapsed": 1}
    async with h.tx() as m:
        assert (await m.awards.get(award.id)).status is AwardStatus.LAPSED
        assert (await m.bids.get(bid_id)).status is BidStatus.ACTIVE
    assert await status_of_project(h, pid) is ProjectStatus.OPEN
    assert (await sweep(h)).total == 0
    await h.refused(lambda m: m.awards.accept(bidder, award.id), "award.lapsed")


async def test_an_unanswered_delivery_is_released_once(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Done")
    h.clock.advance(h.settings.delivery_review_window - timedelta(seconds=1))
    assert counts(await sweep(h)) == {"auto_release_reminders": 1}  # the last one only
    assert await h.available(freelancer) == 0

    h.clock.advance(seconds=1)
    assert counts(await sweep(h)) == {"milestones_auto_released": 1}
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.RELEASED
    assert await h.available(freelancer) == 9_000
    assert (await sweep(h)).total == 0
    assert await h.available(freelancer) == 9_000
    await h.check_books()


async def test_a_funded_but_undelivered_milestone_is_left_alone(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    await h.milestone(employer, contract.id, 10_000)
    h.clock.advance(days=400)
    assert (await sweep(h)).milestones_auto_released == 0
    assert await h.available(freelancer) == 0


async def test_a_disputed_delivery_is_not_auto_released(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Done")
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, deliverables=[0], reason=REASON, claimed_amount=10_000
        )
    async with h.tx() as m:
        await m.disputes.respond(freelancer, d.id, "It is all there, look again.")
    h.clock.advance(h.settings.delivery_review_window)
    report = await sweep(h)
    assert report.milestones_auto_released == 0
    assert report.disputes_escalated == 1  # the negotiation window (7 days) ran out first
    assert (await h.get_milestone(ms.id)).escrow == 10_000
    await h.check_books()


async def test_a_dispute_nobody_answered_is_settled_for_the_filer_once(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        d = await m.disputes.open(freelancer, ms.id, reason=REASON, claimed_amount=10_000)
    assert d.respond_by - d.created_at == h.settings.dispute_response_window  # both: 4 days
    h.clock.set(d.respond_by - timedelta(seconds=1))
    assert (await sweep(h)).total == 0
    h.clock.set(d.respond_by)
    assert counts(await sweep(h)) == {"disputes_defaulted": 1}
    assert await h.available(freelancer) == 9_000
    async with h.tx() as m:
        settled = await m.disputes.get(freelancer, d.id)
    assert settled.resolution is DisputeResolution.DEFAULT
    assert (await sweep(h)).total == 0
    assert await h.available(freelancer) == 9_000
    await h.check_books()


async def test_a_stale_negotiation_is_escalated_once(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, deliverables=[0], reason=REASON, claimed_amount=10_000
        )
    h.clock.advance(days=1)
    async with h.tx() as m:
        await m.disputes.respond(freelancer, d.id, "Please look at the delivery.")
    h.clock.advance(h.settings.negotiation_window - timedelta(seconds=1))
    assert (await sweep(h)).total == 0
    h.clock.advance(seconds=1)
    assert counts(await sweep(h)) == {"disputes_escalated": 1}
    async with h.tx() as m:
        assert (await m.disputes.get(employer, d.id)).status is DisputeStatus.ARBITRATION
    assert (await sweep(h)).total == 0
    assert len([e for e in h.events if e.kind == "dispute.needs_arbiter"]) == 1


@dataclass
class World:
    employer: Actor
    freelancer: Actor
    open_project: int
    awarded_project: int
    award_id: int
    delivered: int
    unanswered: int
    negotiating: int


async def world(h: Harness) -> World:
    """One of every due thing, all started at the same moment."""
    employer, freelancer, contract = await h.hire()
    bidder = await h.freelancer("Bea")
    open_project = await h.open_project(employer)
    await h.bid(bidder, open_project)
    awarded_project = await h.open_project(employer)
    bid_id = await h.bid(bidder, awarded_project)
    async with h.tx() as m:
        award = await m.awards.offer(employer, bid_id)
    delivered = await h.milestone(employer, contract.id, 10_000)
    unanswered = await h.milestone(employer, contract.id, 20_000)
    negotiating = await h.milestone(employer, contract.id, 30_000)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, delivered.id, "Done")
        await m.disputes.open(
            employer, unanswered.id, deliverables=[0], reason=REASON, claimed_amount=20_000
        )
        d = await m.disputes.open(
            employer, negotiating.id, deliverables=[0], reason=REASON, claimed_amount=5_000
        )
    async with h.tx() as m:
        await m.disputes.respond(freelancer, d.id, "Let us talk about it.")
    return World(
        employer,
        freelancer,
        open_project,
        awarded_project,
        award.id,
        delivered.id,
        unanswered.id,
        negotiating.id,
    )


async def test_sweep_does_each_due_thing_once_and_nothing_before_its_time(h: Harness) -> None:
    w = await world(h)
    # 36 hours: only the award lapses.
    h.clock.advance(h.settings.award_acceptance_window)
    assert counts(await sweep(h)) == {"awards_lapsed": 1}
    # 4 days: the freelancer's silence sends the first dispute to an admin (no refund).
    h.clock.advance(days=4, hours=-36)
    assert counts(await sweep(h)) == {"disputes_escalated": 1}
    # 7 days: bidding ends on both projects, which have bids (the lapsed award reopened
    # the second one within its bidding window), and the negotiation goes to an admin.
    h.clock.advance(days=3)
    assert counts(await sweep(h)) == {"bidding_ended": 2, "disputes_escalated": 1}
    # 14 days: nobody was awarded on either, so both close; the delivery is released.
    h.clock.advance(days=7)
    assert counts(await sweep(h)) == {"projects_closed": 2, "milestones_auto_released": 1}
    # Running it again, now or much later, does nothing more.
    assert (await sweep(h)).total == 0
    h.clock.advance(days=30)
    report = await sweep(h)
    assert report.total == 0 and report.failures == []

    assert await status_of_project(h, w.open_project) is ProjectStatus.CLOSED
    assert await status_of_project(h, w.awarded_project) is ProjectStatus.CLOSED
    assert (await h.get_milestone(w.delivered)).status is MilestoneStatus.RELEASED
    assert (await h.get_milestone(w.unanswered)).status is MilestoneStatus.DISPUTED
    assert (await h.get_milestone(w.negotiating)).status is MilestoneStatus.DISPUTED
    assert await h.available(w.freelancer) == 9_000
    assert await h.available(w.employer) == 0
    await h.check_books()


async def test_everything_due_at_once_is_done_in_one_sweep(h: Harness) -> None:
    w = await world(h)
    h.clock.advance(days=15)
    first = await sweep(h)
    # Bidding and the award decision window are both over for the open project: it
    # closes at once. The lapsed offer leaves the employer 36 h more to award the
    # other project (its bidding is over), so that one does not close yet.
    assert counts(first) == {
        "projects_closed": 1,
        "awards_lapsed": 1,
        "milestones_auto_released": 1,
        "disputes_escalated": 2,  # the silent freelancer's and the stale negotiation
    }
    assert await status_of_project(h, w.awarded_project) is ProjectStatus.BIDDING_ENDED
    assert (await sweep(h)).total == 0
    h.clock.advance(h.settings.award_acceptance_window)
    assert counts(await sweep(h)) == {"projects_closed": 1}
    assert (await sweep(h)).total == 0
    await h.check_books()


async def test_a_sweep_takes_at_most_a_batch_of_each_kind(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ids = []
    for _ in range(3):
        ms = await h.milestone(employer, contract.id, 10_000)
        async with h.tx() as m:
            await m.milestones.deliver(freelancer, ms.id, "Done")
        ids.append(ms.id)
    h.clock.advance(h.settings.delivery_review_window)
    assert (await sweep(h, batch=2)).milestones_auto_released == 2
    assert (await sweep(h, batch=2)).milestones_auto_released == 1
    assert (await sweep(h, batch=2)).total == 0
    assert await h.available(freelancer) == 27_000
    await h.check_books()


async def test_one_failing_item_does_not_hold_up_the_others(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    employer, freelancer, contract = await h.hire()
    ms_broken = await h.milestone(employer, contract.id, 10_000)
    ms_fine = await h.milestone(employer, contract.id, 10_000)
    for ms in (ms_broken, ms_fine):
        async with h.tx() as m:
            await m.milestones.deliver(freelancer, ms.id, "Done")
    h.clock.advance(h.settings.delivery_review_window)
    original = MilestoneService.auto_release_if_due

    async def flaky(self: MilestoneService, milestone_id: int) -> Any:
        if milestone_id == ms_broken.id:
            raise RuntimeError("storage hiccup")
        return await original(self, milestone_id)

    monkeypatch.setattr(MilestoneService, "auto_release_if_due", flaky)
    report = await sweep(h)
    assert report.milestones_auto_released == 1
    assert len(report.failures) == 1
    assert f"milestone {ms_broken.id}" in report.failures[0]
    assert "storage hiccup" in report.failures[0]
    assert (await h.get_milestone(ms_fine.id)).status is MilestoneStatus.RELEASED
    assert (await h.get_milestone(ms_broken.id)).status is MilestoneStatus.DELIVERED

    monkeypatch.setattr(MilestoneService, "auto_release_if_due", original)
    report = await sweep(h)
    assert report.milestones_auto_released == 1 and report.failures == []
    assert await h.available(freelancer) == 18_000
    await h.check_books()
