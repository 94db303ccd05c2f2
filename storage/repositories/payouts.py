"""Payouts: money asked out of the platform."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.enums import PayoutStatus
from storage.models import Payout
from storage.repositories.base import Repository


class PayoutRepository(Repository[Payout]):
    model = Payout

    async def count_by_status(self, status: PayoutStatus) -> int:
        stmt = select(func.count(Payout.id)).where(Payout.status == status)
        return int((await self.session.execute(stmt)).scalar_one())

    async def queue(self, limit: int, offset: int = 0) -> list[Payout]:
        stmt = (
            select(Payout)
            .where(Payout.status == PayoutStatus.REQUESTED)
            .order_by(Payout.requested_at, Payout.id)
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def of_user(self, user_id: int, limit: int) -> list[Payout]:
        stmt = (
            select(Payout)
            .where(Payout.user_id == user_id)
            .order_by(Payout.requested_at.desc(), Payout.id.desc())
            .limit(limit)
        )
        return await self._all(stmt)
