"""Start-up does not import Alembic when the database is already at the newest revision
(storage/migrate.py): a running bot would keep it in memory for nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from storage.migrate import alembic_config, head

ROOT = Path(__file__).resolve().parent.parent.parent

# Run in a fresh interpreter: this one imported Alembic long ago. Prints whether
# ``migrate`` imported Alembic, and the revision it left the database at.
PROBE = """
import asyncio, sys
from storage.db import Database
from storage.migrate import current, migrate

async def main(url):
    db = Database(url)
    try:
        await migrate(db.engine)
        print("alembic" in sys.modules, await current(db.engine))
    finally:
        await db.dispose()

asyncio.run(main(sys.argv[1]))
"""


def _migrate_in_fresh_process(url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_head_is_alembics() -> None:
    assert [head()] == ScriptDirectory.from_config(alembic_config()).get_heads()


def test_a_database_at_head_is_not_migrated_with_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lean.db'}"
    # An empty database needs Alembic, and ends at the newest revision.
    assert _migrate_in_fresh_process(url) == f"True {head()}"
    # Started again on it: nothing to apply, nothing imported.
    assert _migrate_in_fresh_process(url) == f"False {head()}"
