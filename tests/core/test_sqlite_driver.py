"""The embedded default's driver (``storage.sqlite_driver``): a transaction's statements on
the event loop, what may wait (BEGIN, COMMIT) on aiosqlite's thread, and otherwise what
SQLAlchemy's own aiosqlite adapter does: rows, counts, ids, many rows at once, streamed
results, errors in storage's words."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text

from storage.db import Database
from storage.errors import UniqueViolation
from storage.sqlite_driver import OneTripCursor


@pytest.fixture
async def lite(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'lite.db'}")
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    try:
        yield database
    finally:
        await database.dispose()


def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls handed to aiosqlite's thread, by name."""
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: object, *args: object) -> object:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_a_transaction_s_statements_run_in_place_and_its_ends_on_the_thread(
    lite: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lite.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the connection's first use, set-up included
        await conn.rollback()
        seen = trips(monkeypatch)
        rows = (await conn.execute(text("SELECT 1 UNION ALL SELECT 2"))).all()
        await conn.execute(text("INSERT INTO t (name) VALUES ('x')"))
        await conn.commit()
        sent = list(seen)
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, aiosqlite.Connection)
        assert isinstance(raw.dbapi_connection.cursor(), OneTripCursor)  # type: ignore[union-attr]
    assert [tuple(r) for r in rows] == [(1,), (2,)]
    # BEGIN IMMEDIATE may wait for another process's writer, COMMIT for the disk: one trip
    # each; the SELECT and the INSERT between them hold the write lock and take none.
    assert sent == ["_run", "commit"]


async def test_a_begin_waiting_for_another_writer_leaves_the_loop_free(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    first = Database(f"sqlite+aiosqlite:///{path}")
    second = Database(f"sqlite+aiosqlite:///{path}")  # another process, as far as locks go
    async with first.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        async with first.engine.begin() as holder:
            await holder.execute(text("INSERT INTO t DEFAULT VALUES"))
            waiting = asyncio.create_task(_insert(second))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            assert ticks >= 10  # the loop ran while the second BEGIN waited on its thread
        await asyncio.wait_for(waiting, 10)
        async with first.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 2
    finally:
        ticker.cancel()
        await first.dispose()
        await second.dispose()


async def _insert(database: Database) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(text("INSERT INTO t DEFAULT VALUES"))


async def test_inserts_report_their_row_and_count(lite: Database) -> None:
    async with lite.engine.begin() as conn:
        one = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        assert one.lastrowid == 1 and one.rowcount == 1
        many = await conn.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}]
        )
        assert many.rowcount == 2
        changed = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 1"))
        assert changed.rowcount == 2
        names = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["a", "b!", "c!"]


async def test_a_unique_key_refusal_is_storage_s_unique_violation(lite: Database) -> None:
    async with lite.engine.connect() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('same')"))
        with pytest.raises(UniqueViolation):
            await conn.execute(text("INSERT INTO t (name) VALUES ('same')"))


async def test_streamed_results_still_stream(lite: Database) -> None:
    async with lite.engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": f"n{i}"} for i in range(50)]
        )
        streamed = await conn.stream(text("SELECT name FROM t ORDER BY id"))
        names = [row[0] async for row in streamed]
    assert names == [f"n{i}" for i in range(50)]
