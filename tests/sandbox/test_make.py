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


def test_make_sandbox_and_the_browser_tests_bring_an_emoji_font_when_they_can(
    tmp_path: Path,
) -> None:
    """Debian's Chromium has none: without one every emoji in the chats is a box."""
    for target in ("sandbox", "browser"):
        planned = subprocess.run(
            ["make", "--dry-run", target, f"VENV={tmp_path / 'venv'}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "apt-get install -y -qq fonts-noto-color-emoji" in planned, target
        assert "fc-list" in planned, target  # only when no emoji font is there yet
