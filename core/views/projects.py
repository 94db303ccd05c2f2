"""The project card: the employer's own, or the public one with one's bid and offer."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.actors import Actor
from core.context import Service
from core.errors import NotFound
from core.services.projects import ProjectView, taking_bids
from core.services.reputation import EmployerRecord, Reputation, ReputationService
from storage.enums import BidStatus, ProjectStatus
from storage.models import Award, Bid

ENDED = (ProjectStatus.COMPLETED, ProjectStatus.CLOSED, ProjectStatus.CANCELLED)


@dataclass(frozen=True)
class ProjectCard:
    """A project as the person asking sees it.

    ``actions`` for its employer (``owner``): ``publish``, ``edit``, ``bids``, ``share``,
    ``withdraw_offer``, ``open_contract``, ``cancel``; for everyone else: ``bid``,
    ``edit_bid`` and ``retract`` (one's active bid), ``accept_offer`` and
    ``decline_offer`` (the offer made to them), and ``files`` for both when it has some.
    """

    view: ProjectView
    owner: bool
    my_bid: Bid | None  # never for its employer
    offer: Award | None  # the offer awaiting an answer, to its employer or its freelancer
    contract_id: int | None  # the employer's, once work started
    employer: Reputation | None  # public cards only
    record: EmployerRecord | None  # public cards only
    actions: tuple[str, ...]


def _owner_actions(status: ProjectStatus, card: ProjectCard) -> list[str]:
    bids = ["bids"] if card.view.bid_count else []
    by_status = {
        ProjectStatus.DRAFT: ["publish", "edit"],
        ProjectStatus.OPEN: ["bids", "edit", "share"],
        ProjectStatus.BIDDING_ENDED: ["bids"],  # award one of them (or let it close)
        ProjectStatus.AWARDED: ["bids"] + (["withdraw_offer"] if card.offer else []),
    }
    actions = by_status.get(status)
    if actions is None:
        actions = (["open_contract"] if card.contract_id is not None else []) + bids
    if status not in ENDED:
        actions.append("cancel")
    return actions


def _public_actions(card: ProjectCard) -> list[str]:
    mine = card.my_bid.status if card.my_bid is not None else None
    if mine is BidStatus.ACTIVE and card.view.taking_bids:
        return ["edit_bid", "retract"]
    if card.offer is not None:
        return ["accept_offer", "decline_offer"]
    if card.view.taking_bids and mine in (None, BidStatus.RETRACTED):
        return ["bid"]
    return []


class ProjectViews(Service):
    async def card(self, actor: Actor, project_id: int) -> ProjectCard:
        """The card in three queries (its employer's record on public cards besides);
        drafts are shown to their owner only."""
        found = await self.uow.projects.card(project_id, actor.user_id)
        project = found.project if found is not None else None
        owner = project is not None and project.employer_id == actor.user_id
        if (
            found is None
            or project is None
            or (project.status is ProjectStatus.DRAFT and not owner and not actor.is_admin)
        ):
            raise NotFound("project.not_found", "This project does not exist.")
        skills = (await self.uow.projects.skills_of([project.id]))[project.id]
        files = (await self.uow.projects.attachments_of([project.id]))[project.id]
        view = ProjectView(
            project, skills, found.bid_count, taking_bids(project, self.now()), files
        )
        award = found.pending_award
        if owner:
            offer = award if project.status is ProjectStatus.AWARDED else None
            started = project.status in (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)
            contract_id = found.contract_id if started else None
            card = ProjectCard(view, True, None, offer, contract_id, None, None, ())
            actions = _owner_actions(project.status, card)
        else:
            mine = found.bid
            offer = (
                award
                if award is not None
                and mine is not None
                and mine.status is BidStatus.AWARDED
                and (award.freelancer_id == actor.user_id or actor.is_admin)
                else None
            )
            reputation = ReputationService(self.ctx)
            employer, record = await reputation.employer(project.employer_id)
            card = ProjectCard(view, False, mine, offer, None, employer, record, ())
            actions = _public_actions(card)
        if files:
            actions.append("files")
        return replace(card, actions=tuple(actions))
