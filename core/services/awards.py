"""Awards: the employer offers the project to one bidder, who accepts or declines.

The offer carries its terms (deliverables, the revision rounds each milestone
includes, the due date); the freelancer accepts them with the offer, and the
contract keeps them, so that every later step (changes, disputes) can refer to
what was agreed. Accepting creates the contract (at most one per project, enforced
by a unique key as well as by the project lock) and closes the other bids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from core import text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import Conflict, InvalidState, NotAllowed, NotFound, ValidationFailed
from core.events.awards import (
    AwardAccepted,
    AwardDeclined,
    AwardLapsed,
    AwardOffered,
    AwardWithdrawn,
)
from core.events.projects import AwardedToOther
from storage.enums import AwardStatus, BidStatus, ContractStatus, ProjectStatus
from storage.models import Award, Bid, Contract, Project

#: Statuses in which the employer may offer the project: bidding, or bidding over and
#: the award decision window still running.
AWARDABLE = (ProjectStatus.OPEN, ProjectStatus.BIDDING_ENDED)
#: What people put before list items; a deliverable is the line without it.
_BULLET = re.compile(r"^\s*(?:[-*•–·]|\d{1,2}[.)])\s*")


@dataclass(frozen=True)
class Terms:
    """What the freelancer accepts together with the offer."""

    deliverables: tuple[str, ...]
    revision_rounds: int  # change rounds included in each milestone
    due_at: datetime


class AwardService(Service):
    async def get(self, award_id: int) -> Award:
        award = await self.uow.awards.get(award_id)
        if award is None:
            raise NotFound("award.not_found", "This offer does not exist.")
        return award

    async def check_offer(self, actor: Actor, bid_id: int) -> Bid:
        """Refuse now, with the offer's own reason, before the employer is asked to confirm."""
        return (await self._offerable(actor, bid_id, lock=False))[1]

    async def _offerable(self, actor: Actor, bid_id: int, *, lock: bool) -> tuple[Project, Bid]:
        await self.active_user(actor)
        found = await self.uow.bids.get(bid_id)
        if found is None:
            raise NotFound("bid.not_found", "This bid does not exist.")
        project_id = found.project_id
        # Lock order: the project, then the bid.
        repo = self.uow.projects
        project = await (repo.lock(project_id) if lock else repo.get(project_id))
        assert project is not None
        if project.employer_id != actor.user_id:
            raise NotAllowed(
                "project.not_owner", "Only the employer who posted it can award it.", reason="award"
            )
        if project.status is ProjectStatus.AWARDED:
            raise Conflict(
                "award.pending_exists",
                "You already offered this project to someone; wait for their answer or "
                "withdraw the offer.",
            )
        if project.status not in AWARDABLE or (
            project.status is ProjectStatus.BIDDING_ENDED
            and project.award_by is not None
            and project.award_by <= self.now()
        ):
            raise InvalidState(
                "project.not_open", "This project can no longer be awarded.", reason="award"
            )
        bid = await (self.uow.bids.lock(bid_id) if lock else self.uow.bids.get(bid_id))
        assert bid is not None
        if bid.status is not BidStatus.ACTIVE:
            raise InvalidState("bid.not_active", "This bid is no longer active.")
        freelancer = await self.uow.users.get(bid.freelancer_id)
        assert freelancer is not None
        if freelancer.is_banned:
            raise InvalidState("award.freelancer_banned", "This freelancer's account is suspended.")
        return project, bid

    # --- the terms --------------------------------------------------------------------

    async def proposed_terms(self, actor: Actor, bid_id: int) -> Terms:
        """The terms an offer starts from: the project's scope, the default revision
        rounds and the bid's delivery time. Refused like the offer itself."""
        bid = await self.check_offer(actor, bid_id)
        project = await self.uow.projects.get(bid.project_id)
        assert project is not None
        return self._proposed(project, bid)

    def _proposed(self, project: Project, bid: Bid) -> Terms:
        return Terms(
            self.scope_of(project),
            self.settings.revision_rounds,
            self.now() + timedelta(days=bid.delivery_days),
        )

    def scope_of(self, project: Project) -> tuple[str, ...]:
        """Deliverables read from the project: its description's lines (list markers and
        headings dropped) when it lists several things, else its title; each within the
        length of a deliverable."""
        s = self.settings
        lines = [text.clean(_BULLET.sub("", line)) for line in project.description.splitlines()]
        lines = [line for line in lines if line and not line.endswith(":")]  # not headings
        if len(lines) < 2:
            lines = [text.clean(project.title)]
        scope: dict[str, None] = {}
        for line in lines[: s.deliverables_max]:
            limit = s.deliverable_text_max
            scope.setdefault(line if len(line) <= limit else line[: limit - 1].rstrip() + "…")
        return tuple(scope)

    def check_deliverables(self, lines: Sequence[str]) -> tuple[str, ...]:
        """The deliverables rule: 1 to DELIVERABLES_MAX short lines, none repeated.
        List markers ("-", "1.") and blank lines are dropped."""
        s = self.settings
        found = [text.clean(_BULLET.sub("", line)) for line in lines]
        found = [line for line in found if line]
        if not 1 <= len(found) <= s.deliverables_max:
            raise ValidationFailed(
                "award.deliverables_count",
                f"List 1 to {s.deliverables_max} deliverables, one per line.",
                maximum=s.deliverables_max,
            )
        for line in found:
            if len(line) > s.deliverable_text_max:
                raise ValidationFailed(
                    "award.deliverable_too_long",
                    f"Each deliverable is at most {s.deliverable_text_max} characters: "
                    f"shorten “{line[:40]}…”.",
                    maximum=s.deliverable_text_max,
                    deliverable=line[:40],
                )
        if len({line.casefold() for line in found}) < len(found):
            raise ValidationFailed("award.deliverable_repeated", "A deliverable is listed twice.")
        return tuple(found)

    def check_revision_rounds(self, rounds: int) -> int:
        limit = self.settings.revision_rounds_max
        if not isinstance(rounds, int) or isinstance(rounds, bool) or not 0 <= rounds <= limit:
            raise ValidationFailed(
                "award.revision_rounds",
                f"Include 0 to {limit} revision rounds per milestone.",
                maximum=limit,
            )
        return rounds

    def due_in_days(self, days: int) -> datetime:
        """The offer's due date, ``days`` from now."""
        return self.days_from_now(days, "award.due_days")

    def _terms(
        self,
        proposed: Terms,
        deliverables: Sequence[str] | None,
        revision_rounds: int | None,
        due_at: datetime | None,
    ) -> Terms:
        """The proposed terms with what the employer changed, each change checked."""
        limit = self.settings.max_delivery_days
        if due_at is not None and not self.now() < due_at <= self.now() + timedelta(days=limit):
            raise ValidationFailed(
                "award.due_days", f"The due date is 1 to {limit} days from now.", maximum=limit
            )
        return Terms(
            proposed.deliverables
            if deliverables is None
            else self.check_deliverables(deliverables),
            proposed.revision_rounds
            if revision_rounds is None
            else self.check_revision_rounds(revision_rounds),
            proposed.due_at if due_at is None else due_at,
        )

    # --- offering ----------------------------------------------------------------------

    @atomic
    async def offer(
        self,
        actor: Actor,
        bid_id: int,
        *,
        deliverables: Sequence[str] | None = None,
        revision_rounds: int | None = None,
        due_at: datetime | None = None,
    ) -> Award:
        """Offer the project to the author of ``bid_id``, on terms.

        Terms not given are the proposed ones (:meth:`proposed_terms`).
        """
        project, bid = await self._offerable(actor, bid_id, lock=True)
        now = self.now()
        terms = self._terms(self._proposed(project, bid), deliverables, revision_rounds, due_at)
        if project.employer_id != actor.user_id:
            raise NotAllowed(
                "project.not_owner", "Only the employer who posted it can award it.", reason="award"
            )
        if project.status is ProjectStatus.AWARDED:
            raise Conflict(
                "award.pending_exists",
                "You already offered this project to someone; wait for their answer or "
                "withdraw the offer.",
            )
        award = self.uow.awards.add(
            Award(
                project_id=project.id,
                bid_id=bid.id,
                freelancer_id=bid.freelancer_id,
                status=AwardStatus.PENDING,
                offered_at=now,
                expires_at=now + self.settings.award_acceptance_window,
                deliverables=list(terms.deliverables),
                revision_rounds=terms.revision_rounds,
                due_at=terms.due_at,
            )
        )
        bid.status = BidStatus.AWARDED
        bid.updated_at = now
        project.status = ProjectStatus.AWARDED
        project.updated_at = now
        await self.uow.flush()
        self.emit(
            AwardOffered(recipients=(bid.freelancer_id,), project_id=project.id, award_id=award.id)
        )
        return award

    async def _pending(self, award_id: int) -> tuple[Award, Project]:
        award = await self.uow.awards.get(award_id)
        if award is None:
            raise NotFound("award.not_found", "This offer does not exist.")
        # Lock order everywhere: project, then award, then bids.
        project = await self.uow.projects.lock(award.project_id)
        award = await self.uow.awards.lock(award_id)
        assert project is not None and award is not None
        return award, project

    def _still_pending(self, award: Award) -> None:
        if award.status is AwardStatus.ACCEPTED:
            raise Conflict("award.already_accepted", "This offer was already accepted.")
        if award.status is not AwardStatus.PENDING:
            raise answered(award, "no_longer_valid")
        if award.expires_at <= self.now():
            raise InvalidState("award.lapsed", "This offer has expired.")

    @atomic
    async def accept(self, actor: Actor, award_id: int) -> Contract:
        await self.active_user(actor)
        award, project = await self._pending(award_id)
        if award.freelancer_id != actor.user_id:
            raise NotAllowed("award.not_yours", "This offer was made to someone else.")
        self._still_pending(award)
        existing = await self.uow.contracts.for_project(project.id)
        if existing is not None:
            raise Conflict(
                "award.already_accepted", "This project already has a freelancer.", reason="taken"
            )
        now = self.now()
        bid = await self.uow.bids.lock(award.bid_id)
        assert bid is not None
        award.status = AwardStatus.ACCEPTED
        award.responded_at = now
        bid.status = BidStatus.HIRED
        bid.updated_at = now
        others = await self.uow.bids.lock_for_project(project.id, [BidStatus.ACTIVE])
        for other in others:
            other.status = BidStatus.CLOSED
            other.updated_at = now
        project.status = ProjectStatus.IN_PROGRESS
        project.updated_at = now
        contract = self.uow.contracts.add(
            Contract(
                project_id=project.id,
                award_id=award.id,
                bid_id=bid.id,
                employer_id=project.employer_id,
                freelancer_id=bid.freelancer_id,
                agreed_amount=bid.amount,
                delivery_days=bid.delivery_days,
                deliverables=list(award.deliverables),
                revision_rounds=award.revision_rounds,
                status=ContractStatus.ACTIVE,
                started_at=now,
                deadline_at=award.due_at,
            )
        )
        await self.uow.flush()
        self.emit(
            AwardAccepted(
                recipients=(project.employer_id,), project_id=project.id, contract_id=contract.id
            )
        )
        if others:
            losers = tuple(o.freelancer_id for o in others)
            self.emit(AwardedToOther(recipients=losers, project_id=project.id))
        return contract

    async def _reopen(self, project: Project) -> None:
        """Back to choosing after a failed offer.

        Within the bidding window the project simply takes bids again. After it, no
        bids are taken any more: the employer is back in the award decision window,
        given at least an acceptance window's time to award someone else; with no
        active bid left there is nobody to award, and the next sweep closes it.
        """
        now = self.now()
        project.updated_at = now
        if project.bidding_ends_at is None or project.bidding_ends_at > now:
            project.status = ProjectStatus.OPEN
            return
        project.status = ProjectStatus.BIDDING_ENDED
        if not await self.uow.bids.lock_for_project(project.id, [BidStatus.ACTIVE]):
            project.award_by = now
            return
        window = project.bidding_ends_at + self.settings.award_decision_window
        grace = now + self.settings.award_acceptance_window
        project.award_by = max(project.award_by or window, grace)

    def _may(self, actor: Actor, award: Award, project: Project, action: str) -> None:
        """Who may answer an offer and when: the freelancer declines it while it is open,
        the employer withdraws it until it is answered."""
        if action == "decline":
            if award.freelancer_id != actor.user_id:
                raise NotAllowed("award.not_yours", "This offer was made to someone else.")
            self._still_pending(award)
        elif action == "withdraw":
            if project.employer_id != actor.user_id:
                raise NotAllowed(
                    "project.not_owner",
                    "Only the employer can withdraw this offer.",
                    reason="withdraw",
                )
            if award.status is not AwardStatus.PENDING:
                raise answered(award, "answered")
        else:
            raise ValidationFailed("award.action", f"Unknown offer action {action!r}.")

    @atomic
    async def decline(self, actor: Actor, award_id: int) -> Award:
        await self.active_user(actor)
        award, project = await self._pending(award_id)
        self._may(actor, award, project, "decline")
        bid = await self.uow.bids.lock(award.bid_id)
        assert bid is not None
        award.status = AwardStatus.DECLINED
        award.responded_at = self.now()
        bid.status = BidStatus.CLOSED
        bid.updated_at = self.now()
        await self._reopen(project)
        self.emit(
            AwardDeclined(
                recipients=(project.employer_id,), project_id=project.id, award_id=award.id
            )
        )
        return award

    @atomic
    async def withdraw(self, actor: Actor, award_id: int) -> Award:
        """The employer takes back an offer that was not answered yet."""
        await self.active_user(actor)
        award, project = await self._pending(award_id)
        self._may(actor, award, project, "withdraw")
        bid = await self.uow.bids.lock(award.bid_id)
        assert bid is not None
        award.status = AwardStatus.WITHDRAWN
        award.responded_at = self.now()
        bid.status = BidStatus.ACTIVE
        bid.updated_at = self.now()
        await self._reopen(project)
        self.emit(
            AwardWithdrawn(
                recipients=(award.freelancer_id,), project_id=project.id, award_id=award.id
            )
        )
        return award

    @atomic
    async def lapse_if_due(self, award_id: int) -> bool:
        """An unanswered offer past its window lapses; the bid stays for another try."""
        award, project = await self._pending(award_id)
        if award.status is not AwardStatus.PENDING or award.expires_at > self.now():
            return False
        bid = await self.uow.bids.lock(award.bid_id)
        assert bid is not None
        award.status = AwardStatus.LAPSED
        award.responded_at = self.now()
        bid.status = BidStatus.ACTIVE
        bid.updated_at = self.now()
        await self._reopen(project)
        self.emit(
            AwardLapsed(
                recipients=(project.employer_id, award.freelancer_id),
                project_id=project.id,
                award_id=award.id,
            )
        )
        return True

    # --- bot support: the marketplace front ---------------------------------------------

    async def check(self, actor: Actor, award_id: int, action: str) -> Award:
        """An offer ``actor`` may ``decline`` (the freelancer) or ``withdraw`` (the
        employer) now; refused with the same reason the answer itself would get."""
        await self.active_user(actor)
        award = await self.get(award_id)
        project = await self.uow.projects.get(award.project_id)
        assert project is not None
        self._may(actor, award, project, action)
        return award

    async def pending_for_project(self, actor: Actor, project_id: int) -> Award | None:
        """The offer awaiting an answer on a project, shown to the two people it concerns
        (its employer and the freelancer it was made to); None for anyone else."""
        award = await self.uow.awards.pending_for_project(project_id)
        if award is None:
            return None
        project = await self.uow.projects.get(project_id)
        assert project is not None
        if actor.user_id in (project.employer_id, award.freelancer_id) or actor.is_admin:
            return award
        return None


def answered(award: Award, reason: Literal["no_longer_valid", "answered"]) -> InvalidState:
    """The refusal of an offer that is no longer pending, its code named by what became
    of it: ``reason`` says whether it was to be answered (no longer valid) or withdrawn
    (already answered)."""
    message = f"This offer is no longer valid ({award.status.value}): {reason}."
    if award.status is AwardStatus.DECLINED:
        return InvalidState("award.declined", message, reason=reason)
    if award.status is AwardStatus.WITHDRAWN:
        return InvalidState("award.withdrawn", message, reason=reason)
    if award.status is AwardStatus.LAPSED:
        return InvalidState("award.lapsed", message, reason=reason)
    return InvalidState("award.accepted", message, reason=reason)
