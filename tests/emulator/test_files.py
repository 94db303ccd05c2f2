"""Files: user uploads, getFile + download, reuse by file_id, bot uploads."""

from __future__ import annotations

import io

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile

from emulator import BotAPIEmulator


async def test_user_document_round_trip(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice")
    content = b"%PDF-1.4 project specification"
    sent = await alice.send_document(file_name="spec.pdf", content=content, caption="my spec")
    assert sent.document is not None and sent.document["mime_type"] == "application/pdf"
    file_id = sent.file_id
    assert file_id is not None
    file = await bot.get_file(file_id)
    assert file.file_path is not None and file.file_size == len(content)
    buffer = io.BytesIO()
    await bot.download_file(file.file_path, buffer)
    assert buffer.getvalue() == content
    resent = await bot.send_document(alice.id, file_id, caption="got it")
    assert resent.document is not None and resent.document.file_id == file_id
    emu.assert_clean()


async def test_user_photo_can_be_resent_as_photo_only(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice")
    photo = await alice.send_photo(caption="logo")
    assert photo.photo is not None and len(photo.photo) == 2
    assert photo.file_id == photo.photo[-1]["file_id"]
    assert photo.file_id is not None
    sent = await bot.send_photo(alice.id, photo.file_id)
    assert sent.photo is not None
    with pytest.raises(TelegramBadRequest, match="can't use file of type Photo as Document"):
        await bot.send_document(alice.id, photo.file_id)


async def test_unknown_file_id_is_rejected(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_document(alice.id, "BQACAgIAAxkBAAIBadFileId")
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_bot_uploads_get_new_file_ids(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    first = await bot.send_document(alice.id, BufferedInputFile(b"a,b\n1,2\n", filename="bids.csv"))
    second = await bot.send_document(
        alice.id, BufferedInputFile(b"a,b\n1,2\n", filename="bids.csv")
    )
    assert first.document is not None and second.document is not None
    assert first.document.file_id != second.document.file_id
    assert first.document.file_name == "bids.csv" and first.document.mime_type == "text/csv"
    photo = await bot.send_photo(alice.id, BufferedInputFile(b"\x89PNG fake", filename="p.png"))
    assert photo.photo is not None
    stored = alice.messages
    assert [m.document["file_name"] if m.document else "photo" for m in stored] == [
        "bids.csv",
        "bids.csv",
        "photo",
    ]
    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_document(alice.id, BufferedInputFile(b"", filename="empty.txt"))


async def test_caption_limit(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice")
    doc = await alice.send_document()
    assert doc.file_id is not None
    await bot.send_document(alice.id, doc.file_id, caption="c" * 1024)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(alice.id, doc.file_id, caption="c" * 1025)


async def test_media_group(bot: Bot, emu: BotAPIEmulator) -> None:
    from aiogram.types import InputMediaPhoto

    alice = emu.user("Alice")
    photo = await alice.send_photo()
    assert photo.file_id is not None
    sent = await bot.send_media_group(
        alice.id,
        [
            InputMediaPhoto(media=photo.file_id, caption="first"),
            InputMediaPhoto(media=BufferedInputFile(b"\x89PNG two", filename="2.png")),
        ],
    )
    assert len(sent) == 2 and sent[0].media_group_id == sent[1].media_group_id
    assert [m.caption for m in sent] == ["first", None]
    emu.assert_clean()


async def test_a_web_page_can_neither_call_the_api_nor_be_served_as_one(
    bot: Bot, emu: BotAPIEmulator
) -> None:
    """On a developer's machine the emulator listens on loopback with a known token: a
    page in their browser must not post to it as the bot, nor run an uploaded page on
    its origin."""
    alice = emu.user("Alice")
    page = b"<html><script>fetch('/bot42:TEST/sendMessage')</script></html>"
    sent = await alice.send_document(file_name="invoice.html", content=page)
    assert sent.file_id is not None
    file = await bot.get_file(sent.file_id)
    url = f"{emu.base_url}/file/bot{emu.token}/{file.file_path}"
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert response.status == 200 and await response.read() == page
            assert response.headers["Content-Type"] == "application/octet-stream"
            assert response.headers["Content-Disposition"] == "attachment"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        foreign = {"Origin": "https://evil.example"}
        async with session.get(url, headers=foreign) as response:
            assert response.status == 403
        form = {"chat_id": str(alice.id), "text": "pay me"}
        api = f"{emu.base_url}/bot{emu.token}/sendMessage"
        async with session.post(api, data=form, headers=foreign) as response:
            assert response.status == 403
    assert alice.messages == []
    emu.assert_clean()
