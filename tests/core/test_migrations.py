"""Migrations: the schema they build is the models' schema, both ways, and it holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.catalogue import SKILLS
from storage.db import Database, create_engine
from storage.enums import ContractEnding
from storage.migrate import current, downgrade, head, migrate, sync_catalogue, upgrade
from storage.models import (
    Award,
    Base,
    Bid,
    Contract,
    Dispute,
    Milestone,
    MilestoneEvent,
    Review,
    Skill,
    postgresql_predicates,
)
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


# --- 0009: the terms of existing work ---------------------------------------------------------


async def test_after_the_upgrade_existing_work_has_the_terms_it_ran_under(tmp_path: Path) -> None:
    """Existing awards and contracts get the project's title as their deliverable and two
    revision rounds (an offer: its bid's days from the offer as due date); milestones count
    the change requests they had; reviews say how their contract ended."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}", pool=False)
    when = datetime(2026, 3, 1, tzinfo=UTC)
    day = "'2026-03-01 00:00:00.000000'"
    long_title = "Logo " + "x" * 120
    rows = [
        f"INSERT INTO users (id, telegram_id, first_name, created_at, is_banned) VALUES"
        f" (1, 10, 'Erin', {day}, false), (2, 20, 'Frank', {day}, false)",
        "INSERT INTO projects (id, employer_id, title, description, budget_min, budget_max,"
        f" status, created_at, updated_at) VALUES (1, 1, 'Shop bot', 'A shop bot, please.',"
        f" 1000, 2000, 'cancelled', {day}, {day}), (2, 1, '{long_title}', 'A logo, please.',"
        f" 1000, 2000, 'awarded', {day}, {day})",
        "INSERT INTO bids (id, project_id, freelancer_id, amount, delivery_days, proposal,"
        f" status, created_at, placed_at, updated_at) VALUES (1, 1, 2, 1500, 5, 'I can do it.',"
        f" 'hired', {day}, {day}, {day}), (2, 2, 2, 1500, 10, 'I can do it.', 'awarded', {day},"
        f" {day}, {day})",
        "INSERT INTO awards (id, project_id, bid_id, freelancer_id, status, offered_at,"
        f" expires_at) VALUES (1, 1, 1, 2, 'accepted', {day}, {day}),"
        f" (2, 2, 2, 2, 'pending', {day}, {day})",
        "INSERT INTO contracts (id, project_id, award_id, bid_id, employer_id, freelancer_id,"
        " agreed_amount, delivery_days, status, started_at, deadline_at, ended_at) VALUES"
        f" (1, 1, 1, 1, 1, 2, 1500, 5, 'cancelled', {day}, {day}, {day})",
        "INSERT INTO milestones (id, contract_id, description, amount, status,"
        " requested_by_freelancer, created_at, funded_amount, released_amount,"
        f" refunded_amount, fee_amount) VALUES (1, 1, 'All', 1500, 'refunded', false, {day},"
        " 1500, 0, 1500, 0)",
        "INSERT INTO milestone_events (milestone_id, kind, file_ids, created_at) VALUES"
        + ", ".join(
            f" (1, '{kind}', '[]', {day})"
            for kind in ("delivered", "changes_requested", "delivered", "changes_requested")
        ),
        "INSERT INTO disputes (id, milestone_id, contract_id, filed_by_id, filer_role,"
        " respondent_id, reason, claimed_amount, status, created_at, respond_by,"
        " released_amount, refunded_amount, resolution) VALUES (1, 1, 1, 1, 'employer', 2,"
        f" 'Nothing works.', 1500, 'resolved', {day}, {day}, 0, 1500, 'refund')",
        "INSERT INTO reviews (id, contract_id, author_id, subject_id, subject_role, rating,"
        f" text, created_at) VALUES (1, 1, 2, 1, 'employer', 2, 'It ended.', {day})",
    ]
    try:
        await upgrade(engine, "0008")
        async with engine.begin() as conn:
            for row in rows:
                await conn.execute(text(row))
        await upgrade(engine)
        async with engine.connect() as conn:

            async def all_of(*columns: Any) -> list[Any]:
                return list((await conn.execute(select(*columns))).all())

            awards = await all_of(Award.deliverables, Award.revision_rounds, Award.due_at)
            contracts = await all_of(Contract.deliverables, Contract.revision_rounds)
            used = await all_of(Milestone.revisions_used)
            named = await all_of(Dispute.deliverables)
            endings = await all_of(Review.ending)
            protected = await all_of(MilestoneEvent.protected)
        assert [tuple(a) for a in awards] == [
            (["Shop bot"], 2, when + timedelta(days=5)),
            ([long_title[:100]], 2, when + timedelta(days=10)),
        ]
        assert [tuple(c) for c in contracts] == [(["Shop bot"], 2)]
        assert [tuple(r) for r in used] == [(2,)]
        assert [tuple(r) for r in named] == [([],)]
        assert [tuple(r) for r in endings] == [(ContractEnding.VERDICT_REFUNDED,)]
        assert [tuple(r) for r in protected] == [(False,)] * 4
    finally:
        await engine.dispose()


async def test_partial_indexes_keep_their_predicates(db: Database, backend: str) -> None:
    """The models name PostgreSQL's predicates only when asked (`postgresql_predicates`);
    the migrated tables hold them on both backends, and the models agree."""
    postgresql_predicates(Base.metadata)
    partial = {
        str(index.name): index.info["where"]
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if "where" in index.info
    }
    assert len(partial) == 5

    def reflected(conn: Connection) -> dict[str, str]:
        found: dict[str, str] = {}
        inspector = inspect(conn)
        for table in Base.metadata.tables.values():
            for index in inspector.get_indexes(table.name):
                where = index.get("dialect_options", {}).get(f"{backend}_where")
                if where is not None:
                    found[str(index["name"])] = str(where)
        return found

    async with db.engine.connect() as conn:
        in_database = await conn.run_sync(reflected)
    assert set(in_database) == set(partial)
    for name, where in partial.items():
        column = where.split()[0]
        assert column in in_database[name], (name, in_database[name])
        model_index = next(
            i for t in Base.metadata.tables.values() for i in t.indexes if i.name == name
        )
        assert str(model_index.dialect_options[backend]["where"]) == where
