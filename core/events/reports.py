"""Events of reports: filed (to the admins), decided (the reporter), warned (the reported)."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class ReportEvent(Event):
    report_id: int


@dataclass(frozen=True, kw_only=True)
class ReportFiled(ReportEvent, kind="report.filed"):
    pass


@dataclass(frozen=True, kw_only=True)
class ReportDecided(ReportEvent, kind="report.decided"):
    pass


@dataclass(frozen=True, kw_only=True)
class ReportWarned(ReportEvent, kind="report.warned"):
    pass
