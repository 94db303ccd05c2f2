"""Benchmark 3: the project search at scale, through the real service.

    python -m bench.search                              # 20k and 200k projects (SQLite)
    python -m bench.search --sizes 1000000 --backend postgresql

Seeds N open projects with a fast generator (no ORM: SQLite through the stdlib driver
with the indexes built after the load, PostgreSQL through COPY), then times the
searches the bot makes — the newest page, one to three words (prefixes), a skill, a
budget band, deep keyset pages — through ``Marketplace.projects.search``.
Words follow a Zipf law over a 3,000-word vocabulary, like real text: a few words are
in a third of all projects, most are rare. Every project is open, the worst case for
the term index (nothing is skipped as closed, every match is a candidate).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.harness import scratch_database
from core import text as words
from core.clock import FrozenClock
from core.marketplace import Marketplace
from core.settings import Settings
from storage.db import Database
from storage.migrate import migrate

DOMAIN = [
    "python", "telegram", "bot", "shop", "payments", "parser", "scraper", "design", "logo",
    "landing", "page", "react", "vue", "mobile", "app", "android", "ios", "flutter", "data",
    "excel", "analytics", "dashboard", "seo", "copy", "translate", "video", "edit",
    "animation", "wordpress", "plugin", "api", "integration", "crm", "automation", "django",
]  # fmt: skip
VOCABULARY_SIZE = 3000
TITLE_WORDS, DESCRIPTION_WORDS = 5, 16
START = datetime(2026, 1, 1, tzinfo=UTC)
SPACING = timedelta(seconds=20)


def vocabulary() -> list[str]:
    """The domain words first (the most frequent), then pronounceable made-up words."""
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "da", "fo", "gu", "ze"]
    made = ("".join(p) for n in (2, 3, 4) for p in itertools.product(syllables, repeat=n))
    rng = random.Random(3)
    pool = list(itertools.islice(made, 20_000))
    rng.shuffle(pool)
    return DOMAIN + pool[: VOCABULARY_SIZE - len(DOMAIN)]


class Zipf:
    def __init__(self, items: list[str], s: float = 1.05) -> None:
        self.items = items
        weights = [1 / (rank**s) for rank in range(1, len(items) + 1)]
        total = sum(weights)
        self.cumulative = list(itertools.accumulate(w / total for w in weights))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return [
            self.items[min(bisect.bisect(self.cumulative, rng.random()), len(self.items) - 1)]
            for _ in range(k)
        ]


@dataclass
class Generated:
    project: tuple[object, ...]
    terms: list[str]
    skills: list[int]
    published: datetime


def generate(n: int, skill_ids: list[int], employer: int) -> Iterator[Generated]:
    rng = random.Random(n)
    zipf = Zipf(vocabulary())
    for i in range(n):
        title = " ".join(zipf.draw(rng, TITLE_WORDS)).capitalize() + f" job {i}"
        desc = " ".join(zipf.draw(rng, DESCRIPTION_WORDS)) + "."
        when = START + i * SPACING
        lo = rng.randrange(10, 500) * 100
        yield Generated(
            (i + 1, employer, title, desc, lo, lo * 3, "open", when, when, when,
             when + timedelta(days=7), None),
            words.terms(title, desc),
            rng.sample(skill_ids, 2),
            when,
        )  # fmt: skip


PROJECT_COLUMNS = (
    "id", "employer_id", "title", "description", "budget_min", "budget_max", "status",
    "created_at", "updated_at", "published_at", "bidding_ends_at", "ended_at",
)  # fmt: skip
BATCH = 20_000


def _sqlite_time(value: object) -> object:
    # SQLAlchemy's storage format for DateTime on SQLite (naive UTC, microseconds)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def seed_sqlite(path: str, n: int) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-400000")
        skill_ids = [r[0] for r in con.execute("SELECT id FROM skills")]
        tables = ("projects", "project_terms", "project_skills")
        indexes = [
            (name, sql)
            for name, sql in con.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                f"AND tbl_name IN {tables}"
            )
        ]
        con.execute("BEGIN")
        now = _sqlite_time(START)
        con.execute(
            "INSERT INTO users (id, telegram_id, first_name, created_at, is_banned) "
            "VALUES (1, 1, 'Bench', ?, 0)",
            (now,),
        )
        for name, _ in indexes:
            con.execute(f"DROP INDEX {name}")
        marks = ", ".join("?" * len(PROJECT_COLUMNS))
        rows = generate(n, skill_ids, 1)
        while batch := list(itertools.islice(rows, BATCH)):
            con.executemany(
                f"INSERT INTO projects ({', '.join(PROJECT_COLUMNS)}) VALUES ({marks})",
                [tuple(_sqlite_time(v) for v in g.project) for g in batch],
            )
            con.executemany(
                "INSERT INTO project_terms (term, project_id, published_at) VALUES (?, ?, ?)",
                [(t, g.project[0], _sqlite_time(g.published)) for g in batch for t in g.terms],
            )
            con.executemany(
                "INSERT INTO project_skills (project_id, skill_id) VALUES (?, ?)",
                [(g.project[0], s) for g in batch for s in g.skills],
            )
        for _, sql in indexes:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("ANALYZE")
    finally:
        con.close()


async def seed_postgresql(url: str, n: int) -> None:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    con = await asyncpg.connect(dsn)
    try:
        skill_ids = [r[0] for r in await con.fetch("SELECT id FROM skills")]
        tables = ["projects", "project_terms", "project_skills"]
        indexes = await con.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "LEFT JOIN pg_constraint c ON c.conname = i.indexname "
            "WHERE i.tablename = ANY($1) AND c.conname IS NULL",
            tables,
        )
        async with con.transaction():
            # no foreign-key triggers per row while loading (the data is consistent)
            await con.execute("SET LOCAL session_replication_role = replica")
            await con.execute(
                "INSERT INTO users (id, telegram_id, first_name, created_at, is_banned) "
                "VALUES (1, 1, 'Bench', $1, false)",
                START,
            )
            for row in indexes:
                await con.execute(f'DROP INDEX "{row["indexname"]}"')
            rows = generate(n, skill_ids, 1)
            while batch := list(itertools.islice(rows, BATCH)):
                await con.copy_records_to_table(
                    "projects", records=[g.project for g in batch], columns=list(PROJECT_COLUMNS)
                )
                await con.copy_records_to_table(
                    "project_terms",
                    records=[(t, g.project[0], g.published) for g in batch for t in g.terms],
                    columns=["term", "project_id", "published_at"],
                )
                await con.copy_records_to_table(
                    "project_skills",
                    records=[(g.project[0], s) for g in batch for s in g.skills],
                    columns=["project_id", "skill_id"],
                )
            await con.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for row in indexes:
                await con.execute(row["indexdef"])
            await con.execute("SELECT setval('projects_id_seq', $1)", n)
            await con.execute("SELECT setval('users_id_seq', 1)")
        await con.execute("ANALYZE")
    finally:
        await con.close()


RARE = vocabulary()[1500]  # in about one project in 2,000
QUERIES: dict[str, dict[str, object]] = {
    "newest page": {},
    "one common word": {"query": "telegram"},
    "one rare word": {"query": RARE},
    "two words, prefixes": {"query": "pyth scrap"},
    "two common words": {"query": "python bot"},
    "three words": {"query": "shop payments design"},
    "common + rare word": {"query": f"python {RARE}"},
    "skill": {"skills": ["python"]},
    "word + skill + budget": {"query": "bot", "skills": ["python"], "budget_at_least": 20000},
    "page 5 of a word (keyset)": {"query": "telegram", "pages": 5},
}


@dataclass
class SearchResult:
    per_query: dict[str, list[float]]  # milliseconds, one per run
    seed_seconds: float

    @property
    def all(self) -> list[float]:
        return [t for times in self.per_query.values() for t in times]

    @property
    def p50(self) -> float:
        return statistics.median(self.all)

    @property
    def p95(self) -> float:
        return _p(self.all, 95)

    @property
    def worst(self) -> str:
        return max(self.per_query, key=lambda q: _p(self.per_query[q], 95))

    @property
    def worst_p95(self) -> float:
        return _p(self.per_query[self.worst], 95)


def _p(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


async def measure(
    db: Database, settings: Settings, clock: FrozenClock, repeat: int
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for name, spec in QUERIES.items():
        spec = dict(spec)
        pages = int(spec.pop("pages", 1))  # type: ignore[call-overload]
        times = []
        for _ in range(repeat + 1):
            async with db.uow() as uow:
                market = Marketplace(uow, settings, clock)
                began = time.perf_counter()
                cursor = None
                for _ in range(pages):
                    page = await market.projects.search(cursor=cursor, limit=10, **spec)  # type: ignore[arg-type]
                    cursor = page.next_cursor
                times.append((time.perf_counter() - began) * 1000 / pages)
        out[name] = times[1:]  # the first run warms the connection and statement cache
    return out


async def at_scale(backend: str, n: int, workdir: Path, *, repeat: int = 30) -> SearchResult:
    async with scratch_database(backend, workdir) as url:
        db = Database(url)
        try:
            await migrate(db.engine)
            began = time.perf_counter()
            if backend == "sqlite":
                path = make_url(url).database
                assert path is not None
                await db.engine.dispose()
                await asyncio.to_thread(seed_sqlite, path, n)
            else:
                await seed_postgresql(url, n)
            seeded = time.perf_counter() - began
            async with db.engine.connect() as conn:
                count = (await conn.execute(text("SELECT count(*) FROM projects"))).scalar_one()
                assert count == n, f"seeded {count} projects, wanted {n}"
            settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
            clock = FrozenClock(START + n * SPACING + timedelta(minutes=1))
            return SearchResult(await measure(db, settings, clock, repeat), seeded)
        finally:
            await db.dispose()


async def run(sizes: list[int], backend: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bidgram-search-") as tmp:
        results = {}
        for n in sizes:
            results[n] = await at_scale(backend, n, Path(tmp), repeat=repeat)
            print(f"seeded {n:,} projects on {backend} in {results[n].seed_seconds:.1f}s")
    print()
    print("query (ms, p50 / p95)".ljust(30) + "".join(f"{n:>22,}" for n in sizes))
    for name in QUERIES:
        runs = [results[n].per_query[name] for n in sizes]
        cells = "".join(f"{statistics.median(t):>12.2f} /{_p(t, 95):>8.2f}" for t in runs)
        print(name.ljust(30) + cells)
    print(
        "all queries".ljust(30)
        + "".join(f"{results[n].p50:>12.2f} /{results[n].p95:>8.2f}" for n in sizes)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(run(sorted(args.sizes), args.backend, args.repeat))


if __name__ == "__main__":
    main()
