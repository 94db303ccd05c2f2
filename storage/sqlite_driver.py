"""SQLite through aiosqlite, with the statements of a transaction run on the event loop.

aiosqlite runs each call on the connection's own thread and hands the result back to the
event loop; SQLAlchemy's adapter makes four such calls per statement (open a cursor,
execute, fetch the rows, close the cursor). Each trip is a queue, a future and a wake-up
of the loop: about 100 µs a statement on the benchmark machine, against about 6 µs for
the statement itself (docs/benchmarks.md). Every transaction here begins IMMEDIATE
(``storage.db``), so once it has begun this connection holds the write lock and, in WAL
mode, no statement of it waits for another connection: those run in place, on the
loop's thread. What can wait for the lock (BEGIN, the connection's set-up) or for the
disk (COMMIT) still goes to aiosqlite's thread, in one trip per statement. Everything
else (pooling, errors, the dialect) is aiosqlite's and SQLAlchemy's own.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_only

#: What one statement leaves behind: description, rows, lastrowid, rowcount.
Outcome = tuple[Any, list[Any] | None, int | None, int]


def _run(connection: aiosqlite.Connection, operation: str, parameters: Any) -> Outcome:
    """On the connection's thread: the whole statement."""
    cursor: sqlite3.Cursor = connection._conn.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, None, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _run_many(connection: aiosqlite.Connection, operation: str, parameters: Any) -> Outcome:
    cursor: sqlite3.Cursor = connection._conn.cursor()
    try:
        cursor.executemany(operation, parameters)
        return None, None, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


async def _in_place(
    run: Any, connection: aiosqlite.Connection, operation: str, parameters: Any
) -> Outcome:
    """``run`` on the loop's thread. A coroutine all the same, awaited without suspending:
    SQLAlchemy's async layer insists that a statement awaits something."""
    outcome: Outcome = run(connection, operation, parameters)
    return outcome


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._take(_run, operation, parameters)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._take(_run_many, operation, seq_of_parameters)

    def _take(self, run: Any, operation: Any, parameters: Any) -> None:
        connection: Any = self._connection
        trip: Any
        try:
            if connection._conn.in_transaction:  # the write lock is ours: nothing to wait for
                trip = _in_place(run, connection, operation, parameters)
            else:
                trip = connection._execute(run, connection, operation, parameters)
            description, rows, lastrowid, rowcount = self.await_(trip)
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = description
        self.lastrowid, self.rowcount = lastrowid, rowcount
        self._rows.clear()
        if rows is not None:
            self._rows.extend(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:  # streamed results keep their cursor: aiosqlite's own way
            return super().cursor(server_side=True)
        return OneTripCursor(self)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy sees it, with :class:`OneTripConnection` connections.
    Passed to ``create_async_engine`` as ``module``."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        if kw.get("async_fallback") or kw.get("async_creator_fn"):
            return super().connect(*arg, **kw)
        # Made on aiosqlite's thread, used on the loop's too (never at the same time: a
        # pooled connection has one user, who awaits each call).
        kw.setdefault("check_same_thread", False)
        connection = aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's adapter does
        return OneTripConnection(self, await_only(connection))  # type: ignore[arg-type]


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
