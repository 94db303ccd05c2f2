"""Bids on projects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select

from storage.enums import BidStatus
from storage.models import Bid, Project
from storage.repositories.base import Repository, among, one_of

#: The bids a project's bid count counts.
COUNTED = (BidStatus.ACTIVE, BidStatus.AWARDED, BidStatus.HIRED)
#: Built once: read for every card and bid screen (see base.insert_ignore).
COUNTS_FOR_PROJECTS = (
    select(Bid.project_id, func.count(Bid.id))
    .where(
        among(Bid.project_id, "ids"),
        one_of(Bid.status, COUNTED),
    )
    .group_by(Bid.project_id)
)
OF = select(Bid).where(
    Bid.project_id == bindparam("project_id"), Bid.freelancer_id == bindparam("freelancer_id")
)

#: One's bids, newest first, each with its project (built once).
MINE_WITH_PROJECTS = (
    select(Bid, Project)
    .join(Project, Project.id == Bid.project_id)
    .where(Bid.freelancer_id == bindparam("freelancer_id"))
    .order_by(Bid.updated_at.desc(), Bid.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


class BidRepository(Repository[Bid]):
    model = Bid

    async def of(self, project_id: int, freelancer_id: int) -> Bid | None:
        params = {"project_id": project_id, "freelancer_id": freelancer_id}
        return (await self.session.execute(OF, params)).scalar_one_or_none()

    async def lock_of(self, project_id: int, freelancer_id: int) -> Bid | None:
        stmt = select(Bid).where(Bid.project_id == project_id, Bid.freelancer_id == freelancer_id)
        found = await self.lock_many(stmt)
        return found[0] if found else None

    async def placed_since(self, freelancer_id: int, since: datetime) -> int:
        stmt = select(func.count(Bid.id)).where(
            Bid.freelancer_id == freelancer_id, Bid.placed_at >= since
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def for_project(
        self, project_id: int, statuses: Iterable[BidStatus] | None = None
    ) -> list[Bid]:
        stmt = select(Bid).where(Bid.project_id == project_id)
        if statuses is not None:
            stmt = stmt.where(Bid.status.in_(list(statuses)))
        return await self._all(stmt.order_by(Bid.placed_at, Bid.id))

    async def lock_for_project(self, project_id: int, statuses: Iterable[BidStatus]) -> list[Bid]:
        stmt = (
            select(Bid)
            .where(Bid.project_id == project_id, Bid.status.in_(list(statuses)))
            .order_by(Bid.id)
        )
        return await self.lock_many(stmt)

    async def count_for_projects(self, project_ids: Sequence[int]) -> dict[int, int]:
        """Bids each project has (active, awarded or hired), in one query."""
        counts = dict.fromkeys(project_ids, 0)
        if project_ids:
            found = await self.session.execute(COUNTS_FOR_PROJECTS, {"ids": list(project_ids)})
            for pid, count in found:
                counts[pid] = int(count)
        return counts

    async def by_freelancer(self, freelancer_id: int, limit: int, offset: int = 0) -> list[Bid]:
        stmt = (
            select(Bid)
            .where(Bid.freelancer_id == freelancer_id)
            .order_by(Bid.updated_at.desc(), Bid.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def by_freelancer_with_projects(
        self, freelancer_id: int, limit: int, offset: int = 0
    ) -> list[tuple[Bid, Project]]:
        """``by_freelancer`` with each bid's project, in one query."""
        params = {"freelancer_id": freelancer_id, "limit": limit, "offset": offset}
        return [
            (bid, project)
            for bid, project in await self.session.execute(MINE_WITH_PROJECTS, params)
        ]

    async def active_of(self, freelancer_id: int) -> list[Bid]:
        stmt = select(Bid).where(Bid.freelancer_id == freelancer_id, Bid.status == BidStatus.ACTIVE)
        return await self._all(stmt.order_by(Bid.id))
