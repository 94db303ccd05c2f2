"""Conversation state in memory, kept only for people who are in a conversation.

aiogram's ``MemoryStorage`` creates a record for every person on their first update
(reading the state of someone unknown inserts an empty one) and never drops it, so
a long-running bot grows by about a kilobyte per person who ever wrote to it. This
storage answers "no state, no data" for someone without a record and forgets a
record once its state and data are both empty again (a finished or cancelled flow).

``StagedStorage`` holds one update's changes until its work is committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage


class CompactMemoryStorage(MemoryStorage):
    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        record = self.storage.get(key)
        if value is None and (record is None or not record.data):
            self.storage.pop(key, None)
            return
        self.storage[key].state = value

    async def get_state(self, key: StorageKey) -> str | None:
        record = self.storage.get(key)
        return record.state if record is not None else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        record = self.storage.get(key)
        if not data and (record is None or record.state is None):
            self.storage.pop(key, None)
            return
        self.storage[key].data = data.copy()

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = self.storage.get(key)
        return record.data.copy() if record is not None else {}

    async def get_value(
        self, storage_key: StorageKey, dict_key: str, default: Any | None = None
    ) -> Any | None:
        record = self.storage.get(storage_key)
        if record is None:
            return default
        return copy(record.data.get(dict_key, default))


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
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        self._data[key] = data.copy()

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
