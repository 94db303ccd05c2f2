"""Events of awards: the offer to a freelancer and its answers."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class AwardEvent(Event):
    project_id: int
    award_id: int


@dataclass(frozen=True, kw_only=True)
class AwardOffered(AwardEvent, kind="award.offered"):
    pass


@dataclass(frozen=True, kw_only=True)
class AwardAccepted(Event, kind="award.accepted"):
    """The offer became a contract."""

    project_id: int
    contract_id: int


@dataclass(frozen=True, kw_only=True)
class AwardDeclined(AwardEvent, kind="award.declined"):
    pass


@dataclass(frozen=True, kw_only=True)
class AwardWithdrawn(AwardEvent, kind="award.withdrawn"):
    pass


@dataclass(frozen=True, kw_only=True)
class AwardLapsed(AwardEvent, kind="award.lapsed"):
    """Unanswered in time: the employer and the freelancer."""
