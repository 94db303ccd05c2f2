"""`bidgram backup FILE` while the bot runs: a consistent copy of its SQLite database.

The bot handles a stream of updates that move money (an employer funds milestone after
milestone) and relay a conversation, while `bidgram backup` copies the database from
another process, a page at a time. The copy, restored under a new name, opens in a fresh
`bidgram status` and a fresh bot; its books balance, and it holds a moment of the stream:
its messages, ledger and funded milestones are each exactly what the live database held
at that moment, no half of anything. PostgreSQL is refused with pg_dump's commands.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from core.clock import FrozenClock
from storage.db import Database
from storage.enums import MilestoneStatus
from storage.migrate import migrate
from storage.models import LedgerTransaction, Message, Milestone
from tests.e2e.conftest import App, running_app
from tests.e2e.test_milestones import open_card
from tests.e2e.test_scale_out import process_env
from tests.e2e.work_support import Deal, check_books, hired, seeded_milestone

STAGES = 20  # the contract screen shows at most 20 milestones
TIMEOUT = 20.0  # per reply: the machine is small and the backup reads meanwhile


@dataclass
class Restored:
    db: Database  # what check_books takes of an App


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Database]:
    """A SQLite database of its own, whatever the run's backend: the copy is SQLite's."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'live.db'}")
    await migrate(db.engine)
    try:
        yield db
    finally:
        await db.dispose()


def description(stage: int) -> str:
    return f"Stage {stage:02d}: shop bot work"


def amount(stage: int) -> int:
    return 1_000 + 100 * stage


@dataclass
class Stream:
    """Rounds of traffic: a message relayed each way, then the next milestone funded."""

    app: App
    deal: Deal
    milestones: list[int]
    rounds: int = 0
    warmed: asyncio.Event = field(default_factory=asyncio.Event)  # two rounds are done
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        erin, frank = self.deal.employer, self.deal.freelancer
        await erin.send_text("/contracts")
        listing = await erin.wait_for_message("Your contracts", timeout=TIMEOUT)
        await erin.click(listing, "Build a Telegram bot")
        screen = await erin.wait_for_message("You are the employer", timeout=TIMEOUT)
        await erin.click(screen, "💬 Message Frank")
        await erin.wait_for_message("You are now talking to", timeout=TIMEOUT)
        await erin.send_text("Note 00 from Erin")
        relayed = await frank.wait_for_message("Note 00 from Erin", timeout=TIMEOUT)
        await erin.send_text("/cancel")  # from here on they talk by replying
        await erin.wait_for_message("Cancelled", timeout=TIMEOUT)
        for stage, _ in enumerate(self.milestones, start=1):
            await frank.reply_to(relayed, f"Answer {stage:02d} from Frank")
            answer = await erin.wait_for_message(f"Answer {stage:02d} from Frank", timeout=TIMEOUT)
            await erin.reply_to(answer, f"Note {stage:02d} from Erin")
            relayed = await frank.wait_for_message(f"Note {stage:02d} from Erin", timeout=TIMEOUT)
            await open_card(erin, description(stage))
            await erin.click(erin.messages[-1], "💳 Fund")
            await erin.wait_for_message("Milestone funded", timeout=TIMEOUT)
            self.rounds += 1
            if self.rounds == 2:
                self.warmed.set()
            if self.stop.is_set():
                return


async def bidgram(command: str, url: str, cwd: Path, *args: str) -> str:
    """A `bidgram` command as an operator runs it: a process of its own; its output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        command,
        *args,
        env=process_env(DATABASE_URL=url),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(proc.communicate(), 120)
    text = output.decode(errors="replace")
    assert proc.returncode == 0, text
    return text


async def rows(db: Database, model: Any, *columns: str) -> list[tuple[Any, ...]]:
    async with db.uow() as uow:
        found = (await uow.session.execute(select(model).order_by(model.id))).scalars()
        return [tuple(getattr(row, c) for c in columns) for row in found]


async def test_a_backup_taken_under_load_restores_balanced_and_whole(
    live: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    copy = tmp_path / "backups" / "bidgram-copy.db"
    copy.parent.mkdir()
    async with running_app(live, live.url, clock) as app:
        deal = await hired(app)
        milestones = [
            await seeded_milestone(
                app, deal, amount(stage), description=description(stage), fund=False
            )
            for stage in range(1, STAGES + 1)
        ]
        traffic = Stream(app, deal, milestones)
        talking = asyncio.create_task(traffic.run())
        await asyncio.wait(
            [talking, asyncio.create_task(traffic.warmed.wait())],
            return_when=asyncio.FIRST_COMPLETED,
        )
        assert not talking.done(), talking.exception()
        # Small steps, so the bot writes between them and the copy starts over.
        report = await bidgram("backup", live.url, tmp_path, str(copy), "--pages", "2")
        assert not talking.done()  # the stream ran all through the backup
        traffic.stop.set()
        await talking
        assert traffic.rounds < STAGES  # stopped after the backup, not for want of work
        await check_books(app)
        money = app.settings.money
    assert report.startswith(f"Backed up {live.url.split('///')[1]} to {copy}"), report
    assert not list(copy.parent.glob(".*.partial"))

    # Restored under a new name, as after losing the server.
    restored_path = tmp_path / "restored.db"
    shutil.copyfile(copy, restored_path)
    url = f"sqlite+aiosqlite:///{restored_path}"
    restored = Database(url)
    try:
        await check_books(Restored(restored))  # type: ignore[arg-type]
        # A moment of the stream, whole: each table is what the live one held then.
        for model, columns in (
            (Message, ("id", "project_id", "sender_id", "recipient_id", "text")),
            (LedgerTransaction, ("id", "kind")),
        ):
            then, now = await rows(restored, model, *columns), await rows(live, model, *columns)
            assert 0 < len(then) < len(now), model
            assert then == now[: len(then)], model
        states = dict(await rows(restored, Milestone, "id", "status"))
        funded = [i for i in milestones if states[i] is MilestoneStatus.FUNDED]
        assert len(funded) >= 2 and funded == milestones[: len(funded)]
        assert all(states[i] is MilestoneStatus.PENDING for i in milestones[len(funded) :])
        notes = [text for (text,) in await rows(restored, Message, "text")]
        assert notes[0] == "Note 00 from Erin" and len(notes) >= 2 * len(funded)

        # A fresh process opens it and reports the money the moment held...
        escrow = sum(amount(stage) for stage in range(1, len(funded) + 1))
        status = await bidgram("status", url, tmp_path)
        assert f"money in escrow:         {money.format(escrow)}" in status, status
        # ...and a bot on it knows the people, their contract and its milestones.
        # Telegram's update ids went on rising meanwhile.
        later = {"first_update_id": 1_000_000}
        async with running_app(restored, url, clock, emulator=later) as again:
            erin = again.emu.user("Erin", user_id=deal.employer.id, started=True)
            # Alerts still in the outbox at that moment go out now (again, if the lost
            # server had sent them after the backup).
            again.emu.user("Frank", user_id=deal.freelancer.id, started=True)
            await erin.send_text("/contracts")
            listing = await erin.wait_for_message("Your contracts")
            await erin.click(listing, "Build a Telegram bot")
            screen = await erin.wait_for_message("You are the employer")
            stages = [t for t in screen.button_texts if t.startswith("📄 Stage")]
            assert len(stages) == STAGES
    finally:
        await restored.dispose()


def test_postgresql_is_refused_with_pg_dump_and_pg_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from elsewhere
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bidgram:pw@db.internal/bidgram")
    assert main(["backup", str(tmp_path / "copy.db")]) == 2
    said = capsys.readouterr().err
    assert "pg_dump -Fc" in said and "pg_restore" in said
    assert not (tmp_path / "copy.db").exists()


def test_a_missing_database_or_a_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    assert main(["backup", "copy.db"]) == 2
    assert "there is no database at" in capsys.readouterr().err
    (tmp_path / "none.db").write_bytes(b"")
    assert main(["backup", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["backup", str(tmp_path / "none.db")]) == 2
    assert "overwrite the database itself" in capsys.readouterr().err
