"""Timed rules: bidgram keeps its promises when nobody presses a button.

Bidding ends (the employer has a decision window to award), milestone due dates
(reminders, then a few overdue notices), a delivery about to release itself (the
employer is reminded), and the review window closing (reviews are published).
Each rule fires at its moment and only then, once, and a sweep that comes back
after a long pause sends only the latest reminder that applies.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.actors import Actor
from core.errors import InvalidState
from core.services.reminders import ReminderService
from core.services.timers import SweepReport
from core.settings import load_settings
from storage.enums import (
    BidStatus,
    ContractStatus,
    DisputeResolution,
    MilestoneStatus,
    ProjectStatus,
)
from storage.models import Contract, Reminder
from tests.harness import Harness

REASON = "Nothing usable was delivered to me."


async def sweep(h: Harness, batch: int = 100) -> SweepReport:
    async with h.tx() as m:
        return await m.timers.sweep(batch)


def counts(report: SweepReport) -> dict[str, int]:
    """What the sweep did, by counter (zeros left out)."""
    assert report.failures == [], report.failures
    return {k: v for k, v in vars(report).items() if k != "failures" and v}


def told(h: Harness, kind: str) -> list[tuple[tuple[int, ...], dict[str, Any]]]:
    return [(e.recipients, e.to_payload()) for e in h.events if e.kind == kind]


async def project_status(h: Harness, pid: int) -> ProjectStatus:
    async with h.tx() as m:
        return (await m.projects.get(pid)).status


async def titles_found(h: Harness, query: str) -> list[str]:
    async with h.tx() as m:
        return [p.title for p in (await m.projects.search(query)).items]


# --- 1. bidding ends ------------------------------------------------------------------


async def bidding_project(h: Harness) -> tuple[Actor, Actor, Actor, int, int, int]:
    """Erin's project with bids from Frank and Grace."""
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    pid = await h.open_project(erin)
    frank_bid = await h.bid(frank, pid, amount=40_000)
    grace_bid = await h.bid(grace, pid, amount=25_000)
    return erin, frank, grace, pid, frank_bid, grace_bid


async def test_when_bidding_ends_with_bids_the_employer_is_asked_to_award_once(
    h: Harness,
) -> None:
    erin, _, _, pid, _, _ = await bidding_project(h)
    h.clock.advance(h.settings.bidding_window - timedelta(seconds=1))
    assert counts(await sweep(h)) == {}
    h.clock.advance(seconds=1)
    assert counts(await sweep(h)) == {"bidding_ended": 1}
    assert await project_status(h, pid) is ProjectStatus.BIDDING_ENDED
    async with h.tx() as m:
        project = await m.projects.get(pid)
    assert project.award_by == h.clock.now() + h.settings.award_decision_window
    assert project.ended_at is None
    assert told(h, "project.bidding_ended") == [((erin.user_id,), {"project_id": pid, "bids": 2})]
    assert counts(await sweep(h)) == {}
    h.clock.advance(h.settings.award_decision_window - timedelta(seconds=1))
    assert counts(await sweep(h)) == {}
    assert len(told(h, "project.bidding_ended")) == 1
    assert told(h, "project.closed") == []


async def test_past_its_bidding_window_a_project_is_not_listed_and_takes_no_bids(
    h: Harness,
) -> None:
    erin, frank, _, pid, frank_bid, _ = await bidding_project(h)
    late = await h.freelancer("Lena")
    assert await titles_found(h, "telegram") == ["Build a Telegram bot for my shop"]
    h.clock.advance(h.settings.bidding_window)
    for _ in range(2):  # before the sweep noticed, and after
        assert await titles_found(h, "telegram") == []
        async with h.tx() as m:
            assert (await m.projects.view(pid)).taking_bids is False
        error = await h.refused(
            lambda m: m.bids.place(late, pid, amount=20_000, delivery_days=3, proposal="p" * 30),
            "project.not_open",
        )
        assert error.details == {"reason": "choosing"}  # bidding is over, the choice is not
        await h.refused(lambda m: m.bids.edit(frank, frank_bid, amount=35_000), "project.not_open")
        await h.refused(lambda m: m.bids.retract(frank, frank_bid), "project.not_open")
        await h.refused(lambda m: m.bids.eligibility(late, pid), "project.not_open")
        await sweep(h)
    await h.refused(
        lambda m: m.projects.edit(erin, pid, title="A new title for it"), "project.not_editable"
    )


async def test_the_employer_awards_from_the_decision_window_and_it_is_hired(h: Harness) -> None:
    erin, frank, grace, pid, frank_bid, grace_bid = await bidding_project(h)
    h.clock.advance(h.settings.bidding_window)
    await sweep(h)
    h.clock.advance(days=3)
    async with h.tx() as m:
        award = await m.awards.offer(erin, grace_bid)
    assert await project_status(h, pid) is ProjectStatus.AWARDED
    async with h.tx() as m:
        await m.awards.accept(grace, award.id)
    assert await project_status(h, pid) is ProjectStatus.IN_PROGRESS
    async with h.tx() as m:
        assert (await m.bids.get(frank_bid)).status is BidStatus.CLOSED
    assert told(h, "project.awarded_to_other") == [((frank.user_id,), {"project_id": pid})]
    h.clock.advance(days=30)
    assert counts(await sweep(h)) == {}
    assert await project_status(h, pid) is ProjectStatus.IN_PROGRESS


async def test_after_a_lapsed_offer_the_employer_may_award_another_bidder(h: Harness) -> None:
    erin, frank, grace, pid, frank_bid, grace_bid = await bidding_project(h)
    h.clock.advance(h.settings.bidding_window)
    await sweep(h)
    h.clock.advance(h.settings.award_decision_window - timedelta(hours=1))
    async with h.tx() as m:
        await m.awards.offer(erin, frank_bid)
    # The decision window ends while the offer is pending: nothing closes.
    h.clock.advance(hours=2)
    assert counts(await sweep(h)) == {}
    assert await project_status(h, pid) is ProjectStatus.AWARDED
    # Frank never answers: the offer lapses, and Erin gets time to pick someone else.
    h.clock.advance(h.settings.award_acceptance_window)
    assert counts(await sweep(h)) == {"awards_lapsed": 1}
    async with h.tx() as m:
        project = await m.projects.get(pid)
    assert project.status is ProjectStatus.BIDDING_ENDED
    assert project.award_by == h.clock.now() + h.settings.award_acceptance_window
    await h.refused(
        lambda m: m.bids.place(
            frank, pid, amount=20_000, delivery_days=3, proposal="Another try at it, please."
        ),
        "project.not_open",
    )
    async with h.tx() as m:
        award = await m.awards.offer(erin, grace_bid)
    async with h.tx() as m:
        await m.awards.accept(grace, award.id)
    assert await project_status(h, pid) is ProjectStatus.IN_PROGRESS


async def test_when_the_decision_window_ends_unawarded_the_project_closes_once(
    h: Harness,
) -> None:
    erin, frank, grace, pid, frank_bid, grace_bid = await bidding_project(h)
    h.clock.advance(h.settings.bidding_window)
    await sweep(h)
    h.clock.advance(h.settings.award_decision_window - timedelta(seconds=1))
    assert counts(await sweep(h)) == {}
    h.clock.advance(seconds=1)
    assert counts(await sweep(h)) == {"projects_closed": 1}
    async with h.tx() as m:
        project = await m.projects.get(pid)
        bids = [(await m.bids.get(b)).status for b in (frank_bid, grace_bid)]
    assert (project.status, project.ended_at) == (ProjectStatus.CLOSED, h.clock.now())
    assert bids == [BidStatus.CLOSED, BidStatus.CLOSED]
    assert told(h, "project.closed") == [
        (
            (erin.user_id, frank.user_id, grace.user_id),
            {"project_id": pid, "reason": "not_awarded"},
        )
    ]
    await h.refused(lambda m: m.awards.offer(erin, grace_bid), "project.not_open")
    assert counts(await sweep(h)) == {}
    assert len(told(h, "project.closed")) == 1


async def test_a_project_without_bids_closes_when_bidding_ends(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    retracted = await h.bid(frank, pid)
    async with h.tx() as m:
        await m.bids.retract(frank, retracted)
    h.clock.advance(h.settings.bidding_window - timedelta(seconds=1))
    assert counts(await sweep(h)) == {}
    h.clock.advance(seconds=1)
    assert counts(await sweep(h)) == {"projects_closed": 1}
    assert await project_status(h, pid) is ProjectStatus.CLOSED
    # only the employer is told (a retracted bidder is not a bidder any more)
    assert told(h, "project.closed") == [
        ((erin.user_id,), {"project_id": pid, "reason": "no_bids"})
    ]
    assert told(h, "project.bidding_ended") == []
    assert counts(await sweep(h)) == {}


async def test_back_after_both_windows_passed_the_project_simply_closes(h: Harness) -> None:
    erin, frank, grace, _pid, _, _ = await bidding_project(h)
    h.clock.advance(
        h.settings.bidding_window + h.settings.award_decision_window + timedelta(days=3)
    )
    assert counts(await sweep(h)) == {"projects_closed": 1}
    assert told(h, "project.bidding_ended") == []  # no "award one" that could not be acted on
    [(to, data)] = told(h, "project.closed")
    assert set(to) == {erin.user_id, frank.user_id, grace.user_id}
    assert data["reason"] == "not_awarded"


async def test_a_declined_offer_with_nobody_left_closes_the_project(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    h.clock.advance(h.settings.bidding_window)
    await sweep(h)
    async with h.tx() as m:
        award = await m.awards.offer(erin, bid_id)
    async with h.tx() as m:
        await m.awards.decline(frank, award.id)
    assert await project_status(h, pid) is ProjectStatus.BIDDING_ENDED
    assert counts(await sweep(h)) == {"projects_closed": 1}
    assert told(h, "project.closed")[-1] == (
        (erin.user_id,),
        {"project_id": pid, "reason": "nobody_left"},
    )


async def test_the_employer_can_cancel_while_deciding(h: Harness) -> None:
    erin, _frank, _grace, pid, _, _ = await bidding_project(h)
    h.clock.advance(h.settings.bidding_window)
    await sweep(h)
    async with h.tx() as m:
        await m.projects.cancel(erin, pid)
    assert await project_status(h, pid) is ProjectStatus.CANCELLED
    h.clock.advance(h.settings.award_decision_window)
    assert counts(await sweep(h)) == {}
    assert told(h, "project.closed") == []


# --- 2. milestone due dates -----------------------------------------------------------


async def due_milestone(
    h: Harness, days: float = 5, *, fund: bool = True
) -> tuple[Actor, Actor, Contract, int, datetime]:
    """A funded milestone due ``days`` from now."""
    employer, freelancer, contract = await h.hire()
    due_at = h.clock.now() + timedelta(days=days)
    async with h.tx() as m:
        ms = await m.milestones.create(
            employer, contract.id, description="First part", amount=10_000, due_at=due_at
        )
    if fund:
        async with h.tx() as m:
            await m.milestones.start_funding(employer, ms.id, "sandbox")
    return employer, freelancer, contract, ms.id, due_at


def reminders(h: Harness) -> list[tuple[str, tuple[int, ...], dict[str, Any]]]:
    kinds = (
        "milestone.due_soon",
        "milestone.due_now",
        "milestone.overdue",
        "milestone.auto_release_soon",
    )
    return [(e.kind, e.recipients, e.to_payload()) for e in h.events if e.kind in kinds]


async def test_due_reminders_come_at_their_moments_and_once(h: Harness) -> None:
    employer, freelancer, _, mid, due_at = await due_milestone(h)
    f, both = (freelancer.user_id,), (freelancer.user_id, employer.user_id)
    moments = [
        (due_at - h.settings.due_reminder_before, "milestone.due_soon", f, {}),
        (due_at, "milestone.due_now", f, {}),
        *[
            (
                due_at + h.settings.overdue_reminder_interval * n,
                "milestone.overdue",
                both,
                {"notice": n, "notices": 3},
            )
            for n in (1, 2, 3)
        ],
    ]
    expected = []
    for moment, kind, to, extra in moments:
        h.clock.set(moment - timedelta(seconds=1))
        assert counts(await sweep(h)) == {}
        h.clock.set(moment)
        assert counts(await sweep(h)) == {"due_reminders": 1}
        assert counts(await sweep(h)) == {}
        expected.append((kind, to, {"milestone_id": mid, **extra}))
        assert reminders(h) == expected
    h.clock.advance(days=60)  # never spammy: three overdue notices at most
    assert counts(await sweep(h)) == {}
    assert len(reminders(h)) == 5


async def test_back_after_a_long_pause_only_the_latest_reminder_is_sent(h: Harness) -> None:
    employer, freelancer, _, mid, due_at = await due_milestone(h)
    # down from before "due soon" until two days after the due date
    h.clock.set(due_at + timedelta(days=2, hours=1))
    assert counts(await sweep(h)) == {"due_reminders": 1}
    assert reminders(h) == [
        (
            "milestone.overdue",
            (freelancer.user_id, employer.user_id),
            {"milestone_id": mid, "notice": 2, "notices": 3},
        )
    ]
    assert counts(await sweep(h)) == {}
    # the later stage still comes, once
    h.clock.set(due_at + timedelta(days=3) - timedelta(seconds=1))
    assert counts(await sweep(h)) == {}
    h.clock.set(due_at + timedelta(days=3))
    assert counts(await sweep(h)) == {"due_reminders": 1}
    assert reminders(h)[-1][2] == {"milestone_id": mid, "notice": 3, "notices": 3}
    h.clock.advance(days=10)
    assert counts(await sweep(h)) == {}
    assert len(reminders(h)) == 2


async def test_back_long_after_every_stage_one_last_overdue_notice(h: Harness) -> None:
    _, _, _, mid, due_at = await due_milestone(h)
    h.clock.set(due_at + timedelta(days=40))
    assert counts(await sweep(h)) == {"due_reminders": 1}
    assert [(k, d) for k, _, d in reminders(h)] == [
        ("milestone.overdue", {"milestone_id": mid, "notice": 3, "notices": 3})
    ]
    assert counts(await sweep(h)) == {}


async def test_a_stage_before_the_funding_is_recorded_but_not_announced(h: Harness) -> None:
    employer, _freelancer, contract = await h.hire()
    due_at = h.clock.now() + timedelta(hours=10)  # "due in 24 h" was already past
    async with h.tx() as m:
        ms = await m.milestones.create(
            employer, contract.id, description="Quick fix", amount=10_000, due_at=due_at
        )
    async with h.tx() as m:
        await m.milestones.start_funding(employer, ms.id, "sandbox")
    assert counts(await sweep(h)) == {}
    assert reminders(h) == []
    async with h.tx() as m:
        rows = await m.ctx.uow.reminders.of("milestone", ms.id)
    assert [(r.kind, r.seq, r.announced) for r in rows] == [("due", 0, False)]
    h.clock.set(due_at)
    assert counts(await sweep(h)) == {"due_reminders": 1}
    assert [k for k, _, _ in reminders(h)] == ["milestone.due_now"]


async def test_an_unfunded_milestone_gets_no_due_reminders(h: Harness) -> None:
    _, _, _, _, due_at = await due_milestone(h, fund=False)
    for moment in (due_at - timedelta(hours=1), due_at, due_at + timedelta(days=5)):
        h.clock.set(moment)
        assert counts(await sweep(h)) == {}
    assert reminders(h) == []


@pytest.mark.parametrize("ending", ["delivered", "cancelled", "disputed", "released"])
async def test_due_reminders_stop_when_the_milestone_moves_on(h: Harness, ending: str) -> None:
    employer, freelancer, _, mid, due_at = await due_milestone(h)
    h.clock.set(due_at - h.settings.due_reminder_before)
    assert counts(await sweep(h)) == {"due_reminders": 1}
    async with h.tx() as m:
        if ending == "delivered":
            await m.milestones.deliver(freelancer, mid, "Done")
        elif ending == "cancelled":
            await m.milestones.cancel(freelancer, mid)
        elif ending == "disputed":
            await m.disputes.open(
                employer, mid, deliverables=[0], reason=REASON, claimed_amount=10_000
            )
        else:
            await m.milestones.release(employer, mid)
    for moment in (due_at, due_at + timedelta(days=1), due_at + timedelta(days=3)):
        h.clock.set(moment)
        await sweep(h)
    assert [k for k, _, _ in reminders(h) if k != "milestone.auto_release_soon"] == [
        "milestone.due_soon"
    ]


async def test_nothing_after_a_dispute_is_resolved(h: Harness) -> None:
    employer, _freelancer, _, mid, due_at = await due_milestone(h)
    admin = await h.admin()
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, mid, deliverables=[0], reason=REASON, claimed_amount=10_000
        )
    async with h.tx() as m:
        await m.disputes.resolve(
            admin, d.id, DisputeResolution.REFUND, note="No work was delivered."
        )
    assert (await h.get_milestone(mid)).status is MilestoneStatus.REFUNDED
    h.clock.set(due_at + timedelta(days=2))
    assert counts(await sweep(h)) == {}
    assert reminders(h) == []


async def test_reminders_resume_after_changes_are_requested_without_repeats(h: Harness) -> None:
    employer, freelancer, _, mid, due_at = await due_milestone(h)
    h.clock.set(due_at - timedelta(hours=20))
    assert counts(await sweep(h)) == {"due_reminders": 1}  # due soon
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, mid, "Done")
    h.clock.set(due_at - timedelta(hours=2))
    async with h.tx() as m:
        await m.milestones.request_changes(employer, mid, "The totals are wrong.")
    assert counts(await sweep(h)) == {}  # "due soon" was said already
    h.clock.set(due_at)
    assert counts(await sweep(h)) == {"due_reminders": 1}
    assert [k for k, _, _ in reminders(h)] == ["milestone.due_soon", "milestone.due_now"]


async def test_reminder_windows_are_configurable(h: Harness) -> None:
    h.settings = h.settings.model_copy(
        update={
            "due_reminder_before": timedelta(hours=2),
            "overdue_reminder_interval": timedelta(hours=6),
            "overdue_reminder_max": 1,
        }
    )
    _, _, _, _, due_at = await due_milestone(h)
    h.clock.set(due_at - timedelta(hours=3))
    assert counts(await sweep(h)) == {}
    h.clock.set(due_at - timedelta(hours=2))
    assert counts(await sweep(h)) == {"due_reminders": 1}
    h.clock.set(due_at + timedelta(hours=6))
    assert counts(await sweep(h)) == {"due_reminders": 1}
    assert reminders(h)[-1][2]["notices"] == 1
    h.clock.set(due_at + timedelta(hours=12))
    assert counts(await sweep(h)) == {}


def test_reminder_settings_from_the_environment() -> None:
    s = load_settings(_env_file=None, auto_release_reminders="PT24H, PT72H,3600")
    assert s.auto_release_reminders == (
        timedelta(hours=72),
        timedelta(hours=24),
        timedelta(hours=1),
    )
    assert load_settings(_env_file=None, auto_release_reminders="").auto_release_reminders == ()
    with pytest.raises(Exception, match="AUTO_RELEASE_REMINDERS"):
        load_settings(_env_file=None, delivery_review_window="P1D")
    with pytest.raises(Exception, match="OVERDUE_REMINDER_MAX"):
        load_settings(_env_file=None, overdue_reminder_max="-1")
    with pytest.raises(Exception, match="AWARD_DECISION_WINDOW"):
        load_settings(_env_file=None, award_decision_window="0")


# --- 3. a delivery the employer leaves unanswered ----------------------------------------


async def delivered(h: Harness) -> tuple[Actor, Actor, int, datetime]:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        done = await m.milestones.deliver(freelancer, ms.id, "Done")
    assert done.auto_release_at is not None
    return employer, freelancer, ms.id, done.auto_release_at


async def test_the_employer_is_reminded_before_silence_releases_the_money(h: Harness) -> None:
    employer, freelancer, mid, release_at = await delivered(h)
    for before in h.settings.auto_release_reminders:  # 48 h, then 24 h
        h.clock.set(release_at - before - timedelta(seconds=1))
        assert counts(await sweep(h)) == {}
        h.clock.set(release_at - before)
        assert counts(await sweep(h)) == {"auto_release_reminders": 1}
        assert counts(await sweep(h)) == {}
    assert (
        reminders(h)
        == [("milestone.auto_release_soon", (employer.user_id,), {"milestone_id": mid})] * 2
    )
    h.clock.set(release_at - timedelta(seconds=1))
    assert counts(await sweep(h)) == {}
    h.clock.set(release_at)
    assert counts(await sweep(h)) == {"milestones_auto_released": 1}
    [(to, data)] = told(h, "milestone.auto_released")
    assert to == (freelancer.user_id, employer.user_id)
    assert data == {
        "milestone_id": mid,
        "amount": 10_000,
        "fee": 1_000,
        "paid_to_freelancer": 9_000,
    }
    h.clock.advance(days=5)
    assert counts(await sweep(h)) == {}
    assert len(reminders(h)) == 2


async def test_back_an_hour_before_the_release_one_reminder_only(h: Harness) -> None:
    _, _, _, release_at = await delivered(h)
    h.clock.set(release_at - timedelta(hours=1))
    assert counts(await sweep(h)) == {"auto_release_reminders": 1}
    assert counts(await sweep(h)) == {}
    h.clock.set(release_at + timedelta(days=3))  # and back after the moment: released, no reminder
    assert counts(await sweep(h)) == {"milestones_auto_released": 1}
    assert len(reminders(h)) == 1


@pytest.mark.parametrize("answer", ["released", "changes", "disputed"])
async def test_an_answered_delivery_gets_no_more_reminders(h: Harness, answer: str) -> None:
    employer, _, mid, release_at = await delivered(h)
    h.clock.set(release_at - timedelta(hours=48))
    assert counts(await sweep(h)) == {"auto_release_reminders": 1}
    async with h.tx() as m:
        if answer == "released":
            await m.milestones.release(employer, mid)
        elif answer == "changes":
            await m.milestones.request_changes(employer, mid, "Please fix the totals.")
        else:
            await m.disputes.open(
                employer, mid, deliverables=[0], reason=REASON, claimed_amount=10_000
            )
    h.clock.set(release_at - timedelta(hours=24))
    assert counts(await sweep(h)) == {}
    assert len(reminders(h)) == 1


async def test_a_second_delivery_has_its_own_reminders(h: Harness) -> None:
    employer, freelancer, mid, release_at = await delivered(h)
    h.clock.set(release_at - timedelta(hours=24))
    assert counts(await sweep(h)) == {"auto_release_reminders": 1}
    async with h.tx() as m:
        await m.milestones.request_changes(employer, mid, "Please fix the totals.")
    async with h.tx() as m:
        again = await m.milestones.deliver(freelancer, mid, "Fixed")
    assert again.auto_release_at is not None
    h.clock.set(again.auto_release_at - timedelta(hours=48))
    assert counts(await sweep(h)) == {"auto_release_reminders": 1}
    assert len(reminders(h)) == 2


# --- 4. reviews are published ---------------------------------------------------------------


async def completed(h: Harness) -> tuple[Actor, Actor, Contract]:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        contract = await m.contracts.end(employer, contract.id)
    assert contract.status is ContractStatus.COMPLETED and contract.ended_at is not None
    return employer, freelancer, contract


async def published_at(h: Harness, contract_id: int) -> datetime | None:
    async with h.tx() as m:
        contract = await m.ctx.uow.contracts.get(contract_id)
        assert contract is not None
        return contract.reviews_published_at


async def test_when_both_have_written_reviews_are_published_at_once(h: Harness) -> None:
    employer, freelancer, contract = await completed(h)
    async with h.tx() as m:
        await m.reviews.write(employer, contract.id, 5, "Fast and careful work.")
    assert told(h, "review.written") == [((freelancer.user_id,), {"contract_id": contract.id})]
    h.clock.advance(days=1)
    async with h.tx() as m:
        await m.reviews.write(freelancer, contract.id, 4, "Clear brief, paid on time.")
    # each side is told once that the reviews are out; no "review written" on top: the
    # freelancer, who wrote second, in the reply to publishing it, the employer by an alert
    assert len(told(h, "review.written")) == 1
    assert told(h, "reviews.published") == [((employer.user_id,), {"contract_id": contract.id})]
    assert await published_at(h, contract.id) == h.clock.now()
    h.clock.advance(h.settings.review_window)
    assert counts(await sweep(h)) == {}
    assert len(told(h, "reviews.published")) == 1


async def test_when_the_window_closes_a_lone_review_is_published_once(h: Harness) -> None:
    employer, freelancer, contract = await completed(h)
    async with h.tx() as m:
        await m.reviews.write(freelancer, contract.id, 2, "Slow to answer.")
    assert contract.ended_at is not None
    h.clock.set(contract.ended_at + h.settings.review_window - timedelta(seconds=1))
    assert counts(await sweep(h)) == {}
    async with h.tx() as m:
        assert (await m.reviews.for_contract(employer, contract.id)).theirs is None
    h.clock.set(contract.ended_at + h.settings.review_window)
    assert counts(await sweep(h)) == {"reviews_published": 1}
    assert told(h, "reviews.published") == [
        ((employer.user_id, freelancer.user_id), {"contract_id": contract.id})
    ]
    async with h.tx() as m:
        view = await m.reviews.for_contract(employer, contract.id)
    assert view.theirs is not None and view.theirs.text == "Slow to answer."
    assert counts(await sweep(h)) == {}
    h.clock.advance(days=30)
    assert counts(await sweep(h)) == {}
    assert len(told(h, "reviews.published")) == 1


async def test_nobody_is_told_when_nobody_reviewed(h: Harness) -> None:
    _, _, contract = await completed(h)
    assert contract.ended_at is not None
    h.clock.set(contract.ended_at + h.settings.review_window)
    assert counts(await sweep(h)) == {}
    assert told(h, "reviews.published") == []
    assert await published_at(h, contract.id) == h.clock.now()  # the window is settled


async def test_a_contract_where_nothing_was_funded_has_no_reviews_to_publish(h: Harness) -> None:
    employer, _, contract = await h.hire()
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    h.clock.advance(h.settings.review_window + timedelta(days=1))
    assert counts(await sweep(h)) == {}
    # the window is marked closed, silently: nobody could write, nobody is told
    assert await published_at(h, contract.id) is not None
    assert not [e for e in h.events if e.kind == "reviews.published"]


async def test_reviews_of_a_refunded_contract_are_published_when_the_window_closes(
    h: Harness,
) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)  # refunded in full
    async with h.tx() as m:
        ended = await m.contracts.end(employer, contract.id)
    assert ended.status is ContractStatus.CANCELLED
    async with h.tx() as m:
        await m.reviews.write(employer, contract.id, 3, "Honest about not finishing.")
    h.clock.advance(h.settings.review_window)
    assert counts(await sweep(h)) == {"reviews_published": 1}
    assert await published_at(h, contract.id) == h.clock.now()


# --- 5. once only, isolated, batched ----------------------------------------------------------


async def test_a_failing_reminder_does_not_hold_up_the_others(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    employer, _freelancer, contract = await h.hire()
    due_at = h.clock.now() + timedelta(days=3)
    ids = []
    for _ in range(2):
        async with h.tx() as m:
            ms = await m.milestones.create(
                employer, contract.id, description="A part", amount=10_000, due_at=due_at
            )
        async with h.tx() as m:
            await m.milestones.start_funding(employer, ms.id, "sandbox")
        ids.append(ms.id)
    original = ReminderService.remind_if_due

    async def flaky(self: ReminderService, schedule: Any, milestone_id: int) -> bool:
        if milestone_id == ids[0]:
            raise RuntimeError("storage hiccup")
        return await original(self, schedule, milestone_id)

    monkeypatch.setattr(ReminderService, "remind_if_due", flaky)
    h.clock.set(due_at)
    report = await sweep(h)
    assert report.due_reminders == 1
    assert len(report.failures) == 1 and f"milestone {ids[0]}" in report.failures[0]
    monkeypatch.setattr(ReminderService, "remind_if_due", original)
    assert counts(await sweep(h)) == {"due_reminders": 1}  # the one that failed, now
    assert counts(await sweep(h)) == {}
    assert sorted(d["milestone_id"] for _, _, d in reminders(h)) == sorted(ids)


async def test_reminders_go_in_batches_and_waiting_ones_do_not_block_a_batch(
    h: Harness,
) -> None:
    employer, _freelancer, contract = await h.hire()
    start = h.clock.now()
    ids = []
    for n in range(5):
        due_at = start + timedelta(days=2, hours=n)
        async with h.tx() as m:
            ms = await m.milestones.create(
                employer, contract.id, description=f"Part {n}", amount=10_000, due_at=due_at
            )
        async with h.tx() as m:
            await m.milestones.start_funding(employer, ms.id, "sandbox")
        ids.append(ms.id)
    h.clock.set(start + timedelta(days=2))  # every "due soon" reached, the first due now
    assert (await sweep(h, batch=2)).due_reminders == 2
    assert (await sweep(h, batch=2)).due_reminders == 2
    assert (await sweep(h, batch=2)).due_reminders == 1
    assert (await sweep(h, batch=2)).due_reminders == 0
    async with h.db.uow() as uow:
        rows = (await uow.session.execute(select(func.count(Reminder.id)))).scalar_one()
    assert rows == 5
    # those already reminded wait for their next stage without taking a batch's place
    h.clock.set(start + timedelta(days=2, hours=4))
    assert (await sweep(h, batch=1)).due_reminders == 1
    assert (await sweep(h, batch=1)).due_reminders == 1


async def test_a_reminder_stage_is_recorded_once_even_if_asked_twice(h: Harness) -> None:
    _, _, _, mid, due_at = await due_milestone(h)
    h.clock.set(due_at)
    async with h.tx() as m:
        service = ReminderService(m.ctx)
        schedule = service.due_schedule()
        assert await service.remind_if_due(schedule, mid)
        assert not await service.remind_if_due(schedule, mid)
    async with h.tx() as m:
        recorded = await m.ctx.uow.reminders.record(
            "milestone", mid, "due", due_at, 1, announced=True, now=h.clock.now()
        )
    assert recorded is False
    assert len(reminders(h)) == 1


async def test_awarding_after_the_decision_window_is_refused_before_the_sweep(
    h: Harness,
) -> None:
    erin, _, _, pid, frank_bid, _ = await bidding_project(h)
    h.clock.advance(h.settings.bidding_window)
    await sweep(h)
    h.clock.advance(h.settings.award_decision_window)
    error = await h.refused(lambda m: m.awards.offer(erin, frank_bid), "project.not_open")
    assert isinstance(error, InvalidState)
    assert await project_status(h, pid) is ProjectStatus.BIDDING_ENDED
