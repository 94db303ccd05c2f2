"""Awards: the employer offers the project to one bidder, who accepts or declines.

Accepting creates the contract (at most one per project, enforced by a unique
key as well as by the project lock) and closes the other bids.
"""

from __future__ import annotations

from datetime import timedelta

from core.actors import Actor
from core.context import Service, atomic
from core.errors import Conflict, InvalidState, NotAllowed, NotFound
from storage.enums import AwardStatus, BidStatus, ContractStatus, ProjectStatus
from storage.models import Award, Bid, Contract, Project

#: Statuses in which the employer may offer the project: bidding, or bidding over and
#: the award decision window still running.
AWARDABLE = (ProjectStatus.OPEN, ProjectStatus.BIDDING_ENDED)


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
            raise NotAllowed("project.not_owner", "Only the employer who posted it can award it.")
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
            raise InvalidState("project.not_open", "This project can no longer be awarded.")
        bid = await (self.uow.bids.lock(bid_id) if lock else self.uow.bids.get(bid_id))
        assert bid is not None
        if bid.status is not BidStatus.ACTIVE:
            raise InvalidState("bid.not_active", "This bid is no longer active.")
        freelancer = await self.uow.users.get(bid.freelancer_id)
        assert freelancer is not None
        if freelancer.is_banned:
            raise InvalidState("award.freelancer_banned", "This freelancer's account is suspended.")
        return project, bid

    @atomic
    async def offer(self, actor: Actor, bid_id: int) -> Award:
        """Offer the project to the author of ``bid_id``."""
        project, bid = await self._offerable(actor, bid_id, lock=True)
        now = self.now()
        if project.employer_id != actor.user_id:
            raise NotAllowed("project.not_owner", "Only the employer who posted it can award it.")
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
            )
        )
        bid.status = BidStatus.AWARDED
        bid.updated_at = now
        project.status = ProjectStatus.AWARDED
        project.updated_at = now
        await self.uow.flush()
        self.emit("award.offered", [bid.freelancer_id], project_id=project.id, award_id=award.id)
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
            raise InvalidState(
                f"award.{award.status.value}",
                f"This offer is no longer valid ({award.status.value}).",
            )
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
            raise Conflict("award.already_accepted", "This project already has a freelancer.")
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
                status=ContractStatus.ACTIVE,
                started_at=now,
                deadline_at=now + timedelta(days=bid.delivery_days),
            )
        )
        await self.uow.flush()
        self.emit(
            "award.accepted", [project.employer_id], project_id=project.id, contract_id=contract.id
        )
        if others:
            self.emit(
                "project.awarded_to_other", [o.freelancer_id for o in others], project_id=project.id
            )
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

    @atomic
    async def decline(self, actor: Actor, award_id: int) -> Award:
        await self.active_user(actor)
        award, project = await self._pending(award_id)
        if award.freelancer_id != actor.user_id:
            raise NotAllowed("award.not_yours", "This offer was made to someone else.")
        self._still_pending(award)
        bid = await self.uow.bids.lock(award.bid_id)
        assert bid is not None
        award.status = AwardStatus.DECLINED
        award.responded_at = self.now()
        bid.status = BidStatus.CLOSED
        bid.updated_at = self.now()
        await self._reopen(project)
        self.emit("award.declined", [project.employer_id], project_id=project.id, award_id=award.id)
        return award

    @atomic
    async def withdraw(self, actor: Actor, award_id: int) -> Award:
        """The employer takes back an offer that was not answered yet."""
        await self.active_user(actor)
        award, project = await self._pending(award_id)
        if project.employer_id != actor.user_id:
            raise NotAllowed("project.not_owner", "Only the employer can withdraw this offer.")
        if award.status is not AwardStatus.PENDING:
            raise InvalidState(f"award.{award.status.value}", "This offer was already answered.")
        bid = await self.uow.bids.lock(award.bid_id)
        assert bid is not None
        award.status = AwardStatus.WITHDRAWN
        award.responded_at = self.now()
        bid.status = BidStatus.ACTIVE
        bid.updated_at = self.now()
        await self._reopen(project)
        self.emit(
            "award.withdrawn", [award.freelancer_id], project_id=project.id, award_id=award.id
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
            "award.lapsed",
            [project.employer_id, award.freelancer_id],
            project_id=project.id,
            award_id=award.id,
        )
        return True

    # --- bot support: the marketplace front ---------------------------------------------

    async def check_open(self, actor: Actor, award_id: int) -> Award:
        """An offer still open to an answer (the freelancer) or a withdrawal (the employer);
        refused now with the same reason the answer itself would get."""
        award = await self.get(award_id)
        project = await self.uow.projects.get(award.project_id)
        assert project is not None
        if actor.user_id == award.freelancer_id:
            self._still_pending(award)
        elif actor.user_id == project.employer_id:
            if award.status is not AwardStatus.PENDING:
                raise InvalidState(
                    f"award.{award.status.value}", "This offer was already answered."
                )
        else:
            raise NotAllowed("award.not_yours", "This offer was made to someone else.")
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
