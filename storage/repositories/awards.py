"""Awards: the offers made to a bidder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.enums import AwardStatus
from storage.models import Award
from storage.repositories.base import Repository


class AwardRepository(Repository[Award]):
    model = Award

    async def pending_for_project(self, project_id: int) -> Award | None:
        stmt = select(Award).where(
            Award.project_id == project_id, Award.status == AwardStatus.PENDING
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def due_to_lapse(self, now: datetime, limit: int) -> list[int]:
        stmt = (
            select(Award.id)
            .where(Award.status == AwardStatus.PENDING, Award.expires_at <= now)
            .order_by(Award.expires_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def pending_for_freelancer(self, freelancer_id: int) -> list[Award]:
        stmt = select(Award).where(
            Award.freelancer_id == freelancer_id, Award.status == AwardStatus.PENDING
        )
        return await self._all(stmt.order_by(Award.offered_at))
