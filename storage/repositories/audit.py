"""The admins' audit trail: append and read, nothing else."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdminAction


class AuditRepository:
    """The admins' audit trail: append and read, nothing else. There is no path here to
    change or remove an entry, and the ORM refuses one (``storage.models.AppendOnly``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def append(self, entry: AdminAction) -> AdminAction:
        self.session.add(entry)
        return entry

    async def trail(
        self,
        *,
        hidden_from: int,
        actor_id: int | None = None,
        person_id: int | None = None,
        limit: int,
        offset: int = 0,
    ) -> list[AdminAction]:
        """Newest first; never an entry that concerns ``hidden_from`` (see
        ``core.services.audit``); only ``actor_id``'s, or only those about ``person_id``."""
        a = AdminAction
        stmt = select(a).where(
            or_(a.user_id.is_(None), a.user_id != hidden_from),
            or_(a.other_user_id.is_(None), a.other_user_id != hidden_from),
        )
        if actor_id is not None:
            stmt = stmt.where(a.actor_id == actor_id)
        if person_id is not None:
            stmt = stmt.where(or_(a.user_id == person_id, a.other_user_id == person_id))
        stmt = stmt.order_by(a.id.desc()).limit(limit).offset(offset)
        return list((await self.session.execute(stmt)).scalars())
