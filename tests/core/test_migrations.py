"""Migrations: the schema they build is the models' schema, both ways, and it holds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.catalogue import SKILLS
from storage.db import create_engine
from storage.migrate import current, downgrade, head, migrate, sync_catalogue, upgrade
from storage.models import Base, Bid, Skill
from tests import conftest
from tests.harness import Harness


def _differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def differences(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return await conn.run_sync(_differences)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def round_trip(url: str) -> None:
    """Empty database → head → base → head, checking the schema at each step."""
    engine = create_engine(url, pool=False)
    try:
        assert await current(engine) is None
        await migrate(engine)
        assert await current(engine) == head()
        assert await differences(engine) == []
        await downgrade(engine, "base")
        assert await current(engine) is None
        assert await table_names(engine) <= {"alembic_version"}
        await upgrade(engine)
        assert await current(engine) == head()
        assert await differences(engine) == []
        assert await sync_catalogue(engine) == len(SKILLS)
    finally:
        await engine.dispose()


async def test_migrations_upgrade_downgrade_and_upgrade_again(backend: str, tmp_path: Path) -> None:
    # Always on a temporary SQLite file; on a PostgreSQL run, also in a database of its
    # own created next to the run's (never the shared test database).
    await round_trip(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    if backend == "postgresql":
        url = await conftest._create_pg_database(conftest.POSTGRES)
        try:
            await round_trip(url)
        finally:
            await conftest._drop_pg_database(conftest.POSTGRES, url)


async def test_migrated_schema_matches_the_models(h: Harness) -> None:
    assert await current(h.db.engine) == head()
    assert await differences(h.db.engine) == []
    tables = await table_names(h.db.engine)
    assert tables - {"alembic_version"} == set(Base.metadata.tables)


async def test_catalogue_is_loaded_once(h: Harness) -> None:
    async with h.tx() as m:
        slugs = [s.slug for s in await m.users.skills_catalogue()]
    assert sorted(slugs) == sorted(slug for slug, _, _ in SKILLS)
    assert await sync_catalogue(h.db.engine) == 0


def _bid(**overrides: Any) -> Bid:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    values: dict[str, Any] = {
        "amount": 1_000,
        "delivery_days": 3,
        "proposal": "A proposal that is long enough",
        "status": "active",
        "created_at": now,
        "placed_at": now,
        "updated_at": now,
    }
    values.update(overrides)
    return Bid(**values)


async def test_database_enforces_foreign_keys(h: Harness) -> None:
    frank = await h.freelancer()
    async with h.db.uow() as uow:
        uow.session.add(_bid(project_id=987_654, freelancer_id=frank.user_id))
        with pytest.raises(IntegrityError):
            await uow.flush()


async def test_sqlite_connections_have_foreign_keys_on(h: Harness, backend: str) -> None:
    if backend != "sqlite":
        assert h.db.backend == "postgresql"  # PostgreSQL always enforces them
        return
    async with h.db.engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1


@pytest.mark.parametrize(("field", "value"), [("amount", 0), ("amount", -1), ("delivery_days", 0)])
async def test_database_refuses_impossible_bids(h: Harness, field: str, value: int) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    async with h.db.uow() as uow:
        uow.session.add(_bid(project_id=pid, freelancer_id=frank.user_id, **{field: value}))
        with pytest.raises(IntegrityError):
            await uow.flush()


async def test_database_allows_one_bid_per_freelancer_per_project(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    await h.bid(frank, pid)
    async with h.db.uow() as uow:
        uow.session.add(_bid(project_id=pid, freelancer_id=frank.user_id))
        with pytest.raises(IntegrityError):
            await uow.flush()


async def test_skill_slugs_are_unique(h: Harness) -> None:
    async with h.db.uow() as uow:
        python = (
            await uow.session.execute(select(Skill).where(Skill.slug == "python"))
        ).scalar_one()
        uow.session.add(Skill(slug=python.slug, name="Python again", category="Development"))
        with pytest.raises(IntegrityError):
            await uow.flush()
