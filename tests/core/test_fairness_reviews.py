"""Fair by design, 7: every ending can be reviewed by both sides, refunds and verdicts
included, and each review says how the contract ended."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from core.actors import Actor
from storage.enums import ContractEnding, ContractStatus, DisputeResolution
from tests.harness import Harness

REASON = "The admin panel is not there at all."
Ending = Callable[[Harness, Actor, Actor, int], Awaitable[None]]


async def paid(h: Harness, employer: Actor, freelancer: Actor, ms_id: int) -> None:
    async with h.tx() as m:
        await m.milestones.release(employer, ms_id)


async def refunded(h: Harness, employer: Actor, freelancer: Actor, ms_id: int) -> None:
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms_id)


async def agreed_split(h: Harness, employer: Actor, freelancer: Actor, ms_id: int) -> None:
    async with h.tx() as m:
        d = await m.disputes.open(freelancer, ms_id, reason=REASON, claimed_amount=10_000)
    async with h.tx() as m:
        offer = await m.disputes.offer(employer, d.id, 5_000)
    async with h.tx() as m:
        await m.disputes.accept_offer(freelancer, offer.id)


def verdict(kind: DisputeResolution) -> Ending:
    async def decide(h: Harness, employer: Actor, freelancer: Actor, ms_id: int) -> None:
        async with h.tx() as m:
            d = await m.disputes.open(
                employer, ms_id, reason=REASON, claimed_amount=10_000, deliverables=[0]
            )
        admin = await h.admin()
        async with h.tx() as m:
            await m.disputes.resolve(admin, d.id, kind, release_amount=3_000)

    return decide


ENDINGS: dict[str, tuple[Ending, ContractEnding, ContractStatus]] = {
    "paid": (paid, ContractEnding.PAID, ContractStatus.COMPLETED),
    "refunded": (refunded, ContractEnding.REFUNDED, ContractStatus.CANCELLED),
    "split by agreement": (agreed_split, ContractEnding.SPLIT, ContractStatus.COMPLETED),
    "refund verdict": (
        verdict(DisputeResolution.REFUND),
        ContractEnding.VERDICT_REFUNDED,
        ContractStatus.CANCELLED,
    ),
    "split verdict": (
        verdict(DisputeResolution.SPLIT),
        ContractEnding.VERDICT_SPLIT,
        ContractStatus.COMPLETED,
    ),
    "release verdict": (
        verdict(DisputeResolution.RELEASE),
        ContractEnding.VERDICT_PAID,
        ContractStatus.COMPLETED,
    ),
}


@pytest.mark.parametrize("how", list(ENDINGS))
async def test_both_sides_review_after_every_ending_and_the_review_says_how_it_ended(
    h: Harness, how: str
) -> None:
    end, ending, status = ENDINGS[how]
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Everything we agreed")
    await end(h, employer, freelancer, ms.id)
    async with h.tx() as m:
        ended = await m.contracts.end(employer, contract.id)
    assert ended.status is status
    for author in (employer, freelancer):
        async with h.tx() as m:
            view = await m.reviews.for_contract(author, contract.id)
        assert view.can_write and view.ending is ending
        async with h.tx() as m:
            review = await m.reviews.write(author, contract.id, 2, "It ended as it ended.")
        assert review.ending is ending
    assert h.events[-1].kind == "reviews.published"  # both wrote: double-blind lifts


async def test_a_running_contract_has_no_ending_yet(h: Harness) -> None:
    employer, _, contract = await h.hire()
    async with h.tx() as m:
        running = await m.contracts.get(employer, contract.id)
        assert await m.contracts.ending(running) is None
