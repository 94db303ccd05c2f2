"""setMyCommands / getMyCommands / deleteMyCommands and command validation."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from emulator import BotAPIEmulator


async def test_commands_round_trip(bot: Bot, emu: BotAPIEmulator) -> None:
    commands = [
        BotCommand(command="start", description="Start"),
        BotCommand(command="x" * 32, description="d" * 256),
    ]
    assert await bot.set_my_commands(commands)
    assert [c.command for c in await bot.get_my_commands()] == ["start", "x" * 32]
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(
        [BotCommand(command="help", description="Help")], scope=scope, language_code="ru"
    )
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="ru")] == [
        "help"
    ]
    assert emu.my_commands(scope={"type": "all_private_chats"}, language_code="ru") == [
        {"command": "help", "description": "Help"}
    ]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == []
    emu.assert_clean()


@pytest.mark.parametrize(
    ("command", "description", "error"),
    [
        ("Start", "Start", "BOT_COMMAND_INVALID"),
        ("/start", "Start", "BOT_COMMAND_INVALID"),
        ("x" * 33, "Too long", "BOT_COMMAND_INVALID"),
        ("new-project", "Dash", "BOT_COMMAND_INVALID"),
        ("start", " ", "command description must be non-empty"),
        ("start", "d" * 257, "BOT_COMMAND_DESCRIPTION_INVALID"),
    ],
)
async def test_invalid_commands(
    bot: Bot, emu: BotAPIEmulator, command: str, description: str, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.set_my_commands([BotCommand(command=command, description=description)])
    assert await bot.get_my_commands() == []


async def test_the_bots_description_and_short_description_round_trip(
    bot: Bot, emu: BotAPIEmulator
) -> None:
    assert (await bot.get_my_description()).description == ""
    assert await bot.set_my_description("A marketplace. " * 34)  # 510 characters
    assert await bot.set_my_short_description("Post projects, bid, get paid.")
    assert await bot.set_my_description("Un marché.", language_code="fr")
    assert (await bot.get_my_description()).description == "A marketplace. " * 34
    assert (await bot.get_my_description(language_code="fr")).description == "Un marché."
    short = await bot.get_my_short_description()
    assert short.short_description == "Post projects, bid, get paid."
    assert emu.my_description() == "A marketplace. " * 34
    assert emu.my_description(short=True) == "Post projects, bid, get paid."
    assert emu.my_description(language_code="fr") == "Un marché."
    assert await bot.set_my_description("")  # an empty one removes it
    assert (await bot.get_my_description()).description == ""
    emu.assert_clean()


@pytest.mark.parametrize(("field", "limit"), [("description", 512), ("short_description", 120)])
async def test_a_description_over_telegrams_limit_is_refused(
    bot: Bot, emu: BotAPIEmulator, field: str, limit: int
) -> None:
    setter = bot.set_my_description if field == "description" else bot.set_my_short_description
    assert await setter("d" * limit)
    with pytest.raises(TelegramBadRequest, match="too long"):
        await setter("d" * (limit + 1))
    assert emu.my_description(short=field == "short_description") == "d" * limit
