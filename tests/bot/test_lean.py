"""The bot hands freed heap memory back after start-up (bot/lean.py)."""

from __future__ import annotations

import platform

import pytest

from bot.lean import release_freed_memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_memory_is_handed_back_on_glibc() -> None:
    assert release_freed_memory() is True
