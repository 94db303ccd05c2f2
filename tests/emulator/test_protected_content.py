"""protect_content: recorded on what the bot sends, and the message can then be neither
forwarded nor copied, by the bot (Telegram's errors) or by a person (the app refuses)."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InputMediaPhoto

from emulator import BotAPIEmulator, ViolationKind
from emulator.people import PROTECTED_CONTENT


async def test_protect_content_is_recorded_on_text_files_and_albums(
    bot: Bot, emu: BotAPIEmulator
) -> None:
    alice = emu.user("Alice", started=True)
    doc = (await alice.send_document(file_name="work.zip")).file_id
    photo = (await alice.send_photo()).file_id
    assert doc is not None and photo is not None
    sent = [
        await bot.send_message(alice.id, "Preview", protect_content=True),
        await bot.send_document(alice.id, doc, caption="Preview", protect_content=True),
        await bot.send_photo(alice.id, photo, protect_content=True),
        *await bot.send_media_group(
            alice.id,
            [InputMediaPhoto(media=photo), InputMediaPhoto(media=photo)],
            protect_content=True,
        ),
    ]
    for message in sent:
        assert message.has_protected_content is True
        stored = alice.message(message.message_id)
        assert stored is not None and stored.protected
    plain = await bot.send_document(alice.id, doc, caption="Yours")
    assert not plain.has_protected_content
    assert not alice.message(plain.message_id).protected  # type: ignore[union-attr]
    emu.assert_clean()


async def test_a_protected_message_can_be_neither_forwarded_nor_copied_by_the_bot(
    bot: Bot, emu: BotAPIEmulator
) -> None:
    alice = emu.user("Alice", started=True)
    bob = emu.user("Bob", started=True)
    doc = (await alice.send_document(file_name="work.zip")).file_id
    assert doc is not None
    protected = await bot.send_document(alice.id, doc, protect_content=True)
    with pytest.raises(TelegramBadRequest, match="message can't be forwarded"):
        await bot.forward_message(bob.id, alice.id, protected.message_id)
    with pytest.raises(TelegramBadRequest, match="message can't be copied"):
        await bot.copy_message(bob.id, alice.id, protected.message_id)
    assert bob.messages == []
    rejected = [v for v in emu.violations if v.kind is ViolationKind.REJECTED_CALL]
    assert [v.method for v in rejected] == ["forwardMessage", "copyMessage"]
    # Unprotected, the same file goes through; a copy may protect itself.
    plain = await bot.send_document(alice.id, doc)
    copied = await bot.copy_message(bob.id, alice.id, plain.message_id, protect_content=True)
    assert bob.message(copied.message_id).protected  # type: ignore[union-attr]
    forwarded = await bot.forward_message(bob.id, alice.id, plain.message_id)
    assert forwarded.forward_origin is not None and not forwarded.has_protected_content


async def test_a_person_cannot_forward_protected_content_out_of_the_chat(
    bot: Bot, emu: BotAPIEmulator
) -> None:
    alice = emu.user("Alice", started=True)
    doc = (await alice.send_document(file_name="work.zip")).file_id
    assert doc is not None
    protected = await bot.send_document(alice.id, doc, caption="Preview", protect_content=True)
    attempt = alice.forward(protected.message_id)
    assert attempt.refused and attempt.reason == PROTECTED_CONTENT
    assert attempt.content is None and alice.forwarded == []
    plain = await bot.send_document(alice.id, doc, caption="Yours now")
    went = alice.forward(plain.message_id)
    assert not went.refused and went.content is not None
    assert went.content["document"]["file_id"] == doc
    assert went.content["caption"] == "Yours now"
    assert alice.forwarded == [went.content]
    emu.assert_clean()
