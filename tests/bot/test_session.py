"""Answers nobody reads are checked, not parsed; refusals read as aiogram reads them."""

from __future__ import annotations

import json

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendMessage
from aiogram.types import Message

from bot.session import BotSession, unread

SENT = {
    "ok": True,
    "result": {
        "message_id": 7,
        "date": 1765000000,
        "chat": {"id": 1, "type": "private"},
        "text": "hi",
    },
}
REFUSED = {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}


@pytest.fixture
async def session() -> BotSession:
    return BotSession()


async def test_an_answer_someone_reads_is_a_message(session: BotSession) -> None:
    bot = Bot("42:TEST", session=session)
    method = SendMessage(chat_id=1, text="hi")
    response = session.check_response(bot, method, 200, json.dumps(SENT))
    assert isinstance(response.result, Message)
    await session.close()


async def test_an_answer_nobody_reads_is_left_as_it_came(session: BotSession) -> None:
    bot = Bot("42:TEST", session=session)
    method = SendMessage(chat_id=1, text="hi")
    token = unread.set(True)
    try:
        response = session.check_response(bot, method, 200, json.dumps(SENT))
        assert response.ok and response.result == SENT["result"]  # no model built
        with pytest.raises(TelegramBadRequest, match="too long"):
            session.check_response(bot, method, 400, json.dumps(REFUSED))
    finally:
        unread.reset(token)
    await session.close()
