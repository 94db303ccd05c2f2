"""Everything the emulated Telegram knows, shared by the HTTP side and the simulated people.

Method handlers (the bot's side) and :mod:`emulator.people` (the humans' side) both operate on
one :class:`EmulatorState`; keeping it in one object makes the emulator easy to reuse in other
harnesses (sandbox, benchmarks) without the HTTP server.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.chats import JSON, Chat, ChatMessage, PeopleChat, UserProfile
from emulator.errors import TelegramError, bad_request, forbidden
from emulator.faults import Faults
from emulator.files import FileStore
from emulator.keyboards import validate_reply_markup
from emulator.limits import RateLimiter, RateLimits, ignored_retry_after
from emulator.payments import PaymentLedger
from emulator.queries import QueryTracker
from emulator.records import CallLog, Violation, ViolationKind
from emulator.text import FormattedText
from emulator.updates import UpdateQueue
from emulator.webhook import WebhookDelivery
from emulator.wire import optional

FIRST_USER_ID = 100_000_001
FIRST_PEOPLE_CHAT_ID = -(10**13)  # below any group's id: a chat only the two people see


@dataclass(frozen=True)
class EmulatorConfig:
    """Identity of the emulated bot and the strictness knobs."""

    token: str = "42:TEST"
    strict: bool = True
    """Reject unknown parameters (real Telegram ignores them; a typo is nearly always a bug)."""
    bot_username: str = "bidgram_test_bot"
    bot_first_name: str = "Bidgram"
    supports_inline_queries: bool = True
    callback_timeout: float = 10.0
    """Seconds the bot has to answer a callback query (Telegram's practical limit)."""
    inline_timeout: float = 10.0
    pre_checkout_timeout: float = 10.0
    """Seconds the bot has to answer a pre-checkout query before the payment fails."""
    rate_limits: RateLimits = field(default_factory=RateLimits)
    webhook_timeout: float = 60.0
    """Seconds a webhook delivery may take before it counts as failed and is retried."""
    webhook_retry_delay: float = 0.2
    """Delay before the first retry of a failed delivery (doubling, at most the next)."""
    webhook_max_retry_delay: float = 5.0
    first_update_id: int = 1
    """Telegram's update ids go on rising across restarts; a test that brings a bot back on
    an old database starts past the ids it handled."""

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])


class EmulatorState:
    """The emulated world: bot identity, people, chats, files, queues and ledgers."""

    def __init__(self, config: EmulatorConfig, clock: Callable[[], float] | None = None) -> None:
        self.config = config
        self._clock = clock or time.time
        self.profiles: dict[int, UserProfile] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.updates = UpdateQueue(config.first_update_id)
        self.log = CallLog()
        self.webhook = WebhookDelivery(
            self.updates,
            self.log,
            timeout=config.webhook_timeout,
            retry_delay=config.webhook_retry_delay,
            max_retry_delay=config.webhook_max_retry_delay,
        )
        self.queries = QueryTracker(self.log)
        self.payments = PaymentLedger()
        self.limiter = RateLimiter(config.rate_limits)
        self.faults = Faults()
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.inline_answers: list[JSON] = []
        self.people_chats: dict[frozenset[int], PeopleChat] = {}
        self.inline_messages: dict[str, Chat] = {}
        """Where each message sent via the bot in inline mode (with buttons) is."""
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._people_chat_ids = itertools.count(FIRST_PEOPLE_CHAT_ID, -1)

    # -- identity ---------------------------------------------------------------------------

    def bot_json(self) -> JSON:
        """The bot as a ``User`` (the ``from`` of its messages)."""
        return {
            "id": self.config.bot_id,
            "is_bot": True,
            "first_name": self.config.bot_first_name,
            "username": self.config.bot_username,
        }

    def now(self) -> int:
        """Unix time as this Telegram's clock says (the wall clock unless one was given)."""
        return int(self._clock())

    def add_user(self, profile_args: dict[str, Any], user_id: int | None) -> UserProfile:
        """Create a person and their private chat with the bot."""
        uid = user_id if user_id is not None else next(self._user_ids)
        if uid in self.profiles:
            raise ValueError(f"user id {uid} already exists")
        profile = UserProfile(id=uid, **profile_args)
        self.profiles[uid] = profile
        self.chats[uid] = Chat(profile)
        return profile

    def people_chat(self, first: UserProfile, second: UserProfile) -> PeopleChat:
        """The private chat between two people, opened the first time it is asked for."""
        if first.id == second.id:
            raise ValueError("a person has no chat with themselves")
        key = frozenset((first.id, second.id))
        chat = self.people_chats.get(key)
        if chat is None:
            chat = self.people_chats[key] = PeopleChat(next(self._people_chat_ids), first, second)
        return chat

    def chat_by_id(self, chat_id: int) -> Chat | None:
        """A chat with the bot or between two people, by its id."""
        found = self.chats.get(chat_id)
        if found is not None:
            return found
        return next((c for c in self.people_chats.values() if c.id == chat_id), None)

    # -- resolving targets ------------------------------------------------------------------

    def target_chat(self, chat_id: int | str) -> Chat:
        """The chat a bot call addresses, with Telegram's refusals."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.owner.blocked_bot:
            raise forbidden("bot was blocked by the user")
        if not chat.owner.started_bot:
            raise forbidden("bot can't initiate conversation with a user")
        return chat

    def throttle(self, chat: Chat) -> None:
        """Apply flood limits to one outgoing message; record a violation if ignored."""
        try:
            self.limiter.check(chat.id)
        except TelegramError as error:
            if ignored_retry_after(error):
                self.log.add_violation(
                    Violation(
                        ViolationKind.RETRY_AFTER_IGNORED,
                        f"sent to chat {chat.id} before the previous retry_after expired",
                    )
                )
            raise

    def set_rate_limits(self, limits: RateLimits) -> None:
        self.limiter.configure(limits)

    # -- building messages ------------------------------------------------------------------

    def reply_target(
        self,
        chat: Chat,
        reply_parameters: Any,
        reply_to_message_id: int | None,
        allow_without_reply: bool | None,
    ) -> ChatMessage | None:
        """Resolve reply_parameters / legacy reply_to_message_id in the target chat."""
        message_id = reply_to_message_id
        if reply_parameters is not None:
            message_id = reply_parameters.message_id
            if reply_parameters.chat_id not in (None, chat.id):
                raise bad_request("message to be replied not found")
            allow_without_reply = optional(reply_parameters.allow_sending_without_reply)
        if message_id is None:
            return None
        target = chat.get(message_id)
        if target is None and not allow_without_reply:
            raise bad_request("message to be replied not found")
        return target

    def bot_message(
        self,
        chat: Chat,
        content: JSON,
        *,
        raw: str | None = None,
        parse_mode: str | None = None,
        reply_markup: Any = None,
        reply_to: ChatMessage | None = None,
    ) -> ChatMessage:
        """Store a new message from the bot (after flood control) and return it."""
        markup = validate_reply_markup(reply_markup)
        self.throttle(chat)
        payload = self._payload(chat, self.bot_json(), content, reply_to)
        if markup is not None:
            payload["reply_markup"] = markup
        message = ChatMessage(chat.id, payload["message_id"], payload, True, raw, parse_mode)
        return chat.add(message)

    def user_message(
        self,
        chat: Chat,
        content: JSON,
        reply_to: ChatMessage | None = None,
        *,
        sender: UserProfile | None = None,
        inline: bool = False,
    ) -> JSON:
        """Store a message a person sent (the chat's owner unless ``sender`` says) and
        return its payload (for the update). ``inline``: sent via the bot in inline mode,
        where buttons give it an ``inline_message_id``."""
        payload = self._payload(chat, (sender or chat.owner).user_json(), content, reply_to)
        inline_id = None
        if inline and "reply_markup" in content:
            inline_id = secrets.token_urlsafe(24)
            self.inline_messages[inline_id] = chat
        chat.add(
            ChatMessage(
                chat.id,
                payload["message_id"],
                payload,
                from_bot=False,
                inline_message_id=inline_id,
            )
        )
        return payload

    def _payload(
        self, chat: Chat, sender: JSON, content: JSON, reply_to: ChatMessage | None
    ) -> JSON:
        """A new message's ``Message`` JSON: the next id in the chat, dated now."""
        payload: JSON = {
            "message_id": chat.next_message_id(),
            "from": sender,
            "chat": chat.chat_json(),
            "date": self.now(),
            **content,
        }
        if reply_to is not None:
            payload["reply_to_message"] = {
                k: v for k, v in reply_to.payload.items() if k != "reply_to_message"
            }
        return payload

    def inline_message(self, inline_message_id: str) -> tuple[Chat, ChatMessage]:
        """A message sent via the bot in inline mode, for an edit by its id."""
        chat = self.inline_messages.get(inline_message_id)
        messages = chat.all_messages() if chat is not None else []
        found = [m for m in messages if m.inline_message_id == inline_message_id]
        if chat is None or not found:
            raise bad_request("MESSAGE_ID_INVALID")
        return chat, found[0]


def text_content(formatted: FormattedText, key: str = "text") -> JSON:
    """``{"text": ..., "entities": [...]}`` (or caption/caption_entities) for a payload."""
    content: JSON = {key: formatted.text}
    entities = formatted.entity_list()
    if entities:
        content["entities" if key == "text" else "caption_entities"] = entities
    return content
