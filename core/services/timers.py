"""Due work: everything that happens because time passed.

Each item runs in its own savepoint and re-checks its own condition under a
row lock, so running the sweep twice, or in two processes, does each thing once.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field

from core.context import Service
from core.services.awards import AwardService
from core.services.disputes import DisputeService
from core.services.milestones import MilestoneService
from core.services.projects import ProjectService


@dataclass
class SweepReport:
    projects_closed: int = 0
    awards_lapsed: int = 0
    milestones_auto_released: int = 0
    disputes_defaulted: int = 0
    disputes_escalated: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.projects_closed
            + self.awards_lapsed
            + self.milestones_auto_released
            + self.disputes_defaulted
            + self.disputes_escalated
        )


class TimerService(Service):
    async def sweep(self, batch: int = 100) -> SweepReport:
        now = self.now()
        report = SweepReport()
        u = self.uow

        async def each(what: str, item: int, step: Awaitable[object]) -> bool:
            """One item; a failure (already rolled back) is reported and the sweep goes on."""
            try:
                return bool(await step)
            except Exception as error:
                report.failures.append(f"{what} {item}: {error!r}")
                return False

        for pid in await u.projects.due_to_close(now, batch):
            step = ProjectService(self.ctx).close_if_due(pid)
            report.projects_closed += await each("project", pid, step)
        for aid in await u.awards.due_to_lapse(now, batch):
            step = AwardService(self.ctx).lapse_if_due(aid)
            report.awards_lapsed += await each("award", aid, step)
        for mid in await u.milestones.due_to_auto_release(now, batch):
            released = _not_none(MilestoneService(self.ctx).auto_release_if_due(mid))
            report.milestones_auto_released += await each("milestone", mid, released)
        for did in await u.disputes.due_unanswered(now, batch):
            settled = _not_none(DisputeService(self.ctx).default_if_due(did))
            report.disputes_defaulted += await each("dispute", did, settled)
        for did in await u.disputes.due_to_escalate(now, batch):
            step = DisputeService(self.ctx).escalate_if_due(did)
            report.disputes_escalated += await each("dispute", did, step)
        return report


async def _not_none(step: Awaitable[object]) -> bool:
    return await step is not None
