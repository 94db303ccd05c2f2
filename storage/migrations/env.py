"""Alembic environment: batch mode so ALTERs work on SQLite, same scripts for PostgreSQL.

``storage.migrate`` passes an open connection in ``config.attributes``; running
``alembic`` from the command line connects to ``DATABASE_URL`` instead.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base, postgresql_predicates

config = context.config
target_metadata = Base.metadata
postgresql_predicates(target_metadata)


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    from core.settings import load_settings
    from storage.db import create_engine

    engine = create_engine(load_settings().database_url, pool=False)
    async with engine.begin() as conn:
        await conn.run_sync(run_with)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")

connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    asyncio.run(run_from_settings())
