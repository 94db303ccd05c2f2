"""Due work: everything that happens because time passed.

Each item runs in its own savepoint and re-checks its own condition under a
row lock, so running the sweep twice, or in two processes, does each thing once.
Every timer is derived from the database (deadlines on the rows, reminder stages
recorded in ``reminders``), so a restart loses nothing and repeats nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field

from core.context import Service
from core.errors import Conflict
from core.services.awards import AwardService
from core.services.disputes import DisputeService, Silence
from core.services.milestones import MilestoneService
from core.services.payments import PaymentService
from core.services.projects import ProjectService
from core.services.reminders import ReminderService
from core.services.reviews import ReviewService
from storage.enums import ProjectStatus


@dataclass
class SweepReport:
    projects_closed: int = 0  # no bids when bidding ended, or nobody awarded in time
    bidding_ended: int = 0  # bidding over with bids: the employer is asked to award
    awards_lapsed: int = 0
    milestones_auto_released: int = 0
    disputes_defaulted: int = 0  # an employer did not respond: the freelancer's claim stood
    disputes_escalated: int = 0  # to an admin: negotiation over, or a freelancer silent
    due_reminders: int = 0  # due soon / due now / overdue notices sent
    auto_release_reminders: int = 0
    reviews_published: int = 0
    payments_credited: int = 0  # journaled charges the update that brought them left
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.projects_closed
            + self.bidding_ended
            + self.awards_lapsed
            + self.milestones_auto_released
            + self.disputes_defaulted
            + self.disputes_escalated
            + self.due_reminders
            + self.auto_release_reminders
            + self.reviews_published
            + self.payments_credited
        )


class TimerService(Service):
    async def sweep(self, batch: int = 100) -> SweepReport:
        now = self.now()
        report = SweepReport()
        u = self.uow

        async def attempt(what: str, item: int, step: Awaitable[object]) -> object:
            """One item; a failure (already rolled back) is reported and the sweep goes on."""
            try:
                return await step
            except Exception as error:
                report.failures.append(f"{what} {item}: {error!r}")
                return None

        async def each(what: str, item: int, step: Awaitable[object]) -> bool:
            return bool(await attempt(what, item, step))

        # Money first: a charge whose update failed half-way is credited before anything
        # else is decided (an auto-release, a lapse) on a milestone it may fund.
        payments = PaymentService(self.ctx)
        for receipt in await payments.waiting():
            rid, charge = receipt.id, receipt.charge_id
            try:
                await payments.credit(charge)
                report.payments_credited += 1
            except Conflict:
                pass  # credited meanwhile, by the update itself
            except Exception as error:
                report.failures.append(f"payment receipt {rid}: {error!r}")
                await payments.note_credit_failure(rid, repr(error))
        projects = ProjectService(self.ctx)
        for pid in await u.projects.due_to_end_bidding(now, batch):
            ended = await attempt("project", pid, projects.end_bidding_if_due(pid))
            report.projects_closed += ended is ProjectStatus.CLOSED
            report.bidding_ended += ended is ProjectStatus.BIDDING_ENDED
        # Offers lapse before undecided projects close: a lapse that leaves nobody to
        # award closes its project in this same sweep.
        for aid in await u.awards.due_to_lapse(now, batch):
            step = AwardService(self.ctx).lapse_if_due(aid)
            report.awards_lapsed += await each("award", aid, step)
        for pid in await u.projects.due_to_close_unawarded(now, batch):
            step = projects.close_unawarded_if_due(pid)
            report.projects_closed += await each("project", pid, step)
        for mid in await u.milestones.due_to_auto_release(now, batch):
            released = _not_none(MilestoneService(self.ctx).auto_release_if_due(mid))
            report.milestones_auto_released += await each("milestone", mid, released)
        for did in await u.disputes.due_unanswered(now, batch):
            silence = await attempt(
                "dispute", did, DisputeService(self.ctx).answer_silence_if_due(did)
            )
            if isinstance(silence, Silence):
                report.disputes_escalated += silence.escalated
                report.disputes_defaulted += not silence.escalated
        for did in await u.disputes.due_to_escalate(now, batch):
            step = DisputeService(self.ctx).escalate_if_due(did)
            report.disputes_escalated += await each("dispute", did, step)
        reminders = ReminderService(self.ctx)
        due = reminders.due_schedule()
        for mid in await reminders.due(due, batch):
            step = reminders.remind_if_due(due, mid)
            report.due_reminders += await each("milestone", mid, step)
        release = reminders.auto_release_schedule()
        for mid in await reminders.due(release, batch):
            step = reminders.remind_if_due(release, mid)
            report.auto_release_reminders += await each("milestone", mid, step)
        cutoff = now - self.settings.review_window
        for cid in await u.contracts.due_to_publish_reviews(cutoff, batch):
            step = ReviewService(self.ctx).publish_if_due(cid)
            report.reviews_published += await each("contract", cid, step)
        return report


async def _not_none(step: Awaitable[object]) -> bool:
    return await step is not None
