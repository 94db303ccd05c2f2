"""Contracts: the agreement an accepted award creates, and how it ends."""

from __future__ import annotations

from core.actors import Actor
from core.context import Service, atomic
from core.errors import InvalidState, NotAllowed, NotFound
from storage.enums import (
    ContractEnding,
    ContractStatus,
    DisputeResolution,
    MilestoneStatus,
    ProjectStatus,
)
from storage.models import Contract

OPEN_MILESTONE = (MilestoneStatus.PENDING, MilestoneStatus.REQUESTED)
#: Resolutions an admin decided (not an agreement, not a respondent's silence).
VERDICTS = (DisputeResolution.RELEASE, DisputeResolution.REFUND, DisputeResolution.SPLIT)


class ContractService(Service):
    async def get(self, actor: Actor, contract_id: int) -> Contract:
        contract = await self.uow.contracts.get(contract_id)
        if contract is None:
            raise NotFound("contract.not_found", "This contract does not exist.")
        if (
            actor.user_id not in (contract.employer_id, contract.freelancer_id)
            and not actor.is_admin
        ):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        return contract

    async def for_project(self, project_id: int) -> Contract | None:
        return await self.uow.contracts.for_project(project_id)

    async def of_user(self, actor: Actor, limit: int = 10, offset: int = 0) -> list[Contract]:
        return await self.uow.contracts.of_user(actor.user_id, limit, offset)

    async def ending(self, contract: Contract) -> ContractEnding | None:
        """How an ended contract's money went: paid, split or refunded, and whether an
        admin's verdict decided any of it. None while it runs, or when nothing was ever
        funded (no work was at stake, so there is nothing to review)."""
        if contract.status is ContractStatus.ACTIVE:
            return None
        milestones = await self.uow.milestones.for_contract(contract.id)
        released = sum(m.released_amount for m in milestones)
        refunded = sum(m.refunded_amount for m in milestones)
        if not released and not refunded:
            return None
        disputes = await self.uow.disputes.for_contract(contract.id)
        verdict = any(d.resolution in VERDICTS for d in disputes)
        money = "refunded" if not released else "split" if refunded else "paid"
        return ContractEnding(f"verdict_{money}" if verdict else money)

    @atomic
    async def end(self, actor: Actor, contract_id: int) -> Contract:
        """End a contract once no money is held: completed if anything was paid, else cancelled.

        Unfunded milestones and unanswered requests are withdrawn with it. Reviews
        open from here for the configured window.
        """
        await self.active_user(actor)
        contract = await self.uow.contracts.lock(contract_id)
        if contract is None:
            raise NotFound("contract.not_found", "This contract does not exist.")
        if actor.user_id not in (contract.employer_id, contract.freelancer_id):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        if contract.status is not ContractStatus.ACTIVE:
            raise InvalidState("contract.ended", "This contract has already ended.")
        project = await self.uow.projects.lock(contract.project_id)
        milestones = await self.uow.milestones.lock_for_contract(contract.id)
        if any(m.escrow > 0 for m in milestones):
            raise InvalidState(
                "contract.money_in_escrow",
                "Money is still held in escrow: release it, cancel the milestone or settle "
                "the dispute first.",
            )
        now = self.now()
        for m in milestones:
            if m.status in OPEN_MILESTONE:
                m.status = MilestoneStatus.CANCELLED
                m.closed_at = now
        paid = sum(m.released_amount for m in milestones) > 0
        contract.status = ContractStatus.COMPLETED if paid else ContractStatus.CANCELLED
        contract.ended_at = now
        contract.ended_by_id = actor.user_id
        assert project is not None
        project.status = ProjectStatus.COMPLETED if paid else ProjectStatus.CANCELLED
        project.ended_at = now
        project.updated_at = now
        other = (
            contract.freelancer_id
            if actor.user_id == contract.employer_id
            else contract.employer_id
        )
        self.emit(
            f"contract.{contract.status.value}",
            [other],
            contract_id=contract.id,
            project_id=project.id,
        )
        return contract
