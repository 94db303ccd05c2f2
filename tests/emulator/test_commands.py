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
