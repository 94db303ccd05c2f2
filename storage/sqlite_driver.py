"""SQLite through aiosqlite, one trip to its thread per statement.

aiosqlite runs each call on the connection's own thread and hands the result back to the
event loop; SQLAlchemy's adapter makes four such calls per statement (open a cursor,
execute, fetch the rows, close the cursor). Each trip is a queue, a future and a wake-up
of the loop, and together they were a quarter of the bot's CPU on SQLite (a profile of
the benchmark mix, docs/benchmarks.md). Here the four happen in one function on the
thread, so a statement costs one trip. Everything else (transactions, pooling, errors,
the dialect) is aiosqlite's and SQLAlchemy's own.
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


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._take(_run, operation, parameters)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._take(_run_many, operation, seq_of_parameters)

    def _take(self, run: Any, operation: Any, parameters: Any) -> None:
        try:
            description, rows, lastrowid, rowcount = self.await_(
                self._connection._execute(run, self._connection, operation, parameters)
            )
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
        connection = aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's adapter does
        return OneTripConnection(self, await_only(connection))  # type: ignore[arg-type]


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
