"""Test databases: SQLite by default, PostgreSQL when TEST_POSTGRES_URL is set.

With TEST_POSTGRES_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test) the
run creates its own fresh database next to the one named, migrates it, and drops
it at the end, so runs never see each other's rows. If PostgreSQL was asked for
and cannot be reached, the whole run stops with an error: nothing is skipped.

Redis likewise: tests marked ``redis`` run when TEST_REDIS_URL names a server
(e.g. redis://127.0.0.1:6379/0), are skipped without it, and stop the run when it is
set but unreachable. Each test gets its own random key prefix, deleted afterwards.

Hypothesis runs under the profile HYPOTHESIS_PROFILE names: "ci" (the default) tries
the same examples on every run, so a red run is the change's doing and not the dice's;
"long" searches twenty times as many random ones, for a run on demand.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.clock import FrozenClock
from core.settings import Settings
from storage.db import Database, create_engine
from storage.migrate import migrate
from storage.models import Base
from tests.harness import Harness

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "").strip()
REDIS = os.environ.get("TEST_REDIS_URL", "").strip()
ADMIN_TELEGRAM_ID = 900_000_001
KEEP = {"skills", "alembic_version"}

_BASE = hypothesis_settings.get_profile("default")  # even where CI=1 loaded Hypothesis's "ci"
hypothesis_settings.register_profile(
    "ci", _BASE, derandomize=True, max_examples=100, deadline=None, print_blob=True
)
hypothesis_settings.register_profile(
    "long", _BASE, derandomize=False, max_examples=2_000, deadline=None, print_blob=True
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _create_pg_database(admin_url: str) -> str:
    import asyncpg

    name = f"bidgram_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(admin_url: str, url: str) -> None:
    import asyncpg

    name = make_url(url).database
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _migrate(url: str) -> None:
    engine = create_engine(url, pool=False)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def pytest_configure(config: pytest.Config) -> None:
    if POSTGRES and not make_url(POSTGRES).drivername.startswith("postgresql+asyncpg"):
        raise pytest.UsageError("TEST_POSTGRES_URL must be a postgresql+asyncpg:// URL")
    if REDIS and not REDIS.startswith(("redis://", "rediss://", "unix://")):
        raise pytest.UsageError("TEST_REDIS_URL must be a redis:// URL")


async def _ping_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=5)
    try:
        await client.ping()  # type: ignore[misc]
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server named by TEST_REDIS_URL, checked once per run."""
    assert REDIS, "redis tests are skipped without TEST_REDIS_URL"
    try:
        asyncio.run(_ping_redis(REDIS))
    except Exception as error:  # the run asked for Redis: fail, never skip
        pytest.exit(f"TEST_REDIS_URL is set but Redis is not usable: {error!r}", returncode=3)
    return REDIS


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix of this test's own; every key under it is deleted afterwards."""
    from redis.asyncio import Redis

    prefix = f"bidgram-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database for this run (a template file for SQLite)."""
    if POSTGRES:
        try:
            url = asyncio.run(_create_pg_database(POSTGRES))
        except Exception as error:  # the run asked for PostgreSQL: fail, never skip
            pytest.exit(
                f"TEST_POSTGRES_URL is set but PostgreSQL is not usable: {error!r}", returncode=3
            )
        try:
            asyncio.run(_migrate(url))
            yield url
        finally:
            asyncio.run(_drop_pg_database(POSTGRES, url))
        return
    path = tmp_path_factory.mktemp("db") / "template.db"
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(_migrate(url))
    yield url


@pytest.fixture
def backend() -> str:
    return "postgresql" if POSTGRES else "sqlite"


@pytest.fixture
async def db(database_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with the schema and catalogue but no other rows, for one test."""
    if POSTGRES:
        database = Database(database_url)
        try:
            yield database
        finally:
            tables = ", ".join(
                f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name not in KEEP
            )
            async with database.engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            await database.dispose()
        return
    template = Path(make_url(database_url).database or "")
    target = tmp_path / "test.db"
    shutil.copyfile(template, target)
    database = Database(f"sqlite+aiosqlite:///{target}")
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        admin_ids=frozenset({ADMIN_TELEGRAM_ID}),
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def h(db: Database, settings: Settings, clock: FrozenClock) -> Harness:
    return Harness(db, settings, clock, admin_telegram_id=ADMIN_TELEGRAM_ID)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests are skipped on a SQLite run, and must run when it is asked for;
    the same for Redis."""
    no_postgres = pytest.mark.skip(reason="locking needs PostgreSQL: set TEST_POSTGRES_URL")
    no_redis = pytest.mark.skip(reason="needs Redis: set TEST_REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and not POSTGRES:
            item.add_marker(no_postgres)
        if "redis" in item.keywords and not REDIS:
            item.add_marker(no_redis)
