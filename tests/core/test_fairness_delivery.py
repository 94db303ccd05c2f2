"""Fair by design, 3: a delivery is a protected preview until money is released for its
milestone, however it is released; then it is handed over in full, once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from core.actors import Actor
from core.marketplace import Marketplace
from storage.enums import DisputeResolution, MilestoneStatus
from storage.models import Milestone
from tests.harness import Harness

REASON = "The admin panel is not there at all."


async def delivered(h: Harness, *, protected: bool = True) -> tuple[Actor, Actor, Actor, Milestone]:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.deliver(
            freelancer, ms.id, "Here it is", ["doc-1", "photo:pic-1"], protected=protected
        )
    return employer, freelancer, await h.admin(), await h.get_milestone(ms.id)


async def handed_over(h: Harness, employer: Actor, ms_id: int) -> int:
    """How often the delivery went to the employer again in full."""
    async with h.tx() as m:
        history = await m.milestones.history(employer, ms_id)
    events = [e for e in h.events if e.kind == "milestone.handed_over"]
    assert all(e.recipients == (employer.user_id,) for e in events)
    assert len(events) == sum(1 for ev in history if ev.kind == "handed_over")
    return len(events)


async def test_a_delivery_is_a_protected_preview_unless_the_freelancer_hands_it_over(
    h: Harness,
) -> None:
    employer, _, _, ms = await delivered(h)
    async with h.tx() as m:
        [*_, delivery] = await m.milestones.history(employer, ms.id)
    assert (delivery.kind, delivery.protected) == ("delivered", True)
    assert delivery.file_ids == ["doc-1", "photo:pic-1"]
    employer2, _, _, open_ms = await delivered(h, protected=False)
    async with h.tx() as m:
        [*_, delivery] = await m.milestones.history(employer2, open_ms.id)
    assert delivery.protected is False


async def release(h: Harness, e: Actor, f: Actor, a: Actor, ms: Milestone) -> None:
    async with h.tx() as m:
        await m.milestones.release(e, ms.id)


async def auto_release(h: Harness, e: Actor, f: Actor, a: Actor, ms: Milestone) -> None:
    h.clock.advance(h.settings.delivery_review_window)
    async with h.tx() as m:
        await m.timers.sweep()


async def accepted_split(h: Harness, e: Actor, f: Actor, a: Actor, ms: Milestone) -> None:
    d = await dispute(h, e, ms)
    async with h.tx() as m:
        offer = await m.disputes.offer(f, d, 6_000)
    async with h.tx() as m:
        await m.disputes.accept_offer(e, offer.id)


def verdict(kind: DisputeResolution) -> Callable[..., Awaitable[None]]:
    async def decide(h: Harness, e: Actor, f: Actor, a: Actor, ms: Milestone) -> None:
        d = await dispute(h, e, ms)
        async with h.tx() as m:
            await m.disputes.resolve(a, d, kind, release_amount=4_000)

    return decide


async def the_rest_cancelled(h: Harness, e: Actor, f: Actor, a: Actor, ms: Milestone) -> None:
    """Part released by the employer, the rest given back by the freelancer."""
    async with h.tx() as m:
        await m.milestones.release(e, ms.id, 7_000)
    assert await handed_over(h, e, ms.id) == 0  # part paid: the rest is still at stake
    async with h.tx() as m:
        await m.milestones.cancel(f, ms.id)


async def dispute(h: Harness, employer: Actor, ms: Milestone) -> int:
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=10_000, deliverables=[0]
        )
    return d.id


PAID = {
    "the employer releases it": release,
    "silence releases it": auto_release,
    "a split is accepted": accepted_split,
    "an admin releases it": verdict(DisputeResolution.RELEASE),
    "an admin splits it": verdict(DisputeResolution.SPLIT),
    "part released, the rest cancelled": the_rest_cancelled,
}


@pytest.mark.parametrize("how", list(PAID))
async def test_money_released_for_a_milestone_hands_its_delivery_over_in_full_once(
    h: Harness, how: str
) -> None:
    employer, freelancer, admin, ms = await delivered(h)
    assert await handed_over(h, employer, ms.id) == 0
    await PAID[how](h, employer, freelancer, admin, ms)
    ms = await h.get_milestone(ms.id)
    assert ms.status is MilestoneStatus.RELEASED
    assert await handed_over(h, employer, ms.id) == 1
    await h.check_books()


async def test_a_refund_keeps_the_delivery_protected(h: Harness) -> None:
    employer, freelancer, admin, ms = await delivered(h)
    await verdict(DisputeResolution.REFUND)(h, employer, freelancer, admin, ms)
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.REFUNDED
    assert await handed_over(h, employer, ms.id) == 0


async def test_a_delivery_handed_over_at_once_is_not_sent_again(h: Harness) -> None:
    employer, freelancer, admin, ms = await delivered(h, protected=False)
    await release(h, employer, freelancer, admin, ms)
    assert await handed_over(h, employer, ms.id) == 0


async def test_any_protected_delivery_of_the_milestone_is_handed_over(h: Harness) -> None:
    """A protected first version and an open second one: the first still goes in full."""
    employer, freelancer, _, ms = await delivered(h)
    async with h.tx() as m:
        await m.milestones.request_changes(employer, ms.id, "Add the admin panel")
    steps: list[Callable[[Marketplace], Awaitable[Any]]] = [
        lambda m: m.milestones.deliver(freelancer, ms.id, "With the panel", protected=False),
        lambda m: m.milestones.release(employer, ms.id),
    ]
    for step in steps:
        async with h.tx() as m:
            await step(m)
    assert await handed_over(h, employer, ms.id) == 1
