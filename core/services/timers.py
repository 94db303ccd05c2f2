"""Due work: everything that happens because time passed.

Each item runs in its own savepoint and re-checks its own condition under a
row lock, so running the sweep twice, or in two processes, does each thing once.
"""

from __future__ import annotations

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
        for pid in await u.projects.due_to_close(now, batch):
            report.projects_closed += await ProjectService(self.ctx).close_if_due(pid)
        for aid in await u.awards.due_to_lapse(now, batch):
            report.awards_lapsed += await AwardService(self.ctx).lapse_if_due(aid)
        for mid in await u.milestones.due_to_auto_release(now, batch):
            released = await MilestoneService(self.ctx).auto_release_if_due(mid)
            report.milestones_auto_released += released is not None
        for did in await u.disputes.due_unanswered(now, batch):
            settled = await DisputeService(self.ctx).default_if_due(did)
            report.disputes_defaulted += settled is not None
        for did in await u.disputes.due_to_escalate(now, batch):
            report.disputes_escalated += await DisputeService(self.ctx).escalate_if_due(did)
        return report
