"""Reports filed about people, projects and messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from storage.enums import ReportStatus, ReportTarget
from storage.models import Report
from storage.repositories.base import Repository


class ReportRepository(Repository[Report]):
    model = Report

    async def open_by(self, reporter_id: int, kind: ReportTarget, target_id: int) -> Report | None:
        stmt = select(Report).where(
            Report.reporter_id == reporter_id,
            Report.target_kind == kind,
            Report.target_id == target_id,
            Report.status == ReportStatus.OPEN,
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def filed_since(self, reporter_id: int, since: datetime) -> int:
        stmt = select(func.count(Report.id)).where(
            Report.reporter_id == reporter_id, Report.created_at >= since
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def queue(self, limit: int, offset: int = 0) -> list[Report]:
        stmt = (
            select(Report)
            .where(Report.status == ReportStatus.OPEN)
            .order_by(Report.created_at, Report.id)
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def count_open(self) -> int:
        stmt = select(func.count(Report.id)).where(Report.status == ReportStatus.OPEN)
        return int((await self.session.execute(stmt)).scalar_one())

    async def lock_open_about(self, subject_id: int) -> list[Report]:
        stmt = (
            select(Report)
            .where(Report.subject_id == subject_id, Report.status == ReportStatus.OPEN)
            .order_by(Report.id)
        )
        return await self.lock_many(stmt)

    async def outcomes_about(self, subject_id: int) -> dict[ReportStatus, int]:
        stmt = (
            select(Report.status, func.count(Report.id))
            .where(Report.subject_id == subject_id)
            .group_by(Report.status)
        )
        found = dict.fromkeys(ReportStatus, 0)
        for status, count in (await self.session.execute(stmt)).all():
            found[ReportStatus(status)] = int(count)
        return found
