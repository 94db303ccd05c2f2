"""Messages relayed between the two sides of a project."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, or_, select, update

from storage.models import Message
from storage.repositories.base import Repository, table_of

#: Every relayed message and every reply to one (built once).
BY_RELAY = select(Message).where(
    Message.relay_chat_id == bindparam("chat_id"),
    Message.relay_message_id == bindparam("message_id"),
)
#: Core, not ORM, updates (here and for the outbox's marks and a bid's touch): the ORM's
#: bulk-update path costs more than the statement, and nothing loaded needs refreshing.
_MESSAGES = table_of(Message)
RELAYED = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message"))
    .values(relay_chat_id=bindparam("relay_chat"), relay_message_id=bindparam("relay_message"))
)


class MessageRepository(Repository[Message]):
    model = Message

    async def by_relay(self, chat_id: int, message_id: int) -> Message | None:
        params = {"chat_id": chat_id, "message_id": message_id}
        return (await self.session.execute(BY_RELAY, params)).scalars().first()

    async def relayed(self, message_id: int, chat_id: int, relay_message_id: int) -> bool:
        """Where the bot delivered a message, written in one UPDATE (no load); False when
        there is no such message."""
        params = {"message": message_id, "relay_chat": chat_id, "relay_message": relay_message_id}
        done = await self.session.execute(RELAYED, params)
        return bool(done.rowcount)  # type: ignore[attr-defined]

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
