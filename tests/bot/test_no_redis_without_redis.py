"""A bot process without REDIS_URL never loads Redis's client (4 MiB of a small budget,
docs/benchmarks.md), and still tells a Redis outage from a bug where Redis is used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from redis.exceptions import ConnectionError as RedisConnectionError

from bot.failures import is_transient

ROOT = Path(__file__).resolve().parents[2]
WIRE_UP = """
import sys
from bot import cli, webhook
from bot.app import build_dispatcher
from bot.delivery import Delivery
from bot.settings import BotSettings
from core.clock import SystemClock
from storage.db import Database

settings = BotSettings(
    database_url="sqlite+aiosqlite:///:memory:", bot_token="1:A", _env_file=None
)
build_dispatcher(Database(settings.database_url), settings, clock=SystemClock(), notifier=None)
print(sorted(m for m in sys.modules if m == "redis" or m.startswith("redis.")))
"""


def test_a_bot_without_redis_never_imports_its_client() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WIRE_UP], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_redis_outage_is_still_an_outage_where_redis_is_used() -> None:
    assert is_transient(RedisConnectionError("Connection refused"))
