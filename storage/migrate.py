"""Apply Alembic migrations from inside the program (``bidgram migrate``, start-up, tests).

Alembic is imported only when there is something to apply: at start-up a database
already at the newest revision is recognised by reading ``alembic_version`` and the
revision ids in ``migrations/versions``, so a running bot does not keep Alembic and
its script machinery in memory (about 8 MiB; docs/benchmarks.md, issue 14's fourth
round).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps

_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(?:None|[\"']([^\"']+)[\"'])", re.M)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision, read from the scripts' ``revision`` and ``down_revision``
    lines (the newest is the one no other script follows), without importing Alembic."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            raise RuntimeError(f"{script.name}: no revision or down_revision line")
        revisions.add(revision.group(1))
        if down.group(1):
            followed.add(down.group(1))
    heads = revisions - followed
    assert len(heads) == 1, f"migrations have {len(heads)} heads"
    return heads.pop()


async def current(engine: AsyncEngine) -> str | None:
    """The database's revision (``None`` when no migration was ever applied)."""

    def read(conn: Connection) -> str | None:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        if len(rows) > 1:
            raise RuntimeError(f"the database has {len(rows)} revisions: {sorted(rows)}")
        return rows[0] if rows else None

    async with engine.connect() as conn:
        return await conn.run_sync(read)


@asynccontextmanager
async def _changing_schema(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One transaction for migrations.

    SQLite changes a column by rebuilding its table (copy, drop, rename), and the drop
    is refused while other tables' rows refer to it. As SQLite documents for such
    changes, foreign keys are off for the transaction (a pragma that only takes effect
    outside one) and every reference is checked before it commits.
    """
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as conn:
        if sqlite:
            await conn.run_sync(_foreign_keys, False)
        try:
            async with conn.begin():
                yield conn
                if sqlite:
                    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                await conn.run_sync(_foreign_keys, True)


def _foreign_keys(conn: Connection, on: bool) -> None:
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    from alembic import command

    def run(conn: Connection) -> None:
        command.upgrade(alembic_config(conn), revision)

    async with _changing_schema(engine) as conn:
        await conn.run_sync(run)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    def run(conn: Connection) -> None:
        command.downgrade(alembic_config(conn), revision)

    async with _changing_schema(engine) as conn:
        await conn.run_sync(run)


async def sync_catalogue(engine: AsyncEngine) -> int:
    """Add catalogue skills the database does not have yet; returns how many were added."""
    from sqlalchemy import insert, select

    from storage.catalogue import SKILLS
    from storage.models import Skill

    async with engine.begin() as conn:
        have = set((await conn.execute(select(Skill.slug))).scalars())
        rows = [
            {"slug": slug, "name": name, "category": category}
            for slug, name, category in SKILLS
            if slug not in have
        ]
        if rows:
            await conn.execute(insert(Skill), rows)
    return len(rows)


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision and the skills catalogue up to date.
    Alembic runs (and is imported) only when the database is not at the newest yet."""
    if await current(engine) != head():
        await upgrade(engine)
    await sync_catalogue(engine)
