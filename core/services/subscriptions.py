"""New-project alerts by subscription: which skills, how big a budget, paused or not.

A freelancer whose profile is complete is subscribed to their profile skills unless
they chose otherwise (opt-out, as on Freelancer.com); from then on the subscription is
theirs to change. A new project reaches every subscriber who follows at least one of
its skills, whose minimum budget its top budget reaches, who is not paused or banned
and did not post it: best matches first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from core.actors import Actor
from core.context import Service, atomic
from core.errors import InvalidState, NotFound, ValidationFailed
from core.money import whole_amount
from core.services.skills import SkillService
from storage.enums import ProjectStatus
from storage.models import AlertSubscription, Skill, User

#: Skills one subscription may follow: enough for a broad generalist, few enough that
#: an alert still means "this is your kind of work".
MAX_SKILLS = 15


@dataclass(frozen=True)
class SubscriptionView:
    user_id: int
    skills: list[Skill]  # by name; none means alerts are off
    min_budget: int  # minor units; 0 is any budget
    paused: bool

    @property
    def off(self) -> bool:
        return not self.skills

    @property
    def receiving(self) -> bool:
        """New projects that match reach this person right now."""
        return bool(self.skills) and not self.paused


class Recipient(NamedTuple):
    """One freelancer to alert about a new project (a tuple: thousands are built at once)."""

    user_id: int
    telegram_id: int
    score: int  # how many of the project's skills they follow


class SubscriptionService(Service):
    async def of(self, user_id: int) -> SubscriptionView | None:
        """The person's subscription, or None if they never had one."""
        sub = await self.uow.subscriptions.get(user_id)
        return None if sub is None else await self._view(sub)

    async def _view(self, sub: AlertSubscription) -> SubscriptionView:
        skills = await self.uow.skills.by_ids(await self.uow.subscriptions.skill_ids(sub.user_id))
        return SubscriptionView(sub.user_id, skills, sub.min_budget, sub.paused)

    async def _own(self, actor: Actor) -> tuple[AlertSubscription, User]:
        """The actor's subscription, created (off) if they never had one, locked."""
        user = await self.active_user(actor)
        return await self.uow.subscriptions.ensure(user.id, self.now()), user

    async def _receiving(self, actor: Actor) -> tuple[AlertSubscription, User]:
        """The actor's subscription, locked, refused when there is none or it is off."""
        user = await self.active_user(actor)
        sub = await self.uow.subscriptions.lock(user.id)
        if sub is None or not await self.uow.subscriptions.skill_ids(user.id):
            raise InvalidState(
                "alerts.off",
                "Your new-project alerts are off. Choose skills in /alerts to turn them on.",
            )
        return sub, user

    async def _skill_ids(self, slugs: Sequence[str]) -> list[int]:
        found = await SkillService(self.ctx).resolve(slugs, MAX_SKILLS)
        if not found:
            raise ValidationFailed(
                "alerts.no_skills", "Pick at least one skill. To stop alerts, turn them off."
            )
        return [s.id for s in found]

    def _check_budget(self, amount: int) -> int:
        s = self.settings
        if whole_amount(amount) < 0:
            raise ValidationFailed(
                "alerts.budget_negative", "The minimum budget cannot be negative."
            )
        if amount > s.max_budget:
            raise ValidationFailed(
                "alerts.budget_too_large",
                f"The minimum budget can be at most {s.max_budget} (minor units).",
                maximum=s.max_budget,
            )
        return amount

    async def _save(self, sub: AlertSubscription) -> SubscriptionView:
        """A change by the freelancer (who is active now), copied onto their skills."""
        sub.updated_at = sub.active_at = self.now()
        await self.uow.subscriptions.sync(sub)
        return await self._view(sub)

    # --- the freelancer's choices ----------------------------------------------------

    @atomic
    async def subscribe(
        self, actor: Actor, skills: Sequence[str], min_budget: int = 0
    ) -> SubscriptionView:
        """Set the whole subscription at once and receive alerts (unpaused)."""
        skill_ids = await self._skill_ids(skills)
        min_budget = self._check_budget(min_budget)
        sub, user = await self._own(actor)
        sub.min_budget, sub.paused, sub.stopped_at = min_budget, False, None
        await self.uow.subscriptions.set_skills(sub, user, skill_ids)
        return await self._save(sub)

    @atomic
    async def set_skills(self, actor: Actor, skills: Sequence[str]) -> SubscriptionView:
        """Follow exactly these skills (by slug); turns alerts on if they were off."""
        skill_ids = await self._skill_ids(skills)
        sub, user = await self._own(actor)
        sub.stopped_at = None
        await self.uow.subscriptions.set_skills(sub, user, skill_ids)
        return await self._save(sub)

    @atomic
    async def set_min_budget(self, actor: Actor, amount: int) -> SubscriptionView:
        """Only projects whose top budget reaches ``amount`` (0: any budget)."""
        amount = self._check_budget(amount)
        sub, _ = await self._own(actor)
        sub.min_budget = amount
        return await self._save(sub)

    @atomic
    async def pause(self, actor: Actor) -> SubscriptionView:
        sub, _ = await self._receiving(actor)
        if sub.paused:
            raise InvalidState(
                "alerts.already_paused", "Your new-project alerts are already paused."
            )
        sub.paused = True
        return await self._save(sub)

    @atomic
    async def resume(self, actor: Actor) -> SubscriptionView:
        sub, _ = await self._receiving(actor)
        if not sub.paused:
            raise InvalidState("alerts.not_paused", "Your new-project alerts are already on.")
        sub.paused = False
        return await self._save(sub)

    @atomic
    async def unsubscribe(self, actor: Actor) -> SubscriptionView:
        """Turn alerts off: no skills followed, and remembered so nothing turns them on
        again but the freelancer choosing skills."""
        sub, user = await self._receiving(actor)
        sub.paused, sub.stopped_at = False, self.now()
        await self.uow.subscriptions.set_skills(sub, user, [])
        return await self._save(sub)

    # --- on the freelancer's behalf ---------------------------------------------------

    async def follow_profile(self, user_id: int, skill_ids: Sequence[int]) -> bool:
        """Subscribe a freelancer whose profile just became complete to its skills, unless
        they already chose skills or turned alerts off. True if subscribed now."""
        if not skill_ids:
            return False
        sub = await self.uow.subscriptions.get(user_id)
        if sub is not None and (
            sub.stopped_at is not None or await self.uow.subscriptions.skill_ids(user_id)
        ):
            return False
        sub = sub or await self.uow.subscriptions.ensure(user_id, self.now())
        sub.updated_at = sub.active_at = self.now()
        user = await self.uow.users.get(user_id)
        assert user is not None
        await self.uow.subscriptions.set_skills(sub, user, skill_ids)
        return True

    # --- matching --------------------------------------------------------------------

    async def recipients_for_project(self, project_id: int) -> list[Recipient]:
        """Everyone a newly published project should reach, best match first: most of its
        skills followed, then the most recently active, then the longest-standing user.

        A project no longer open (cancelled before its alert went out) reaches nobody.
        """
        project = await self.uow.projects.get(project_id)
        if project is None:
            raise NotFound("project.not_found", "This project does not exist.")
        if project.status is not ProjectStatus.OPEN:
            return []
        matches = await self.uow.subscriptions.matches(
            await self.uow.projects.skill_ids(project_id),
            project.budget_max,
            exclude_user_id=project.employer_id,
        )
        return list(map(Recipient._make, matches))
