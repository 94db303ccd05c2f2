"""Reminders that keep a deadline from passing unnoticed.

A schedule counts from one deadline of a milestone: its due date while the work is
funded and not delivered ("due soon", "due now", then a few overdue notices), or the
auto-release moment of a delivery the employer has not answered. Each stage is
dealt with once: a row in ``reminders`` (unique per schedule and stage) is written
in the same savepoint as the alert. Only the latest stage reached is sent, so a
process that was down for days sends one reminder, not every one it missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.context import Service, atomic
from core.events.milestones import AutoReleaseSoon, DueNow, DueSoon, Overdue
from storage.enums import MilestoneStatus
from storage.models import Contract, Milestone

DUE = "due"
AUTO_RELEASE = "auto_release"


@dataclass(frozen=True)
class Schedule:
    """The stages of one kind of reminder: ``offsets`` from the deadline, ascending."""

    kind: str
    status: MilestoneStatus  # the milestone's status while the schedule runs
    offsets: tuple[timedelta, ...]
    before_deadline: bool  # stops at the deadline (something else happens then)


class ReminderService(Service):
    def due_schedule(self) -> Schedule:
        """Due soon (freelancer), due now (freelancer), then overdue notices (both)."""
        s = self.settings
        overdue = tuple(
            s.overdue_reminder_interval * n for n in range(1, s.overdue_reminder_max + 1)
        )
        return Schedule(
            DUE, MilestoneStatus.FUNDED, (-s.due_reminder_before, timedelta(0), *overdue), False
        )

    def auto_release_schedule(self) -> Schedule:
        """The employer, at each configured time before a delivery releases itself."""
        offsets = tuple(sorted(-d for d in self.settings.auto_release_reminders))
        return Schedule(AUTO_RELEASE, MilestoneStatus.DELIVERED, offsets, True)

    async def due(self, schedule: Schedule, limit: int) -> list[int]:
        """Milestones whose latest reached stage of ``schedule`` was not dealt with."""
        return await self.uow.milestones.due_for_reminder(
            schedule.status,
            "due_at" if schedule.kind == DUE else "auto_release_at",
            schedule.kind,
            schedule.offsets,
            self.now(),
            limit,
            before_deadline=schedule.before_deadline,
        )

    @atomic
    async def remind_if_due(self, schedule: Schedule, milestone_id: int) -> bool:
        """Send the latest stage reached, unless it (or a later one) was dealt with.

        Re-checked under the milestone's lock: a delivery, a dispute or a release that
        committed first ends the schedule. A stage whose moment came before the schedule
        began (funding, delivery) is recorded without an alert. Returns whether an
        alert was sent.
        """
        m = await self.uow.milestones.lock(milestone_id)
        if m is None or m.status is not schedule.status:
            return False
        deadline, since = self._deadline(schedule, m)
        now = self.now()
        if deadline is None or (schedule.before_deadline and deadline <= now):
            return False
        reached = [seq for seq, off in enumerate(schedule.offsets) if deadline + off <= now]
        if not reached:
            return False
        seq = reached[-1]
        done = await self.uow.reminders.latest("milestone", m.id, schedule.kind, deadline)
        if done is not None and done >= seq:
            return False
        moment = deadline + schedule.offsets[seq]
        announce = since is not None and moment >= since
        recorded = await self.uow.reminders.record(
            "milestone", m.id, schedule.kind, deadline, seq, announced=announce, now=now
        )
        if not (recorded and announce):
            return False
        contract = await self.uow.contracts.get(m.contract_id)
        assert contract is not None
        self._announce(schedule, seq, m, contract)
        return True

    @staticmethod
    def _deadline(schedule: Schedule, m: Milestone) -> tuple[datetime | None, datetime | None]:
        """The deadline the schedule counts from, and when the schedule began."""
        if schedule.kind == DUE:
            return m.due_at, m.funded_at
        return m.auto_release_at, m.delivered_at

    def _announce(self, schedule: Schedule, seq: int, m: Milestone, contract: Contract) -> None:
        if schedule.kind == AUTO_RELEASE:
            self.emit(AutoReleaseSoon(recipients=(contract.employer_id,), milestone_id=m.id))
        elif seq == 0:
            self.emit(DueSoon(recipients=(contract.freelancer_id,), milestone_id=m.id))
        elif seq == 1:
            self.emit(DueNow(recipients=(contract.freelancer_id,), milestone_id=m.id))
        else:
            self.emit(
                Overdue(
                    recipients=(contract.freelancer_id, contract.employer_id),
                    milestone_id=m.id,
                    notice=seq - 1,
                    notices=len(schedule.offsets) - 2,
                )
            )
