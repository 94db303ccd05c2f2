"""Engine and session factory, tuned so SQLite and PostgreSQL behave alike.

SQLite: foreign keys enforced, WAL, and every transaction begins IMMEDIATE so two
concurrent writers queue up instead of failing half-way with "database is locked".
Within a process they queue on an asyncio lock, first come first served: left to
SQLite's busy handler (sleep and retry, up to 100 ms a time, in no order) a BEGIN
waited 360 ms on average under load (docs/benchmarks.md).
PostgreSQL: READ COMMITTED plus explicit row locks taken by the repositories.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.util import await_only

from storage import errors, sqlite_driver
from storage.uow import HoldingSession, UnitOfWork


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def url_password(url: str) -> str | None:
    """The password in a URL (a database's, Redis's), if it has one; an error if ``url``
    is not one SQLAlchemy reads."""
    password = make_url(url).password
    return str(password) if password else None


def create_engine(
    url: str, *, pool: bool = True, echo: bool = False, connections: int | None = None
) -> AsyncEngine:
    """Create an async engine for ``url`` with the per-backend settings above; a unique
    key's refusal is raised as ``storage.errors.UniqueViolation`` on either.

    ``connections``: how many PostgreSQL connections the pool keeps (SQLAlchemy's 5 by
    default; 10 more may open for a burst). A process that uses more at once than it
    keeps closes one and opens another all the time, each opening a handshake and each
    new connection preparing every statement again: the bot keeps as many as it has
    updates and sends in flight (``bot.app``)."""
    kwargs: dict[str, Any] = {"echo": echo}
    if not pool:
        kwargs["poolclass"] = NullPool
    if is_sqlite(url):
        if pool and make_url(url).database not in (None, "", ":memory:"):
            # One transaction writes at a time (the gate below), so more connections only
            # wait for it, each with a thread and a page cache of its own: six are plenty.
            kwargs.update(pool_size=2, max_overflow=4)
        kwargs["connect_args"] = {"timeout": 30}
        kwargs["module"] = sqlite_driver.dbapi()  # one trip to aiosqlite's thread a statement
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
    else:
        # Each connection keeps its prepared statements, 100 by default: fewer than the
        # statements the bot runs, counting each length of an IN list apart. A URL that
        # names its own size keeps it (the fault tests' proxy reads statements' text,
        # which a cached statement no longer sends).
        if "prepared_statement_cache_size" not in make_url(url).query:
            kwargs["connect_args"] = {"prepared_statement_cache_size": STATEMENTS_KEPT}
        if pool and connections is not None:
            kwargs["pool_size"] = connections
        engine = create_async_engine(url, **kwargs)
        _ping_when_idle(engine)
    event.listen(engine.sync_engine, "handle_error", errors.translate, retval=True)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    memory = make_url(engine.url).database in (None, "", ":memory:")

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={sqlite_driver.BUSY_MS}")
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.wal = cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous=NORMAL")
            if dbapi_connection.wal:  # the driver checkpoints, off the loop
                cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    # Held from BEGIN to COMMIT or ROLLBACK (or the connection's return to the pool):
    # the same one-writer rule BEGIN IMMEDIATE enforces, without the polling.
    gate = asyncio.Lock()

    def _release(info: dict[Any, Any]) -> None:
        if info.pop("bidgram_gate", False):
            gate.release()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        await_only(gate.acquire())
        conn.info["bidgram_gate"] = True
        try:
            conn.exec_driver_sql(sqlite_driver.BEGIN)
        except BaseException:
            _release(conn.info)
            raise

    @event.listens_for(engine.sync_engine, "commit")
    @event.listens_for(engine.sync_engine, "rollback")
    def _on_end(conn: Any) -> None:
        _release(conn.info)

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            _release(record.info)


#: Prepared statements a PostgreSQL connection keeps (``create_engine``).
STATEMENTS_KEPT = 1000
#: A pooled PostgreSQL connection unused for longer than this is tried before it is used.
IDLE_PING = 10.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Try a connection before its use only when it has been idle a while.

    SQLAlchemy's ``pool_pre_ping`` tries every connection at every checkout; with asyncpg
    that is three round trips (BEGIN, a ping, ROLLBACK) before each transaction: before
    every update, every send's mark, every claim. A connection in steady use just worked;
    one idle for ``IDLE_PING`` seconds may have been cut (a restart, a proxy's timeout)
    and is tried, and replaced if it fails. A connection that breaks in use fails its
    statement as a disconnect: SQLAlchemy then discards the whole pool, and the update is
    tried again (``bot.updates``) on a fresh connection.
    """

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["bidgram_idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("bidgram_idle_since", None)
        if since is None or time.monotonic() - since < IDLE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool replaces it and checks out another
            raise exc.DisconnectionError(f"an idle connection failed its ping: {error}") from error


class Database:
    """One engine and its session factory; hands out units of work."""

    def __init__(
        self, url: str, *, pool: bool = True, echo: bool = False, connections: int | None = None
    ) -> None:
        self.url = url
        self.engine = create_engine(url, pool=pool, echo=echo, connections=connections)
        self.sessions = async_sessionmaker(
            self.engine,
            expire_on_commit=False,
            class_=AsyncSession,
            sync_session_class=HoldingSession,
        )

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def on_statement(self, count: Callable[[], object]) -> None:
        """Call ``count`` for each SQL statement sent to the server (metrics, benchmarks)."""

        def counted(*_: Any) -> None:
            count()

        event.listen(self.engine.sync_engine, "after_cursor_execute", counted)

    async def ping(self) -> None:
        """One round trip to the database (health checks); raises when it is out of reach."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
