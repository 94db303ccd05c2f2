"""What happened, for whom: services record events; the bot turns them into alerts.

Events are collected in the unit of work's context and only delivered after the
commit, so nobody is told about something that was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    kind: str  # e.g. "bid.placed", "milestone.delivered"
    recipients: tuple[int, ...]  # user ids to tell
    data: dict[str, int | str | None] = field(default_factory=dict)
