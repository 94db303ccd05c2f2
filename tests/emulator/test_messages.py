"""Sending, editing and deleting messages with a real aiogram Bot."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters

from emulator import BotAPIEmulator, ViolationKind


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])


async def test_message_is_stored_with_rendered_text(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    sent = await bot.send_message(alice.id, "<b>Hello</b> &amp; welcome", parse_mode="HTML")
    assert sent.text == "Hello & welcome"
    assert sent.entities is not None and sent.entities[0].type == "bold"
    stored = alice.last_message
    assert stored is not None and stored.message_id == sent.message_id
    assert stored.text == "Hello & welcome"
    assert stored.raw == "<b>Hello</b> &amp; welcome"
    assert stored.html == "<b>Hello</b> &amp; welcome"
    emu.assert_clean()


async def test_text_limit_counts_visible_characters_after_html(
    bot: Bot, emu: BotAPIEmulator
) -> None:
    alice = emu.user("Alice", started=True)
    await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(alice.id, "😀" * 2048)  # 4096 UTF-16 code units
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.id, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.id, "<i>" + "😀" * 2049 + "</i>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(alice.id, "<b></b>  ", parse_mode="HTML")
    assert len(alice.messages) == 2
    assert [v.kind for v in emu.violations] == [ViolationKind.REJECTED_CALL] * 3


async def test_bad_html_is_rejected(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(alice.id, "Budget <100 USD", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(alice.id, "<b>unclosed", parse_mode="HTML")
    assert alice.messages == []


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    await bot.send_message(
        alice.id,
        "ok",
        reply_markup=keyboard(InlineKeyboardButton(text="64", callback_data="x" * 64)),
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(
            alice.id,
            "no",
            reply_markup=keyboard(InlineKeyboardButton(text="65", callback_data="x" * 65)),
        )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        # 22 Cyrillic letters are 44 bytes... 33 of them are 66 bytes
        await bot.send_message(
            alice.id,
            "no",
            reply_markup=keyboard(InlineKeyboardButton(text="ru", callback_data="я" * 33)),
        )
    assert [m.text for m in alice.messages] == ["ok"]


async def test_button_rules(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    with pytest.raises(TelegramBadRequest, match="text buttons are unallowed"):
        await bot.send_message(alice.id, "x", reply_markup=keyboard(InlineKeyboardButton(text="a")))
    with pytest.raises(TelegramBadRequest, match="exactly one"):
        await bot.send_message(
            alice.id,
            "x",
            reply_markup=keyboard(
                InlineKeyboardButton(text="a", callback_data="a", url="https://example.com")
            ),
        )
    with pytest.raises(TelegramBadRequest, match="URL 'localhost/x' is invalid"):
        await bot.send_message(
            alice.id, "x", reply_markup=keyboard(InlineKeyboardButton(text="a", url="localhost/x"))
        )
    with pytest.raises(TelegramBadRequest, match="button text must be non-empty"):
        await bot.send_message(
            alice.id, "x", reply_markup=keyboard(InlineKeyboardButton(text=" ", callback_data="a"))
        )


async def test_edit_rules(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    markup = keyboard(InlineKeyboardButton(text="Go", callback_data="go"))
    sent = await bot.send_message(alice.id, "<b>v1</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<b>v1</b>",
            chat_id=alice.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=markup,
        )
    # same visible text but different formatting is a modification
    await bot.edit_message_text(
        "v1", chat_id=alice.id, message_id=sent.message_id, reply_markup=markup
    )
    # editing without reply_markup removes the keyboard, as in Telegram
    await bot.edit_message_text("v2", chat_id=alice.id, message_id=sent.message_id)
    current = alice.message(sent.message_id)
    assert current is not None and current.text == "v2" and current.buttons == []
    assert current.version == 2 and current.is_edited
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=alice.id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
    user_message = await alice.send_text("mine")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=user_message.message_id)
    assert [e.kind for e in alice.history] == ["sent", "edited", "edited"]


async def test_delete_rules(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    sent = await bot.send_message(alice.id, "temporary")
    assert await bot.delete_message(alice.id, sent.message_id)
    assert alice.messages == [] and alice.message(sent.message_id) is None
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)
    assert [e.kind for e in alice.history] == ["sent", "deleted"]


async def test_chat_resolution(bot: Bot, emu: BotAPIEmulator) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(123456, "hello?")
    stranger = emu.user("Stranger")
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
        await bot.send_message(stranger.id, "hello?")


async def test_blocked_user_gets_403_for_every_send(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    await bot.send_message(alice.id, "before")
    alice.block_bot()
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(alice.id, "after")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_chat_action(alice.id, "typing")
    assert [v.kind for v in emu.violations] == [ViolationKind.FORBIDDEN] * 2
    alice.unblock_bot()
    await bot.send_message(alice.id, "again")
    emu.assert_clean(ignore=[ViolationKind.FORBIDDEN])


async def test_replies_copies_and_forwards(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    bob = emu.user("Bob", started=True)
    question = await alice.send_text("How much?")
    answer = await bot.send_message(
        alice.id, "10 USD", reply_parameters=ReplyParameters(message_id=question.message_id)
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "How much?"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(message_id=999))
    copied = await bot.copy_message(bob.id, alice.id, question.message_id)
    bob_copy = bob.message(copied.message_id)
    assert bob_copy is not None and bob_copy.text == "How much?"
    forwarded = await bot.forward_message(bob.id, alice.id, question.message_id)
    assert forwarded.forward_origin is not None
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(bob.id, alice.id, 999)


async def test_chat_action_and_callback_answer_validation(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    assert await bot.send_chat_action(alice.id, "typing")
    assert alice.last_chat_action == "typing"
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(alice.id, "dancing")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("12345")
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query("12345", text="a" * 201)


async def test_callback_query_can_be_answered_once(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    await bot.send_message(
        alice.id, "menu", reply_markup=keyboard(InlineKeyboardButton(text="Go", callback_data="go"))
    )
    menu = alice.last_message
    assert menu is not None
    click = asyncio.create_task(alice.click(menu, "Go"))
    [update] = await bot.get_updates(timeout=5)
    query = update.callback_query
    assert query is not None and query.data == "go" and query.from_user.id == alice.id
    assert await bot.answer_callback_query(query.id, text="a" * 200, show_alert=True)
    answer = await click
    assert answer.show_alert and answer.text == "a" * 200
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)


async def test_snapshots_convert_to_aiogram_messages(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    await bot.send_message(alice.id, "<b>hi</b>", parse_mode="HTML")
    sticker = await alice.send_sticker("🔥")
    assert sticker.sticker is not None and sticker.sticker["emoji"] == "🔥"
    message = alice.messages[0].api
    assert message.text == "hi" and message.from_user is not None and message.from_user.is_bot
