"""Events of disputes: each step to the side that did not act, escalations to the admins."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event
from storage.enums import DisputeResolution


@dataclass(frozen=True, kw_only=True)
class DisputeEvent(Event):
    dispute_id: int


@dataclass(frozen=True, kw_only=True)
class DisputeOpened(DisputeEvent, kind="dispute.opened"):
    milestone_id: int


@dataclass(frozen=True, kw_only=True)
class EvidenceAdded(DisputeEvent, kind="dispute.evidence"):
    evidence_id: int


@dataclass(frozen=True, kw_only=True)
class DisputeResponded(DisputeEvent, kind="dispute.responded"):
    pass


@dataclass(frozen=True, kw_only=True)
class OfferMade(DisputeEvent, kind="dispute.offer"):
    offer_id: int


@dataclass(frozen=True, kw_only=True)
class DisputeSettled(DisputeEvent, kind="dispute.settled"):
    pass


@dataclass(frozen=True, kw_only=True)
class DisputeEscalated(DisputeEvent, kind="dispute.escalated"):
    pass


@dataclass(frozen=True, kw_only=True)
class NeedsArbiter(DisputeEvent, kind="dispute.needs_arbiter"):
    pass


@dataclass(frozen=True, kw_only=True)
class DisputeWithdrawn(DisputeEvent, kind="dispute.withdrawn"):
    pass


@dataclass(frozen=True, kw_only=True)
class DisputeResolved(DisputeEvent, kind="dispute.resolved"):
    resolution: DisputeResolution
