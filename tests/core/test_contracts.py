"""Contracts: how the agreement ends, and who may end it."""

from __future__ import annotations

import pytest

from core.actors import Actor
from storage.enums import ContractStatus, MilestoneStatus, ProjectStatus
from storage.models import Contract, Project
from tests.harness import Harness


async def project_of(h: Harness, contract: Contract) -> Project:
    async with h.tx() as m:
        return await m.projects.get(contract.project_id)


async def contract_now(h: Harness, actor: Actor, contract_id: int) -> Contract:
    async with h.tx() as m:
        return await m.contracts.get(actor, contract_id)


async def test_a_new_contract_is_active_and_the_project_in_progress(h: Harness) -> None:
    employer, freelancer, contract = await h.hire(amount=30_000)
    assert contract.status is ContractStatus.ACTIVE
    assert (contract.employer_id, contract.freelancer_id) == (employer.user_id, freelancer.user_id)
    assert contract.agreed_amount == 30_000
    assert (await project_of(h, contract)).status is ProjectStatus.IN_PROGRESS
    async with h.tx() as m:
        assert [c.id for c in await m.contracts.of_user(employer)] == [contract.id]
        assert [c.id for c in await m.contracts.of_user(freelancer)] == [contract.id]
        assert (await m.contracts.for_project(contract.project_id)).id == contract.id


async def test_a_contract_cannot_end_while_money_is_in_escrow(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    for actor in (employer, freelancer):
        await h.refused(
            lambda m, a=actor: m.contracts.end(a, contract.id), "contract.money_in_escrow"
        )
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Done")
    await h.refused(lambda m: m.contracts.end(employer, contract.id), "contract.money_in_escrow")
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 1_000)  # part paid, the rest still held
    await h.refused(lambda m: m.contracts.end(employer, contract.id), "contract.money_in_escrow")


async def test_a_contract_with_a_dispute_cannot_end(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.disputes.open(
            employer,
            ms.id,
            deliverables=[0],
            reason="Nothing was delivered at all",
            claimed_amount=ms.amount,
        )
    await h.refused(lambda m: m.contracts.end(employer, contract.id), "contract.money_in_escrow")


async def test_a_contract_with_money_paid_ends_completed(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    h.clock.advance(days=1)
    async with h.tx() as m:
        ended = await m.contracts.end(employer, contract.id)
    assert ended.status is ContractStatus.COMPLETED
    assert ended.ended_at == h.clock.now()
    project = await project_of(h, contract)
    assert project.status is ProjectStatus.COMPLETED
    assert project.ended_at == h.clock.now()
    event = h.events[-1]
    assert event.kind == "contract.completed"
    assert event.recipients == (freelancer.user_id,)
    assert event.to_payload() == {"contract_id": contract.id, "project_id": contract.project_id}
    await h.check_books()


async def test_partly_paid_then_refunded_still_counts_as_completed(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, 2_000)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)
    async with h.tx() as m:
        ended = await m.contracts.end(freelancer, contract.id)
    assert ended.status is ContractStatus.COMPLETED
    assert h.events[-1].recipients == (employer.user_id,)
    await h.check_books()


async def test_a_contract_where_nothing_was_paid_ends_cancelled(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.cancel(freelancer, ms.id)  # all of it refunded
    async with h.tx() as m:
        ended = await m.contracts.end(freelancer, contract.id)
    assert ended.status is ContractStatus.CANCELLED
    assert (await project_of(h, contract)).status is ProjectStatus.CANCELLED
    assert h.events[-1].kind == "contract.cancelled"
    assert h.events[-1].recipients == (employer.user_id,)
    await h.check_books()


async def test_a_contract_without_milestones_ends_cancelled(h: Harness) -> None:
    employer, _, contract = await h.hire()
    async with h.tx() as m:
        ended = await m.contracts.end(employer, contract.id)
    assert ended.status is ContractStatus.CANCELLED
    assert (await project_of(h, contract)).status is ProjectStatus.CANCELLED


async def test_ending_a_contract_withdraws_unfunded_milestones_and_requests(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    paid = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.release(employer, paid.id)
    pending = await h.milestone(employer, contract.id, fund=False)
    async with h.tx() as m:
        requested = await m.milestones.request(
            freelancer, contract.id, description="Extra", amount=500
        )
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    assert (await h.get_milestone(pending.id)).status is MilestoneStatus.CANCELLED
    assert (await h.get_milestone(requested.id)).status is MilestoneStatus.CANCELLED
    assert (await h.get_milestone(pending.id)).closed_at == h.clock.now()
    assert (await h.get_milestone(paid.id)).status is MilestoneStatus.RELEASED


async def test_only_the_parties_end_a_contract(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    stranger = await h.user("Stella")
    admin = await h.admin()
    await h.refused(lambda m: m.contracts.end(stranger, contract.id), "contract.not_party")
    await h.refused(lambda m: m.contracts.end(admin, contract.id), "contract.not_party")
    await h.refused(lambda m: m.contracts.end(employer, 777_777), "contract.not_found")
    async with h.tx() as m:
        await m.users.ban(admin, freelancer.user_id, "Spam")
    await h.refused(lambda m: m.contracts.end(freelancer, contract.id), "user.banned")


async def test_a_contract_ends_once(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    for actor in (employer, freelancer):
        await h.refused(lambda m, a=actor: m.contracts.end(a, contract.id), "contract.ended")


@pytest.mark.parametrize("who", ["stranger", "admin"])
async def test_only_the_parties_and_admins_see_a_contract(h: Harness, who: str) -> None:
    _, _, contract = await h.hire()
    if who == "stranger":
        stranger = await h.user("Stella")
        await h.refused(lambda m: m.contracts.get(stranger, contract.id), "contract.not_party")
    else:
        admin = await h.admin()
        assert (await contract_now(h, admin, contract.id)).id == contract.id


# --- settled: nothing left but ending it ------------------------------------------------


def settled_events(h: Harness) -> list[tuple[int, ...]]:
    """Who was asked to end a contract, by each ``contract.settled`` so far."""
    return [e.recipients for e in h.events if e.kind == "contract.settled"]


async def test_the_release_that_pays_the_last_money_settles_the_contract_even_in_part(
    h: Harness,
) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        first = await m.milestones.release(employer, ms.id, 4_000)
        assert not await m.contracts.ready_to_end(employer, contract.id)
    assert not first.contract_settled and settled_events(h) == []
    async with h.tx() as m:
        last = await m.milestones.release(employer, ms.id, 6_000)  # a part: the rest of it
        assert await m.contracts.ready_to_end(freelancer, contract.id)
    assert last.contract_settled
    assert settled_events(h) == [(freelancer.user_id,)]  # the employer hears it in the reply


async def test_a_milestone_still_to_be_funded_keeps_the_contract_open_until_withdrawn(
    h: Harness,
) -> None:
    employer, freelancer, contract = await h.hire()
    paid = await h.milestone(employer, contract.id, 10_000)
    later = await h.milestone(employer, contract.id, 5_000, fund=False)
    async with h.tx() as m:
        result = await m.milestones.release(employer, paid.id)
    assert not result.contract_settled and settled_events(h) == []
    async with h.tx() as m:
        await m.milestones.cancel(employer, later.id)  # the planned work is dropped
    assert settled_events(h) == [(freelancer.user_id,)]


async def test_only_the_freelancer_asks_to_end_and_only_a_settled_contract(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    await h.refused(
        lambda m: m.contracts.ask_to_end(freelancer, contract.id), "contract.not_settled"
    )
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    await h.refused(
        lambda m: m.contracts.ask_to_end(employer, contract.id), "contract.freelancer_asks"
    )
    stranger = await h.user("Mallory")
    await h.refused(lambda m: m.contracts.ask_to_end(stranger, contract.id), "contract.not_party")
    async with h.tx() as m:
        await m.contracts.ask_to_end(freelancer, contract.id)
    asked = h.events[-1]
    assert (asked.kind, asked.recipients) == ("contract.end_requested", (employer.user_id,))
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    await h.refused(lambda m: m.contracts.ask_to_end(freelancer, contract.id), "contract.ended")
