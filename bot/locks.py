"""One lock per person, shared by update handling and alert delivery.

A person's updates run one at a time, and an alert to a person is sent and recorded
while holding that person's lock, so their next update (a Telegram reply to a relayed
message, say) always sees what the delivery recorded. Nobody holds two locks at once.
"""

from __future__ import annotations

import asyncio
import weakref


class PersonLocks:
    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[int | str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def of(self, chat_id: int | str) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[chat_id] = lock
        return lock
