"""``make sandbox`` (and every other target) starts with ``make install``: what it installs."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PINNED = ("--require-hashes -r requirements.lock", "--no-deps -e .")


def test_make_install_installs_only_what_the_lock_pins(tmp_path: Path) -> None:
    """Every pip install is the hashed lock or the project itself: nothing unpinned, pip
    included, reaches a new machine."""
    planned = subprocess.run(
        ["make", "--dry-run", "install", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installs = [line for line in planned.splitlines() if "pip install" in line]
    assert len(installs) == len(PINNED), planned
    for line in installs:
        assert any(line.endswith(pinned) for pinned in PINNED), line
