"""Chats and the messages in them, as a person looking at the chat would see them.

A chat keeps the *current* state of each message (edits applied, deletions marked) and an
ordered event log (sent / edited / deleted). Tests read snapshots (:class:`ChatMessage`), which
never change after the fact, so an assertion on an old snapshot stays meaningful.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from aiogram.types import Message

from emulator.errors import ButtonNotFound
from emulator.html import render_html
from emulator.waiting import Changes

JSON = dict[str, Any]
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass(frozen=True)
class Button:
    """One inline keyboard button."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: JSON = field(default_factory=dict, compare=False, repr=False)

    @property
    def action(self) -> str:
        """Which action field the button uses (``callback_data``, ``url``, ``pay``...)."""
        return next((name for name in _BUTTON_ACTIONS if name in self.raw), "")


@dataclass(frozen=True)
class ChatMessage:
    """An immutable snapshot of one message in a chat."""

    chat_id: int
    message_id: int
    payload: JSON = field(repr=False)
    """The Telegram ``Message`` object in JSON form."""
    from_bot: bool = True
    raw: str | None = field(default=None, repr=False)
    """Text or caption exactly as the bot passed it (before parse_mode)."""
    parse_mode: str | None = field(default=None, repr=False)
    version: int = 0
    """0 as sent, incremented by every edit."""
    deleted: bool = False
    inline_message_id: str | None = None
    """Set on a message sent via the bot in inline mode that has buttons: the bot edits it,
    and hears of presses on it, by this id (never by chat and message id)."""

    @property
    def text(self) -> str:
        """Visible text (or caption, for media); ``""`` when there is none."""
        return str(self.payload.get("text") or self.payload.get("caption") or "")

    @property
    def protected(self) -> bool:
        """Sent with ``protect_content``: official clients neither forward nor save it."""
        return bool(self.payload.get("has_protected_content"))

    @property
    def caption(self) -> str | None:
        caption = self.payload.get("caption")
        return None if caption is None else str(caption)

    @property
    def entities(self) -> list[JSON]:
        return list(self.payload.get("entities") or self.payload.get("caption_entities") or [])

    @property
    def html(self) -> str:
        """The visible text re-rendered as canonical Telegram HTML (formatting kept)."""
        return render_html(self.text, self.entities)

    @property
    def reply_markup(self) -> JSON | None:
        markup = self.payload.get("reply_markup")
        return dict(markup) if markup else None

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows; ``[]`` when the message has no inline keyboard."""
        markup = self.payload.get("reply_markup") or {}
        return [
            [Button(b["text"], b.get("callback_data"), b.get("url"), dict(b)) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, text: str | None = None, *, callback_data: str | None = None) -> Button:
        """Find a button by exact text or callback_data (or substring of text)."""
        flat = [button for row in self.buttons for button in row]
        for candidate in flat:
            if callback_data is not None and candidate.callback_data == callback_data:
                return candidate
            if text is not None and candidate.text == text:
                return candidate
        if text is not None:
            partial = [b for b in flat if text in b.text]
            if len(partial) == 1:
                return partial[0]
        wanted = f"text={text!r}" if text is not None else f"callback_data={callback_data!r}"
        raise ButtonNotFound(
            f"message {self.message_id} has no button {wanted}; buttons: "
            f"{[(b.text, b.callback_data or b.url) for b in flat]}; text: {self.text[:200]!r}"
        )

    @property
    def reply_to_message_id(self) -> int | None:
        reply = self.payload.get("reply_to_message")
        return int(reply["message_id"]) if reply else None

    @property
    def document(self) -> JSON | None:
        return self.payload.get("document")

    @property
    def photo(self) -> list[JSON] | None:
        return self.payload.get("photo")

    @property
    def sticker(self) -> JSON | None:
        return self.payload.get("sticker")

    @property
    def invoice(self) -> JSON | None:
        return self.payload.get("invoice")

    @property
    def successful_payment(self) -> JSON | None:
        return self.payload.get("successful_payment")

    @property
    def file_id(self) -> str | None:
        """The file of a media message (largest photo size for photos)."""
        for key in ("document", "sticker", "video", "audio", "voice", "animation"):
            if key in self.payload:
                return str(self.payload[key]["file_id"])
        if self.photo:
            return str(self.photo[-1]["file_id"])
        return None

    @property
    def is_edited(self) -> bool:
        return "edit_date" in self.payload

    @property
    def api(self) -> Message:
        """The message as an aiogram ``Message`` (handy for rich assertions)."""
        return Message.model_validate(self.payload)

    def __str__(self) -> str:
        state = " (deleted)" if self.deleted else " (edited)" if self.version else ""
        buttons = f" buttons={self.button_texts}" if self.buttons else ""
        return f"#{self.message_id}{state}: {self.text[:120]!r}{buttons}"


class EventKind(StrEnum):
    SENT = "sent"
    EDITED = "edited"
    DELETED = "deleted"


@dataclass(frozen=True)
class ChatEvent:
    """Something that happened to a message in a chat, in order."""

    kind: EventKind
    message: ChatMessage
    at: float = field(default_factory=time.monotonic)


@dataclass
class UserProfile:
    """A simulated Telegram account."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_premium: bool = False
    blocked_bot: bool = False
    started_bot: bool = False

    def user_json(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        if self.is_premium:
            user["is_premium"] = True
        return user

    def private_chat_json(self) -> JSON:
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat


class Chat:
    """A private chat between the bot and one person."""

    def __init__(self, owner: UserProfile) -> None:
        self.owner = owner
        self.id = owner.id
        self._next_id = 1
        self._current: dict[int, ChatMessage] = {}
        self.events: list[ChatEvent] = []
        self.changes = Changes()
        self.last_action: str | None = None

    def chat_json(self) -> JSON:
        return self.owner.private_chat_json()

    def next_message_id(self) -> int:
        """Private chats share one id sequence for both directions."""
        message_id = self._next_id
        self._next_id += 1
        return message_id

    def get(self, message_id: int) -> ChatMessage | None:
        """Current state of a message (``None`` if it never existed or was deleted)."""
        message = self._current.get(message_id)
        return None if message is None or message.deleted else message

    def add(self, message: ChatMessage) -> ChatMessage:
        self._current[message.message_id] = message
        self.events.append(ChatEvent(EventKind.SENT, message))
        self.changes.notify()
        return message

    def edit(
        self,
        message: ChatMessage,
        payload: JSON,
        raw: str | None = None,
        parse_mode: str | None = None,
    ) -> ChatMessage:
        edited = replace(
            message,
            payload=payload,
            version=message.version + 1,
            raw=raw if raw is not None else message.raw,
            parse_mode=parse_mode if raw is not None else message.parse_mode,
        )
        self._current[message.message_id] = edited
        self.events.append(ChatEvent(EventKind.EDITED, edited))
        self.changes.notify()
        return edited

    def delete(self, message: ChatMessage) -> None:
        deleted = replace(message, deleted=True)
        self._current[message.message_id] = deleted
        self.events.append(ChatEvent(EventKind.DELETED, deleted))
        self.changes.notify()

    def bot_messages(self, *, include_deleted: bool = False) -> list[ChatMessage]:
        """Current state of every bot message, oldest first."""
        return [
            m for m in self._current.values() if m.from_bot and (include_deleted or not m.deleted)
        ]

    def all_messages(self) -> list[ChatMessage]:
        """Current state of every message from both sides (deleted ones excluded)."""
        return [m for m in self._current.values() if not m.deleted]


class PeopleChat(Chat):
    """A private chat between two people, which the bot is not in.

    The bot never sees what they write there; only what one of them sends via the bot in
    inline mode reaches it (``chosen_inline_result``), and presses on that message's
    buttons, from either of them, come with its ``inline_message_id`` and no message.
    """

    def __init__(self, chat_id: int, first: UserProfile, second: UserProfile) -> None:
        super().__init__(first)
        self.id = chat_id
        self.members = (first, second)

    def chat_json(self) -> JSON:
        return {**self.members[1].private_chat_json(), "id": self.id}

    def has(self, person: UserProfile) -> bool:
        return any(member.id == person.id for member in self.members)

    def other(self, person: UserProfile) -> UserProfile:
        """The member who is not ``person``."""
        first, second = self.members
        return second if first.id == person.id else first
