"""Waiting for state changes without sleeps.

Everything the emulator holds lives in one event loop, so a "something changed" signal plus a
re-check of the condition is race-free: nothing can happen between the check and taking the
current event, because there is no ``await`` in between.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Changes:
    """A broadcast "something changed" signal that any number of waiters can await."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter; later waiters wait for the next change."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, check: Callable[[], T | None], within: float) -> T | None:
        """Return the first non-``None`` result of ``check``, or ``None`` after ``within`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                # Not ``asyncio.wait_for``: on Python 3.11 it swallows a cancellation that
                # arrives as the event is set, and the waiter's loop would wait on forever.
                async with asyncio.timeout(remaining):
                    await self._event.wait()
            except TimeoutError:
                return check()
