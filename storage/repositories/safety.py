"""Mutes, and the safety notes already shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Mute, SafetyNote
from storage.repositories.base import insert_ignore


class SafetyRepository:
    """Mutes, and the safety notes already shown (see ``Mute``, ``SafetyNote``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def mute(self, user_id: int, muted_id: int, now: datetime) -> bool:
        """Mute; False if it already was."""
        values = {"user_id": user_id, "muted_id": muted_id, "created_at": now}
        return await insert_ignore(self.session, Mute, values)

    async def unmute(self, user_id: int, muted_id: int) -> bool:
        """Unmute; False if it was not muted."""
        result = await self.session.execute(
            delete(Mute).where(Mute.user_id == user_id, Mute.muted_id == muted_id)
        )
        return bool(cast(CursorResult[Any], result).rowcount)

    async def muted(self, user_id: int, muted_id: int) -> bool:
        stmt = select(Mute.user_id).where(Mute.user_id == user_id, Mute.muted_id == muted_id)
        return (await self.session.execute(stmt)).first() is not None

    async def note_once(
        self, project_id: int, user_id: int, other_id: int, message_id: int, now: datetime
    ) -> bool:
        """Record the safety note of this conversation as shown; False if it already was."""
        values = {
            "project_id": project_id,
            "user_id": user_id,
            "other_id": other_id,
            "message_id": message_id,
            "shown_at": now,
        }
        return await insert_ignore(self.session, SafetyNote, values)
