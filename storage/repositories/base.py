"""What every repository shares: the base class, INSERT ... ON CONFLICT DO NOTHING and
the SQL aliases, made once.

``lock`` methods take a row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serialises writers with BEGIN IMMEDIATE) and refresh the object from the row,
so a check made after the lock sees what the winner of a race committed.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Iterable
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Dialect,
    Executable,
    Select,
    String,
    Table,
    TypeDecorator,
    bindparam,
    literal_column,
    select,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapper, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from storage.models import Base, OutboxMessage, ProjectTerm, Review

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id_: int) -> M | None:
        """The row with this id: the one the unit of work holds, else one SELECT.

        ``Session.get`` builds its SELECT anew on every miss, at twice the CPU of running
        one built once; it still answers when the row is held (expired, deleted, ...)."""
        key = _mapper(self.model).identity_key_from_primary_key((id_,))
        if key in self.session.sync_session.identity_map:
            return await self.session.get(self.model, id_)
        return (await self.session.execute(by_id(self.model), {"id": id_})).scalar_one_or_none()

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

    async def _all(self, stmt: Select[tuple[M]], params: dict[str, Any] | None = None) -> list[M]:
        return list((await self.session.execute(stmt, params)).scalars())


@functools.cache
def _mapper(model: type[Base]) -> Mapper[Any]:
    return sa_inspect(model)


@functools.cache
def by_id(model: type[Base]) -> Select[Any]:
    """``model``'s row by its one-column primary key, the id a parameter."""
    (key,) = _mapper(model).primary_key
    return select(model).where(key == bindparam("id"))


def table_of(model: type[Base]) -> Table:
    """``model``'s table, for Core statements (no ORM path where none is needed)."""
    return cast(Table, model.__table__)


@functools.cache
def _insert_ignoring(
    dialect: str, table: Table, keys: frozenset[str]
) -> tuple[Executable, dict[str, Any]]:
    """The statement for a row with ``keys`` given, and the defaults it fills in.

    SQLAlchemy gives ``on_conflict_do_nothing()`` no cache key, so the construct would
    be compiled again on every execution (the update's claim runs once an update). It
    is compiled here once, into a ``text()`` with typed parameters, which is cached;
    the columns left out get their scalar defaults as parameters. A table with a
    default computed in Python keeps the construct.
    """
    # Imported by name: a bot on SQLite need not load PostgreSQL's dialect (2 MiB).
    module: Any = importlib.import_module(f"sqlalchemy.dialects.{dialect}")
    left_out = [c for c in table.columns if c.name not in keys and c.default is not None]
    statement = module.insert(table).on_conflict_do_nothing()
    if not all(c.default.is_scalar for c in left_out):  # type: ignore[union-attr]
        return statement, {}
    defaults = {c.name: c.default.arg for c in left_out}  # type: ignore[union-attr]
    columns = [c for c in table.columns if c.name in keys or c.name in defaults]
    statement = statement.values({c.name: bindparam(c.name) for c in columns})
    sql = str(statement.compile(dialect=module.dialect(paramstyle="named")))
    typed = text(sql).bindparams(*(bindparam(c.name, type_=c.type) for c in columns))
    return typed, defaults


async def insert_ignore(session: AsyncSession, model: type[Base], values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING of one row; True if it was inserted.

    The statement is compiled once per table and set of columns and takes the row as
    parameters: several of these run on every update (the update's claim, a new
    person)."""
    table = table_of(model)
    dialect = session.get_bind().dialect.name
    statement, defaults = _insert_ignoring(dialect, table, frozenset(values))
    result = await session.execute(statement, {**defaults, **values})
    return bool(cast(CursorResult[Any], result).rowcount == 1)


class ListOf(TypeDecorator[list[Any]]):
    """A list bound as one parameter: an array of ``item`` on PostgreSQL, a JSON array of
    them on SQLite (each value made ``item``'s Python type, as the column compares)."""

    impl = String
    cache_ok = True

    def __init__(self, item: TypeEngine[Any]) -> None:
        super().__init__()
        self.item = item

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(self.item))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        kind = self.item.python_type
        values = [v if type(v) is kind else kind(v) for v in value]
        return values if dialect.name == "postgresql" else json.dumps(values)


class among(FunctionElement[bool]):
    """``column IN (the list bound to name)`` as one statement whatever its length.

    SQLAlchemy's ``IN`` with a list parameter is rewritten for each execution (and each
    length of the list is another statement to PostgreSQL): a few per cent of the bot's
    CPU on the lists a page or an alert reads. This is ``= ANY(array)`` on PostgreSQL
    and a walk of a JSON array on SQLite: the same text every time. A fixed set of
    constants is :func:`one_of`."""

    inherit_cache = True
    name = "among"

    def __init__(self, column: Any, name: str) -> None:
        super().__init__(column, bindparam(name, type_=ListOf(column.type)))


def one_of(column: Any, values: Iterable[str]) -> ColumnElement[bool]:
    """``column IN ('a', 'b')`` with the values written into the statement: for a fixed
    set of constants (the statuses a count counts). SQLAlchemy's ``IN`` of values is
    rewritten on every execution (see :class:`among`); written out, it needs no
    parameter at all."""
    quoted: list[ColumnElement[Any]] = [
        literal_column("'" + str(v).replace("'", "''") + "'") for v in values
    ]
    return cast(ColumnElement[bool], column.in_(quoted))


@compiles(among, "postgresql")
def _any(element: among, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} = ANY({values})"


@compiles(among)
def _json_each(element: among, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} IN (SELECT value FROM json_each({values}))"


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
