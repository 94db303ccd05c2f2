"""What the page is sent: chats and messages as plain JSON, formatting already made safe.

Message text goes out as Telegram's canonical HTML (the subset it renders, text escaped by
:func:`emulator.render_html`); the page still whitelists tags before showing it.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import BotCommandScopeChat

from emulator import (
    BotAPIEmulator,
    ChatEvent,
    ChatMessage,
    EventKind,
    SimulatedUser,
    parse_html,
    render_html,
)
from emulator.handlers.bot import scope_key
from emulator.state import EmulatorState

JSON = dict[str, Any]
#: Pictures a browser shows without running anything (not SVG): these get a thumbnail.
PICTURES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def bot_json(emu: BotAPIEmulator) -> JSON:
    """The bot as a chat's header and its empty chat show it ("What can this bot do?")."""
    me = emu.state.bot_json()
    return {
        "id": me["id"],
        "name": emu.state.bot_texts.get(("name", ""), me["first_name"]),
        "username": me["username"],
        "description": emu.my_description(),
        "short_description": emu.my_description(short=True),
    }


def button_json(raw: JSON) -> JSON:
    """One inline button: its label and what pressing it does."""
    out: JSON = {"text": raw["text"]}
    for key in ("callback_data", "url", "pay", "switch_inline_query_current_chat"):
        if key in raw:
            out[key] = raw[key]
    if "switch_inline_query" in raw:
        out["switch_inline_query_current_chat"] = raw["switch_inline_query"]
    return out


def message_json(message: ChatMessage) -> JSON:
    """A message as the page draws it (current state: edits applied)."""
    payload = message.payload
    out: JSON = {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "sender": payload["from"]["id"],
        "date": payload["date"],
        "html": message.html,
        "edited": message.version > 0 or message.is_edited,
        "buttons": [[button_json(button.raw) for button in row] for row in message.buttons],
    }
    if message.protected:
        out["protected"] = True  # protect_content: no forwarding or saving
    via = payload.get("via_bot")
    if via:
        out["via_bot"] = via.get("username") or via["first_name"]
    if message.inline_message_id is not None:
        out["inline"] = True  # its callback buttons are pressed by inline_message_id
    reply = payload.get("reply_to_message")
    if reply:
        quoted = str(reply.get("text") or reply.get("caption") or "")
        out["reply_to"] = {"id": reply["message_id"], "text": quoted[:120]}
    document = payload.get("document")
    if document:
        out["document"] = {
            "file_id": document["file_id"],
            "file_name": document.get("file_name") or "file",
            "size": document.get("file_size") or 0,
        }
        if document.get("mime_type") in PICTURES:
            out["thumbnail"] = document["file_id"]
    if payload.get("photo"):
        out["photo"] = {"file_id": payload["photo"][-1]["file_id"]}
        out["thumbnail"] = payload["photo"][-1]["file_id"]
    if payload.get("sticker"):
        out["sticker"] = payload["sticker"].get("emoji") or "sticker"
    invoice = payload.get("invoice")
    if invoice:
        out["invoice"] = {
            "title": invoice["title"],
            "description": invoice["description"],
            "total_amount": invoice["total_amount"],
            "currency": invoice["currency"],
        }
    paid = payload.get("successful_payment")
    if paid:
        out["payment"] = {"total_amount": paid["total_amount"], "currency": paid["currency"]}
    return out


def event_json(person_id: int, event: ChatEvent, other: int | None = None) -> JSON:
    """A change in a chat: a message sent, edited in place or deleted. ``with`` names the
    other person of a chat between two people (absent: the person's chat with the bot)."""
    out: JSON = {"person": person_id, "kind": str(event.kind)}
    if other is not None:
        out["with"] = other
    if event.kind is EventKind.DELETED:
        out["id"] = event.message.message_id
    else:
        out["message"] = message_json(event.message)
    return out


def reply_keyboard(person: SimulatedUser) -> JSON | None:
    """The reply keyboard the bot left under this chat's input field, if any."""
    for message in reversed(person.chat.bot_messages()):
        markup = message.payload.get("reply_markup") or {}
        if "remove_keyboard" in markup:
            return None
        if "keyboard" in markup:
            return {
                "rows": [[str(b["text"]) for b in row] for row in markup["keyboard"]],
                "placeholder": markup.get("input_field_placeholder") or "",
                "one_time": bool(markup.get("one_time_keyboard")),
            }
    return None


def commands(state: EmulatorState, person_id: int, language: str = "") -> list[JSON]:
    """The command menu this person sees, as Telegram picks it: their own scope before the
    default one, and in each the menu for their client's language before the general one."""
    chosen: list[JSON] = []
    for scope in (BotCommandScopeChat(chat_id=person_id), None):
        for code in dict.fromkeys((language, "")):
            chosen = state.commands.get(scope_key(scope, code or None), [])
            if chosen:
                return [{"command": c["command"], "description": c["description"]} for c in chosen]
    return chosen


def language_of(person: SimulatedUser) -> str:
    """The language the person's Telegram client reports."""
    return person.profile.language_code or ""


def person_json(person: SimulatedUser, role: str, state: EmulatorState) -> JSON:
    return {
        "id": person.id,
        "name": person.first_name,
        "username": person.username,
        "language": language_of(person),
        "role": role,
        "messages": [message_json(m) for m in person.chat.all_messages()],
        "chats": [
            {"with": chat.other(person.profile).id, "messages": [message_json(m) for m in shown]}
            for chat in state.people_chats.values()
            if chat.has(person.profile) and (shown := chat.all_messages())
        ],
        "reply_keyboard": reply_keyboard(person),
        "commands": commands(state, person.id, language_of(person)),
        # What Telegram shows this person in an empty chat: in their client's language.
        "description": state.bot_texts.get(("description", language_of(person)))
        or state.bot_texts.get(("description", ""), ""),
    }


def inline_result_json(result: JSON) -> JSON:
    """An inline-mode article: title, description, the message it would share, its buttons."""
    content = result.get("input_message_content") or {}
    html = ""
    if "message_text" in content:
        text = str(content["message_text"])
        if content.get("parse_mode") == "HTML":
            formatted = parse_html(text)
            html = render_html(formatted.text, formatted.entity_list())
        else:
            html = render_html(text, content.get("entities") or [])
    markup = result.get("reply_markup") or {}
    return {
        "id": result.get("id"),
        "title": result.get("title") or "",
        "description": result.get("description") or "",
        "html": html,
        "buttons": [[button_json(b) for b in row] for row in markup.get("inline_keyboard", [])],
    }
