"""The ``bidgram`` command.

``bidgram run`` starts the bot (long polling), ``bidgram webhook`` one webhook process
(several may run behind a load balancer); both run the timers and alert delivery too.
``bidgram worker`` runs only those two. ``bidgram sandbox`` tries bidgram in a browser
with no Telegram (no token, no network). ``bidgram`` with no arguments migrates the
database and reports what it holds; ``migrate``, ``status`` and ``sweep`` do one thing
each; ``dead-letters`` lists updates that failed with a bug and ``replay`` handles
them again; ``backup FILE`` copies a SQLite database while the bot runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from core.settings import ConfigurationError, Settings, load_settings
from storage.db import Database
from storage.migrate import current, head, migrate


async def _migrate(settings: Settings) -> str:
    db = Database(settings.database_url, pool=False)
    try:
        before = await current(db.engine)
        await migrate(db.engine)
        after = await current(db.engine)
    finally:
        await db.dispose()
    if before == after:
        return f"Database is up to date (revision {after})."
    return f"Database migrated from {before or 'empty'} to {after}."


async def _status(settings: Settings) -> str:
    from core.services.admin import platform_figures

    db = Database(settings.database_url, pool=False)
    try:
        revision = await current(db.engine)
        if revision != head():
            return f"Database is at {revision or 'no revision'}; run `bidgram migrate`."
        async with db.uow() as uow:
            figures = await platform_figures(uow)
            skills = len(await uow.skills.all())
            outbox = await uow.outbox.counts()
            dead = await uow.dead_letters.count_waiting()
            uncredited = await uow.receipts.count_uncredited()
            refunding = await uow.payments.count_refunds_pending()
    finally:
        await db.dispose()
    money = settings.money.format
    return "\n".join(
        [
            f"bidgram database: {settings.database_url}",
            f"  skills in catalogue:     {skills}",
            f"  users:                   {figures.users}",
            f"  open projects:           {figures.open_projects}",
            f"  projects in progress:    {figures.in_progress_projects}",
            f"  money in escrow:         {money(figures.escrow)}",
            f"  platform fees earned:    {money(figures.fees)}",
            f"  disputes in arbitration: {figures.disputes_in_arbitration}",
            f"  payouts waiting:         {figures.payouts_requested}",
            f"  alerts:                  {_outbox_line(outbox)}",
            f"  payments to credit:      {uncredited} (the sweep credits them)",
            f"  Stars refunds pending:   {refunding} (retried until Telegram answers)",
            f"  dead letters:            {dead}"
            + (" (see `bidgram dead-letters`, then `bidgram replay`)" if dead else ""),
        ]
    )


async def _dead_letters(settings: Settings) -> str:
    db = Database(settings.database_url, pool=False)
    lines: list[str] = []
    try:
        async with db.uow() as uow:
            for letter in await uow.dead_letters.waiting(limit=1000):
                last = letter.error.strip().splitlines()[-1] if letter.error.strip() else "?"
                lines.append(
                    f"  #{letter.id}  update {letter.update_id}"
                    f"  {letter.failed_at:%Y-%m-%d %H:%M} UTC"
                    f"  tried {letter.attempts}x  {last[:120]}"
                )
    finally:
        await db.dispose()
    if not lines:
        return "No dead letters: every update was handled."
    head = f"{len(lines)} updates failed with a bug and wait for `bidgram replay`:"
    return "\n".join([head, *lines])


def _outbox_line(counts: dict[str, int]) -> str:
    parts = [f"{counts.get(k, 0)} {k}" for k in ("pending", "sent", "blocked", "failed")]
    return ", ".join(parts) + f"; {counts.get('events waiting', 0)} events waiting"


async def _sweep(settings: Settings) -> str:
    from core.clock import SystemClock
    from core.marketplace import Marketplace

    db = Database(settings.database_url, pool=False)
    try:
        async with db.uow() as uow:
            market = Marketplace(uow, settings, SystemClock())
            report = await market.timers.sweep()
            await market.commit()  # its alerts wait in the outbox for the bot or worker
    finally:
        await db.dispose()
    return (
        f"ended bidding on {report.bidding_ended} and closed {report.projects_closed} projects, "
        f"lapsed {report.awards_lapsed} offers, "
        f"auto-released {report.milestones_auto_released} milestones, "
        f"settled {report.disputes_defaulted} and escalated {report.disputes_escalated} disputes, "
        f"sent {report.due_reminders + report.auto_release_reminders} reminders, "
        f"credited {report.payments_credited} payments, "
        f"published the reviews of {report.reviews_published} contracts"
    )


def _run_bot(mode: str) -> int:
    from bot import logs
    from bot.app import run, work
    from bot.settings import load_bot_settings
    from bot.webhook import serve

    settings = load_bot_settings()
    settings.token()  # a missing or malformed token stops here, with how to get one
    if mode == "webhook":
        settings.webhook()  # so does a missing webhook URL or secret
    logs.configure(settings)
    with contextlib.suppress(KeyboardInterrupt):
        main = {"webhook": serve, "worker": work}.get(mode, run)
        asyncio.run(main(settings))
    print("bidgram worker stopped." if mode == "worker" else "bidgram stopped.")
    return 0


def _replay(ids: list[int], reason: str = "") -> int:
    """Handle dead letters again, in a bot process of their own (it needs the token:
    the people involved are answered as if their update had just arrived). Each replay
    goes on the admins' audit trail as an operator's action, with ``reason``."""
    from bot import logs
    from bot.app import replay
    from bot.settings import load_bot_settings

    settings = load_bot_settings()
    settings.token()
    logs.configure(settings)
    outcomes = asyncio.run(replay(settings, ids, reason))
    if not outcomes:
        print("No dead letters to replay.")
    for letter_id, outcome in outcomes.items():
        print(f"dead letter #{letter_id}: {outcome}")
    return 0 if all(o in ("handled", "dropped") for o in outcomes.values()) else 1


def _backup(settings: Settings, target: str, pages: int, pause: float) -> int:
    from storage.backup import BackupRefused, backup, database_file

    try:
        source = database_file(settings.database_url)
        report = backup(source, Path(target), pages=pages, pause=pause)
    except BackupRefused as refused:
        print(f"bidgram backup: {refused}", file=sys.stderr)
        return 2
    except sqlite3.Error as error:
        print(f"bidgram backup: SQLite failed: {error}", file=sys.stderr)
        return 1
    print(report)
    return 0


def _run_sandbox(port: int, demo: bool, gateway: str) -> int:
    from sandbox.cli import run

    if not 1 <= port <= 65535:
        print(f"bidgram sandbox: --port must be 1 to 65535, not {port}", file=sys.stderr)
        return 2
    try:
        return run(port, demo=demo, gateway=gateway)
    except ConfigurationError as error:
        print(f"bidgram: bad configuration\n{error}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bidgram", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the Telegram bot (long polling), timers and alerts")
    sub.add_parser("webhook", help="start a webhook process (see README: Scaling out)")
    sub.add_parser("worker", help="run only the timers and alert delivery")
    sandbox = sub.add_parser(
        "sandbox", help="try bidgram in a browser: no token, no network (see --help)"
    )
    sandbox.add_argument("--port", type=int, default=8080, help="page port (default 8080)")
    sandbox.add_argument(
        "--demo", action="store_true", help="fill in sample people, projects, bids and work"
    )
    sandbox.add_argument(
        "--gateway",
        choices=["sandbox", "stars"],
        default="sandbox",
        help="how milestones are funded: sandbox test money (default) or Stars invoices",
    )
    sub.add_parser("dead-letters", help="list updates that failed with a bug")
    replay = sub.add_parser(
        "replay", help="handle dead letters again once the bug is fixed (needs BOT_TOKEN)"
    )
    replay.add_argument("ids", nargs="*", type=int, help="dead letter ids (default: all)")
    replay.add_argument("--reason", default="", help="why, for the admins' audit trail")
    backup = sub.add_parser(
        "backup", help="copy the SQLite database while the bot runs (PostgreSQL: pg_dump)"
    )
    backup.add_argument("file", help="where to write the copy")
    backup.add_argument(
        "--pages", type=int, default=1024, help="pages copied per step (default 1024)"
    )
    backup.add_argument(
        "--pause", type=float, default=0.005, help="seconds between steps (default 0.005)"
    )
    sub.add_parser("migrate", help="create or migrate the database")
    sub.add_parser("status", help="report what the database holds")
    sub.add_parser(
        "sweep", help="run due timers once (bidding, offers, releases, disputes, reminders)"
    )
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        return _run_sandbox(args.port, args.demo, args.gateway)
    try:
        settings = load_settings()
        if args.command in ("run", "webhook", "worker"):
            return _run_bot(args.command)
        if args.command == "replay":
            return _replay(args.ids, args.reason)
        if args.command == "backup":
            return _backup(settings, args.file, args.pages, args.pause)
    except ConfigurationError as error:
        print(f"bidgram: bad configuration\n{error}", file=sys.stderr)
        return 2
    try:
        if args.command == "migrate":
            print(asyncio.run(_migrate(settings)))
        elif args.command == "status":
            print(asyncio.run(_status(settings)))
        elif args.command == "sweep":
            print(asyncio.run(_sweep(settings)))
        elif args.command == "dead-letters":
            print(asyncio.run(_dead_letters(settings)))
        else:
            print(asyncio.run(_migrate(settings)))
            print(asyncio.run(_status(settings)))
    except OSError as error:
        print(f"bidgram: cannot reach the database: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
