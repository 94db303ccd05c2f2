"""Reputation from real history: ratings of visible reviews and contract outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.context import Service
from storage.enums import PartyRole
from storage.models import Review


@dataclass(frozen=True)
class Reputation:
    role: PartyRole
    rating: float | None  # average stars of visible reviews, None with no reviews
    reviews: int
    completed: int
    cancelled: int
    active: int
    on_time: int
    on_budget: int
    paid: int  # minor units released on completed contracts

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def completion_rate(self) -> float | None:
        """Contracts finished with payment, out of all that ended."""
        return self._rate(self.completed, self.completed + self.cancelled)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time, self.completed)

    @property
    def on_budget_rate(self) -> float | None:
        return self._rate(self.on_budget, self.completed)


class ReputationService(Service):
    def _cutoff(self) -> datetime:
        return self.now() - self.settings.review_window

    async def of(self, user_id: int, role: PartyRole) -> Reputation:
        rating, count = await self.uow.reviews.rating_of(user_id, role, self._cutoff())
        record = await self.uow.contracts.track_record(user_id, role)
        return Reputation(role=role, rating=rating, reviews=count, **record)

    async def reviews_about(
        self, user_id: int, role: PartyRole, limit: int = 5, offset: int = 0
    ) -> list[Review]:
        return await self.uow.reviews.visible_about(user_id, role, self._cutoff(), limit, offset)
