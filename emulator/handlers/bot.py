"""Bot-level methods: identity, update delivery (polling, webhook), commands and profile texts."""

from __future__ import annotations

import json
import re
from typing import Any

from aiogram.methods import (
    Close,
    DeleteMyCommands,
    DeleteWebhook,
    GetChat,
    GetChatMenuButton,
    GetMe,
    GetMyCommands,
    GetMyDescription,
    GetMyName,
    GetMyShortDescription,
    GetUpdates,
    GetWebhookInfo,
    LogOut,
    SetChatMenuButton,
    SetMyCommands,
    SetMyDescription,
    SetMyName,
    SetMyShortDescription,
    SetWebhook,
)

from emulator.errors import bad_request
from emulator.handlers.registry import handles
from emulator.state import EmulatorState
from emulator.updates import Update
from emulator.wire import to_wire

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION = 256


@handles(GetMe)
async def get_me(state: EmulatorState, call: GetMe) -> dict[str, Any]:
    return {
        **state.bot_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": state.config.supports_inline_queries,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@handles(GetUpdates)
async def get_updates(state: EmulatorState, call: GetUpdates) -> list[Update]:
    return await state.updates.get(call.offset, call.limit, call.timeout, call.allowed_updates)


@handles(DeleteWebhook)
async def delete_webhook(state: EmulatorState, call: DeleteWebhook) -> bool:
    await state.webhook.delete()
    if call.drop_pending_updates:
        state.updates.drop_pending()
    return True


@handles(SetWebhook)
async def set_webhook(state: EmulatorState, call: SetWebhook) -> bool:
    """An empty url removes the webhook, as in Telegram."""
    if not call.url:
        return await delete_webhook(
            state, DeleteWebhook(drop_pending_updates=call.drop_pending_updates)
        )
    if call.certificate is not None:
        raise bad_request("the emulator does not take self-signed certificates")
    state.webhook.set(call.url, call.secret_token, call.max_connections)
    if call.allowed_updates is not None:
        state.updates.allow(call.allowed_updates)
    if call.drop_pending_updates:
        state.updates.drop_pending()
    return True


@handles(GetWebhookInfo)
async def get_webhook_info(state: EmulatorState, call: GetWebhookInfo) -> dict[str, Any]:
    return state.webhook.info()


@handles(Close, LogOut)
async def close(state: EmulatorState, call: Close | LogOut) -> bool:
    return True


def scope_key(scope: Any, language_code: str | None) -> tuple[str, str]:
    if language_code and not _LANGUAGE.match(language_code):
        raise bad_request("invalid language code specified")
    wire = to_wire(scope) if scope is not None else {"type": "default"}
    return json.dumps(wire, sort_keys=True), language_code or ""


@handles(SetMyCommands)
async def set_my_commands(state: EmulatorState, call: SetMyCommands) -> bool:
    if len(call.commands) > MAX_COMMANDS:
        raise bad_request("too many commands")
    commands = []
    for command in call.commands:
        if not _COMMAND.match(command.command):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command.description.strip()
        if not description:
            raise bad_request("command description must be non-empty")
        if len(description) > MAX_COMMAND_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command.command, "description": description})
    state.commands[scope_key(call.scope, call.language_code)] = commands
    return True


@handles(GetMyCommands)
async def get_my_commands(state: EmulatorState, call: GetMyCommands) -> list[dict[str, Any]]:
    return list(state.commands.get(scope_key(call.scope, call.language_code), []))


@handles(DeleteMyCommands)
async def delete_my_commands(state: EmulatorState, call: DeleteMyCommands) -> bool:
    state.commands.pop(scope_key(call.scope, call.language_code), None)
    return True


@handles(SetChatMenuButton)
async def set_chat_menu_button(state: EmulatorState, call: SetChatMenuButton) -> bool:
    if call.chat_id is not None:
        state.target_chat(call.chat_id)
    state.menu_buttons[call.chat_id] = to_wire(call.menu_button) or {"type": "default"}
    return True


@handles(GetChatMenuButton)
async def get_chat_menu_button(state: EmulatorState, call: GetChatMenuButton) -> dict[str, Any]:
    button = state.menu_buttons.get(call.chat_id) or state.menu_buttons.get(None)
    return button or {"type": "commands" if state.commands else "default"}


_TEXT_LIMITS = {"name": 64, "description": 512, "short_description": 120}


def _set_text(state: EmulatorState, field: str, value: str | None, language: str | None) -> bool:
    key = scope_key(None, language)[1]
    if value and len(value) > _TEXT_LIMITS[field]:
        raise bad_request(f"bot {field.replace('_', ' ')} is too long")
    state.bot_texts[(field, key)] = value or ""
    return True


@handles(SetMyName)
async def set_my_name(state: EmulatorState, call: SetMyName) -> bool:
    return _set_text(state, "name", call.name, call.language_code)


@handles(SetMyDescription)
async def set_my_description(state: EmulatorState, call: SetMyDescription) -> bool:
    return _set_text(state, "description", call.description, call.language_code)


@handles(SetMyShortDescription)
async def set_my_short_description(state: EmulatorState, call: SetMyShortDescription) -> bool:
    return _set_text(state, "short_description", call.short_description, call.language_code)


@handles(GetMyName)
async def get_my_name(state: EmulatorState, call: GetMyName) -> dict[str, str]:
    default = state.config.bot_first_name
    return {"name": state.bot_texts.get(("name", call.language_code or ""), default)}


@handles(GetMyDescription)
async def get_my_description(state: EmulatorState, call: GetMyDescription) -> dict[str, str]:
    return {"description": state.bot_texts.get(("description", call.language_code or ""), "")}


@handles(GetMyShortDescription)
async def get_my_short_description(
    state: EmulatorState, call: GetMyShortDescription
) -> dict[str, str]:
    key = ("short_description", call.language_code or "")
    return {"short_description": state.bot_texts.get(key, "")}


@handles(GetChat)
async def get_chat(state: EmulatorState, call: GetChat) -> dict[str, Any]:
    chat = state.chats.get(call.chat_id) if isinstance(call.chat_id, int) else None
    if chat is None:
        raise bad_request("chat not found")
    gifts = {
        "unlimited_gifts": True,
        "limited_gifts": True,
        "unique_gifts": True,
        "premium_subscription": True,
        "gifts_from_channels": True,
    }
    return {
        **chat.chat_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }
