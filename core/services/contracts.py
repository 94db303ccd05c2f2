"""Contracts: the agreement an accepted award creates, and how it ends."""

from __future__ import annotations

from collections.abc import Sequence

from core.actors import Actor
from core.context import Service, atomic
from core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from core.events.contracts import (
    ContractCancelled,
    ContractCompleted,
    ContractEndRequested,
    ContractSettled,
)
from storage.enums import (
    ContractEnding,
    ContractStatus,
    DisputeResolution,
    MilestoneStatus,
    ProjectStatus,
)
from storage.models import Contract, Milestone

OPEN_MILESTONE = (MilestoneStatus.PENDING, MilestoneStatus.REQUESTED)
#: Resolutions an admin decided (not an agreement, not a respondent's silence).
VERDICTS = (DisputeResolution.RELEASE, DisputeResolution.REFUND, DisputeResolution.SPLIT)


def settled(contract: Contract, milestones: Sequence[Milestone]) -> bool:
    """Nothing is left on a running contract but ending it: money was funded, none is
    held any more, and no milestone waits to be funded or answered. Whatever settled
    it (a release, the timer, a split, a verdict, a refund), this is the one rule."""
    return (
        contract.status is ContractStatus.ACTIVE
        and any(m.funded_amount for m in milestones)
        and all(m.escrow == 0 and m.status not in OPEN_MILESTONE for m in milestones)
    )


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

    async def ready_to_end(self, actor: Actor, contract_id: int) -> bool:
        """Whether the contract is :func:`settled`, as its sides (or an admin) see it."""
        contract = await self.get(actor, contract_id)
        return settled(contract, await self.uow.milestones.for_contract(contract.id))

    async def tell_if_settled(self, contract: Contract, acted_by: int | None) -> bool:
        """After money moved or a milestone closed: if the contract is now :func:`settled`,
        both sides are asked to end it so that they can review (all but ``acted_by``, who
        is asked in the reply to what they did). Returns whether it is settled."""
        if not settled(contract, await self.uow.milestones.for_contract(contract.id)):
            return False
        told = tuple(p for p in (contract.employer_id, contract.freelancer_id) if p != acted_by)
        if told:
            self.emit(ContractSettled(recipients=told, contract_id=contract.id))
        return True

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

    # --- what may be done (the operations check it again under their locks) ----------

    @staticmethod
    def _may(
        actor: Actor, contract: Contract, milestones: Sequence[Milestone], action: str
    ) -> None:
        """The rules of :meth:`end` and :meth:`ask_to_end`, in one place."""
        if actor.user_id not in (contract.employer_id, contract.freelancer_id):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        if contract.status is not ContractStatus.ACTIVE:
            raise InvalidState("contract.ended", "This contract has already ended.")
        if action == "end":
            if any(m.escrow > 0 for m in milestones):
                raise InvalidState(
                    "contract.money_in_escrow",
                    "Money is still held in escrow: release it, cancel the milestone or "
                    "settle the dispute first.",
                )
        elif action == "ask_to_end":
            if actor.user_id != contract.freelancer_id:
                raise NotAllowed("contract.freelancer_asks", "You can end this contract yourself.")
            if not settled(contract, milestones):
                raise InvalidState(
                    "contract.not_settled",
                    "Money is still held or a milestone is still open on this contract: "
                    "it is not ready to end.",
                )
        else:
            raise ValidationFailed("contract.action", f"Unknown contract action {action!r}.")

    async def check(self, actor: Actor, contract_id: int, action: str) -> Contract:
        """Refuse ``action`` now with the error the operation itself would raise, so a
        button that may not be used is refused when first pressed."""
        await self.active_user(actor)
        contract = await self.uow.contracts.get(contract_id)
        if contract is None:
            raise NotFound("contract.not_found", "This contract does not exist.")
        self._may(actor, contract, await self.uow.milestones.for_contract(contract.id), action)
        return contract

    @atomic
    async def ask_to_end(self, actor: Actor, contract_id: int) -> Contract:
        """The freelancer asks the employer to end a settled contract, so both can review."""
        contract = await self.check(actor, contract_id, "ask_to_end")
        self.emit(ContractEndRequested(recipients=(contract.employer_id,), contract_id=contract.id))
        return contract

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
        project = await self.uow.projects.lock(contract.project_id)
        milestones = await self.uow.milestones.lock_for_contract(contract.id)
        self._may(actor, contract, milestones, "end")
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
        ended = ContractCompleted if paid else ContractCancelled
        self.emit(ended(recipients=(other,), contract_id=contract.id, project_id=project.id))
        return contract
