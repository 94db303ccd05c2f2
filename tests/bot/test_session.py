"""Calls go as JSON (uploads as forms); answers nobody reads are checked, not parsed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendDocument, SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.session import BotSession, _HasFile, sent_message_id, unread
from emulator import running_emulator
from emulator.chats import Button

SENT = {
    "ok": True,
    "result": {
        "message_id": 7,
        "date": 1765000000,
        "chat": {"id": 1, "type": "private"},
        "text": "hi",
    },
}
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Open", callback_data="p:1")]]
)
FILE = BufferedInputFile(b"{}", filename="data.json")
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


async def test_a_call_is_one_json_body_with_the_bots_defaults_and_no_unset_fields() -> None:
    session = BotSession()
    bot = Bot("42:TEST", session=session, default=DefaultBotProperties(parse_mode="HTML"))
    method = SendMessage(chat_id=1, text="<b>hi</b>", reply_markup=KEYBOARD)
    assert session.plain_call(bot, method) == {
        "chat_id": 1,
        "text": "<b>hi</b>",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "Open", "callback_data": "p:1"}]]},
    }
    await session.close()


async def test_a_call_and_a_file_both_reach_a_strict_bot_api() -> None:
    """A plain call goes as JSON; an upload cannot, and goes as aiogram's form."""
    async with running_emulator() as emu:
        ann = emu.user("Ann", started=True)
        session = BotSession(api=TelegramAPIServer.from_base(emu.base_url))
        bot = Bot(emu.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
        try:
            with pytest.raises(_HasFile):
                session.plain_call(bot, SendDocument(chat_id=ann.id, document=FILE))
            await bot.send_message(ann.id, "<b>Your data</b>", reply_markup=KEYBOARD)
            await bot.send_document(ann.id, FILE)
            text = await ann.wait_for_message("Your data")
            assert text.buttons == [[Button("Open", "p:1")]]
            sent = await ann.wait_for_message(lambda m: m.document is not None)
            assert sent.document is not None and sent.document["file_name"] == "data.json"
        finally:
            await session.close()
        emu.assert_clean()


async def test_a_sent_alert_is_read_for_its_id_only() -> None:
    """The delivery records the sent message's id; the rest of the answer is not made
    into a ``Message``, and a refusal still raises as aiogram's would."""
    async with running_emulator() as emu:
        ann = emu.user("Ann", started=True)
        session = BotSession(api=TelegramAPIServer.from_base(emu.base_url))
        bot = Bot(emu.token, session=session)
        checked: list[object] = []
        check = session.check_response

        def spy(*args: Any, **kwargs: Any) -> Any:
            response = check(*args, **kwargs)
            checked.append(response.result)
            return response

        session.check_response = spy  # type: ignore[method-assign]
        try:
            sent = await sent_message_id(bot, SendMessage(chat_id=ann.id, text="New bid"))
            assert sent == (await ann.wait_for_message("New bid")).message_id
            assert isinstance(checked[0], dict)  # not validated into a Message
            assert not unread.get()  # set for that call only
            with pytest.raises(TelegramBadRequest):
                await sent_message_id(bot, SendMessage(chat_id=ann.id, text="x" * 5000))
        finally:
            await session.close()
