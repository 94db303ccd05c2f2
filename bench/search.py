"""Search at scale: seed N open projects, time the queries the bot makes.

    python -m bench.search                 # 20k and 200k projects on SQLite
    python -m bench.search --sizes 1000000 # one million (takes a few minutes to seed)
    python -m bench.search --url postgresql+asyncpg://postgres@127.0.0.1:5432/bench

Prints milliseconds per query for each size and the ratio between sizes: an
indexed query stays nearly flat while the data grows tenfold; a full scan grows
with it. Figures, not assertions: this machine is small and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from core import text as words
from core.clock import FrozenClock
from core.marketplace import Marketplace
from core.settings import Settings
from storage.db import Database
from storage.migrate import migrate
from storage.models import Project, ProjectSkill, ProjectTerm, Skill, User

VOCABULARY = [
    "python",
    "django",
    "telegram",
    "bot",
    "shop",
    "payments",
    "parser",
    "scraper",
    "design",
    "logo",
    "landing",
    "page",
    "react",
    "vue",
    "mobile",
    "app",
    "android",
    "ios",
    "flutter",
    "data",
    "excel",
    "analytics",
    "dashboard",
    "seo",
    "copy",
    "translate",
    "video",
    "edit",
    "animation",
    "wordpress",
    "plugin",
    "api",
    "integration",
    "crm",
    "automation",
]


async def seed(db: Database, n: int, start: datetime) -> None:
    rng = random.Random(n)
    async with db.engine.begin() as conn:
        skill_ids = list((await conn.execute(select(Skill.id))).scalars())
        user = await conn.execute(
            insert(User)
            .values(telegram_id=1, first_name="Bench", created_at=start, is_banned=False)
            .returning(User.id)
        )
        employer = user.scalar_one()
        batch = 5000
        for offset in range(0, n, batch):
            projects, terms, skills = [], [], []
            for i in range(offset, min(n, offset + batch)):
                title = " ".join(rng.sample(VOCABULARY, 4)) + f" job {i}"
                desc = " ".join(rng.choices(VOCABULARY, k=20))
                when = start + timedelta(seconds=i)
                lo = rng.randrange(10, 500) * 100
                projects.append(
                    {
                        "id": i + 1,
                        "employer_id": employer,
                        "title": title,
                        "description": desc,
                        "budget_min": lo,
                        "budget_max": lo * 3,
                        "status": "open",
                        "created_at": when,
                        "updated_at": when,
                        "published_at": when,
                        "bidding_ends_at": when + timedelta(days=7),
                    }
                )
                terms += [
                    {"project_id": i + 1, "term": t, "published_at": when}
                    for t in words.terms(title, desc)
                ]
                skills += [{"project_id": i + 1, "skill_id": s} for s in rng.sample(skill_ids, 2)]
            await conn.execute(insert(Project), projects)
            await conn.execute(insert(ProjectTerm), terms)
            await conn.execute(insert(ProjectSkill), skills)
        if db.backend == "postgresql":
            await conn.execute(text("ANALYZE"))
        else:
            await conn.execute(text("ANALYZE"))


QUERIES = {
    "newest page": {},
    "one word": {"query": "telegram"},
    "two words, prefix": {"query": "pyth scrap"},
    "skill": {"skills": ["python"]},
    "word + skill + budget": {"query": "bot", "skills": ["python"], "budget_at_least": 20000},
    "page 5 (keyset)": {"pages": 5},
}


async def measure(
    db: Database, settings: Settings, clock: FrozenClock, repeat: int
) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, spec in QUERIES.items():
        spec = dict(spec)
        pages = int(spec.pop("pages", 1))
        times = []
        for _ in range(repeat):
            async with db.uow() as uow:
                market = Marketplace(uow, settings, clock)
                began = time.perf_counter()
                cursor = None
                for _ in range(pages):
                    page = await market.projects.search(cursor=cursor, limit=10, **spec)  # type: ignore[arg-type]
                    cursor = page.next_cursor
                times.append((time.perf_counter() - began) * 1000 / pages)
        out[name] = statistics.median(times)
    return out


async def run(sizes: list[int], url: str | None, repeat: int) -> None:
    results: dict[int, dict[str, float]] = {}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db_url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            db = Database(db_url)
            await migrate(db.engine)
            if url:
                async with db.engine.begin() as conn:
                    for table in ("project_terms", "project_skills", "projects", "users"):
                        await conn.execute(text(f"DELETE FROM {table}"))
            began = time.perf_counter()
            await seed(db, n, start)
            print(f"seeded {n:,} projects on {db.backend} in {time.perf_counter() - began:.1f}s")
            settings = Settings(database_url=db_url, _env_file=None)  # type: ignore[call-arg]
            results[n] = await measure(db, settings, FrozenClock(start + timedelta(days=1)), repeat)
            await db.dispose()
    print()
    header = "query".ljust(24) + "".join(f"{n:>12,}" for n in sizes)
    if len(sizes) > 1:
        header += "   ratio (largest/smallest)"
    print(header)
    for name in QUERIES:
        row = name.ljust(24) + "".join(f"{results[n][name]:>10.2f}ms" for n in sizes)
        if len(sizes) > 1:
            ratio = results[sizes[-1]][name] / max(results[sizes[0]][name], 1e-6)
            row += f"   {ratio:6.2f}x for {sizes[-1] // sizes[0]}x the data"
        print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(run(sorted(args.sizes), args.url, args.repeat))


if __name__ == "__main__":
    main()
