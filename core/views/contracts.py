"""Contract screens: the list, one contract with its milestones, and the header other
screens word their replies with (the project's title, the other side's name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.actors import Actor
from core.context import Service
from core.errors import NotAllowed, NotFound
from core.services.reviews import ContractReviews, ReviewService
from storage.enums import ContractStatus
from storage.models import Contract, Milestone


@dataclass(frozen=True)
class ContractHeader:
    """A contract as one side sees it: who the other side is and what it is about."""

    contract: Contract
    project_title: str
    other_id: int
    other_name: str
    employer: bool  # the viewer is its employer


@dataclass(frozen=True)
class ContractsPage:
    """One page of the viewer's contracts (newest first) and whether more follow."""

    items: tuple[ContractHeader, ...]
    more: bool


@dataclass(frozen=True)
class ContractScreen:
    """One contract with its milestones.

    ``actions``: ``new_milestone`` (its employer) or ``request_milestone`` (its
    freelancer) and ``end`` while it runs (core says at the press what still blocks
    ending), ``message`` for its sides, ``reviews`` once it ended with something to review.
    """

    header: ContractHeader
    milestones: tuple[Milestone, ...]
    actions: tuple[str, ...]


def header(actor: Actor, contract: Contract, title: str, other_name: str) -> ContractHeader:
    """The header of ``contract`` as ``actor`` sees it, refused to anyone but its sides
    and admins."""
    if actor.user_id not in (contract.employer_id, contract.freelancer_id) and not actor.is_admin:
        raise NotAllowed("contract.not_party", "This contract is not yours.")
    employer = contract.employer_id == actor.user_id
    other = contract.freelancer_id if employer else contract.employer_id
    return ContractHeader(contract, title, other, other_name, employer)


class ContractViews(Service):
    async def header(self, actor: Actor, contract_id: int) -> ContractHeader:
        """The contract, its title and the other side, in one query."""
        found = await self.uow.contracts.with_names(contract_id, actor.user_id)
        if found is None:
            raise NotFound("contract.not_found", "This contract does not exist.")
        return header(actor, *found)

    async def page(self, actor: Actor, limit: int, offset: int = 0) -> ContractsPage:
        """``limit`` of the viewer's contracts from ``offset``, in one query."""
        rows = await self.uow.contracts.page_with_names(actor.user_id, limit + 1, offset)
        items = tuple(header(actor, *row) for row in rows[:limit])
        return ContractsPage(items, len(rows) > limit)

    async def screen(self, actor: Actor, contract_id: int) -> ContractScreen:
        """The contract screen in two queries (three once it ended: its reviews)."""
        head = await self.header(actor, contract_id)
        contract = head.contract
        milestones = tuple(await self.uow.milestones.for_contract(contract.id))
        actions: list[str] = []
        party = actor.user_id in (contract.employer_id, contract.freelancer_id)
        active = contract.status is ContractStatus.ACTIVE
        if active and party:
            actions.append("new_milestone" if head.employer else "request_milestone")
        actions.append("message")
        if active and party:
            actions.append("end")
        if not active and (await ReviewService(self.ctx).for_contract(actor, contract.id)).ending:
            actions.append("reviews")  # every ending with money at stake is reviewed
        return ContractScreen(head, milestones, tuple(actions))

    async def reviews(self, actor: Actor, contract_id: int) -> ReviewsScreen:
        """The contract's reviews, how it ended and who the other side is, in four queries
        (the contract, its reviews, its milestones and disputes)."""
        head = await self.header(actor, contract_id)
        reviews = await ReviewService(self.ctx).for_contract(actor, contract_id)
        ended = head.contract.ended_at
        closes = ended + self.settings.review_window if ended is not None else None
        return ReviewsScreen(head, reviews, closes, ("write",) if reviews.can_write else ())


@dataclass(frozen=True)
class ReviewsScreen:
    """The reviews of an ended contract as one side sees them (double-blind: the other
    side's shows only once core made it visible); ``actions``: ``write`` while this side
    may still write theirs."""

    header: ContractHeader
    reviews: ContractReviews
    closes_at: datetime | None  # the end of the review window
    actions: tuple[str, ...]
