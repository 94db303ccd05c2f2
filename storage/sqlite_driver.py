"""SQLite through aiosqlite, with a transaction run on the event loop unless it must wait.

aiosqlite runs each call on the connection's own thread and hands the result back to the
event loop; SQLAlchemy's adapter makes four such calls per statement (open a cursor,
execute, fetch the rows, close the cursor). Each trip is a queue, a future and a wake-up
of the loop, and the resumption of every coroutine the update is awaiting through: about
100 µs a statement on the benchmark machine, against about 6 µs for the statement itself
(docs/benchmarks.md). So only what has to wait goes to the thread:

* BEGIN IMMEDIATE (``storage.db``) is tried in place without waiting; only when another
  process holds the write lock does it go to the thread, to wait there.
* Once begun, this connection holds the write lock and, in WAL mode, nothing it runs waits
  for another connection: its statements, ROLLBACK and COMMIT run in place. With
  ``synchronous=NORMAL`` a WAL commit writes to the log without syncing; what syncs is
  the checkpoint, so SQLite's own (which runs inside a commit) is turned off and every
  :data:`CHECKPOINT_EVERY`-th commit of an engine goes to the thread with a passive
  checkpoint after it.
* A ROLLBACK with no transaction open (the pool's reset of every returned connection) is
  nothing to do.

Outside WAL mode (an in-memory database) COMMIT keeps its trip. Everything else (pooling,
errors, the dialect) is aiosqlite's and SQLAlchemy's own.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_only

#: How long a connection waits for another process's writer (``PRAGMA busy_timeout``).
BUSY_MS = 30_000
#: Commits of an engine between two checkpoints of its WAL (SQLite's own default is
#: 1000 pages, a few hundred of the bot's transactions).
CHECKPOINT_EVERY = 200
BEGIN = "BEGIN IMMEDIATE"

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


async def _begin_or_wait(adapted: OneTripConnection, operation: str, parameters: Any) -> Outcome:
    """BEGIN IMMEDIATE in place if the write lock is free; else the trip, to wait there."""
    connection = adapted.driver
    raw: sqlite3.Connection = connection._conn
    raw.execute("PRAGMA busy_timeout=0")
    try:
        return _run(connection, operation, parameters)
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
            raise
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    outcome: Outcome = await adapted.trip(_run, connection, operation, parameters)
    return outcome


def _commit_and_checkpoint(raw: sqlite3.Connection) -> None:
    """On the connection's thread: commit, then copy the log into the database."""
    raw.commit()
    raw.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._take(_run, operation, parameters)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._take(_run_many, operation, seq_of_parameters)

    def _take(self, run: Any, operation: Any, parameters: Any) -> None:
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        connection = adapted.driver
        trip: Any
        try:
            if not adapted.free():  # after what is on the thread, in its order
                trip = adapted.trip(run, connection, operation, parameters)
            elif connection._conn.in_transaction:  # the write lock is ours: no waiting
                trip = _in_place(run, connection, operation, parameters)
            elif operation == BEGIN:
                trip = _begin_or_wait(adapted, operation, parameters)
            else:
                trip = adapted.trip(run, connection, operation, parameters)
            description, rows, lastrowid, rowcount = self.await_(trip)
        except Exception as error:
            adapted._handle_exception(error)
        self.description = description
        self.lastrowid, self.rowcount = lastrowid, rowcount
        self._rows.clear()
        if rows is not None:
            self._rows.extend(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """A connection that runs on the loop's thread when nothing of it is on aiosqlite's.

    Trips to the thread are counted (sent on the loop's thread, finished on the other,
    each counter written by one thread only): while one is queued or running, everything
    else goes the same way, after it, so the two threads never use the connection at
    once and nothing is reordered (a ROLLBACK after a cancelled BEGIN still follows it).
    """

    #: Whether the database is in WAL mode, where a commit waits for nothing
    #: (set by ``storage.db`` when it connects).
    wal: bool

    __slots__ = ("_done", "_sent", "wal")

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection) -> None:
        super().__init__(dbapi, connection)  # type: ignore[arg-type]
        self.wal = False
        self._sent = self._done = 0

    @property
    def driver(self) -> aiosqlite.Connection:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        return connection

    def free(self) -> bool:
        """Nothing of this connection is queued or running on aiosqlite's thread."""
        return self._sent == self._done

    async def trip(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` on aiosqlite's thread, counted from the moment it is queued."""

        @functools.wraps(fn)  # named as what it runs (aiosqlite's log, the tests)
        def counted() -> Any:
            try:
                return fn(*args)
            finally:
                self._done += 1

        self._sent += 1
        thread: Any = self._connection
        return await thread._execute(counted)  # queued before this first suspends

    def _raw(self) -> sqlite3.Connection | None:
        connection: Any = self._connection
        raw: sqlite3.Connection | None = connection._connection
        return raw

    def rollback(self) -> None:
        raw = self._raw()
        if raw is None:
            return
        try:
            if not self.free():
                self.await_(self.trip(raw.rollback))
            elif raw.in_transaction:  # the write lock is ours: nothing to wait for
                raw.rollback()
            # else nothing to undo (the pool resets every connection given back)
        except Exception as error:
            self._handle_exception(error)

    def commit(self) -> None:
        raw = self._raw()
        if raw is None:
            super().commit()  # says so as SQLAlchemy's adapter does
            return
        try:
            if not self.free() or not self.wal or not raw.in_transaction:
                self.await_(self.trip(raw.commit))
                return
            dbapi: OneTripDBAPI = self.dbapi
            dbapi.commits += 1
            if dbapi.commits % CHECKPOINT_EVERY:
                raw.commit()
            else:
                self.await_(self.trip(_commit_and_checkpoint, raw))
        except Exception as error:
            self._handle_exception(error)

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:  # streamed results keep their cursor: aiosqlite's own way
            return super().cursor(server_side=True)
        return OneTripCursor(self)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy sees it, with :class:`OneTripConnection` connections.
    Passed to ``create_async_engine`` as ``module``, one per engine: it counts the engine's
    commits (:data:`CHECKPOINT_EVERY`)."""

    def __init__(self, aiosqlite: Any, sqlite: Any) -> None:
        super().__init__(aiosqlite, sqlite)
        self.commits = 0

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        if kw.get("async_fallback") or kw.get("async_creator_fn"):
            return super().connect(*arg, **kw)
        # Made on aiosqlite's thread, used on the loop's too (never at the same time: a
        # pooled connection has one user, who awaits each call).
        kw.setdefault("check_same_thread", False)
        connection = aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's adapter does
        return OneTripConnection(self, await_only(connection))


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
