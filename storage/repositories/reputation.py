"""The reads behind a person's record (``core.services.reputation``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import AccountKind, BidStatus, PartyRole, ProjectStatus
from storage.models import (
    Account,
    Bid,
    Contract,
    Dispute,
    LedgerTransaction,
    Message,
    Milestone,
    MilestoneEvent,
    Posting,
    Project,
)
from storage.repositories.disputes import LostRule, lost_clause


class RecordRepository:
    """What the record is computed from: the ledger, milestone events, disputes, projects
    and relayed messages, never a figure anyone typed.

    Each query takes a group of people and walks indexes from them (contracts by employer
    or freelancer, milestones by contract, transactions and events by milestone), so a
    page of project cards costs the same few queries as one card. What is ordered in time
    (waits, replies) is read for the latest ``per_person`` items only.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _side(role: PartyRole) -> Any:
        return Contract.freelancer_id if role is PartyRole.FREELANCER else Contract.employer_id

    async def _pairs(self, stmt: Select[Any], ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        found = {i: (0, 0) for i in ids}
        for who, a, b in (await self.session.execute(stmt)).all():
            found[int(who)] = (int(a or 0), int(b or 0))
        return found

    def _money(self, employer_ids: Sequence[int]) -> Select[Any]:
        return (
            select(
                Contract.employer_id,
                func.count(func.distinct(LedgerTransaction.milestone_id)),
                func.coalesce(func.sum(Posting.amount), 0),
            )
            .select_from(Contract)
            .join(Milestone, Milestone.contract_id == Contract.id)
            .join(LedgerTransaction, LedgerTransaction.milestone_id == Milestone.id)
            .join(Posting, Posting.transaction_id == LedgerTransaction.id)
            .join(Account, Account.id == Posting.account_id)
            .where(Contract.employer_id.in_(employer_ids), Posting.amount > 0)
            .group_by(Contract.employer_id)
        )

    async def funded(self, employer_ids: Sequence[int], kind: str) -> dict[int, tuple[int, int]]:
        """Per employer: milestones funded, and how much, from ledger transactions of
        ``kind`` into a milestone's escrow."""
        stmt = self._money(employer_ids).where(
            LedgerTransaction.kind == kind, Account.kind == AccountKind.ESCROW
        )
        return await self._pairs(stmt, employer_ids)

    async def released(self, employer_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Per employer: milestones with money released, and how much (gross): what went
        out of their milestones' escrow to the hired freelancer and the platform fee."""
        to_freelancer = or_(
            Account.kind == AccountKind.FEES,
            and_(Account.kind == AccountKind.AVAILABLE, Account.user_id == Contract.freelancer_id),
        )
        return await self._pairs(self._money(employer_ids).where(to_freelancer), employer_ids)

    async def milestone_events(
        self, employer_ids: Sequence[int], kinds: Sequence[str], per_person: int
    ) -> dict[int, list[tuple[int, str, datetime]]]:
        """Per employer: (milestone, kind, when) of the events of ``kinds`` on their latest
        ``per_person`` delivered milestones, in order."""
        latest = (
            select(
                Milestone.id.label("id"),
                Contract.employer_id.label("employer_id"),
                func.row_number()
                .over(partition_by=Contract.employer_id, order_by=Milestone.id.desc())
                .label("n"),
            )
            .join(Contract, Contract.id == Milestone.contract_id)
            .where(Contract.employer_id.in_(employer_ids), Milestone.delivered_at.is_not(None))
            .subquery()
        )
        stmt = (
            select(
                latest.c.employer_id,
                MilestoneEvent.milestone_id,
                MilestoneEvent.kind,
                MilestoneEvent.created_at,
            )
            .join(latest, latest.c.id == MilestoneEvent.milestone_id)
            .where(latest.c.n <= per_person, MilestoneEvent.kind.in_(list(kinds)))
            .order_by(MilestoneEvent.milestone_id, MilestoneEvent.id)
        )
        found: dict[int, list[tuple[int, str, datetime]]] = {i: [] for i in employer_ids}
        for who, milestone_id, kind, at in (await self.session.execute(stmt)).all():
            found[int(who)].append((int(milestone_id), str(kind), at))
        return found

    async def first_deliveries(
        self, user_ids: Sequence[int], role: PartyRole, kind: str
    ) -> dict[int, tuple[int, int]]:
        """Per person: milestones delivered (events of ``kind``) on their side's contracts,
        and how many were first delivered by their due date (the milestone's own, else the
        contract's deadline)."""
        side = self._side(role)
        first = (
            select(
                side.label("who"),
                func.coalesce(Milestone.due_at, Contract.deadline_at).label("due"),
                func.min(MilestoneEvent.created_at).label("first_at"),
            )
            .join(Contract, Contract.id == Milestone.contract_id)
            .join(MilestoneEvent, MilestoneEvent.milestone_id == Milestone.id)
            .where(side.in_(user_ids), MilestoneEvent.kind == kind)
            .group_by(Milestone.id, side, Milestone.due_at, Contract.deadline_at)
            .subquery()
        )
        stmt = select(
            first.c.who, func.count(), func.count().filter(first.c.first_at <= first.c.due)
        ).group_by(first.c.who)
        return await self._pairs(stmt, user_ids)

    async def disputes(
        self, user_ids: Sequence[int], role: PartyRole, lost: LostRule
    ) -> dict[int, tuple[int, int]]:
        """Per person: disputes they filed on their side's contracts, and disputes there
        that went against them (``lost``)."""
        side = self._side(role)
        stmt = (
            select(
                side,
                func.count(Dispute.id).filter(Dispute.filer_role == role),
                func.count(Dispute.id).filter(lost_clause(lost)),
            )
            .join(Contract, Contract.id == Dispute.contract_id)
            .where(side.in_(user_ids))
            .group_by(side)
        )
        return await self._pairs(stmt, user_ids)

    async def hiring(self, employer_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Per employer: projects decided (bid on, and then in progress, completed, closed
        or cancelled), and of those the ones that hired somebody (a contract)."""
        bid_on = exists().where(Bid.project_id == Project.id, Bid.status != BidStatus.RETRACTED)
        hired = exists().where(Contract.project_id == Project.id)
        decided = Project.status.in_(
            [
                ProjectStatus.IN_PROGRESS,
                ProjectStatus.COMPLETED,
                ProjectStatus.CLOSED,
                ProjectStatus.CANCELLED,
            ]
        )
        stmt = (
            select(
                Project.employer_id,
                func.count(Project.id).filter(decided, bid_on),
                func.count(Project.id).filter(decided, hired),
            )
            .where(Project.employer_id.in_(employer_ids))
            .group_by(Project.employer_id)
        )
        return await self._pairs(stmt, employer_ids)

    async def conversations(
        self, user_id: int, per_person: int
    ) -> list[tuple[int, int, int, datetime]]:
        """(project, sender, recipient, when) of the person's latest messages sent and
        received on projects they did not post, oldest first. Each direction is read up to
        ``per_person`` messages and the older end of the longer one cut where the other
        stops, so a reply is never measured against a message left out."""
        rows: list[tuple[int, int, int, int, datetime]] = []
        starts: list[int] = []
        for column in (Message.sender_id, Message.recipient_id):
            stmt = (
                select(
                    Message.id,
                    Message.project_id,
                    Message.sender_id,
                    Message.recipient_id,
                    Message.created_at,
                )
                .join(Project, Project.id == Message.project_id)
                .where(column == user_id, Project.employer_id != user_id)
                .order_by(Message.id.desc())
                .limit(per_person)
            )
            found = [
                (int(i), int(p), int(s), int(r), at)
                for i, p, s, r, at in (await self.session.execute(stmt)).all()
            ]
            if len(found) == per_person:
                starts.append(found[-1][0])
            rows += found
        start = max(starts, default=0)
        return [(p, s, r, at) for i, p, s, r, at in sorted(rows) if i >= start]
