"""What every repository shares: the base class, INSERT ... ON CONFLICT DO NOTHING and
the SQL aliases, made once.

``lock`` methods take a row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serialises writers with BEGIN IMMEDIATE) and refresh the object from the row,
so a check made after the lock sees what the winner of a race committed.
"""

from __future__ import annotations

import functools
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Select, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Base, OutboxMessage, ProjectTerm, Review

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id_: int) -> M | None:
        return await self.session.get(self.model, id_)

    async def lock(self, id_: int) -> M | None:
        stmt = (
            select(self.model)
            .where(self.model.id == id_)  # type: ignore[attr-defined]
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def lock_many(self, stmt: Select[tuple[M]]) -> list[M]:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return list((await self.session.execute(stmt)).scalars())

    def add(self, obj: M) -> M:
        self.session.add(obj)
        return obj

    async def flush(self) -> None:
        await self.session.flush()

    async def _all(self, stmt: Select[tuple[M]]) -> list[M]:
        return list((await self.session.execute(stmt)).scalars())


@functools.cache
def _insert_ignoring(dialect: str, table: Table) -> Any:
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return ins(table).on_conflict_do_nothing()


async def insert_ignore(session: AsyncSession, model: type[Base], values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING of one row; True if it was inserted.

    The statement is built once per table and takes the row as parameters: several of
    these run on every update (the update's claim, a new person), and building and
    keying a statement costs more CPU than sending it."""
    dialect = session.get_bind().dialect.name
    result = await session.execute(_insert_ignoring(dialect, model.__table__), values)
    return bool(cast(CursorResult[Any], result).rowcount == 1)


# Aliases are made once: SQLAlchemy memoizes how each one maps its entity's columns, so
# a fresh alias per query rebuilt that mapping every time (a tenth of the bot's CPU in
# a profile of the benchmark mix, docs/benchmarks.md). An alias names a table inside
# one SELECT; statements are free to share it.
WALK = aliased(ProjectTerm, name="walk")
EARLIER = aliased(OutboxMessage, name="earlier")
OTHER_REVIEW = aliased(Review, name="other_review")


@functools.cache
def term_probe(position: int) -> Any:
    """The alias of ``project_terms`` probed for the query's word at ``position``."""
    return aliased(ProjectTerm, name=f"probe{position}")
