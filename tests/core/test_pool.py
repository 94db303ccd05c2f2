"""PostgreSQL's pool (``storage.db``) tries a connection before use only when it sat idle
(a connection cut while idle is replaced unseen; one in steady use costs no round trips),
and keeps as many connections as the process uses at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from sqlalchemy import event, text
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

    def ping(connection: object) -> bool:
        pings.append(connection)
        return True

    monkeypatch.setattr(pooled.engine.dialect, "do_ping", ping)
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


async def test_a_pool_keeps_the_connections_it_uses_at_once(database_url: str) -> None:
    """The bot keeps as many connections as it has updates and sends in flight: a pool
    smaller than that closes and opens connections all the time, and each new one
    prepares every statement again."""
    database = Database(database_url, connections=12)
    opened: list[object] = []
    event.listen(database.engine.sync_engine.pool, "connect", lambda *_: opened.append(1))
    try:
        for _ in range(3):  # three bursts of twelve at once
            async with AsyncExitStack() as stack:
                held = [
                    await stack.enter_async_context(database.engine.connect()) for _ in range(12)
                ]
                for conn in held:
                    await conn.execute(text("SELECT 1"))
        assert len(opened) == 12  # opened once, kept between the bursts
    finally:
        await database.dispose()


async def test_each_connection_keeps_its_statements_unless_the_url_says_otherwise(
    database_url: str,
) -> None:
    """More prepared statements than the bot runs are kept per connection (100, the
    default, were fewer: each length of an IN list is a statement of its own); a URL
    that names a size (the fault tests' proxy: 0) keeps its own."""
    kept = Database(database_url)
    uncached = Database(f"{database_url}?prepared_statement_cache_size=0")
    try:
        async with kept.engine.connect() as conn:
            raw: Any = (await conn.get_raw_connection()).dbapi_connection
            assert raw._prepared_statement_cache.capacity == storage.db.STATEMENTS_KEPT
        async with uncached.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).dbapi_connection
            assert raw._prepared_statement_cache is None
    finally:
        await kept.dispose()
        await uncached.dispose()
