"""Events of milestones: created or requested, funded, delivered and answered, paid,
cancelled, and the timed reminders (due dates, an auto-release coming)."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class MilestoneEvent(Event):
    milestone_id: int


@dataclass(frozen=True, kw_only=True)
class MilestoneCreated(MilestoneEvent, kind="milestone.created"):
    pass


@dataclass(frozen=True, kw_only=True)
class MilestoneRequested(MilestoneEvent, kind="milestone.requested"):
    pass


@dataclass(frozen=True, kw_only=True)
class RequestAnswered(MilestoneEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class RequestAccepted(RequestAnswered, kind="milestone.request_accepted"):
    pass


@dataclass(frozen=True, kw_only=True)
class RequestRejected(RequestAnswered, kind="milestone.request_rejected"):
    pass


@dataclass(frozen=True, kw_only=True)
class MilestoneFunded(MilestoneEvent, kind="milestone.funded"):
    pass


@dataclass(frozen=True, kw_only=True)
class MilestoneDelivered(MilestoneEvent, kind="milestone.delivered"):
    pass


@dataclass(frozen=True, kw_only=True)
class HandedOver(MilestoneEvent, kind="milestone.handed_over"):
    pass


@dataclass(frozen=True, kw_only=True)
class ChangesRequested(MilestoneEvent, kind="milestone.changes_requested"):
    pass


@dataclass(frozen=True, kw_only=True)
class MilestonePaid(MilestoneEvent):
    """Money released to the freelancer, as the settlement computed it."""

    amount: int  # released, the fee included
    fee: int
    paid_to_freelancer: int

    @classmethod
    def upgrade(cls, data: dict[str, object]) -> dict[str, object]:
        """Rows from before ``paid_to_freelancer`` carry the amount and the fee."""
        amount, fee = data.get("amount"), data.get("fee")
        if "paid_to_freelancer" not in data and isinstance(amount, int) and isinstance(fee, int):
            return {**data, "paid_to_freelancer": amount - fee}
        return data


@dataclass(frozen=True, kw_only=True)
class MilestoneReleased(MilestonePaid, kind="milestone.released"):
    pass


@dataclass(frozen=True, kw_only=True)
class MilestoneAutoReleased(MilestonePaid, kind="milestone.auto_released"):
    pass


@dataclass(frozen=True, kw_only=True)
class MilestoneCancelled(MilestoneEvent, kind="milestone.cancelled"):
    pass


# --- timed reminders ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DueReminder(MilestoneEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class DueSoon(DueReminder, kind="milestone.due_soon"):
    pass


@dataclass(frozen=True, kw_only=True)
class DueNow(DueReminder, kind="milestone.due_now"):
    pass


@dataclass(frozen=True, kw_only=True)
class Overdue(DueReminder, kind="milestone.overdue"):
    notice: int  # this overdue notice, from 1
    notices: int  # how many there are: the last one says so


@dataclass(frozen=True, kw_only=True)
class AutoReleaseSoon(MilestoneEvent, kind="milestone.auto_release_soon"):
    pass
