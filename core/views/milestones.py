"""Milestone screens: the card with what may be done now, and the release confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from core.actors import Actor
from core.context import Service
from core.errors import NotFound
from core.services.milestones import MilestoneService, ReleasePreview
from core.views.contracts import ContractHeader, header
from storage.models import Milestone, MilestoneEvent


@dataclass(frozen=True)
class MilestoneScreen:
    """One milestone on its contract; ``actions`` are those of ``MILESTONE_ACTIONS`` core
    allows this person now, ``rounds_left`` the change rounds still included."""

    milestone: Milestone
    header: ContractHeader
    rounds_left: int
    actions: frozenset[str]


@dataclass(frozen=True)
class ReleaseConfirm:
    """What releasing would move, and to whom (the confirmation before money moves)."""

    preview: ReleasePreview
    freelancer_name: str


@dataclass(frozen=True)
class MilestoneHistory:
    """What happened to a milestone, oldest first, and who did it (names by user id)."""

    milestone: Milestone
    events: tuple[MilestoneEvent, ...]
    names: dict[int, str]


class MilestoneViews(Service):
    @property
    def _rules(self) -> MilestoneService:
        return MilestoneService(self.ctx)

    async def _load(self, actor: Actor, milestone_id: int) -> tuple[Milestone, ContractHeader]:
        found = await self.uow.milestones.screen(milestone_id, actor.user_id)
        if found is None:
            raise NotFound("milestone.not_found", "This milestone does not exist.")
        m, contract, title, other_name = found
        return m, header(actor, contract, title, other_name)

    async def screen(self, actor: Actor, milestone_id: int) -> MilestoneScreen:
        """The milestone card in one query (two when the employer may fund it: the
        balance that decides Pay from balance)."""
        await self.active_user(actor)
        m, head = await self._load(actor, milestone_id)
        rules = self._rules
        actions = await rules.allowed(actor, m, head.contract)
        return MilestoneScreen(m, head, rules.revisions_left(m, head.contract), actions)

    async def release(
        self, actor: Actor, milestone_id: int, amount: int | None = None
    ) -> ReleaseConfirm:
        """The release confirmation, refused now as the release would be, in one query."""
        await self.active_user(actor)
        m, head = await self._load(actor, milestone_id)
        rules = self._rules
        rules.refuse(actor, m, head.contract, "release")
        return ReleaseConfirm(rules.preview(m, amount), head.other_name)

    async def history(self, actor: Actor, milestone_id: int) -> MilestoneHistory:
        """The milestone's history in two queries; its sides and admins may see it."""
        m, _ = await self._load(actor, milestone_id)
        rows = await self.uow.milestones.history_with_names(m.id)
        names = {
            e.actor_id: name for e, name in rows if e.actor_id is not None and name is not None
        }
        return MilestoneHistory(m, tuple(e for e, _ in rows), names)
