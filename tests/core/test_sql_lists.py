"""Lists as one parameter (``storage.repositories.base.among``) and a row by id
(``Repository.get``): the reads a page or an alert makes on every update."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from storage.db import Database
from storage.models import OutboxMessage, User
from storage.repositories.base import among, one_of

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def statements(db: Database) -> list[str]:
    seen: list[str] = []

    def sent(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", sent)
    return seen


async def test_a_list_of_any_length_is_one_statement_text(db: Database) -> None:
    async with db.uow() as uow:
        made = [await uow.users.ensure(5000 + i, NOW) for i in range(4)]
        await uow.commit()
    people = select(User.telegram_id).where(among(User.telegram_id, "ids"))
    seen = statements(db)
    found = []
    async with db.uow() as uow:
        for wanted in ([5001], [5000, 5003, 99], [], [5002, 5002]):
            rows = await uow.session.execute(people, {"ids": wanted})
            found.append(sorted(rows.scalars()))
    assert found == [[5001], [5000, 5003], [], [5002]]
    assert len({s for s in seen if "users" in s}) == 1  # not one per length
    assert [u.telegram_id for u in made] == [5000, 5001, 5002, 5003]


async def test_a_list_compares_as_its_column_does(db: Database) -> None:
    """Outbox chats are text: numbers given for them still match."""
    async with db.uow() as uow:
        uow.session.add(
            OutboxMessage(chat="42", text="hi", status="pending", created_at=NOW, not_before=NOW)
        )
        await uow.commit()
    queued = select(OutboxMessage.chat).where(among(OutboxMessage.chat, "chats"))
    async with db.uow() as uow:
        assert (await uow.session.execute(queued, {"chats": [42, 7]})).scalars().all() == ["42"]
        assert (await uow.session.execute(queued, {"chats": ["42"]})).scalars().all() == ["42"]


async def test_a_fixed_list_of_statuses_is_written_into_the_statement(db: Database) -> None:
    """Constants (the statuses a count counts) need no parameter: SQLAlchemy's IN of
    values would rewrite the statement on every execution."""
    async with db.uow() as uow:
        for i, status in enumerate(("pending", "sent", "failed")):
            uow.session.add(
                OutboxMessage(chat=str(i), text="hi", status=status, created_at=NOW, not_before=NOW)
            )
        await uow.commit()
    unsent = select(OutboxMessage.chat).where(one_of(OutboxMessage.status, ("pending", "failed")))
    seen = statements(db)
    async with db.uow() as uow:
        rows = await uow.session.execute(unsent.order_by(OutboxMessage.chat))
        assert rows.scalars().all() == ["0", "2"]
    (sql,) = [s for s in seen if "outbox_messages" in s]
    assert "IN ('pending', 'failed')" in sql
    assert "POSTCOMPILE" not in str(unsent.compile(dialect=db.engine.dialect))
    assert one_of(OutboxMessage.chat, ["it's"]).compile().string.endswith("('it''s')")


async def test_a_row_by_id_is_read_once_and_then_held(db: Database) -> None:
    async with db.uow() as uow:
        user_id = (await uow.users.ensure(6000, NOW)).id
        await uow.commit()
    seen = statements(db)
    async with db.uow() as uow:
        first = await uow.users.get(user_id)
        again = await uow.users.get(user_id)
        assert first is not None and again is first and first.telegram_id == 6000
        assert await uow.users.get(user_id + 1000) is None
        await uow.session.delete(first)
        await uow.flush()
        assert await uow.users.get(user_id) is None  # deleted in this unit of work
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 3  # the first read, the missing id, the deleted one
