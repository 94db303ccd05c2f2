"""The wire protocol: routing, auth, encodings and parameter validation."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound
from aiogram.methods import DeleteEphemeralMessage, EditMessageText, SendMessage
from aiogram.methods.base import TelegramMethod

from emulator import BotAPIEmulator, ViolationKind


async def raw_call(emu: BotAPIEmulator, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(emu.base_url + path, **kwargs) as r:
        return r.status, await r.json()


class FlyToTheMoon(TelegramMethod[bool]):
    __returning__ = bool
    __api_method__ = "flyToTheMoon"


async def test_get_me_through_aiogram(bot: Bot, emu: BotAPIEmulator) -> None:
    me = await bot.get_me()
    assert me.id == emu.bot_id
    assert me.is_bot and me.username == "bidgram_test_bot"


async def test_unknown_method_is_404(bot: Bot, emu: BotAPIEmulator) -> None:
    with pytest.raises(TelegramNotFound, match="Not Found"):
        await bot(FlyToTheMoon())
    assert emu.violations[-1].kind is ViolationKind.REJECTED_CALL


async def test_wrong_token_is_401(emu: BotAPIEmulator) -> None:
    status, body = await raw_call(emu, "/bot1:WRONG/getMe")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


async def test_method_names_are_case_insensitive(emu: BotAPIEmulator) -> None:
    status, body = await raw_call(emu, f"/bot{emu.token}/GETME")
    assert status == 200 and body["result"]["id"] == emu.bot_id


async def test_unknown_parameter_is_rejected(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    with pytest.raises(TelegramBadRequest, match='unknown parameter "colour"'):
        await bot(SendMessage(chat_id=alice.id, text="hi", colour="red"))  # type: ignore[call-arg]
    violation = emu.violations[-1]
    assert violation.method == "sendMessage" and violation.params is not None
    assert violation.params["colour"] == "red"


async def test_parameters_bot_api_10_1_removed_are_refused(bot: Bot, emu: BotAPIEmulator) -> None:
    """aiogram's models still have them, Telegram no longer reads them."""
    alice = emu.user("Alice", started=True)
    with pytest.raises(TelegramBadRequest, match='unknown parameter "disable_web_page_preview"'):
        await bot(SendMessage(chat_id=alice.id, text="hi", disable_web_page_preview=True))
    sent = await bot(SendMessage(chat_id=alice.id, text="hi"))
    with pytest.raises(TelegramBadRequest, match='"disable_web_page_preview" for method edit'):
        await bot(
            EditMessageText(
                chat_id=alice.id,
                message_id=sent.message_id,
                text="ho",
                disable_web_page_preview=True,
            )
        )
    status, body = await raw_call(
        emu,
        f"/bot{emu.token}/sendMessage",
        json={"chat_id": alice.id, "text": "re", "reply_to_message_id": sent.message_id},
    )
    assert status == 400
    assert body["description"] == (
        'Bad Request: unknown parameter "reply_to_message_id" for method sendMessage'
    )
    assert [m.text for m in alice.messages] == ["hi"]


async def test_methods_of_later_bot_api_versions_are_unknown(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    with pytest.raises(TelegramNotFound, match="Not Found"):
        await bot(
            DeleteEphemeralMessage(chat_id=alice.id, receiver_user_id=1, ephemeral_message_id=1)
        )


async def test_non_strict_mode_ignores_unknown_parameters_like_telegram() -> None:
    async with BotAPIEmulator(strict=False) as emu:
        alice = emu.user("Alice", started=True)
        status, _ = await raw_call(
            emu, f"/bot{emu.token}/sendMessage", json={"chat_id": alice.id, "text": "x", "y": 1}
        )
        assert status == 200


async def test_missing_and_mistyped_parameters(emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    url = f"/bot{emu.token}/sendMessage"
    status, body = await raw_call(emu, url, json={"chat_id": alice.id})
    assert status == 400 and body["description"] == "Bad Request: message text is empty"
    status, body = await raw_call(emu, url, json={"text": "x"})
    assert body["description"] == "Bad Request: chat_id is empty"
    status, body = await raw_call(
        emu, url, data={"chat_id": str(alice.id), "text": "x", "reply_markup": "{not json"}
    )
    assert body["description"] == "Bad Request: can't parse reply_markup JSON object"
    status, body = await raw_call(
        emu, f"/bot{emu.token}/deleteMessage", json={"chat_id": alice.id, "message_id": "abc"}
    )
    assert status == 400 and 'invalid parameter "message_id"' in body["description"]


@pytest.mark.parametrize("encoding", ["json", "form", "multipart", "query"])
async def test_all_parameter_encodings_are_accepted(emu: BotAPIEmulator, encoding: str) -> None:
    alice = emu.user("Alice", started=True)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    params = {"chat_id": alice.id, "text": "<b>hi</b>", "parse_mode": "HTML"}
    url = f"/bot{emu.token}/sendMessage"
    if encoding == "json":
        kwargs: dict[str, Any] = {"json": {**params, "reply_markup": markup}}
    elif encoding == "query":
        kwargs = {
            "params": {**params, "chat_id": str(alice.id), "reply_markup": json.dumps(markup)}
        }
    else:
        form = aiohttp.FormData(
            {k: str(v) for k, v in params.items()}, default_to_multipart=encoding == "multipart"
        )
        form.add_field("reply_markup", json.dumps(markup))
        kwargs = {"data": form}
    status, body = await raw_call(emu, url, **kwargs)
    assert status == 200, body
    assert body["result"]["text"] == "hi"
    assert alice.last_message is not None and alice.last_message.button_texts == ["Go"]


async def test_multipart_from_aiogram_with_nested_json(bot: Bot, emu: BotAPIEmulator) -> None:
    from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

    alice = emu.user("Alice", started=True)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Open", url="https://example.com/x")]]
    )
    sent = await bot.send_document(
        alice.id,
        BufferedInputFile(b"%PDF-1.4 hello", filename="spec.pdf"),
        caption="<i>spec</i>",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    assert sent.document is not None and sent.document.file_name == "spec.pdf"
    assert sent.caption == "spec" and sent.caption_entities is not None
    last = alice.last_message
    assert last is not None and last.buttons[0][0].url == "https://example.com/x"
    emu.assert_clean()


async def test_file_part_under_an_unknown_name_is_an_unknown_parameter(emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    form = aiohttp.FormData({"chat_id": str(alice.id), "text": "x"})
    form.add_field("note", b"data", filename="note.txt")
    status, body = await raw_call(emu, f"/bot{emu.token}/sendMessage", data=form)
    assert status == 400 and 'unknown parameter "note"' in body["description"]
