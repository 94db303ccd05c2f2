"""Contracts: one with its names for a screen, pages of them, and the sweeps' reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, bindparam, case, or_, select

from storage.enums import ContractStatus
from storage.models import Contract, Project, User
from storage.repositories.base import Repository

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
FOR_PROJECT = select(Contract).where(Contract.project_id == bindparam("project_id"))


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
        found = await self.session.execute(FOR_PROJECT, {"project_id": project_id})
        return found.scalar_one_or_none()

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
