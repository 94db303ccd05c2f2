"""Fair by design, 2: change requests are capped by the revision rounds the terms include;
each names what to change and stops the release clock until the work comes again."""

from __future__ import annotations

from datetime import timedelta

from core.actors import Actor
from storage.enums import MilestoneStatus
from storage.models import Contract, Milestone
from tests.harness import Harness


async def delivered(h: Harness, rounds: int = 2) -> tuple[Actor, Actor, Contract, Milestone]:
    """A delivered milestone on a contract whose terms include ``rounds`` change rounds."""
    employer, freelancer, contract = await h.hire(revision_rounds=rounds)
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "First version", ["v1.zip"])
    return employer, freelancer, contract, await h.get_milestone(ms.id)


async def ask(h: Harness, employer: Actor, ms_id: int, note: str = "Make it blue") -> Milestone:
    async with h.tx() as m:
        return await m.milestones.request_changes(employer, ms_id, note)


async def redeliver(h: Harness, freelancer: Actor, ms_id: int) -> Milestone:
    async with h.tx() as m:
        return await m.milestones.deliver(freelancer, ms_id, "Changed as asked")


async def test_a_change_request_names_what_to_change(h: Harness) -> None:
    employer, _, _, ms = await delivered(h)
    await h.refused(
        lambda m: m.milestones.request_changes(employer, ms.id, "  "), "milestone.changes.empty"
    )
    asked = await ask(h, employer, ms.id, "The logo must be blue, not green")
    async with h.tx() as m:
        history = await m.milestones.history(employer, ms.id)
    assert history[-1].kind == "changes_requested"
    assert history[-1].note == "The logo must be blue, not green"
    assert asked.revisions_used == 1


async def test_a_change_request_pauses_auto_release_and_redelivery_starts_a_fresh_window(
    h: Harness,
) -> None:
    employer, freelancer, _, ms = await delivered(h)
    h.clock.advance(days=13)  # one day of review left
    asked = await ask(h, employer, ms.id)
    assert (asked.status, asked.auto_release_at) == (MilestoneStatus.FUNDED, None)
    h.clock.advance(days=30)  # however long the changes take, nothing is released
    async with h.tx() as m:
        assert (await m.timers.sweep()).milestones_auto_released == 0
    again = await redeliver(h, freelancer, ms.id)
    assert again.auto_release_at == h.clock.now() + h.settings.delivery_review_window
    h.clock.advance(h.settings.delivery_review_window)
    async with h.tx() as m:
        assert (await m.timers.sweep()).milestones_auto_released == 1
    assert await h.available(freelancer) == 9_000
    await h.check_books()


async def test_an_employer_cannot_ask_for_changes_past_the_included_rounds(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, rounds=2)
    for used in (1, 2):
        async with h.tx() as m:
            assert "request_changes" in await m.milestones.actions(employer, ms.id)
            assert "extra_milestone" not in await m.milestones.actions(employer, ms.id)
        assert (await ask(h, employer, ms.id)).revisions_used == used
        await redeliver(h, freelancer, ms.id)
    error = await h.refused(
        lambda m: m.milestones.request_changes(employer, ms.id, "One more thing"),
        "milestone.revisions_used",
    )
    assert error.details == {"rounds": 2}
    # The button is replaced: a new milestone for the extra work, or a dispute.
    async with h.tx() as m:
        offered = await m.milestones.actions(employer, ms.id)
    assert {"release", "extra_milestone", "dispute"} <= offered
    assert "request_changes" not in offered
    await h.refused(
        lambda m: m.milestones.check(employer, ms.id, "request_changes"), "milestone.revisions_used"
    )


async def test_no_included_rounds_means_no_change_requests(h: Harness) -> None:
    employer, _, _, ms = await delivered(h, rounds=0)
    await h.refused(
        lambda m: m.milestones.request_changes(employer, ms.id, "Tweak"), "milestone.revisions_used"
    )


async def test_each_milestone_has_its_own_rounds(h: Harness) -> None:
    employer, freelancer, contract, first = await delivered(h, rounds=1)
    await ask(h, employer, first.id)
    second = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, second.id, "Part two")
    assert (await ask(h, employer, second.id)).revisions_used == 1


async def test_past_the_cap_the_employer_pays_for_extra_work_as_a_new_milestone(
    h: Harness,
) -> None:
    employer, freelancer, contract, ms = await delivered(h, rounds=1)
    await h.refused(
        lambda m: m.milestones.create_extra(employer, ms.id, description="More", amount=5_000),
        "milestone.revisions_left",
    )
    await ask(h, employer, ms.id)
    await redeliver(h, freelancer, ms.id)
    await h.refused(
        lambda m: m.milestones.create_extra(freelancer, ms.id, description="More", amount=5_000),
        "milestone.employer_only",
    )
    async with h.tx() as m:
        extra = await m.milestones.create_extra(
            employer, ms.id, description="Two more pages", amount=5_000
        )
    assert (extra.contract_id, extra.status, extra.amount) == (
        contract.id,
        MilestoneStatus.PENDING,
        5_000,
    )
    assert h.events[-1].kind == "milestone.created"
    assert h.events[-1].recipients == (freelancer.user_id,)
    async with h.tx() as m:
        history = await m.milestones.history(employer, ms.id)
    assert (history[-1].kind, history[-1].note, history[-1].amount) == (
        "extra_milestone",
        "Two more pages",
        5_000,
    )
    # The delivered milestone itself still waits for an answer, and silence still pays.
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.DELIVERED


async def test_silence_past_the_cap_still_releases_the_delivery(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h, rounds=1)
    await ask(h, employer, ms.id)
    await redeliver(h, freelancer, ms.id)
    h.clock.advance(h.settings.delivery_review_window - timedelta(seconds=1))
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is None
    h.clock.advance(seconds=1)
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is not None
    assert await h.available(freelancer) == 9_000
    await h.check_books()
