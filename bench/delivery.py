"""Alert delivery at its configured rate: the outbox against the emulator's real limits.

    python -m bench.delivery                       # 100,000 queued alerts, 20 s of sending
    python -m bench.delivery --alerts 5000 --seconds 10

Queues one new-project alert for each of N people (as the expander writes them), then
runs the real sender (aiogram over HTTP, ``bot.delivery``) against the project's Bot API
emulator with Telegram's flood limits for a while, and prints the rate it kept, the
busiest second, and how many times Telegram had to say 429 (the target is zero).
Figures, not assertions: this machine is small and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.app import gateways_for, make_bot
from bot.delivery import Delivery
from bot.settings import BotSettings
from core.clock import SystemClock
from emulator import BotAPIEmulator, RateLimits
from storage.db import Database
from storage.migrate import migrate
from storage.models import OutboxMessage

TOKEN = "123456789:AAHbidgramBenchmarkTokenXYZ0123456789"


@dataclass
class DeliveryFigures:
    queued: int
    seconds: float
    sent: int
    refused_429: int
    busiest_second: int
    configured_rate: float

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


async def queue_alerts(db: Database, chat_ids: list[int]) -> None:
    """One pending alert per chat, in bulk, as the expander writes them."""
    now = datetime.now(UTC)
    rows = [
        {
            "chat": str(chat),
            "text": "🆕 <b>A new project matches your skills</b>\n\nShop bot with payments",
            "priority": 1,
            "status": "pending",
            "not_before": now,
            "created_at": now,
            "attempts": 0,
            "digest": "new_project",
            "ref_id": 1,
        }
        for chat in chat_ids
    ]
    async with db.uow() as uow:
        for start in range(0, len(rows), 5000):
            await uow.session.execute(insert(OutboxMessage), rows[start : start + 5000])
        await uow.commit()


def busiest(times: list[float], width: float = 1.0) -> int:
    ordered, most, start = sorted(times), 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] > width:
            start += 1
        most = max(most, end - start + 1)
    return most


async def measure_delivery(database_url: str, alerts: int, seconds: float) -> DeliveryFigures:
    """Send from a queue of ``alerts`` for ``seconds`` against Telegram-like limits."""
    emu = BotAPIEmulator(TOKEN, rate_limits=RateLimits.telegram())
    await emu.start()
    db = Database(database_url)
    try:
        await migrate(db.engine)
        first = 5_000_000_000
        chats = [emu.user(f"F{i}", user_id=first + i, started=True).id for i in range(alerts)]
        await queue_alerts(db, chats)
        settings = BotSettings(
            database_url=database_url,
            bot_token=TOKEN,
            telegram_api_url=emu.base_url,
            _env_file=None,  # type: ignore[call-arg]
        )
        bot = make_bot(settings)
        delivery = Delivery(
            bot, db, settings, SystemClock(), gateways_for(settings), wall=SystemClock()
        )
        started = time.monotonic()
        running = asyncio.create_task(delivery.run())
        await asyncio.sleep(seconds)
        await delivery.stop()
        await asyncio.wait_for(running, 30)
        elapsed = time.monotonic() - started
        await bot.session.close()
        sends = [c for c in emu.calls if c.method.lower() == "sendmessage"]
        return DeliveryFigures(
            queued=alerts,
            seconds=elapsed,
            sent=len([c for c in sends if c.ok]),
            refused_429=len([c for c in sends if c.error_code == 429]),
            busiest_second=busiest([c.at for c in sends]),
            configured_rate=settings.send_rate,
        )
    finally:
        await db.dispose()
        await emu.stop()


def report(figures: DeliveryFigures) -> str:
    f = figures
    return "\n".join(
        [
            f"delivery: {f.queued:,} alerts queued, sent for {f.seconds:.1f} s",
            f"  sent                {f.sent:,} ({f.rate:.1f}/s, configured "
            f"{f.configured_rate:g}/s)",
            f"  rate / configured   {f.rate / f.configured_rate:.2f}",
            f"  busiest second      {f.busiest_second} messages (Telegram allows about 30)",
            f"  429 from Telegram   {f.refused_429} (target 0)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite+aiosqlite:///{Path(tmp) / 'delivery.db'}"
        print(report(asyncio.run(measure_delivery(url, args.alerts, args.seconds))))


if __name__ == "__main__":
    main()
