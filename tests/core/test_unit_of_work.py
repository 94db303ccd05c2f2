"""The unit of work holds the rows it read until it commits, and no longer."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from storage.db import Database
from storage.repositories import UserRepository
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 6, tzinfo=UTC)


async def test_a_row_let_go_is_not_read_again_in_the_same_update(db: Database) -> None:
    statements = [0]
    db.on_statement(lambda: statements.__setitem__(0, statements[0] + 1))
    async with db.uow() as uow:
        user_id = (await uow.users.ensure(1001, NOW)).id
        async with uow.savepoint():  # a savepoint's end lets nothing go
            pass
        gc.collect()  # nobody holds the row now but the unit of work
        statements[0] = 0
        again = await uow.users.get(user_id)
        assert again is not None and statements[0] == 0


async def test_a_commit_lets_the_rows_go(db: Database) -> None:
    async with db.uow() as uow:
        await uow.users.ensure(1002, NOW)
        assert uow.session.sync_session.info.get("held")
        await uow.commit()
        assert not uow.session.sync_session.info.get("held")
        gc.collect()
        assert len(uow.session.identity_map) == 0


async def test_the_update_claim_is_compiled_once_and_claims_once(db: Database) -> None:
    compiled: list[bool] = []

    def seen(
        conn: object, cursor: object, sql: str, params: object, context: Any, many: bool
    ) -> None:
        if "processed_updates" in sql:
            compiled.append(context.cache_hit is not CacheStats.CACHE_HIT)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    async with db.uow() as uow:
        assert await uow.updates.claim(7, 1, NOW)
        assert not await uow.updates.claim(7, 1, NOW)  # already handled
        assert await uow.updates.claim(7, 2, NOW)
    assert compiled[1:] == [False, False]


async def test_a_new_person_gets_the_columns_defaults(db: Database) -> None:
    async with db.uow() as uow:
        user = await uow.users.ensure(1003, NOW)
        assert user.first_name == "" and user.is_banned is False and user.created_at == NOW


async def test_a_repository_is_made_when_first_used_over_the_open_session(db: Database) -> None:
    uow = db.uow()
    async with uow:
        assert "bids" not in vars(uow)  # nothing made for what the update does not use
        first = uow.users
        assert first is uow.users and first.session is uow.session
    async with uow:  # opened again: a new session, new repositories over it
        assert uow.users is not first and uow.users.session is uow.session
    assert not isinstance(UnitOfWork.users, UserRepository)  # the class makes none
