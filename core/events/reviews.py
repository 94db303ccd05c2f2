"""Events of reviews: one written (double-blind), both published."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.contracts import ContractEvent


@dataclass(frozen=True, kw_only=True)
class ReviewEvent(ContractEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ReviewWritten(ReviewEvent, kind="review.written"):
    pass


@dataclass(frozen=True, kw_only=True)
class ReviewsPublished(ReviewEvent, kind="reviews.published"):
    pass
