"""PostgreSQL's pool tries a connection before use only when it sat idle (``storage.db``):
a connection cut while idle is replaced unseen; one in steady use costs no round trips."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import storage.db
from storage.db import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pooled(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        await database.dispose()


async def backend_pid(database: Database) -> int:
    async with database.engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def cut(database_url: str, pid: int) -> None:
    """The server ends that connection (as a restart or a proxy's idle timeout would)."""
    other = Database(database_url)
    try:
        async with other.engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


async def test_a_connection_cut_while_idle_is_replaced_before_use(
    pooled: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "IDLE_PING", 0.0)  # every connection counts as idle
    pid = await backend_pid(pooled)
    await cut(database_url, pid)
    assert await backend_pid(pooled) not in (pid, 0)  # tried, failed, replaced


async def test_a_connection_in_steady_use_is_not_tried(
    pooled: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "IDLE_PING", 3600.0)
    pings: list[object] = []
    monkeypatch.setattr(
        pooled.engine.dialect, "do_ping", lambda connection: pings.append(connection) or True
    )
    pid = await backend_pid(pooled)
    assert await backend_pid(pooled) == pid  # the same connection, back from the pool
    assert pings == []
    # Cut without a ping, its next statement fails as a lost connection, and the pool
    # starts afresh: what the update's retry (bot.updates) is for.
    await cut(database_url, pid)
    with pytest.raises(DBAPIError) as lost:
        await backend_pid(pooled)
    assert lost.value.connection_invalidated
    assert await backend_pid(pooled) != pid
