"""Events, one class per kind, grouped by area (``core.events.milestones`` ...).

Importing this package defines every kind, so :data:`KINDS` is complete.
"""

from core.events import (  # noqa: F401  (each module registers its kinds)
    awards,
    bids,
    contracts,
    disputes,
    messages,
    milestones,
    payments,
    payouts,
    projects,
    reports,
    reviews,
    users,
)
from core.events.base import KINDS, Event, Payload, from_payload

__all__ = ["KINDS", "Event", "Payload", "from_payload"]
