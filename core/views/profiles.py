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
    """Someone as a freelancer. ``actions`` for oneself: ``edit_all`` once the profile is
    complete, else ``complete_missing``, then ``edit``; for anyone else ``report``.
    ``reviews``: the latest visible ones (on public cards only)."""

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

    async def freelancer(
        self, actor: Actor, user_id: int, reviews: int = LATEST_REVIEWS
    ) -> FreelancerCard:
        """``user_id``'s freelancer card; one's own (``user_id`` is the actor) carries the
        edit actions and no reviews, as the own profile screen shows none."""
        own = user_id == actor.user_id
        profile = await UserService(self.ctx).profile(user_id)
        rep = self._reputation
        reputation = await rep.of(user_id, PartyRole.FREELANCER)
        about = (
            () if own else tuple(await rep.reviews_about(user_id, PartyRole.FREELANCER, reviews))
        )
        record = await rep.freelancer_record(user_id)
        employer = await rep.employer_record(user_id)
        actions: tuple[str, ...] = ("report",)
        if own:
            actions = ("edit_all" if profile.complete else "complete_missing", "edit")
        return FreelancerCard(own, profile, reputation, about, record, employer, actions)

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
