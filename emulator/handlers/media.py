"""Media messages and file download: uploads get fresh file ids, reuse needs a real file_id."""

from __future__ import annotations

import secrets
from typing import Any

from aiogram.methods import (
    GetFile,
    SendAnimation,
    SendAudio,
    SendDocument,
    SendMediaGroup,
    SendPhoto,
    SendSticker,
    SendVideo,
    SendVoice,
)

from emulator.chats import JSON, Chat
from emulator.errors import bad_request
from emulator.files import StoredFile
from emulator.handlers.messages import entities_wire, protect, reject_business
from emulator.handlers.registry import handles
from emulator.state import EmulatorState, text_content
from emulator.text import check_caption, parse_formatted
from emulator.wire import optional

MediaCall = SendPhoto | SendDocument | SendVideo | SendAudio | SendVoice | SendAnimation
_KIND_OF = {
    SendPhoto: "photo",
    SendDocument: "document",
    SendVideo: "video",
    SendAudio: "audio",
    SendVoice: "voice",
    SendAnimation: "animation",
}


def media_json(stored: StoredFile, kind: str) -> Any:
    """How a stored file appears inside a Message under the ``kind`` key."""
    if kind == "photo":
        return [stored.photo_size_json()]
    if kind == "sticker":
        return stored.sticker_json()
    media = stored.document_json()
    if kind in ("video", "animation"):
        media.update(width=640, height=360, duration=1)
    elif kind in ("audio", "voice"):
        media["duration"] = 1
    return media


def caption_content(caption: str | None, parse_mode: str | None, entities: Any) -> JSON:
    formatted = parse_formatted(caption or "", parse_mode, entities_wire(entities))
    check_caption(formatted)
    return text_content(formatted, "caption") if formatted.text else {}


@handles(SendPhoto, SendDocument, SendVideo, SendAudio, SendVoice, SendAnimation)
async def send_media(state: EmulatorState, call: MediaCall) -> JSON:
    reject_business(call.business_connection_id)
    kind = _KIND_OF[type(call)]
    chat = state.target_chat(call.chat_id)
    parse_mode = optional(call.parse_mode)
    content = caption_content(call.caption, parse_mode, call.caption_entities)
    stored = state.files.resolve(getattr(call, kind), kind)
    content[kind] = media_json(stored, kind)
    protect(content, call.protect_content)
    reply_to = state.reply_target(
        chat, call.reply_parameters, call.reply_to_message_id, call.allow_sending_without_reply
    )
    message = state.bot_message(
        chat,
        content,
        raw=call.caption,
        parse_mode=parse_mode,
        reply_markup=call.reply_markup,
        reply_to=reply_to,
    )
    return message.payload


@handles(SendSticker)
async def send_sticker(state: EmulatorState, call: SendSticker) -> JSON:
    reject_business(call.business_connection_id)
    chat = state.target_chat(call.chat_id)
    stored = state.files.resolve(call.sticker, "sticker")
    reply_to = state.reply_target(
        chat, call.reply_parameters, call.reply_to_message_id, call.allow_sending_without_reply
    )
    message = state.bot_message(
        chat,
        protect({"sticker": media_json(stored, "sticker")}, call.protect_content),
        reply_markup=call.reply_markup,
        reply_to=reply_to,
    )
    return message.payload


def _group_item(state: EmulatorState, item: Any) -> tuple[JSON, str | None, str | None]:
    kind = str(optional(getattr(item, "type", None)) or "")
    kind = getattr(kind, "value", kind)
    if kind not in ("photo", "video", "document", "audio"):
        raise bad_request(f"unsupported media type {kind!r} in a media group")
    parse_mode = optional(getattr(item, "parse_mode", None))
    content = caption_content(item.caption, parse_mode, item.caption_entities)
    content[kind] = media_json(state.files.resolve(item.media, kind), kind)
    return content, item.caption, parse_mode


@handles(SendMediaGroup)
async def send_media_group(state: EmulatorState, call: SendMediaGroup) -> list[JSON]:
    reject_business(call.business_connection_id)
    chat: Chat = state.target_chat(call.chat_id)
    if not 2 <= len(call.media) <= 10:
        raise bad_request("media group must include 2-10 items")
    kinds = {str(getattr(item, "type", "")) for item in call.media}
    if ("document" in kinds or "audio" in kinds) and len(kinds) > 1:
        raise bad_request("documents and audio can't be mixed with other media types")
    items = [_group_item(state, item) for item in call.media]
    reply_to = state.reply_target(
        chat, call.reply_parameters, call.reply_to_message_id, call.allow_sending_without_reply
    )
    group_id = str(secrets.randbits(60))
    sent = []
    for content, raw, parse_mode in items:
        content["media_group_id"] = group_id
        protect(content, call.protect_content)
        message = state.bot_message(
            chat, content, raw=raw, parse_mode=parse_mode, reply_to=reply_to
        )
        sent.append(message.payload)
    return sent


@handles(GetFile)
async def get_file(state: EmulatorState, call: GetFile) -> JSON:
    stored = state.files.get(call.file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.file_json()
