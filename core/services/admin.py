"""Platform figures for operators."""

from __future__ import annotations

from dataclasses import dataclass

from core import ledger
from core.actors import Actor
from core.context import Service
from storage.enums import DisputeStatus, PayoutStatus, ProjectStatus
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class PlatformFigures:
    users: int
    open_projects: int
    in_progress_projects: int
    escrow: int
    fees: int
    disputes_in_arbitration: int
    payouts_requested: int


async def platform_figures(u: UnitOfWork) -> PlatformFigures:
    """The figures themselves, for the admin screen and the ``bidgram status`` command."""
    return PlatformFigures(
        users=await u.users.count(),
        open_projects=await u.projects.count_by_status(ProjectStatus.OPEN),
        in_progress_projects=await u.projects.count_by_status(ProjectStatus.IN_PROGRESS),
        escrow=await u.milestones.total_escrow(),
        fees=await ledger.Ledger(u).balance(ledger.FEES),
        disputes_in_arbitration=await u.disputes.count_by_status(DisputeStatus.ARBITRATION),
        payouts_requested=await u.payouts.count_by_status(PayoutStatus.REQUESTED),
    )


class AdminService(Service):
    async def figures(self, actor: Actor) -> PlatformFigures:
        self.require_admin(actor)
        return await platform_figures(self.uow)
