"""Messages relayed between the two sides of a project."""

from __future__ import annotations

from sqlalchemy import and_, or_, select, update

from storage.models import Message
from storage.repositories.base import Repository


class MessageRepository(Repository[Message]):
    model = Message

    async def by_relay(self, chat_id: int, message_id: int) -> Message | None:
        stmt = select(Message).where(
            Message.relay_chat_id == chat_id, Message.relay_message_id == message_id
        )
        return (await self.session.execute(stmt)).scalars().first()

    async def relayed(self, message_id: int, chat_id: int, relay_message_id: int) -> bool:
        """Where the bot delivered a message, written in one UPDATE (no load); False when
        there is no such message."""
        stmt = (
            update(Message)
            .where(Message.id == message_id)
            .values(relay_chat_id=chat_id, relay_message_id=relay_message_id)
            .execution_options(synchronize_session=False)
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]

    async def thread(
        self, project_id: int, a: int, b: int, limit: int, before_id: int | None = None
    ) -> list[Message]:
        stmt = select(Message).where(
            Message.project_id == project_id,
            or_(
                and_(Message.sender_id == a, Message.recipient_id == b),
                and_(Message.sender_id == b, Message.recipient_id == a),
            ),
        )
        if before_id is not None:
            stmt = stmt.where(Message.id < before_id)
        rows = await self._all(stmt.order_by(Message.id.desc()).limit(limit))
        return rows[::-1]
