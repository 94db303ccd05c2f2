"""The embedded default's driver (``storage.sqlite_driver``): a transaction on the event
loop, what must wait (a BEGIN behind another process's writer, a checkpoint) on
aiosqlite's thread, and otherwise what SQLAlchemy's own aiosqlite adapter does: rows,
counts, ids, many rows at once, streamed results, errors in storage's words."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text

from storage import sqlite_driver
from storage.db import Database
from storage.errors import UniqueViolation
from storage.sqlite_driver import OneTripConnection, OneTripCursor


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

    async def counted(
        self: aiosqlite.Connection, fn: object, *args: object, **kwargs: object
    ) -> object:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_a_transaction_no_one_else_is_writing_takes_no_trip_to_the_thread(
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
    # BEGIN IMMEDIATE found the write lock free; the SELECT, the INSERT and the COMMIT
    # held it; and the pool's ROLLBACK of the connection given back had nothing to undo.
    assert sent == []
    async with lite.engine.connect() as conn:
        assert (await conn.execute(text("SELECT name FROM t"))).scalars().all() == ["x"]


async def test_a_rollback_runs_in_place_and_undoes(
    lite: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lite.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
        await conn.rollback()
        seen = trips(monkeypatch)
        await conn.execute(text("INSERT INTO t (name) VALUES ('gone')"))
        await conn.rollback()
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
        await conn.commit()
    assert seen == []


async def test_while_a_call_is_on_the_thread_everything_else_follows_it(
    lite: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two threads never use the connection at once, and nothing overtakes: a ROLLBACK
    after a cancelled BEGIN that still waits on the thread must not run before it."""
    order: list[str] = []

    def slow() -> None:
        time.sleep(0.2)
        order.append("slow")

    async with lite.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
        await conn.commit()
        raw = await conn.get_raw_connection()
        adapted = raw.dbapi_connection
        assert isinstance(adapted, OneTripConnection) and adapted.free()
        waiting = asyncio.ensure_future(adapted.trip(slow))
        await asyncio.sleep(0)  # queued
        assert not adapted.free()
        seen = trips(monkeypatch)
        await conn.execute(text("INSERT INTO t (name) VALUES ('after')"))
        order.append("insert")
        await conn.commit()
        await waiting
        assert adapted.free()
    assert order == ["slow", "insert"]
    assert seen[0] == "_run"  # the BEGIN went behind it; the rest ran in place once it was done


async def test_every_so_many_commits_one_goes_to_the_thread_and_checkpoints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own checkpoint would run inside a commit, on the loop, and sync the disk
    there: it is off, and the driver checkpoints off the loop instead."""
    monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY", 3)
    path = tmp_path / "log.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with database.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE blobs (data BLOB)"))  # commit 1
            assert (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one() == 0
        seen = trips(monkeypatch)
        async with database.engine.begin() as conn:  # commit 2: into the log only
            await conn.execute(text("INSERT INTO blobs VALUES (randomblob(200000))"))
        assert path.stat().st_size < 100_000 and seen == []
        async with database.engine.begin() as conn:  # commit 3: and the checkpoint
            await conn.execute(text("INSERT INTO blobs VALUES (x'00')"))
        assert seen == ["_commit_and_checkpoint"]
        assert path.stat().st_size > 200_000  # the log's pages are in the database file
        async with database.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM blobs"))).scalar_one() == 2
    finally:
        await database.dispose()


async def test_a_begin_waiting_for_another_writer_leaves_the_loop_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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

    await _insert(second)  # its connection made and set up
    ticker = asyncio.create_task(tick())
    try:
        async with first.engine.begin() as holder:
            await holder.execute(text("INSERT INTO t DEFAULT VALUES"))
            seen = trips(monkeypatch)
            waiting = asyncio.create_task(_insert(second))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            assert ticks >= 10  # the loop ran while the second BEGIN waited on its thread
            assert seen == ["_run"]  # tried in place, found the lock taken, went to wait
        await asyncio.wait_for(waiting, 10)
        async with first.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 3
        async with second.engine.connect() as conn:  # the wait is back for the next BEGIN
            timeout = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
            assert timeout == sqlite_driver.BUSY_MS
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
