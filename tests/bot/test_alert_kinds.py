"""Every event class has a renderer that takes it, every kind is emitted by core, and the
kinds keep the names metrics, logs and queued outbox rows know them by."""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path

import bot.alerts  # noqa: F401  (registers the renderers)
from bot.notifier import RENDERERS
from core.events import KINDS

CORE = Path(__file__).resolve().parents[2] / "core" / "services"

#: The names as outbox rows, metrics and logs have them: renaming one strands its rows.
STABLE = {
    "award.accepted", "award.declined", "award.lapsed", "award.offered", "award.withdrawn",
    "bid.declined", "bid.edited", "bid.placed", "bid.retracted",
    "contract.cancelled", "contract.completed", "contract.end_requested", "contract.settled",
    "dispute.escalated", "dispute.evidence", "dispute.needs_arbiter", "dispute.offer",
    "dispute.opened", "dispute.resolved", "dispute.responded", "dispute.settled",
    "dispute.withdrawn",
    "message.received", "message.safety_note",
    "milestone.auto_release_soon", "milestone.auto_released", "milestone.cancelled",
    "milestone.changes_requested", "milestone.created", "milestone.delivered",
    "milestone.due_now", "milestone.due_soon", "milestone.funded", "milestone.handed_over",
    "milestone.overdue", "milestone.released", "milestone.request_accepted",
    "milestone.request_rejected", "milestone.requested",
    "payment.credited_to_balance", "payment.refund_refused", "payment.refund_started",
    "payment.refunded",
    "payout.paid", "payout.rejected", "payout.requested",
    "project.awarded_to_other", "project.bidding_ended", "project.cancelled",
    "project.closed", "project.edited", "project.published",
    "report.decided", "report.filed", "report.warned",
    "review.written", "reviews.published",
    "user.banned", "user.unbanned",
}  # fmt: skip


def test_the_kinds_keep_their_names() -> None:
    assert sorted(KINDS) == sorted(STABLE)


def test_every_event_class_has_a_renderer_that_takes_it() -> None:
    for kind, cls in KINDS.items():
        render = RENDERERS.get(cls)
        assert render is not None, f"nobody renders {kind}"
        first = next(iter(inspect.signature(render).parameters))
        takes = typing.get_type_hints(render)[first]
        assert issubclass(cls, takes), f"{render.__qualname__} takes {takes}, not {cls}"


def test_every_event_class_is_emitted_by_core() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in CORE.rglob("*.py"))
    unused = [
        cls.__name__ for cls in KINDS.values() if not re.search(rf"\b{cls.__name__}\b", source)
    ]
    assert unused == []
