"""Reviews, double-blind until both sides wrote or the window closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select

from storage.enums import PartyRole
from storage.models import Contract, Review
from storage.repositories.base import OTHER_REVIEW, Repository


class ReviewRepository(Repository[Review]):
    model = Review

    async def for_contract(self, contract_id: int) -> list[Review]:
        stmt = select(Review).where(Review.contract_id == contract_id).order_by(Review.id)
        return await self._all(stmt)

    async def visible_about(
        self, subject_id: int, role: PartyRole, cutoff: datetime, limit: int, offset: int = 0
    ) -> list[Review]:
        stmt = (
            select(Review)
            .join(Contract, Contract.id == Review.contract_id)
            .where(
                Review.subject_id == subject_id,
                Review.subject_role == role,
                visible_review(cutoff),
            )
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)


def visible_review(cutoff: Any) -> Any:
    """Double-blind: both sides wrote, or the review window has closed."""
    other = OTHER_REVIEW
    return or_(
        exists().where(
            other.contract_id == Review.contract_id, other.author_id == Review.subject_id
        ),
        Contract.ended_at <= cutoff,
    )
