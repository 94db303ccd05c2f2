"""Bids: place, edit, retract, decline, and the employer's view of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from core import text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import Conflict, InvalidState, LimitReached, NotAllowed, NotFound, ValidationFailed
from core.events.bids import BidDeclined, BidEdited, BidEvent, BidPlaced, BidRetracted
from core.money import whole_amount
from core.services.projects import taking_bids
from core.services.reputation import Reputation, ReputationService
from core.services.users import UserService
from storage.enums import BidStatus, PartyRole, ProjectStatus
from storage.errors import UniqueViolation
from storage.models import Bid, Project, User

BidOrder = Literal["newest", "lowest", "rating"]


@dataclass(frozen=True)
class BidView:
    bid: Bid
    bidder: User
    reputation: Reputation
    muted: bool = False  # the employer muted this bidder (core.services.safety)


@dataclass(frozen=True)
class BidEligibility:
    """What stands between a person and a bid on a project (see BidService.eligibility)."""

    project: Project
    missing: list[str]  # profile fields to complete first; empty when the profile is complete
    bid: Bid | None  # the person's bid on this project, in whatever state, if any
    # What to offer instead of (or as) the bid wizard: ``bid``, ``complete_profile``,
    # ``edit_bid`` and ``retract`` (an active bid), ``accept_offer`` (an offer waits for an
    # answer); none when an earlier bid was declined or closed.
    actions: tuple[str, ...] = ()


class BidService(Service):
    async def get(self, bid_id: int) -> Bid:
        bid = await self.uow.bids.get(bid_id)
        if bid is None:
            raise NotFound("bid.not_found", "This bid does not exist.")
        return bid

    def _check_terms(self, amount: int, delivery_days: int, proposal: str) -> str:
        s = self.settings
        if whole_amount(amount) <= 0:
            raise ValidationFailed("bid.amount_positive", "The bid amount must be above zero.")
        if amount > s.max_budget:
            raise ValidationFailed(
                "bid.amount_too_large",
                f"A bid can be at most {s.max_budget} (minor units).",
                maximum=s.max_budget,
            )
        if not 1 <= delivery_days <= s.max_delivery_days:
            raise ValidationFailed(
                "bid.delivery_days",
                f"Delivery takes between 1 and {s.max_delivery_days} days.",
                maximum=s.max_delivery_days,
            )
        return text.bounded(proposal, "bid.proposal", s.proposal_min, s.proposal_max)

    async def _open_project(self, project_id: int) -> Project:
        """The project, locked and checked open: a bid never lands on a project that a
        concurrent cancel, close or award has just taken out of bidding.

        Lock order, as in awards: the project first, then its bids.
        """
        project = await self.uow.projects.lock(project_id)
        if project is None or project.status is ProjectStatus.DRAFT:
            raise NotFound("project.not_found", "This project does not exist.")
        if project.status is ProjectStatus.BIDDING_ENDED or (
            project.status is ProjectStatus.OPEN and not taking_bids(project, self.now())
        ):
            raise InvalidState(
                "project.not_open",
                "Bidding on this project is over: the employer is choosing among the bids.",
                reason="choosing",
            )
        if project.status is not ProjectStatus.OPEN:
            raise InvalidState(
                "project.not_open", "This project is no longer open for bids.", reason="closed"
            )
        return project

    @atomic
    async def place(
        self, actor: Actor, project_id: int, *, amount: int, delivery_days: int, proposal: str
    ) -> Bid:
        user = await self.active_user(actor)
        project = await self._open_project(project_id)
        if project.employer_id == user.id:
            raise NotAllowed("bid.own_project", "You cannot bid on your own project.")
        profile = await UserService(self.ctx).profile(user.id)
        if not profile.complete:
            raise NotAllowed(
                "bid.profile_incomplete",
                "Complete your freelancer profile before bidding (missing: "
                + ", ".join(profile.missing)
                + ").",
                missing=",".join(profile.missing),
            )
        proposal = self._check_terms(amount, delivery_days, proposal)
        now = self.now()
        existing = await self.uow.bids.lock_of(project.id, user.id)
        if existing is not None and existing.status is not BidStatus.RETRACTED:
            if existing.status is BidStatus.ACTIVE:
                raise Conflict(
                    "bid.exists", "You already bid on this project; edit your bid instead."
                )
            raise InvalidState("bid.closed", "Your bid on this project is closed.")
        placed = await self.uow.bids.placed_since(user.id, now - timedelta(days=1))
        if placed >= self.settings.bids_per_day:
            raise LimitReached(
                "bid.daily_limit",
                f"You can place {self.settings.bids_per_day} bids a day. Try again tomorrow.",
                limit=self.settings.bids_per_day,
            )
        if existing is not None:
            bid = existing
            bid.amount, bid.delivery_days, bid.proposal = amount, delivery_days, proposal
            bid.status = BidStatus.ACTIVE
            bid.placed_at = now
            bid.updated_at = now
        else:
            bid = self.uow.bids.add(
                Bid(
                    project_id=project.id,
                    freelancer_id=user.id,
                    amount=amount,
                    delivery_days=delivery_days,
                    proposal=proposal,
                    status=BidStatus.ACTIVE,
                    created_at=now,
                    placed_at=now,
                    updated_at=now,
                )
            )
        try:
            await self.uow.flush()
        except UniqueViolation:  # a concurrent bid by the same freelancer won
            raise Conflict(
                "bid.exists", "You already bid on this project; edit your bid instead."
            ) from None
        await self.uow.subscriptions.touch(user.id, now)  # active: hears first among equals
        await self._tell_employer(BidPlaced, project, bid)
        return bid

    async def _tell_employer(self, kind: type[BidEvent], project: Project, bid: Bid) -> None:
        """A bid alert reaches the employer, unless they muted this bidder."""
        if not await self.uow.safety.muted(project.employer_id, bid.freelancer_id):
            self.emit(kind(recipients=(project.employer_id,), project_id=project.id, bid_id=bid.id))

    async def _own_active(self, actor: Actor, bid_id: int) -> tuple[Bid, Project]:
        await self.active_user(actor)
        found = await self.uow.bids.get(bid_id)
        if found is None:
            raise NotFound("bid.not_found", "This bid does not exist.")
        if found.freelancer_id != actor.user_id:
            raise NotAllowed("bid.not_owner", "This is not your bid.")
        project_id = found.project_id
        # Project before bid (the lock order); the checks run on the locked rows.
        if (await self.uow.projects.get(project_id)) is not None:
            await self.uow.projects.lock(project_id)
        bid = await self.uow.bids.lock(bid_id)
        assert bid is not None
        if bid.status is BidStatus.AWARDED:
            raise InvalidState(
                "bid.awarded", "You have been offered this project: accept or decline the offer."
            )
        if bid.status is not BidStatus.ACTIVE:
            raise InvalidState("bid.not_active", "This bid is no longer active.")
        project = await self._open_project(bid.project_id)
        return bid, project

    @atomic
    async def edit(
        self,
        actor: Actor,
        bid_id: int,
        *,
        amount: int | None = None,
        delivery_days: int | None = None,
        proposal: str | None = None,
    ) -> Bid:
        bid, project = await self._own_active(actor, bid_id)
        new_amount = bid.amount if amount is None else amount
        new_days = bid.delivery_days if delivery_days is None else delivery_days
        new_proposal = bid.proposal if proposal is None else proposal
        bid.proposal = self._check_terms(new_amount, new_days, new_proposal)
        bid.amount, bid.delivery_days = new_amount, new_days
        bid.updated_at = self.now()
        await self._tell_employer(BidEdited, project, bid)
        return bid

    @atomic
    async def retract(self, actor: Actor, bid_id: int) -> Bid:
        bid, project = await self._own_active(actor, bid_id)
        bid.status = BidStatus.RETRACTED
        bid.updated_at = self.now()
        await self._tell_employer(BidRetracted, project, bid)
        return bid

    async def retract_all(self, freelancer_id: int) -> list[Bid]:
        """Every active bid of someone leaving bidgram (their account is being deleted),
        retracted however far its bidding went, each employer told as for a retraction."""
        retracted = []
        for found in await self.uow.bids.active_of(freelancer_id):
            project = await self.uow.projects.lock(found.project_id)  # project, then bid
            bid = await self.uow.bids.lock(found.id)
            if project is None or bid is None or bid.status is not BidStatus.ACTIVE:
                continue
            bid.status = BidStatus.RETRACTED
            bid.updated_at = self.now()
            await self._tell_employer(BidRetracted, project, bid)
            retracted.append(bid)
        return retracted

    async def on_own_project(
        self, actor: Actor, bid_id: int, *, lock: bool = False
    ) -> tuple[Bid, Project]:
        """A bid on the actor's own project (locked if asked), and that project."""
        await self.active_user(actor)
        bid = await (self.uow.bids.lock(bid_id) if lock else self.uow.bids.get(bid_id))
        if bid is None:
            raise NotFound("bid.not_found", "This bid does not exist.")
        project = await self.uow.projects.get(bid.project_id)
        assert project is not None
        if project.employer_id != actor.user_id:
            raise NotAllowed("project.not_owner", "Only the employer who posted it can do this.")
        return bid, project

    @atomic
    async def decline(self, actor: Actor, bid_id: int) -> Bid:
        """The employer turns a bid down; the bidder is told."""
        bid, project = await self.on_own_project(actor, bid_id, lock=True)
        if bid.status is not BidStatus.ACTIVE:
            raise InvalidState("bid.not_active", "This bid is no longer active.")
        bid.status = BidStatus.DECLINED
        bid.updated_at = self.now()
        self.emit(
            BidDeclined(recipients=(bid.freelancer_id,), project_id=project.id, bid_id=bid.id)
        )
        return bid

    async def for_employer(
        self, actor: Actor, project_id: int, order: BidOrder = "newest"
    ) -> list[BidView]:
        """The bids on one's project, each with the bidder's reputation."""
        await self.active_user(actor)
        project = await self.uow.projects.get(project_id)
        if project is None:
            raise NotFound("project.not_found", "This project does not exist.")
        if project.employer_id != actor.user_id and not actor.is_admin:
            raise NotAllowed(
                "project.not_owner",
                "Only the employer who posted it can see its bids.",
                reason="bids",
            )
        bids = await self.uow.bids.for_project(
            project_id, [BidStatus.ACTIVE, BidStatus.AWARDED, BidStatus.HIRED]
        )
        reputation = ReputationService(self.ctx)
        views = []
        for bid in bids:
            bidder = await self.uow.users.get(bid.freelancer_id)
            assert bidder is not None
            views.append(BidView(bid, bidder, await reputation.of(bidder.id, PartyRole.FREELANCER)))
        if order == "lowest":
            views.sort(key=lambda v: (v.bid.amount, v.bid.id))
        elif order == "rating":
            views.sort(key=lambda v: (-(v.reputation.rating or 0), -v.reputation.reviews, v.bid.id))
        else:
            views.sort(key=lambda v: (v.bid.placed_at, v.bid.id), reverse=True)
        return views

    async def of_freelancer(self, actor: Actor, limit: int = 10, offset: int = 0) -> list[Bid]:
        return await self.uow.bids.by_freelancer(actor.user_id, limit, offset)

    # --- bot support: the marketplace front ---------------------------------------------

    async def eligibility(self, actor: Actor, project_id: int) -> BidEligibility:
        """Whether the actor may start a bid, asked before the bid conversation begins.

        The project is refused as place() refuses it (gone, no longer open, one's own),
        so a stale Bid button is answered at once; the profile fields still missing and an
        existing bid are reported rather than refused, so the bot can offer to complete
        the profile or to edit the bid instead.
        """
        user = await self.active_user(actor)
        project = await self._open_project(project_id)
        if project.employer_id == user.id:
            raise NotAllowed("bid.own_project", "You cannot bid on your own project.")
        profile = await UserService(self.ctx).profile(user.id)
        mine = await self.uow.bids.of(project.id, user.id)
        actions: tuple[str, ...] = ()
        if mine is not None and mine.status is BidStatus.ACTIVE:
            actions = ("edit_bid", "retract")
        elif mine is not None and mine.status is BidStatus.AWARDED:
            actions = ("accept_offer",)
        elif mine is None or mine.status is BidStatus.RETRACTED:
            actions = ("complete_profile",) if profile.missing else ("bid",)
        return BidEligibility(project, profile.missing, mine, actions)

    def check_terms(
        self,
        *,
        amount: int | None = None,
        delivery_days: int | None = None,
        proposal: str | None = None,
    ) -> str | None:
        """Validate the given terms of a bid as place() and edit() will; returns the cleaned
        proposal when one was given. A conversation checks one term per step.

        Terms not given are stood in for by values that always pass, so the rules stay
        in _check_terms alone.
        """
        checked = self._check_terms(
            1 if amount is None else amount,
            1 if delivery_days is None else delivery_days,
            "x" * self.settings.proposal_min if proposal is None else proposal,
        )
        return None if proposal is None else checked

    async def mine_on(self, actor: Actor, project_id: int) -> Bid | None:
        """One's own bid on a project, whatever its status (None if one never bid)."""
        return await self.uow.bids.of(project_id, actor.user_id)

    async def check_active(self, actor: Actor, bid_id: int) -> Bid:
        """One's own bid, refused now if it could not be edited or retracted any more."""
        bid, _ = await self._own_active(actor, bid_id)
        return bid

    async def own(self, actor: Actor, bid_id: int) -> Bid:
        """One's own bid; anyone else's is refused."""
        bid = await self.get(bid_id)
        if bid.freelancer_id != actor.user_id:
            raise NotAllowed("bid.not_owner", "This is not your bid.")
        return bid

    async def view_for_employer(self, actor: Actor, bid_id: int) -> BidView:
        """One bid on one's project, in any status, with the bidder's reputation."""
        await self.active_user(actor)
        bid = await self.get(bid_id)
        project = await self.uow.projects.get(bid.project_id)
        assert project is not None
        if project.employer_id != actor.user_id and not actor.is_admin:
            raise NotAllowed(
                "project.not_owner",
                "Only the employer who posted it can see its bids.",
                reason="bids",
            )
        bidder = await self.uow.users.get(bid.freelancer_id)
        assert bidder is not None
        reputation = await ReputationService(self.ctx).of(bidder.id, PartyRole.FREELANCER)
        muted = await self.uow.safety.muted(project.employer_id, bidder.id)
        return BidView(bid, bidder, reputation, muted)
