"""One lock per person, shared by update handling and alert delivery.

A person's updates run one at a time, and an alert to a person is sent and recorded
while holding that person's lock, so their next update (a Telegram reply to a relayed
message, say) always sees what the delivery recorded. Nobody holds two locks at once.

``PersonLocks`` serves one process. With several processes (webhook mode behind a load
balancer) the lock must live where all of them see it: ``RedisPersonLocks`` takes the
same lock in Redis through aiogram's ``RedisEventIsolation``, keyed like aiogram keys a
private chat, so whichever process gets a person's update waits for the others.
"""

from __future__ import annotations

import asyncio
import weakref
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol

from aiogram.fsm.storage.base import StorageKey

if TYPE_CHECKING:  # Redis's client is imported only by a process that uses Redis (4 MiB)
    from aiogram.fsm.storage.redis import RedisEventIsolation


class Locks(Protocol):
    def of(self, chat_id: int | str) -> AbstractAsyncContextManager[Any]: ...


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


class RedisPersonLocks:
    """Person locks shared by every process that uses the same Redis and key prefix.

    A lock expires after ``RedisEventIsolation``'s timeout (60 s), so a process that dies
    holding one does not stall that person for ever. A channel (``@name``) is nobody's
    conversation: its posts are serialised in this process only.
    """

    def __init__(self, isolation: RedisEventIsolation, bot_id: int) -> None:
        self.isolation = isolation
        self.bot_id = bot_id
        self._local = PersonLocks()

    def of(self, chat_id: int | str) -> AbstractAsyncContextManager[Any]:
        if isinstance(chat_id, str):
            return self._local.of(chat_id)
        # A private chat's id is the person's id: the key aiogram builds for their chat.
        key = StorageKey(bot_id=self.bot_id, chat_id=chat_id, user_id=chat_id)
        return self.isolation.lock(key)
