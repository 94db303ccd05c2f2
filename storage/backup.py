"""``bidgram backup FILE``: a consistent copy of a SQLite database while the bot runs.

It uses SQLite's online backup API (the stdlib ``sqlite3`` module), a few pages per step
with a short pause between steps, so the bot's writers never wait long for it. A write by
the bot between two steps makes SQLite start the copy again from the first page (that is
what keeps it consistent); when that keeps happening, the steps grow, and the last try
copies everything in one step. In WAL mode, which bidgram always uses for a file, even
that one step only holds a read transaction, and writers go on meanwhile.

The copy is written next to FILE and renamed into place when complete and checked, so
FILE is never half a database. PostgreSQL has its own tool for this: ``pg_dump``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.db import is_sqlite

#: Pages copied per step at first (4 MiB at SQLite's default page size).
STEP_PAGES = 1024
#: Seconds between steps: the bot's writers get the database to themselves meanwhile.
PAUSE = 0.005
#: Restarts before the copy is made in one step.
PATIENCE = 3

PG_DUMP_ADVICE = (
    "`bidgram backup` copies SQLite databases. For PostgreSQL use its own tools, which "
    "make a consistent copy while the bot runs:\n"
    "  pg_dump -Fc -d DATABASE -f bidgram.dump            # back up\n"
    "  pg_restore --clean --if-exists -d DATABASE bidgram.dump   # restore"
)


class BackupRefused(Exception):
    """Nothing was copied, for the reason given."""


@dataclass(frozen=True)
class BackupReport:
    source: Path
    target: Path
    pages: int
    page_size: int
    restarts: int
    seconds: float

    def __str__(self) -> str:
        size = self.pages * self.page_size / 1024**2
        again = f", started again {self.restarts}x (the bot wrote)" if self.restarts else ""
        return (
            f"Backed up {self.source} to {self.target}: {self.pages} pages "
            f"({size:.1f} MiB) in {self.seconds:.1f} s{again}."
        )


class _Restarted(Exception):
    """The source changed and SQLite began the copy again."""


def database_file(url: str) -> Path:
    """The file of a SQLite ``DATABASE_URL``, or BackupRefused saying what to do instead."""
    if not is_sqlite(url):
        raise BackupRefused(PG_DUMP_ADVICE)
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file::memory:"):
        raise BackupRefused("DATABASE_URL names an in-memory database: there is no file to copy")
    return Path(name)


def backup(
    source: Path,
    target: Path,
    *,
    pages: int = STEP_PAGES,
    pause: float = PAUSE,
    patience: int = PATIENCE,
) -> BackupReport:
    """Copy the SQLite database ``source`` to ``target`` (see the module docstring)."""
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source}")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupRefused("the backup would overwrite the database itself")
    if target.is_dir():
        raise BackupRefused(f"{target} is a directory; name the backup file")
    started = time.monotonic()
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    restarts = 0
    step = pages
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            while True:
                try:
                    src.backup(dst, pages=step, progress=_pacer(pause))
                    break
                except _Restarted:
                    restarts += 1
                    step = -1 if restarts >= patience else step * 8
            # One plain file, whatever the source's journal mode (bidgram sets WAL again).
            dst.execute("PRAGMA journal_mode=DELETE")
            checked = dst.execute("PRAGMA quick_check").fetchone()[0]
            if checked != "ok":
                raise BackupRefused(f"the copy does not check out: {checked}")
            page_size = int(dst.execute("PRAGMA page_size").fetchone()[0])
            count = int(dst.execute("PRAGMA page_count").fetchone()[0])
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(source, target, count, page_size, restarts, time.monotonic() - started)


def _pacer(pause: float) -> Callable[[int, int, int], None]:
    """The progress callback: pause between steps; give up a try that started over."""
    copied = -1

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal copied
        done = total - remaining
        if remaining and done <= copied:
            raise _Restarted
        copied = done
        if remaining:
            time.sleep(pause)

    return progress
