"""The sandbox's movable clock: real time plus a forward-only offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import MovableClock


def test_a_movable_clock_starts_at_now_and_jumps_forward() -> None:
    clock = MovableClock()
    before = datetime.now(UTC)
    assert before - timedelta(seconds=5) <= clock.now() <= datetime.now(UTC)
    moved = clock.advance(timedelta(days=1))
    assert moved - before >= timedelta(days=1)
    assert clock.offset == timedelta(days=1)
    assert clock.now().tzinfo is UTC


def test_a_movable_clock_never_goes_back() -> None:
    clock = MovableClock()
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(hours=-1))
    with pytest.raises(ValueError):
        clock.advance(timedelta(0))
    assert clock.offset == timedelta(0)
