"""Bid screens: one's own bids, and an employer's review of the bids on a project."""

from __future__ import annotations

from dataclasses import dataclass

from core.actors import Actor
from core.context import Service
from core.services.bids import BidOrder, BidService, BidView
from storage.enums import BidStatus
from storage.models import Bid, Project


@dataclass(frozen=True)
class MyBids:
    """One page of one's bids (newest first), each with its project."""

    items: tuple[tuple[Bid, Project], ...]
    more: bool


@dataclass(frozen=True)
class BidReview:
    """The bids on one's project, in the order asked for, each with the bidder's reputation."""

    project: Project
    bids: tuple[BidView, ...]


@dataclass(frozen=True)
class BidScreen:
    """One bid as its project's employer sees it; ``actions``: ``message`` always,
    ``award`` and ``decline`` while the bid is active."""

    view: BidView
    project: Project
    actions: tuple[str, ...]


class BidViews(Service):
    async def mine(self, actor: Actor, limit: int, offset: int = 0) -> MyBids:
        """``limit`` of one's bids from ``offset`` with their projects, in one query."""
        rows = await self.uow.bids.by_freelancer_with_projects(actor.user_id, limit + 1, offset)
        return MyBids(tuple(rows[:limit]), len(rows) > limit)

    async def review(self, actor: Actor, project_id: int, order: BidOrder = "newest") -> BidReview:
        """Refused to anyone but the project's employer (and admins)."""
        bids = await BidService(self.ctx).for_employer(actor, project_id, order)
        project = await self.uow.projects.get(project_id)  # already loaded: no query
        assert project is not None
        return BidReview(project, tuple(bids))

    async def bid(self, actor: Actor, bid_id: int) -> BidScreen:
        view = await BidService(self.ctx).view_for_employer(actor, bid_id)
        project = await self.uow.projects.get(view.bid.project_id)  # already loaded
        assert project is not None
        active = view.bid.status is BidStatus.ACTIVE
        return BidScreen(view, project, ("message", "award", "decline") if active else ("message",))
