"""getUpdates: long polling, offset confirmation, limit, allowed_updates, conflicts."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError

from emulator import BotAPIEmulator, EmulatorError, ViolationKind


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, emu: BotAPIEmulator
) -> None:
    alice = emu.user("Alice")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await emu.wait_until_polling(after=0)
    await alice.send_text("/start")
    updates = await asyncio.wait_for(poll, timeout=5)
    assert time.monotonic() - started < 5
    [update] = updates
    assert update.message is not None and update.message.text == "/start"
    assert update.message.entities is not None
    assert update.message.entities[0].type == "bot_command"
    assert update.message.from_user is not None and update.message.from_user.id == alice.id


async def test_long_poll_honours_timeout(bot: Bot, emu: BotAPIEmulator) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 5
    assert await bot.get_updates(timeout=0) == []


async def test_offset_limit_and_negative_offset(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice")
    for text in ("one", "two", "three"):
        await alice.send_text(text)
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["one", "two", "three"]
    assert len(await bot.get_updates()) == 3  # nothing confirmed yet
    remaining = await bot.get_updates(offset=updates[1].update_id)
    assert [u.message.text for u in remaining if u.message] == ["two", "three"]
    assert len(await bot.get_updates(limit=1)) == 1
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["three"]
    assert await bot.get_updates(offset=last[0].update_id + 1) == []


async def test_allowed_updates_filters_new_updates(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice")
    await bot.get_updates(allowed_updates=["message"])
    with pytest.raises(EmulatorError, match="does not receive 'inline_query' updates"):
        await alice.inline_query("logo design")
    await alice.send_text("still fine")
    assert len(await bot.get_updates()) == 1


async def test_concurrent_polls_conflict(bot: Bot, emu: BotAPIEmulator) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await emu.wait_until_polling(after=0)
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, timeout=5)
    assert await second == []
    assert [v.kind for v in emu.violations] == [ViolationKind.POLLING_CONFLICT]


async def test_webhook_methods_while_polling(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice")
    await alice.send_text("queued")
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == []


async def test_redelivery_uses_a_new_update_id(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice")
    await alice.send_text("once")
    [original] = await bot.get_updates()
    [raw] = emu.state.updates.delivered
    emu.redeliver(raw)
    [again] = await bot.get_updates(offset=original.update_id + 1)
    assert again.update_id > original.update_id
    assert again.message is not None and original.message is not None
    assert again.message.message_id == original.message.message_id
