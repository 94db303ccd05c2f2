"""Apply Alembic migrations from inside the program (``bidgram migrate``, start-up, tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations have {len(heads)} heads"
    return heads[0]


async def current(engine: AsyncEngine) -> str | None:
    def read(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

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
    def run(conn: Connection) -> None:
        command.upgrade(alembic_config(conn), revision)

    async with _changing_schema(engine) as conn:
        await conn.run_sync(run)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
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
    """Bring the schema to the newest revision and the skills catalogue up to date."""
    await upgrade(engine)
    await sync_catalogue(engine)
