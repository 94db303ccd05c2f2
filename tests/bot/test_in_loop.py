"""`in_loop`: a check aiogram would run in a thread, as a coroutine function that
answers the same."""

from __future__ import annotations

import inspect

import pytest
from aiogram import F
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.filters import Command
from aiogram.types import Chat, Message

from bot.routers import Area, in_loop

MESSAGE = Message.model_validate(
    {"message_id": 1, "date": 0, "chat": Chat(id=5, type="private"), "text": "hello"}
)


async def test_a_magic_filter_answers_in_place_and_keeps_its_named_value() -> None:
    check = FilterObject(in_loop(F.text.as_("said")))
    assert check.awaitable
    assert await check.call(MESSAGE, raw_state=None, event_chat=MESSAGE.chat) == {"said": "hello"}
    assert not await FilterObject(in_loop(F.text == "bye")).call(MESSAGE)


async def test_a_plain_function_keeps_the_arguments_it_asks_for() -> None:
    def in_step(_: Message, raw_state: str | None = None) -> bool:
        return raw_state == "Bids:amount"

    check = FilterObject(in_loop(in_step))
    assert check.awaitable and check.params == {"_", "raw_state"}
    assert await check.call(MESSAGE, raw_state="Bids:amount", event_chat=MESSAGE.chat)
    assert not await check.call(MESSAGE, raw_state=None)


def test_what_already_runs_in_place_is_left_as_it_is() -> None:
    command = Command("find")

    async def asynchronous(_: Message) -> bool:
        return True

    assert in_loop(command) is command
    assert in_loop(asynchronous) is asynchronous
    assert inspect.iscoroutinefunction(in_loop(lambda _: True))


def test_an_area_refuses_a_handler_that_is_not_async() -> None:
    area = Area("handlers.example")

    @area.message(Command("example"))
    def example(message: Message) -> None:
        pass

    with pytest.raises(TypeError, match=r"example of handlers\.example is not async"):
        area.router()
