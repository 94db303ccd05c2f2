"""Text messages: send, edit, delete, copy, forward, chat actions.

Edits follow Telegram's quirks that bots trip over: an edit without ``reply_markup`` removes
the inline keyboard, an edit that changes nothing is rejected as "not modified", and only the
bot's own messages can be edited. A message sent with ``protect_content`` is marked
``has_protected_content`` and, as on Telegram, can be neither forwarded nor copied.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import (
    CopyMessage,
    DeleteMessage,
    DeleteMessages,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    ForwardMessage,
    SendChatAction,
    SendMessage,
)

from emulator.chats import JSON, Chat, ChatMessage
from emulator.errors import bad_request
from emulator.handlers.registry import handles
from emulator.keyboards import validate_reply_markup
from emulator.state import EmulatorState, text_content
from emulator.text import check_caption, check_message_text, parse_formatted
from emulator.wire import optional, to_wire

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MEDIA_KEYS = ("photo", "document", "video", "audio", "voice", "animation", "sticker")
_UNCOPYABLE = ("successful_payment", "invoice", "refunded_payment")


def reject_business(business_connection_id: str | None) -> None:
    """The emulator has no business accounts."""
    if business_connection_id:
        raise bad_request("BUSINESS_CONNECTION_INVALID")


def entities_wire(entities: Any) -> list[JSON] | None:
    return to_wire(entities) if entities else None


def protect(content: JSON, protect_content: Any) -> JSON:
    """Mark content sent with ``protect_content`` the way Telegram shows it in a Message."""
    if optional(protect_content):
        content["has_protected_content"] = True
    return content


@handles(SendMessage)
async def send_message(state: EmulatorState, call: SendMessage) -> JSON:
    reject_business(call.business_connection_id)
    chat = state.target_chat(call.chat_id)
    parse_mode = optional(call.parse_mode)
    formatted = parse_formatted(call.text, parse_mode, entities_wire(call.entities))
    check_message_text(formatted)
    reply_to = state.reply_target(
        chat, call.reply_parameters, call.reply_to_message_id, call.allow_sending_without_reply
    )
    content = protect(text_content(formatted), call.protect_content)
    message = state.bot_message(
        chat,
        content,
        raw=call.text,
        parse_mode=parse_mode,
        reply_markup=call.reply_markup,
        reply_to=reply_to,
    )
    return message.payload


def editable_message(
    state: EmulatorState,
    chat_id: int | str | None,
    message_id: int | None,
    inline_message_id: str | None,
) -> tuple[Chat, ChatMessage]:
    """The bot message an edit call addresses, with Telegram's refusals: by chat and
    message id, or a message sent via the bot in inline mode by its ``inline_message_id``
    (then neither of the others)."""
    if inline_message_id is not None:
        if chat_id is not None or message_id is not None:
            raise bad_request("chat_id and message_id must be empty with inline_message_id")
        return state.inline_message(inline_message_id)
    if chat_id is None:
        raise bad_request("chat_id is empty")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    chat = state.target_chat(chat_id)
    message = chat.get(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def _same(a: Any, b: Any) -> bool:
    return bool((a or None) == (b or None))


@handles(EditMessageText)
async def edit_message_text(state: EmulatorState, call: EditMessageText) -> JSON | bool:
    reject_business(call.business_connection_id)
    chat, message = editable_message(state, call.chat_id, call.message_id, call.inline_message_id)
    if call.text is None:
        raise bad_request("message text is empty")
    if "text" not in message.payload:
        raise bad_request("there is no text in the message to edit")
    parse_mode = optional(call.parse_mode)
    formatted = parse_formatted(call.text, parse_mode, entities_wire(call.entities))
    check_message_text(formatted)
    markup = validate_reply_markup(call.reply_markup, inline_only=True)
    old = message.payload
    if (
        formatted.text == old["text"]
        and _same(formatted.entity_list(), old.get("entities"))
        and _same(markup, old.get("reply_markup"))
    ):
        raise bad_request(NOT_MODIFIED)
    payload = _edited(old, text_content(formatted), markup, ("text", "entities"), state.now())
    return _result(chat.edit(message, payload, raw=call.text, parse_mode=parse_mode))


def _result(edited: ChatMessage) -> JSON | bool:
    """An edit answers with the message, or ``True`` for a message sent in inline mode."""
    return True if edited.inline_message_id is not None else edited.payload


def _edited(
    old: JSON, content: JSON, markup: JSON | None, replaced: tuple[str, ...], now: int
) -> JSON:
    payload = {k: v for k, v in old.items() if k not in (*replaced, "reply_markup")}
    payload.update(content)
    if markup:
        payload["reply_markup"] = markup
    payload["edit_date"] = now
    return payload


@handles(EditMessageCaption)
async def edit_message_caption(state: EmulatorState, call: EditMessageCaption) -> JSON | bool:
    reject_business(call.business_connection_id)
    chat, message = editable_message(state, call.chat_id, call.message_id, call.inline_message_id)
    if not any(key in message.payload for key in MEDIA_KEYS):
        raise bad_request("there is no caption in the message to edit")
    parse_mode = optional(call.parse_mode)
    formatted = parse_formatted(
        call.caption or "", parse_mode, entities_wire(call.caption_entities)
    )
    check_caption(formatted)
    markup = validate_reply_markup(call.reply_markup, inline_only=True)
    old = message.payload
    if (
        formatted.text == (old.get("caption") or "")
        and _same(formatted.entity_list(), old.get("caption_entities"))
        and _same(markup, old.get("reply_markup"))
    ):
        raise bad_request(NOT_MODIFIED)
    content = text_content(formatted, "caption") if formatted.text else {}
    payload = _edited(old, content, markup, ("caption", "caption_entities"), state.now())
    return _result(chat.edit(message, payload, raw=call.caption, parse_mode=parse_mode))


@handles(EditMessageReplyMarkup)
async def edit_message_reply_markup(
    state: EmulatorState, call: EditMessageReplyMarkup
) -> JSON | bool:
    reject_business(call.business_connection_id)
    chat, message = editable_message(state, call.chat_id, call.message_id, call.inline_message_id)
    markup = validate_reply_markup(call.reply_markup, inline_only=True)
    if _same(markup, message.payload.get("reply_markup")):
        raise bad_request(NOT_MODIFIED)
    payload = _edited(message.payload, {}, markup, (), state.now())
    return _result(chat.edit(message, payload))


@handles(DeleteMessage)
async def delete_message(state: EmulatorState, call: DeleteMessage) -> bool:
    chat = state.target_chat(call.chat_id)
    message = chat.get(call.message_id)
    if message is None:
        raise bad_request("message to delete not found")
    chat.delete(message)
    return True


@handles(DeleteMessages)
async def delete_messages(state: EmulatorState, call: DeleteMessages) -> bool:
    if not 1 <= len(call.message_ids) <= 100:
        raise bad_request("message_ids must contain 1-100 identifiers")
    chat = state.target_chat(call.chat_id)
    found = [m for m in (chat.get(mid) for mid in call.message_ids) if m is not None]
    if not found:
        raise bad_request("message to delete not found")
    for message in found:
        chat.delete(message)
    return True


def _source(
    state: EmulatorState, from_chat_id: int | str, message_id: int, verb: str
) -> ChatMessage:
    source_chat = state.chats.get(from_chat_id) if isinstance(from_chat_id, int) else None
    if source_chat is None:
        raise bad_request("chat not found")
    source = source_chat.get(message_id)
    if source is None:
        raise bad_request(f"message to {verb} not found")
    if any(key in source.payload for key in _UNCOPYABLE) or source.payload.get(
        "has_protected_content"
    ):
        raise bad_request(
            f"message can't be {verb}ed" if verb != "copy" else "message can't be copied"
        )
    return source


def content_of(message: ChatMessage) -> JSON:
    """What a copy or a forward of ``message`` carries (its text or media, not its markup)."""
    keys = ("text", "entities", "caption", "caption_entities", *MEDIA_KEYS)
    return {k: v for k, v in message.payload.items() if k in keys}


@handles(CopyMessage)
async def copy_message(state: EmulatorState, call: CopyMessage) -> JSON:
    source = _source(state, call.from_chat_id, call.message_id, "copy")
    chat = state.target_chat(call.chat_id)
    content = protect(content_of(source), call.protect_content)
    raw, parse_mode = source.raw, source.parse_mode
    if call.caption is not None:
        if "text" in content:
            raise bad_request("caption can't be specified for a text message")
        parse_mode = optional(call.parse_mode)
        formatted = parse_formatted(call.caption, parse_mode, entities_wire(call.caption_entities))
        check_caption(formatted)
        content = {k: v for k, v in content.items() if k not in ("caption", "caption_entities")}
        if formatted.text:
            content.update(text_content(formatted, "caption"))
        raw = call.caption
    reply_to = state.reply_target(
        chat, call.reply_parameters, call.reply_to_message_id, call.allow_sending_without_reply
    )
    message = state.bot_message(
        chat,
        content,
        raw=raw,
        parse_mode=parse_mode,
        reply_markup=call.reply_markup,
        reply_to=reply_to,
    )
    return {"message_id": message.message_id}


@handles(ForwardMessage)
async def forward_message(state: EmulatorState, call: ForwardMessage) -> JSON:
    source = _source(state, call.from_chat_id, call.message_id, "forward")
    chat = state.target_chat(call.chat_id)
    origin = {"type": "user", "sender_user": source.payload["from"], "date": source.payload["date"]}
    content = protect({**content_of(source), "forward_origin": origin}, call.protect_content)
    message = state.bot_message(chat, content, raw=source.raw, parse_mode=source.parse_mode)
    return message.payload


@handles(SendChatAction)
async def send_chat_action(state: EmulatorState, call: SendChatAction) -> bool:
    reject_business(call.business_connection_id)
    chat = state.target_chat(call.chat_id)
    if call.action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.last_action = call.action
    return True
