"""Contracts, and the track record counted from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, exists, false, func, or_, select

from storage.enums import ContractStatus, PartyRole
from storage.models import Contract, Dispute, LedgerTransaction, Milestone, Project, User
from storage.repositories.base import Repository
from storage.repositories.disputes import LostRule, lost_clause

#: The other side of a contract as ``viewer`` sees it: the freelancer for its employer,
#: the employer for anyone else.
OTHER_SIDE = case(
    (Contract.employer_id == bindparam("viewer"), Contract.freelancer_id),
    else_=Contract.employer_id,
)

#: A contract with its project's title and the other side's first name, for screens and
#: lists (built once: see storage.repositories.base).
WITH_NAMES: Select[tuple[Contract, str, str]] = (
    select(Contract, Project.title, User.first_name)
    .join(Project, Project.id == Contract.project_id)
    .join(User, User.id == OTHER_SIDE)
)
ONE_WITH_NAMES = WITH_NAMES.where(Contract.id == bindparam("contract_id"))
PAGE_WITH_NAMES = (
    WITH_NAMES.where(
        or_(
            Contract.employer_id == bindparam("viewer"),
            Contract.freelancer_id == bindparam("viewer"),
        )
    )
    .order_by(Contract.started_at.desc(), Contract.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


class ContractRepository(Repository[Contract]):
    model = Contract

    async def with_names(
        self, contract_id: int, viewer_id: int
    ) -> tuple[Contract, str, str] | None:
        """The contract, its project's title and the other side's first name, in one query."""
        params = {"contract_id": contract_id, "viewer": viewer_id}
        row = (await self.session.execute(ONE_WITH_NAMES, params)).one_or_none()
        return None if row is None else (row[0], row[1], row[2])

    async def page_with_names(
        self, user_id: int, limit: int, offset: int = 0
    ) -> list[tuple[Contract, str, str]]:
        """``of_user`` with each project's title and the other side's name, in one query."""
        params = {"viewer": user_id, "limit": limit, "offset": offset}
        rows = await self.session.execute(PAGE_WITH_NAMES, params)
        return [(r[0], r[1], r[2]) for r in rows]

    async def for_project(self, project_id: int) -> Contract | None:
        stmt = select(Contract).where(Contract.project_id == project_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of_user(self, user_id: int, limit: int, offset: int = 0) -> list[Contract]:
        stmt = (
            select(Contract)
            .where(or_(Contract.employer_id == user_id, Contract.freelancer_id == user_id))
            .order_by(Contract.started_at.desc(), Contract.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def due_to_publish_reviews(self, cutoff: datetime, limit: int) -> list[int]:
        """Ended contracts whose review window closed (ended at or before ``cutoff``)
        and whose reviews were not published yet."""
        stmt = (
            select(Contract.id)
            .where(
                Contract.status.in_([ContractStatus.COMPLETED, ContractStatus.CANCELLED]),
                Contract.reviews_published_at.is_(None),
                Contract.ended_at <= cutoff,
            )
            .order_by(Contract.ended_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def track_record(
        self, user_id: int, role: PartyRole, lost: LostRule = (), returned_kind: str | None = None
    ) -> dict[str, int]:
        """Counts behind completion and on-budget rates, from real history.

        A contract counts against this side (``failed``) when it ended with a dispute
        they lost (``lost``: see ``lost_clause``), or ended cancelled by their doing: they
        ended it, or they gave its funded money back themselves (ledger transactions of
        ``returned_kind``). ``finished``: completed with no dispute lost by them.
        """
        column = Contract.freelancer_id if role is PartyRole.FREELANCER else Contract.employer_id
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
        own_cancel = and_(cancelled, or_(Contract.ended_by_id == user_id, returned))
        stmt = select(
            func.count(Contract.id).filter(completed),
            func.count(Contract.id).filter(cancelled),
            func.count(Contract.id).filter(or_(completed, cancelled), or_(lost_one, own_cancel)),
            func.count(Contract.id).filter(completed, ~lost_one),
            func.count(Contract.id).filter(completed, released <= Contract.agreed_amount),
            func.count(Contract.id).filter(Contract.status == ContractStatus.ACTIVE),
            func.coalesce(func.sum(released).filter(completed), 0),
        ).where(column == user_id)
        row = (await self.session.execute(stmt)).one()
        return {
            "completed": int(row[0]),
            "cancelled": int(row[1]),
            "failed": int(row[2]),
            "finished": int(row[3]),
            "on_budget": int(row[4]),
            "active": int(row[5]),
            "paid": int(row[6]),
        }
