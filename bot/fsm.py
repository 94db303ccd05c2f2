"""Conversation state in memory, kept only for people who are in a conversation.

aiogram's ``MemoryStorage`` creates a record for every person on their first update
(reading the state of someone unknown inserts an empty one) and never drops it, so
a long-running bot grows by about a kilobyte per person who ever wrote to it. This
storage answers "no state, no data" for someone without a record and forgets a
record once its state and data are both empty again (a finished or cancelled flow).

A record is small, since every open wizard has one: the key's fields in a tuple
(not aiogram's ``StorageKey``, which carries an instance dictionary), and the data
as a tuple of its items, handed out as a new dict on each read (as ``MemoryStorage``
hands out a copy). About 480 bytes per open wizard instead of 660 (docs/benchmarks.md,
issue 14's fourth round).

``StagedStorage`` holds one update's changes until its work is committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

#: A ``StorageKey``'s fields: bot, chat, user, thread, business connection, destiny.
Key = tuple[int, int, int, int | None, str | None, str]
#: A record: the state (``None`` when only data is kept) and the data's items.
Record = tuple[str | None, tuple[tuple[str, Any], ...]]


def _key(key: StorageKey) -> Key:
    chat = key.chat_id
    user = chat if key.user_id == chat else key.user_id  # one int where they are equal
    return (key.bot_id, chat, user, key.thread_id, key.business_connection_id, key.destiny)


def _dict_like(data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict):
        msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
        raise DataNotDictLikeError(msg)
    return data


class CompactMemoryStorage(BaseStorage):
    def __init__(self) -> None:
        self.records: dict[Key, Record] = {}  # one for each person with state or data

    def _put(self, key: Key, state: str | None, items: tuple[tuple[str, Any], ...]) -> None:
        if state is None and not items:
            self.records.pop(key, None)
        else:
            self.records[key] = (state, items)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        k = _key(key)
        record = self.records.get(k)
        self._put(k, value, record[1] if record is not None else ())

    async def get_state(self, key: StorageKey) -> str | None:
        record = self.records.get(_key(key))
        return record[0] if record is not None else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        items = tuple(_dict_like(data).items())
        k = _key(key)
        record = self.records.get(k)
        self._put(k, record[0] if record is not None else None, items)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = self.records.get(_key(key))
        return dict(record[1]) if record is not None else {}

    async def get_value(
        self, storage_key: StorageKey, dict_key: str, default: Any | None = None
    ) -> Any | None:
        record = self.records.get(_key(storage_key))
        if record is None:
            return default
        return copy(next((value for name, value in record[1] if name == dict_key), default))

    async def close(self) -> None:
        pass


_UNSET: Any = object()


class StagedStorage(BaseStorage):
    """One update's view of conversation state: reads see its own writes, and nothing
    reaches the real storage until ``apply`` (after the update's commit).

    Conversation state is not in the database, so it cannot roll back with the
    update's transaction. Staging it keeps the two in step: an update that failed
    (and will be delivered again) leaves the person at the step they were at.
    """

    def __init__(self, storage: BaseStorage) -> None:
        self.storage = storage
        self._states: dict[StorageKey, str | None] = {}
        self._data: dict[StorageKey, dict[str, Any]] = {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        self._states[key] = state.state if isinstance(state, State) else state

    async def get_state(self, key: StorageKey) -> str | None:
        staged = self._states.get(key, _UNSET)
        return await self.storage.get_state(key) if staged is _UNSET else staged

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        self._data[key] = _dict_like(data).copy()

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        staged = self._data.get(key)
        return (await self.storage.get_data(key)) if staged is None else staged.copy()

    async def apply(self) -> None:
        """Write what the update changed (data before state, as ``clear`` orders it)."""
        for key, data in self._data.items():
            await self.storage.set_data(key, data)
        for key, state in self._states.items():
            await self.storage.set_state(key, state)
        self._states.clear()
        self._data.clear()

    async def close(self) -> None:  # the real storage is closed by its owner
        pass
