"""The alert outbox: events committed with a change, and the messages they become."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxEvent, OutboxMessage
from storage.repositories.base import EARLIER, among, table_of


def _claimable() -> tuple[Any, Any, Any, Any]:
    """The claims every delivery loop makes, built once (see base.insert_ignore)."""
    now: BindParameter[datetime] = bindparam("now")
    limit = bindparam("limit", type_=Integer)
    free = or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now)
    events = (
        select(OutboxEvent)
        .where(OutboxEvent.expanded_at.is_(None), free)
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    m, earlier = OutboxMessage, EARLIER
    blocked_by_earlier = exists().where(
        earlier.chat == m.chat,
        earlier.status == "pending",
        earlier.priority == m.priority,
        earlier.id < m.id,
    )
    # Heads of each chat's queue (per priority lane) that are due and not leased.
    messages = (
        select(m)
        .where(
            m.status == "pending",
            m.not_before <= now,
            or_(m.claimed_until.is_(None), m.claimed_until < now),
            ~blocked_by_earlier,
        )
        .order_by(m.priority, m.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=m)
    )
    by_ids = select(OutboxMessage).where(among(OutboxMessage.id, "ids")).order_by(OutboxMessage.id)
    queued = (
        select(OutboxMessage.chat)
        .where(
            among(OutboxMessage.chat, "chats"),
            OutboxMessage.status == "pending",
        )
        .distinct()
    )
    return events, messages, by_ids, queued


CLAIM_EVENTS, CLAIM_MESSAGES, GET_MESSAGES, QUEUED_CHATS = _claimable()
INSERT_MESSAGES = insert(OutboxMessage)
INSERT_MESSAGES_RETURNING = insert(OutboxMessage).returning(
    OutboxMessage.id, sort_by_parameter_order=True
)


@dataclass(frozen=True)
class Backlog:
    """What waits in the outbox."""

    pending: int  # messages not sent yet
    oldest_due: datetime | None  # the earliest due time of those due by now, if any
    events_waiting: int  # committed events not yet expanded into messages


class OutboxRepository:
    """The alert outbox. Claims are leases (``claimed_until``): on PostgreSQL rows are
    taken with FOR UPDATE SKIP LOCKED so several processes share the work; SQLite
    serialises writers, so a claim there is exclusive anyway."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add_event(
        self, kind: str, recipients: Sequence[int], data: dict[str, Any], now: datetime
    ) -> OutboxEvent:
        event = OutboxEvent(
            kind=kind, recipients=list(recipients), data=dict(data), created_at=now, attempts=0
        )
        self.session.add(event)
        return event

    async def claim_events(self, now: datetime, until: datetime, limit: int) -> list[OutboxEvent]:
        params = {"now": now, "limit": limit}
        events = list((await self.session.execute(CLAIM_EVENTS, params)).scalars())
        for event in events:
            event.claimed_until = until
        await self.session.flush()
        return events

    async def add_messages(
        self, rows: Sequence[dict[str, Any]], *, returning: bool = False
    ) -> list[int]:
        """Bulk insert (a new project may reach a hundred thousand chats); the new ids, in
        the rows' order, when ``returning``."""
        ids: list[int] = []
        stmt = INSERT_MESSAGES_RETURNING if returning else INSERT_MESSAGES
        for start in range(0, len(rows), 2000):
            done = await self.session.execute(stmt, list(rows[start : start + 2000]))
            if returning:
                ids += done.scalars()
        return ids

    async def queued_chats(self, chats: Collection[str]) -> set[str]:
        """Those of ``chats`` with a message waiting to be sent (claimed or not)."""
        found = await self.session.execute(QUEUED_CHATS, {"chats": list(chats)})
        return set(found.scalars())

    async def claim_messages(
        self, now: datetime, until: datetime, worker: str, limit: int
    ) -> list[OutboxMessage]:
        """Heads of each chat's queue (per priority lane) that are due and not leased."""
        params = {"now": now, "limit": limit}
        claimed = list((await self.session.execute(CLAIM_MESSAGES, params)).scalars())
        for message in claimed:
            message.claimed_until = until
            message.claimed_by = worker
        await self.session.flush()
        return claimed

    async def claim_digest_mates(
        self, head: OutboxMessage, now: datetime, until: datetime, worker: str
    ) -> list[OutboxMessage]:
        """The other due alerts of the head's digest kind for its chat, claimed with it."""
        m = OutboxMessage
        stmt = (
            select(m)
            .where(
                m.chat == head.chat,
                m.status == "pending",
                m.digest == head.digest,
                m.id != head.id,
                m.not_before <= now,
                or_(m.claimed_until.is_(None), m.claimed_until < now),
            )
            .order_by(m.id)
            .with_for_update(skip_locked=True)
        )
        mates = list((await self.session.execute(stmt)).scalars())
        for message in mates:
            message.claimed_until = until
            message.claimed_by = worker
        await self.session.flush()
        return mates

    async def mark_sent(
        self, head: int, mates: Sequence[int], at: datetime, telegram_message_id: int
    ) -> None:
        """A claimed message sent (and the digest mates merged into it), in one UPDATE
        without loading them."""
        params = {"head": head, "ids": [head, *mates], "at": at, "telegram": telegram_message_id}
        await self.session.execute(MARK_MERGED if mates else MARK_SENT, params)

    async def get_messages(self, ids: Sequence[int]) -> list[OutboxMessage]:
        found = await self.session.execute(GET_MESSAGES, {"ids": list(ids)})
        return list(found.scalars())

    async def digest_history(
        self, digest: str, chats: Sequence[str], since: datetime
    ) -> dict[str, tuple[int, datetime | None]]:
        """Per chat of ``chats`` that had any: alerts of a digest kind queued since ``since``,
        and the latest time a pending one of them is held until (500 chats a query)."""
        m = OutboxMessage
        held_until = func.max(case((m.status == "pending", m.not_before), else_=None))
        found: dict[str, tuple[int, datetime | None]] = {}
        ordered = sorted(chats)
        for start in range(0, len(ordered), 500):
            stmt = (
                select(m.chat, func.count(), held_until)
                .where(
                    m.chat.in_(ordered[start : start + 500]),
                    m.digest == digest,
                    m.created_at >= since,
                )
                .group_by(m.chat)
            )
            for chat, count, until in (await self.session.execute(stmt)).all():
                found[str(chat)] = (int(count), until)
        return found

    async def postpone_chat(self, chat: str, until: datetime) -> None:
        """Telegram said to wait (429): nothing goes to this chat before ``until``."""
        m = OutboxMessage
        await self.session.execute(
            update(m)
            .where(m.chat == chat, m.status == "pending", m.not_before < until)
            .values(not_before=until)
        )

    async def stop_chat(self, chat: str, status: str, reason: str) -> None:
        """Settle every pending message to a chat that cannot receive them (blocked)."""
        m = OutboxMessage
        await self.session.execute(
            update(m)
            .where(m.chat == chat, m.status == "pending")
            .values(status=status, last_error=reason, claimed_until=None)
        )

    async def counts(self) -> dict[str, int]:
        """Messages by status and events not yet expanded. Events are counted first: on
        PostgreSQL each statement sees what was committed when it started, and an
        expansion committed between the two would otherwise be in neither count."""
        events_waiting = await self._events_waiting()
        stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        counts = {str(s): int(n) for s, n in (await self.session.execute(stmt)).all()}
        counts["events waiting"] = events_waiting
        return counts

    async def backlog(self, now: datetime) -> Backlog:
        """What waits to be sent at ``now`` (``bot.metrics``)."""
        m = OutboxMessage
        due = case((m.not_before <= now, m.not_before))
        stmt = select(func.count(), func.min(due)).where(m.status == "pending")
        pending, oldest = (await self.session.execute(stmt)).one()
        return Backlog(int(pending), oldest, await self._events_waiting())

    async def _events_waiting(self) -> int:
        waiting = select(func.count()).where(OutboxEvent.expanded_at.is_(None))
        return int((await self.session.execute(waiting)).scalar_one())

    async def prune(self, before: datetime) -> int:
        """Forget settled messages and expanded events older than ``before``."""
        m = OutboxMessage
        gone = await self.session.execute(
            delete(m).where(m.status != "pending", m.created_at < before)
        )
        still_referenced = select(m.event_id).where(m.event_id.is_not(None)).scalar_subquery()
        await self.session.execute(
            delete(OutboxEvent).where(
                OutboxEvent.expanded_at.is_not(None),
                OutboxEvent.created_at < before,
                OutboxEvent.id.not_in(still_referenced),
            )
        )
        return int(getattr(gone, "rowcount", 0) or 0)


_MESSAGES = table_of(OutboxMessage)


def _mark(status: Any) -> Any:
    return (
        update(_MESSAGES)
        .where(among(_MESSAGES.c.id, "ids"))
        .values(
            status=status,
            sent_at=bindparam("at"),
            telegram_message_id=bindparam("telegram"),
            claimed_until=None,
        )
    )


#: After every send (built once; Core updates, see ``messages.RELAYED``): the message
#: sent, or it and the digest mates merged.
MARK_SENT = _mark("sent")
MARK_MERGED = _mark(case((_MESSAGES.c.id == bindparam("head"), "sent"), else_="merged"))
