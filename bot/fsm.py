"""Conversation state in memory, kept only for people who are in a conversation.

aiogram's ``MemoryStorage`` creates a record for every person on their first update
(reading the state of someone unknown inserts an empty one) and never drops it, so
a long-running bot grows by about a kilobyte per person who ever wrote to it. This
storage answers "no state, no data" for someone without a record and forgets a
record once its state and data are both empty again (a finished or cancelled flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StateType, StorageKey
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
