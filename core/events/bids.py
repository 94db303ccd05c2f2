"""Events of bids, told to the employer (placed, edited, retracted) or the bidder."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class BidEvent(Event):
    project_id: int
    bid_id: int


@dataclass(frozen=True, kw_only=True)
class BidPlaced(BidEvent, kind="bid.placed"):
    pass


@dataclass(frozen=True, kw_only=True)
class BidEdited(BidEvent, kind="bid.edited"):
    pass


@dataclass(frozen=True, kw_only=True)
class BidRetracted(BidEvent, kind="bid.retracted"):
    pass


@dataclass(frozen=True, kw_only=True)
class BidDeclined(BidEvent, kind="bid.declined"):
    pass
