"""Telegram updates: the ones already handled, and the dead letters (failed with a bug)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, func, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeadLetter, ProcessedUpdate
from storage.repositories.base import Repository, insert_ignore


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
