"""Profile screens: one's own, anyone's freelancer card, and someone as an employer."""

from __future__ import annotations

from dataclasses import dataclass

from core.actors import Actor
from core.context import Service
from core.services.reputation import (
    EmployerRecord,
    FreelancerRecord,
    Reputation,
    ReputationService,
)
from core.services.users import ProfileView, UserService
from storage.enums import PartyRole
from storage.models import Review

LATEST_REVIEWS = 3


@dataclass(frozen=True)
class FreelancerCard:
    """Someone as a freelancer. ``actions`` on one's own profile screen: ``edit_all`` once
    the profile is complete, else ``complete_missing``, then ``edit``; on anyone else's
    public card ``report``. ``reviews``: the latest visible ones (public cards only)."""

    own: bool
    profile: ProfileView
    reputation: Reputation
    reviews: tuple[Review, ...]
    record: FreelancerRecord
    employer_record: EmployerRecord
    actions: tuple[str, ...]


@dataclass(frozen=True)
class EmployerCard:
    """Someone as an employer, as a freelancer deciding whether to bid sees them."""

    name: str
    reputation: Reputation
    reviews: tuple[Review, ...]
    record: EmployerRecord
    actions: tuple[str, ...]  # ``report`` for anyone but themselves


class ProfileViews(Service):
    @property
    def _reputation(self) -> ReputationService:
        return ReputationService(self.ctx)

    async def own(self, actor: Actor) -> FreelancerCard:
        """One's own profile screen: the edit actions, and no reviews (the public view
        shows them)."""
        profile = await UserService(self.ctx).profile(actor.user_id)
        actions = ("edit_all" if profile.complete else "complete_missing", "edit")
        return await self._card(actor, profile, (), actions)

    async def freelancer(
        self, actor: Actor, user_id: int, reviews: int = LATEST_REVIEWS
    ) -> FreelancerCard:
        """Anyone's public freelancer card (one's own too), with the latest reviews."""
        profile = await UserService(self.ctx).profile(user_id)
        about = await self._reputation.reviews_about(user_id, PartyRole.FREELANCER, reviews)
        actions = () if user_id == actor.user_id else ("report",)
        return await self._card(actor, profile, tuple(about), actions)

    async def _card(
        self,
        actor: Actor,
        profile: ProfileView,
        reviews: tuple[Review, ...],
        actions: tuple[str, ...],
    ) -> FreelancerCard:
        user_id = profile.user.id
        rep = self._reputation
        reputation, record = await rep.freelancer(user_id)
        return FreelancerCard(
            own=user_id == actor.user_id,
            profile=profile,
            reputation=reputation,
            reviews=reviews,
            record=record,
            employer_record=await rep.employer_record(user_id),
            actions=actions,
        )

    async def employer(
        self, actor: Actor, user_id: int, reviews: int = LATEST_REVIEWS
    ) -> EmployerCard:
        user = await UserService(self.ctx).get(user_id)
        rep = self._reputation
        reputation = await rep.of(user_id, PartyRole.EMPLOYER)
        about = tuple(await rep.reviews_about(user_id, PartyRole.EMPLOYER, reviews))
        record = await rep.employer_record(user_id)
        actions = () if user_id == actor.user_id else ("report",)
        return EmployerCard(user.first_name, reputation, about, record, actions)
