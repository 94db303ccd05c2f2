"""New-project alerts at scale: seed N subscribers, time picking a new project's recipients.

    python -m bench.fanout                        # 100k subscribers, SQLite and PostgreSQL
    python -m bench.fanout --subscribers 20000 --no-postgres
    python -m bench.fanout --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test

Subscribers follow 1-5 skills of the catalogue, popular skills far more often than
niche ones; half want any budget, the rest a minimum; some are paused, a few banned.
Three projects are timed: a niche one (the least followed skill), a typical one (three
skills of middling popularity) and a broad one (the five most followed skills, a big
budget: it reaches most subscribers). Each figure is ``recipients_for_project`` as the
alert renderer calls it, in its own unit of work. On PostgreSQL the script creates a
database next to the one named and drops it afterwards.

Prints p50 / p95 milliseconds and how many recipients each project reached; then
queues the typical project's alerts in the outbox and lets the real sender deliver them
to the emulator (Telegram's limits) for ``--delivery-seconds``: the rate it kept and the
429s it caused (target: the configured rate, zero 429s). Figures,
not assertions: this machine is small and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from bench.delivery import measure_delivery
from bench.delivery import report as delivery_report
from core.clock import FrozenClock
from core.marketplace import Marketplace
from core.settings import Settings
from storage.db import Database
from storage.migrate import migrate
from storage.models import (
    AlertSubscription,
    AlertSubscriptionSkill,
    Project,
    ProjectSkill,
    Skill,
    User,
)

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
START = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 10_000
MIN_BUDGETS = (5_000, 10_000, 25_000, 50_000, 100_000, 250_000)


@dataclass(frozen=True)
class Seeded:
    subscribers: int
    employer_id: int
    projects: dict[str, int]  # name -> project id, in the order they are reported
    skills: dict[str, int]  # name -> how many skills the project needs


@dataclass(frozen=True)
class Figures:
    p50: float  # milliseconds
    p95: float
    recipients: int


def _batches(rows: list[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    for i in range(0, len(rows), BATCH):
        yield rows[i : i + BATCH]


async def seed(db: Database, n: int) -> Seeded:
    """N subscribed freelancers and three open projects, by bulk inserts (no services)."""
    rng = random.Random(n)
    async with db.engine.begin() as conn:
        skill_ids = list((await conn.execute(select(Skill.id).order_by(Skill.id))).scalars())
        rng.shuffle(skill_ids)  # skill_ids[0] is the most followed, [-1] the least
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(skill_ids))]
        employer = n + 1
        users, subs, follows = [], [], []
        for uid in range(1, n + 1):
            user = {
                "id": uid,
                "telegram_id": 10_000_000 + uid,
                "first_name": f"Freelancer {uid}",
                "created_at": START,
                "is_banned": rng.random() < 0.01,
            }
            sub = {
                "user_id": uid,
                "min_budget": 0 if rng.random() < 0.5 else rng.choice(MIN_BUDGETS),
                "paused": rng.random() < 0.05,
                "created_at": START,
                "updated_at": START,
                "active_at": START + timedelta(minutes=rng.randrange(90 * 24 * 60)),
            }
            users.append(user)
            subs.append(sub)
            chosen: set[int] = set()
            want = rng.randint(1, 5)
            while len(chosen) < want:
                chosen.add(rng.choices(skill_ids, weights)[0])
            follows += [
                {
                    "user_id": uid,
                    "skill_id": s,
                    "telegram_id": user["telegram_id"],
                    "min_budget": sub["min_budget"],
                    "active_at": sub["active_at"],
                    "paused": sub["paused"],
                    "banned": user["is_banned"],
                }
                for s in chosen
            ]
        users.append(
            {
                "id": employer,
                "telegram_id": 1,
                "first_name": "Employer",
                "created_at": START,
                "is_banned": False,
            }
        )
        for batch in _batches(users):
            await conn.execute(insert(User), batch)
        for batch in _batches(subs):
            await conn.execute(insert(AlertSubscription), batch)
        for batch in _batches(follows):
            await conn.execute(insert(AlertSubscriptionSkill), batch)

        middle = len(skill_ids) // 2
        wanted = {
            "niche": ([skill_ids[-1]], 50_000),
            "typical": (skill_ids[middle - 1 : middle + 2], 50_000),
            "broad": (skill_ids[:5], 1_000_000),
        }
        projects: dict[str, int] = {}
        for pid, (name, (skills, budget_max)) in enumerate(wanted.items(), 1):
            await conn.execute(
                insert(Project).values(
                    id=pid,
                    employer_id=employer,
                    title=f"A {name} project",
                    description="Benchmark project.",
                    budget_min=1_000,
                    budget_max=budget_max,
                    status="open",
                    created_at=START,
                    updated_at=START,
                    published_at=START,
                    bidding_ends_at=START + timedelta(days=7),
                )
            )
            await conn.execute(
                insert(ProjectSkill), [{"project_id": pid, "skill_id": s} for s in skills]
            )
            projects[name] = pid
        if db.backend == "postgresql":
            for table in ("users", "projects"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    if db.backend == "postgresql":
        # what autovacuum does soon after a bulk load: statistics, and the visibility
        # map that lets index-only scans skip the table
        async with db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    else:
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    return Seeded(n, employer, projects, {k: len(v[0]) for k, v in wanted.items()})


async def measure_selection(
    db: Database, settings: Settings, seeded: Seeded, repeat: int
) -> dict[str, Figures]:
    """p50 / p95 of ``recipients_for_project`` for each seeded project."""
    clock = FrozenClock(START + timedelta(days=1))
    out: dict[str, Figures] = {}
    for name, pid in seeded.projects.items():
        times, count = [], 0
        for _ in range(repeat + 1):
            async with db.uow() as uow:
                market = Marketplace(uow, settings, clock)
                began = time.perf_counter()
                found = await market.subscriptions.recipients_for_project(pid)
                times.append((time.perf_counter() - began) * 1000)
                count = len(found)
        times = times[1:]  # the first run warms caches and prepared statements
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        out[name] = Figures(statistics.median(times), p95, count)
    return out


@asynccontextmanager
async def database(backend: str, postgres: str) -> AsyncIterator[Database]:
    """A fresh, migrated database: a temporary SQLite file, or a PostgreSQL database of
    its own created next to ``postgres`` and dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'fanout.db'}")
            try:
                await migrate(db.engine)
                yield db
            finally:
                await db.dispose()
        return
    import asyncpg

    admin = make_url(postgres)
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"bidgram_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    db = Database(admin.set(database=name).render_as_string(hide_password=False))
    try:
        await migrate(db.engine)
        yield db
    finally:
        await db.dispose()
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def run(n: int, postgres: str | None, repeat: int, delivery_seconds: float) -> None:
    backends = ["sqlite"] + (["postgresql"] if postgres else [])
    results: dict[str, tuple[Seeded, dict[str, Figures]]] = {}
    for backend in backends:
        async with database(backend, postgres or "") as db:
            began = time.perf_counter()
            seeded = await seed(db, n)
            print(f"seeded {n:,} subscribers on {backend} in {time.perf_counter() - began:.1f}s")
            gc.freeze()  # as `bidgram run` does once started (bot.app.services)
            settings = Settings(database_url=db.url, _env_file=None)  # type: ignore[call-arg]
            results[backend] = (seeded, await measure_selection(db, settings, seeded, repeat))
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"recipient selection, {n:,} subscribers, {repeat} runs each (load average {load})")
    print(
        "backend".ljust(12)
        + "project".ljust(10)
        + "skills".rjust(7)
        + "recipients".rjust(12)
        + "p50".rjust(11)
        + "p95".rjust(11)
    )
    for backend, (seeded, figures) in results.items():
        for name, f in figures.items():
            print(
                backend.ljust(12)
                + name.ljust(10)
                + f"{seeded.skills[name]:>7}"
                + f"{f.recipients:>12,}"
                + f"{f.p50:>9.1f}ms"
                + f"{f.p95:>9.1f}ms"
            )

    if delivery_seconds > 0:
        # Then send the typical project's alerts through the real outbox sender.
        typical = results["sqlite"][1]["typical"].recipients
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'delivery.db'}"
            figures = await measure_delivery(url, typical, delivery_seconds)
        print()
        print(delivery_report(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help=f"server database to create the bench database next to (default {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--delivery-seconds",
        type=float,
        default=20.0,
        help="then send the typical project's alerts for this long (0: skip)",
    )
    args = parser.parse_args()
    postgres = None if args.no_postgres else args.postgres
    asyncio.run(run(args.subscribers, postgres, args.repeat, args.delivery_seconds))


if __name__ == "__main__":
    main()
