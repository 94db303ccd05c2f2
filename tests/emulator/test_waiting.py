"""Waiting for a change: a waiter cancelled just as the change comes still ends.

On Python 3.11 ``asyncio.wait_for`` returns the awaited result instead of raising when
the cancellation and the result arrive in the same turn of the loop; a watcher looping
on it then waits on forever, and whoever cancelled it (the sandbox's stop) with it.
"""

from __future__ import annotations

import asyncio

from emulator.waiting import Changes


async def test_a_waiter_cancelled_as_the_change_arrives_is_cancelled() -> None:
    changes = Changes()
    changed = 0

    async def watch() -> None:
        nonlocal changed
        while True:
            await changes.wait_for(lambda: None, 3600)
            changed += 1

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)  # waiting now
    changes.notify()
    watcher.cancel()  # in the same turn as the change
    done, _ = await asyncio.wait({watcher}, timeout=2)
    assert watcher in done and watcher.cancelled()


async def test_a_change_within_the_time_is_seen_and_none_after_it() -> None:
    changes = Changes()
    box: list[int] = []
    waiting = asyncio.create_task(changes.wait_for(lambda: box[0] if box else None, 5))
    await asyncio.sleep(0)
    box.append(7)
    changes.notify()
    assert await waiting == 7
    assert await Changes().wait_for(lambda: None, 0.01) is None
