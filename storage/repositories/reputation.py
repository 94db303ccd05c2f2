"""The reads behind a person's record (``core.services.reputation``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import (
    AccountKind,
    BidStatus,
    ContractStatus,
    DisputeResolution,
    PartyRole,
    ProjectStatus,
)
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
    Review,
)
from storage.repositories.base import among, one_of
from storage.repositories.disputes import LostRule, lost_clause
from storage.repositories.reviews import visible_review


def _side(role: PartyRole) -> Any:
    return Contract.freelancer_id if role is PartyRole.FREELANCER else Contract.employer_id


@functools.cache
def _conversations() -> CompoundSelect[Any]:
    """Both directions of ``conversations`` in one statement: the person's latest
    ``per_person`` messages sent (side 0) and received (side 1) on projects they did not
    post."""
    who = bindparam("user_id", type_=BigInteger)
    limit = bindparam("per_person", type_=Integer)
    sides = [
        select(
            literal(side).label("side"),
            Message.id,
            Message.project_id,
            Message.sender_id,
            Message.recipient_id,
            Message.created_at,
        )
        .join(Project, Project.id == Message.project_id)
        .where(column == who, Project.employer_id != who)
        .order_by(Message.id.desc())
        .limit(limit)
        .subquery()
        for side, column in enumerate((Message.sender_id, Message.recipient_id))
    ]
    return union_all(*(select(*part.c) for part in sides))


@functools.cache
def _money(kind: str = "kind") -> Select[Any]:
    """Per employer: milestones funded and how much (transactions of the parameter
    ``kind`` into a milestone's escrow), and milestones with money released and how much
    (gross: to the hired freelancer's available balance and to the platform's fees)."""
    funded = and_(LedgerTransaction.kind == bindparam(kind), Account.kind == AccountKind.ESCROW)
    released = or_(
        Account.kind == AccountKind.FEES,
        and_(Account.kind == AccountKind.AVAILABLE, Account.user_id == Contract.freelancer_id),
    )
    milestones = func.distinct(LedgerTransaction.milestone_id)
    return (
        select(
            Contract.employer_id,
            func.count(milestones).filter(funded),
            func.coalesce(func.sum(Posting.amount).filter(funded), 0),
            func.count(milestones).filter(released),
            func.coalesce(func.sum(Posting.amount).filter(released), 0),
        )
        .select_from(Contract)
        .join(Milestone, Milestone.contract_id == Contract.id)
        .join(LedgerTransaction, LedgerTransaction.milestone_id == Milestone.id)
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .join(Account, Account.id == Posting.account_id)
        .where(among(Contract.employer_id, "ids"), Posting.amount > 0, or_(funded, released))
        .group_by(Contract.employer_id)
    )


@functools.cache
def _milestone_events() -> Select[Any]:
    latest = (
        select(
            Milestone.id.label("id"),
            Contract.employer_id.label("employer_id"),
            func.row_number()
            .over(partition_by=Contract.employer_id, order_by=Milestone.id.desc())
            .label("n"),
        )
        .join(Contract, Contract.id == Milestone.contract_id)
        .where(among(Contract.employer_id, "ids"), Milestone.delivered_at.is_not(None))
        .subquery()
    )
    return (
        select(
            latest.c.employer_id,
            MilestoneEvent.milestone_id,
            MilestoneEvent.kind,
            MilestoneEvent.created_at,
        )
        .join(latest, latest.c.id == MilestoneEvent.milestone_id)
        .where(
            latest.c.n <= bindparam("per_person"),
            among(MilestoneEvent.kind, "kinds"),
        )
        .order_by(MilestoneEvent.milestone_id, MilestoneEvent.id)
    )


@functools.cache
def _first_deliveries(role: PartyRole, kind: str = "kind") -> Select[Any]:
    side = _side(role)
    first = (
        select(
            side.label("who"),
            func.coalesce(Milestone.due_at, Contract.deadline_at).label("due"),
            func.min(MilestoneEvent.created_at).label("first_at"),
        )
        .join(Contract, Contract.id == Milestone.contract_id)
        .join(MilestoneEvent, MilestoneEvent.milestone_id == Milestone.id)
        .where(among(side, "ids"), MilestoneEvent.kind == bindparam(kind))
        .group_by(Milestone.id, side, Milestone.due_at, Contract.deadline_at)
        .subquery()
    )
    return select(
        first.c.who, func.count(), func.count().filter(first.c.first_at <= first.c.due)
    ).group_by(first.c.who)


@functools.cache
def _disputes(
    role: PartyRole, lost: tuple[tuple[DisputeResolution, PartyRole | None], ...]
) -> Select[Any]:
    side = _side(role)
    return (
        select(
            side,
            func.count(Dispute.id).filter(Dispute.filer_role == role),
            func.count(Dispute.id).filter(lost_clause(lost)),
        )
        .join(Contract, Contract.id == Dispute.contract_id)
        .where(among(side, "ids"))
        .group_by(side)
    )


@functools.cache
def _hiring() -> Select[Any]:
    bid_on = exists().where(Bid.project_id == Project.id, Bid.status != BidStatus.RETRACTED)
    hired = exists().where(Contract.project_id == Project.id)
    decided = one_of(
        Project.status,
        (
            ProjectStatus.IN_PROGRESS,
            ProjectStatus.COMPLETED,
            ProjectStatus.CLOSED,
            ProjectStatus.CANCELLED,
        ),
    )
    return (
        select(
            Project.employer_id,
            func.count(Project.id).filter(decided, bid_on),
            func.count(Project.id).filter(decided, hired),
        )
        .where(among(Project.employer_id, "ids"))
        .group_by(Project.employer_id)
    )


@functools.cache
def _rating(role: PartyRole) -> Select[Any]:
    """Per person: the sum and count of their visible reviews' stars in ``role`` (the
    average is the caller's division: every part of a union is whole numbers)."""
    return (
        select(
            Review.subject_id,
            func.coalesce(func.sum(Review.rating), 0),
            func.count(Review.id),
        )
        .join(Contract, Contract.id == Review.contract_id)
        .where(
            among(Review.subject_id, "ids"),
            Review.subject_role == role,
            visible_review(bindparam("cutoff")),
        )
        .group_by(Review.subject_id)
    )


@functools.cache
def _contracts(
    role: PartyRole,
    lost: tuple[tuple[DisputeResolution, PartyRole | None], ...],
    returned_kind: str | None,
) -> Select[Any]:
    """Per person: the counts behind completion and on-budget rates (see
    ``RecordRepository.figures``, part ``contracts``)."""
    side = _side(role)
    released = (
        select(func.coalesce(func.sum(Milestone.released_amount), 0))
        .where(Milestone.contract_id == Contract.id)
        .correlate(Contract)
        .scalar_subquery()
    )
    lost_one = exists().where(Dispute.contract_id == Contract.id, lost_clause(lost))
    returned: Any = false()
    if returned_kind is not None:
        returned = exists().where(
            Milestone.contract_id == Contract.id,
            LedgerTransaction.milestone_id == Milestone.id,
            LedgerTransaction.kind == returned_kind,
        )
    completed = Contract.status == ContractStatus.COMPLETED
    cancelled = Contract.status == ContractStatus.CANCELLED
    own_cancel = and_(cancelled, or_(Contract.ended_by_id == side, returned))
    return (
        select(
            side,
            func.count(Contract.id).filter(completed),
            func.count(Contract.id).filter(cancelled),
            func.count(Contract.id).filter(or_(completed, cancelled), or_(lost_one, own_cancel)),
            func.count(Contract.id).filter(completed, ~lost_one),
            func.count(Contract.id).filter(completed, released <= Contract.agreed_amount),
            func.count(Contract.id).filter(Contract.status == ContractStatus.ACTIVE),
            func.coalesce(func.sum(released).filter(completed), 0),
        )
        .where(among(side, "ids"))
        .group_by(side)
    )


#: The parts of a person's figures (``RecordRepository.figures``) and their widths.
PARTS = {"money": 4, "disputes": 2, "hiring": 2, "deliveries": 2, "rating": 2, "contracts": 7}
WIDEST = max(PARTS.values())
#: The parts only an employer has.
EMPLOYER_ONLY = frozenset({"money", "hiring"})


@functools.cache
def _figures(
    role: PartyRole,
    parts: tuple[str, ...],
    lost: tuple[tuple[DisputeResolution, PartyRole | None], ...],
    returned_kind: str | None,
) -> CompoundSelect[Any]:
    """The grouped ``parts`` of several people's figures in one statement: each part's
    rows tagged with its name and padded to the widest, one UNION ALL."""
    builders: dict[str, Callable[[], Select[Any]]] = {
        "money": lambda: _money("fund_kind"),
        "disputes": lambda: _disputes(role, lost),
        "hiring": _hiring,
        "deliveries": lambda: _first_deliveries(role, "delivered_kind"),
        "rating": lambda: _rating(role),
        "contracts": lambda: _contracts(role, lost, returned_kind),
    }
    members = []
    for name in parts:
        stmt = builders[name]()
        pad = [null().cast(BigInteger)] * (WIDEST - PARTS[name])
        columns = [literal(name).label("part"), *stmt.selected_columns, *pad]
        members.append(stmt.with_only_columns(*columns))
    return union_all(*members)


class RecordRepository:
    """What the record is computed from: the ledger, milestone events, disputes, projects
    and relayed messages, never a figure anyone typed.

    Each query takes a group of people and walks indexes from them (contracts by employer
    or freelancer, milestones by contract, transactions and events by milestone), so a
    page of project cards costs the same few queries as one card. What is ordered in time
    (waits, replies) is read for the latest ``per_person`` items only. The statements are
    built once (``functools.cache``) with bound parameters: a page of cards runs on every
    browse tap, and building and keying these statements anew cost more CPU than running
    them.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def figures(
        self,
        user_ids: Sequence[int],
        role: PartyRole,
        parts: Sequence[str],
        *,
        lost: LostRule = (),
        fund_kind: str | None = None,
        delivered_kind: str | None = None,
        cutoff: datetime | None = None,
        returned_kind: str | None = None,
    ) -> dict[str, dict[int, tuple[int, ...]]]:
        """Several people's figures in ``role``, in one query, by part name and person
        (zeros for someone with no rows). The parts, each a tuple of whole numbers:

        - ``money`` (employers; ``fund_kind``): milestones funded, amount funded,
          milestones with money released, amount released gross; funding is ledger
          transactions of ``fund_kind`` into a milestone's escrow, release what went out
          of it to the hired freelancer and the platform fee;
        - ``disputes`` (``lost``): disputes they filed on their side's contracts, and
          disputes there that went against them;
        - ``hiring`` (employers): projects decided (bid on, and then in progress,
          completed, closed or cancelled), and of those the ones that hired somebody;
        - ``deliveries`` (``delivered_kind``): milestones delivered (events of that kind)
          on their side's contracts, and how many were first delivered by their due date
          (the milestone's own, else the contract's deadline);
        - ``rating`` (``cutoff``): the sum and count of the stars of their reviews
          visible at ``cutoff`` (double-blind: both sides wrote, or the contract ended
          at or before it);
        - ``contracts`` (``lost``, ``returned_kind``): completed, cancelled, failed (ended
          with a dispute they lost, or cancelled by their doing: they ended it, or gave
          the funded money back themselves in ledger transactions of ``returned_kind``),
          finished (completed with no dispute lost), on budget (completed with no more
          released than agreed), active, and the amount released on completed ones.
        """
        if role is not PartyRole.EMPLOYER and EMPLOYER_ONLY.intersection(parts):
            raise ValueError(f"{sorted(EMPLOYER_ONLY)} are an employer's figures")
        found = {p: {i: (0,) * PARTS[p] for i in user_ids} for p in parts}
        params: dict[str, Any] = {"ids": list(user_ids)}
        given = {"fund_kind": fund_kind, "delivered_kind": delivered_kind, "cutoff": cutoff}
        params.update({name: value for name, value in given.items() if value is not None})
        stmt = _figures(role, tuple(parts), tuple(lost), returned_kind)
        for part, who, *figures in (await self.session.execute(stmt, params)).all():
            width = PARTS[str(part)]
            found[str(part)][int(who)] = tuple(int(f or 0) for f in figures[:width])
        return found

    async def milestone_events(
        self, employer_ids: Sequence[int], kinds: Sequence[str], per_person: int
    ) -> dict[int, list[tuple[int, str, datetime]]]:
        """Per employer: (milestone, kind, when) of the events of ``kinds`` on their latest
        ``per_person`` delivered milestones, in order."""
        params = {"ids": list(employer_ids), "kinds": list(kinds), "per_person": per_person}
        found: dict[int, list[tuple[int, str, datetime]]] = {i: [] for i in employer_ids}
        for who, milestone_id, kind, at in (
            await self.session.execute(_milestone_events(), params)
        ).all():
            found[int(who)].append((int(milestone_id), str(kind), at))
        return found

    async def conversations(
        self, user_id: int, per_person: int
    ) -> list[tuple[int, int, int, datetime]]:
        """(project, sender, recipient, when) of the person's latest messages sent and
        received on projects they did not post, oldest first. Each direction is read up to
        ``per_person`` messages and the older end of the longer one cut where the other
        stops, so a reply is never measured against a message left out."""
        params = {"user_id": user_id, "per_person": per_person}
        sides: tuple[list[tuple[int, int, int, int, datetime]], ...] = ([], [])
        for side, i, p, s, r, at in (await self.session.execute(_conversations(), params)).all():
            sides[side].append((int(i), int(p), int(s), int(r), at))
        rows = [*sides[0], *sides[1]]
        starts = [min(found)[0] for found in sides if len(found) == per_person]
        start = max(starts, default=0)
        return [(p, s, r, at) for i, p, s, r, at in sorted(rows) if i >= start]
