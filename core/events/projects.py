"""Events of projects: published, edited, cancelled, bidding over, closed, awarded."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class ProjectEvent(Event):
    project_id: int


@dataclass(frozen=True, kw_only=True)
class ProjectPublished(ProjectEvent, kind="project.published"):
    """To its subscribers (the renderer asks core who they are)."""

    skills: str = ""  # the project's skill ids, comma-separated


@dataclass(frozen=True, kw_only=True)
class ProjectEdited(ProjectEvent, kind="project.edited"):
    pass


@dataclass(frozen=True, kw_only=True)
class ProjectCancelled(ProjectEvent, kind="project.cancelled"):
    pass


@dataclass(frozen=True, kw_only=True)
class BiddingEnded(ProjectEvent, kind="project.bidding_ended"):
    bids: int = 0  # active bids to choose from


@dataclass(frozen=True, kw_only=True)
class ProjectClosed(ProjectEvent, kind="project.closed"):
    reason: str = "not_awarded"  # or "nobody_left": every bid gone


@dataclass(frozen=True, kw_only=True)
class AwardedToOther(ProjectEvent, kind="project.awarded_to_other"):
    """To the bidders who were not hired."""
