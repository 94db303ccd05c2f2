"""Reminder stages dealt with, one row per schedule and stage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from storage.models import Reminder
from storage.repositories.base import Repository, insert_ignore


class ReminderRepository(Repository[Reminder]):
    model = Reminder

    async def latest(
        self, subject_kind: str, subject_id: int, kind: str, target_at: datetime
    ) -> int | None:
        """The latest stage of one schedule dealt with so far, if any."""
        stmt = select(func.max(Reminder.seq)).where(
            Reminder.subject_kind == subject_kind,
            Reminder.subject_id == subject_id,
            Reminder.kind == kind,
            Reminder.target_at == target_at,
        )
        found = (await self.session.execute(stmt)).scalar_one_or_none()
        return None if found is None else int(found)

    async def record(
        self,
        subject_kind: str,
        subject_id: int,
        kind: str,
        target_at: datetime,
        seq: int,
        *,
        announced: bool,
        now: datetime,
    ) -> bool:
        """Record a stage as dealt with; False if it already was (by anyone, any process)."""
        values = {
            "subject_kind": subject_kind,
            "subject_id": subject_id,
            "kind": kind,
            "target_at": target_at,
            "seq": seq,
            "announced": announced,
            "created_at": now,
        }
        return await insert_ignore(self.session, Reminder, values)

    async def of(self, subject_kind: str, subject_id: int) -> list[Reminder]:
        stmt = (
            select(Reminder)
            .where(Reminder.subject_kind == subject_kind, Reminder.subject_id == subject_id)
            .order_by(Reminder.id)
        )
        return await self._all(stmt)
