"""Telegram updates: the ones already handled, and the dead letters (failed with a bug)."""

from __future__ import annotations

import functools
import importlib
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Executable,
    bindparam,
    column,
    delete,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeadLetter, ProcessedUpdate, User
from storage.repositories.base import Repository, insert_ignore, table_of


@functools.cache
def _claiming_and_reading() -> Executable:
    """PostgreSQL: the update's claim and its sender's row in one statement, ``(claimed,
    User or None)``. The claim is a data-modifying WITH that the SELECT reports on (a
    twin's claim still waits for the first one's transaction), the person an outer join
    so the answer is one row even for someone new.

    ``on_conflict_do_nothing`` has no cache key (see ``base.insert_ignore``), so the
    statement is compiled here once into a ``text()`` that the ORM reads a ``User`` from.
    """
    postgresql: Any = importlib.import_module("sqlalchemy.dialects.postgresql")
    claims, users = table_of(ProcessedUpdate), table_of(User)
    claim = (
        postgresql.insert(claims)
        .values(
            bot_id=bindparam("bot_id"),
            update_id=bindparam("update_id"),
            received_at=bindparam("at"),
        )
        .on_conflict_do_nothing()
        .returning(claims.c.update_id)
        .cte("claim")
    )
    claiming = select(exists(select(claim.c.update_id)).label("claimed")).subquery("claiming")
    sender = users.c.telegram_id == bindparam("telegram_id")
    stmt = select(claiming.c.claimed, *users.c).select_from(claiming.outerjoin(users, sender))
    sql = str(stmt.compile(dialect=postgresql.dialect(paramstyle="named")))
    claimed = column("claimed", Boolean)
    typed = (
        text(sql)
        .bindparams(
            bindparam("bot_id", type_=BigInteger),
            bindparam("update_id", type_=BigInteger),
            bindparam("at", type_=claims.c.received_at.type),
            bindparam("telegram_id", type_=BigInteger),
        )
        .columns(claimed, *users.c)
    )
    return select(claimed, User).from_statement(typed).execution_options(populate_existing=True)


class UpdateRepository:
    """Which Telegram updates were already handled (see ``ProcessedUpdate``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, bot_id: int, update_id: int, at: datetime) -> bool:
        """Record the update as handled in the current transaction; False if it already was.

        A twin claiming the same update in a transaction still open waits for it (on the
        primary key, or for SQLite's single writer) and then gets False if it committed.
        """
        values = {"bot_id": bot_id, "update_id": update_id, "received_at": at}
        return await insert_ignore(self.session, ProcessedUpdate, values)

    async def claim_reading(
        self, bot_id: int, update_id: int, at: datetime, telegram_id: int
    ) -> tuple[bool, User | None]:
        """``claim``, and the person with this Telegram id (None for someone new), in one
        statement: PostgreSQL only (``UnitOfWork.claim`` says when it is used)."""
        params = {"bot_id": bot_id, "update_id": update_id, "at": at, "telegram_id": telegram_id}
        claimed, user = (await self.session.execute(_claiming_and_reading(), params)).one()
        return bool(claimed), user

    async def prune(self, before: datetime) -> int:
        """Forget updates received before ``before``; Telegram stops retrying long before."""
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.received_at < before)
        )
        return int(cast(CursorResult[Any], result).rowcount or 0)

    async def release(self, bot_id: int, update_id: int) -> None:
        """Forget one claim, so that update can be handled again (a dead letter's replay)."""
        await self.session.execute(
            delete(ProcessedUpdate).where(
                ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id
            )
        )


class DeadLetterRepository(Repository[DeadLetter]):
    """Updates that failed with a bug, kept for a replay (see ``DeadLetter``)."""

    model = DeadLetter

    async def by_update(self, bot_id: int, update_id: int) -> DeadLetter | None:
        stmt = select(DeadLetter).where(
            DeadLetter.bot_id == bot_id, DeadLetter.update_id == update_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def waiting(self, bot_id: int | None = None, limit: int = 100) -> list[DeadLetter]:
        """Not replayed yet, oldest first."""
        stmt = select(DeadLetter).where(DeadLetter.replayed_at.is_(None))
        if bot_id is not None:
            stmt = stmt.where(DeadLetter.bot_id == bot_id)
        return await self._all(stmt.order_by(DeadLetter.id).limit(limit))

    async def count_waiting(self) -> int:
        stmt = select(func.count()).where(DeadLetter.replayed_at.is_(None))
        return int((await self.session.execute(stmt)).scalar_one())
