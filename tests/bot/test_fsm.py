"""Conversation state in memory: kept while a conversation is open, forgotten after."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from bot.fsm import CompactMemoryStorage


class Form(StatesGroup):
    title = State()


def key(user: int) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=user, user_id=user)


async def test_a_person_without_a_conversation_leaves_no_record() -> None:
    storage = CompactMemoryStorage()
    assert await storage.get_state(key(1)) is None
    assert await storage.get_data(key(1)) == {}
    assert await storage.get_value(key(1), "title", "none") == "none"
    await storage.set_state(key(1), None)
    await storage.set_data(key(1), {})
    assert storage.records == {}


async def test_an_open_wizard_keeps_its_state_and_data_until_it_ends() -> None:
    storage = CompactMemoryStorage()
    await storage.set_state(key(1), Form.title)
    await storage.set_data(key(1), {"title": "Logo for a bakery"})
    await storage.get_state(key(2))  # someone else writing meanwhile
    assert await storage.get_state(key(1)) == "Form:title"
    assert await storage.get_value(key(1), "title") == "Logo for a bakery"
    assert len(storage.records) == 1

    await storage.set_state(key(1), None)  # state cleared first, data still there
    assert await storage.get_data(key(1)) == {"title": "Logo for a bakery"}
    await storage.set_data(key(1), {})
    assert storage.records == {}


async def test_data_without_a_state_is_kept() -> None:
    storage = CompactMemoryStorage()
    await storage.set_data(key(1), {"find": {"q": "logo"}})
    assert await storage.get_state(key(1)) is None
    assert await storage.get_data(key(1)) == {"find": {"q": "logo"}}
    await storage.set_state(key(1), None)
    assert await storage.get_data(key(1)) == {"find": {"q": "logo"}}


async def test_records_are_kept_per_key_and_data_is_handed_out_as_copies() -> None:
    storage = CompactMemoryStorage()
    in_topic = StorageKey(bot_id=1, chat_id=1, user_id=1, thread_id=7)
    other_bot = StorageKey(bot_id=2, chat_id=1, user_id=1)
    await storage.set_data(key(1), {"title": "Logo", "skills": ["design"]})
    await storage.update_data(key(1), {"budget": 50})
    await storage.set_state(in_topic, Form.title)
    assert await storage.get_data(key(1)) == {"title": "Logo", "skills": ["design"], "budget": 50}
    assert await storage.get_state(in_topic) == "Form:title"
    assert await storage.get_state(key(1)) is None
    assert await storage.get_data(other_bot) == {}
    read = await storage.get_data(key(1))
    read["title"] = "changed"  # a reader's dict is its own
    assert await storage.get_value(key(1), "title") == "Logo"
    assert await storage.get_value(key(1), "missing", 3) == 3
    assert len(storage.records) == 2
