"""Simulated people: the human side of the chat, written for readable end-to-end tests.

A :class:`SimulatedUser` acts (sends text, clicks buttons, pays, blocks the bot) by queueing
the updates Telegram would produce, and observes the chat through snapshots. Every action
moves the user's *cursor* to "now", so ``wait_for_message`` returns the next bot output caused
after the last action, sent or edited, without sleeps or polling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from emulator.chats import JSON, Chat, ChatEvent, ChatMessage, EventKind, PeopleChat, UserProfile
from emulator.errors import EmulatorError, EmulatorTimeout, PaymentDeclined
from emulator.handlers.messages import content_of
from emulator.payments import Charge, InvoiceTerms
from emulator.queries import PendingQuery, QueryKind
from emulator.state import EmulatorState, text_content
from emulator.text import parse_formatted, utf16_len

MessageMatcher = Callable[[ChatMessage], bool] | str | None
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass(frozen=True)
class CallbackAnswer:
    """How the bot answered a button press (``answerCallbackQuery``)."""

    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int = 0


#: What Telegram's apps say when someone tries to forward or save protected content.
PROTECTED_CONTENT = "Forwards from this chat are restricted"


@dataclass(frozen=True)
class ForwardAttempt:
    """A person's attempt to forward one of the bot's messages out of the chat.

    An official client refuses to forward (or save) a message the bot sent with
    ``protect_content``: the attempt is ``refused`` with the app's ``reason``, and nothing
    leaves the chat. Otherwise ``content`` is what the forwarded copy carries.
    """

    message: ChatMessage
    refused: bool
    reason: str | None = None
    content: JSON | None = None


@dataclass(frozen=True)
class InlineAnswer:
    """What the bot answered to an inline query (``answerInlineQuery``)."""

    results: list[JSON] = field(default_factory=list)
    next_offset: str = ""
    cache_time: int | None = None
    is_personal: bool = False
    button: JSON | None = None
    query: str = ""
    """What the person typed after the bot's username."""

    @property
    def result_ids(self) -> list[str]:
        return [str(result["id"]) for result in self.results]

    def result(self, result_id: str) -> JSON:
        found = next((r for r in self.results if str(r["id"]) == result_id), None)
        if found is None:
            raise EmulatorError(f"no result {result_id!r} among {self.result_ids}")
        return found


def _matcher(predicate: MessageMatcher) -> Callable[[ChatMessage], bool]:
    if predicate is None:
        return lambda message: True
    if isinstance(predicate, str):
        needle = predicate
        return lambda message: needle in message.text
    return predicate


def _describe_matcher(predicate: MessageMatcher) -> str:
    if predicate is None:
        return "any message"
    if isinstance(predicate, str):
        return f"a message containing {predicate!r}"
    return f"a message matching {getattr(predicate, '__name__', 'predicate')}"


class SimulatedUser:
    """A person in a private chat with the bot."""

    def __init__(self, state: EmulatorState, profile: UserProfile) -> None:
        self._state = state
        self.profile = profile
        self.chat: Chat = state.chats[profile.id]
        self._cursor = len(self.chat.events)
        self._action_cursor = self._cursor
        self._paid_invoices: set[int] = set()
        self.forwarded: list[JSON] = []  # what this person forwarded out of the chat

    def __repr__(self) -> str:
        return f"SimulatedUser(id={self.id}, first_name={self.profile.first_name!r})"

    # -- identity ---------------------------------------------------------------------------

    @property
    def id(self) -> int:
        return self.profile.id

    @property
    def first_name(self) -> str:
        return self.profile.first_name

    @property
    def username(self) -> str | None:
        return self.profile.username

    # -- observing the chat -----------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        """Current state of every bot message in the chat (edits applied, deleted ones gone)."""
        return self.chat.bot_messages()

    @property
    def history(self) -> list[ChatEvent]:
        """Every bot message event (sent, edited, deleted) in order."""
        return [event for event in self.chat.events if event.message.from_bot]

    @property
    def last_message(self) -> ChatMessage | None:
        """The newest bot message still in the chat."""
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def last_chat_action(self) -> str | None:
        return self.chat.last_action

    def message(self, message_id: int) -> ChatMessage | None:
        """Current state of one message (``None`` if deleted or unknown)."""
        return self.chat.get(message_id)

    async def wait_for_message(
        self,
        predicate: MessageMatcher = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
    ) -> ChatMessage:
        """The next bot output (new message or edit) after the last action that matches.

        ``predicate`` is a callable on :class:`ChatMessage`, a substring of the visible text,
        or ``None`` for anything. Non-matching outputs are skipped. Raises
        :class:`EmulatorTimeout` with a report of what the bot did instead.
        """
        matches = _matcher(predicate)

        def check() -> ChatMessage | None:
            while self._cursor < len(self.chat.events):
                event = self.chat.events[self._cursor]
                self._cursor += 1
                if event.kind is EventKind.DELETED or not event.message.from_bot:
                    continue
                if matches(event.message):
                    return event.message
            return None

        found = await self.chat.changes.wait_for(check, timeout)
        if found is None:
            raise EmulatorTimeout(
                f"{self.first_name} waited {timeout:g}s for {_describe_matcher(predicate)} "
                f"from the bot.\n{self._report()}"
            )
        return found

    async def expect_no_message(self, within: float = 0.3) -> None:
        """Assert the bot stays silent (no new message or edit) for ``within`` seconds."""
        start = len(self.chat.events)

        def check() -> ChatEvent | None:
            for event in self.chat.events[start:]:
                if event.message.from_bot and event.kind is not EventKind.DELETED:
                    return event
            return None

        event = await self.chat.changes.wait_for(check, within)
        if event is not None:
            raise EmulatorError(f"expected silence, but the bot {event.kind}: {event.message}")

    def _report(self) -> str:
        outputs = [e for e in self.chat.events[self._action_cursor :] if e.message.from_bot]
        lines = ["Bot output since the last action:"]
        lines += [f"  {e.kind}: {e.message}" for e in outputs] or ["  (nothing)"]
        return "\n".join(lines) + "\n" + recent_activity(self._state)

    # -- acting -----------------------------------------------------------------------------

    def _begin_action(self) -> None:
        if self.profile.blocked_bot:
            raise EmulatorError(f"{self.first_name} blocked the bot; call unblock_bot() first")
        self._cursor = self._action_cursor = len(self.chat.events)
        self.profile.started_bot = True

    def _push(self, kind: str, payload: JSON) -> JSON:
        update = self._state.updates.push(kind, payload)
        if update is None:
            allowed = sorted(self._state.updates.allowed)
            raise EmulatorError(
                f"the bot does not receive {kind!r} updates (its allowed_updates: {allowed}); "
                "register a handler for them"
            )
        return update

    def _resolve(self, message: ChatMessage | int) -> ChatMessage:
        """The current state of a message in this person's chat with the bot (by id, or a
        snapshot), or in a chat they have with someone else (a snapshot from it)."""
        if isinstance(message, int):
            chat, message_id = self.chat, message
        else:
            chat, message_id = self._chat_of(message), message.message_id
        current = chat.get(message_id)
        if current is None:
            raise EmulatorError(f"message {message_id} is not in {self.first_name}'s chat anymore")
        return current

    def _chat_of(self, message: ChatMessage) -> Chat:
        chat = self._state.chat_by_id(message.chat_id)
        if chat is self.chat or (isinstance(chat, PeopleChat) and chat.has(self.profile)):
            return chat
        raise EmulatorError(
            f"message {message.message_id} is in a chat {self.first_name} is not in"
        )

    def chat_with(self, other: SimulatedUser) -> PeopleChat:
        """This person's private chat with someone else (the bot is not in it)."""
        return self._state.people_chat(self.profile, other.profile)

    async def say_to(self, other: SimulatedUser, text: str) -> ChatMessage:
        """Write to someone else; the bot never hears of it."""
        chat = self.chat_with(other)
        payload = self._state.user_message(chat, {"text": text}, sender=self.profile)
        return self._stored(chat, payload)

    @staticmethod
    def _stored(chat: Chat, payload: JSON) -> ChatMessage:
        stored = chat.get(payload["message_id"])
        assert stored is not None
        return stored

    async def send_text(
        self, text: str, *, reply_to: ChatMessage | int | None = None
    ) -> ChatMessage:
        """Type and send a text message (``/start payload`` works for deep links)."""
        self._begin_action()
        content: JSON = {"text": text}
        entities = [
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group(0)),
            }
            for m in _COMMAND.finditer(text)
        ]
        if entities:
            content["entities"] = entities
        return self._send(content, reply_to)

    async def reply_to(self, message: ChatMessage | int, text: str) -> ChatMessage:
        """Reply to a given message (usually the bot's) with text."""
        return await self.send_text(text, reply_to=message)

    def _send(self, content: JSON, reply_to: ChatMessage | int | None) -> ChatMessage:
        target = self._resolve(reply_to) if reply_to is not None else None
        payload = self._state.user_message(self.chat, content, target)
        self._push("message", payload)
        return self._stored(self.chat, payload)

    async def edit_message(self, message: ChatMessage | int, text: str) -> None:
        """Edit one of this user's own text messages (the bot gets ``edited_message``)."""
        self._begin_action()
        current = self._resolve(message)
        if current.from_bot:
            raise EmulatorError("people can only edit their own messages")
        payload = {**current.payload, "text": text, "edit_date": self._state.now()}
        payload.pop("entities", None)
        self.chat.edit(current, payload)
        self._push("edited_message", payload)

    async def send_document(
        self,
        file_name: str = "document.pdf",
        content: bytes = b"%PDF-1.4\n% emulator test document\n",
        *,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> ChatMessage:
        """Send a file as a document; the bot can getFile/download or resend its file_id."""
        self._begin_action()
        stored = self._state.files.add(
            "document", content, file_name=file_name, mime_type=mime_type
        )
        payload: JSON = {"document": stored.document_json()}
        if caption:
            payload["caption"] = caption
        return self._send(payload, None)

    async def send_photo(
        self,
        content: bytes = _PNG_1x1,
        *,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
    ) -> ChatMessage:
        """Send a photo (Telegram delivers it as a list of sizes)."""
        self._begin_action()
        full = self._state.files.add("photo", content, width=width, height=height)
        thumb = self._state.files.add(
            "photo", content, width=width // 16 or 1, height=height // 16 or 1
        )
        payload: JSON = {"photo": [thumb.photo_size_json(), full.photo_size_json()]}
        if caption:
            payload["caption"] = caption
        return self._send(payload, None)

    def forward(self, message: ChatMessage | int) -> ForwardAttempt:
        """Try to forward a message of this chat elsewhere (another chat, Saved Messages),
        as an official client would. Protected content is refused, as Telegram's apps
        refuse it; what went through is kept in ``forwarded``."""
        current = self._resolve(message)
        if current.protected:
            return ForwardAttempt(current, refused=True, reason=PROTECTED_CONTENT)
        origin = {"type": "user", "sender_user": current.payload["from"]}
        content = {**content_of(current), "forward_origin": origin}
        self.forwarded.append(content)
        return ForwardAttempt(current, refused=False, content=content)

    async def send_sticker(self, emoji: str = "👍") -> ChatMessage:
        """Send a sticker."""
        self._begin_action()
        stored = self._state.files.add("sticker", b"RIFF....WEBPVP8 ")
        return self._send({"sticker": {**stored.sticker_json(), "emoji": emoji}}, None)

    async def click(
        self,
        message: ChatMessage | int,
        text: str | None = None,
        *,
        callback_data: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
    ) -> CallbackAnswer:
        """Press an inline button (by text or callback_data) and wait for the bot's answer.

        Fails with :class:`EmulatorTimeout` if the bot does not call answerCallbackQuery
        within the callback timeout (also recorded as a violation).
        """
        if text is None and callback_data is None:
            raise ValueError("click() needs the button text or callback_data")
        current = self._resolve(message)
        button = current.button(text, callback_data=callback_data)
        if button.callback_data is None:
            raise EmulatorError(
                f"button {button.text!r} is a {button.action or 'plain'} button; pressing it "
                "does not contact the bot"
            )
        return await self._press(current, button.callback_data, button.text, timeout)

    async def forge_click(
        self,
        message: ChatMessage | int,
        callback_data: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
    ) -> CallbackAnswer:
        """Send a callback query with made-up data on a message, as a modified client can.

        Bots must treat callback data as untrusted input: this checks they refuse a payload
        naming someone else's object, and answer it, instead of acting on it.
        """
        if not 1 <= len(callback_data.encode()) <= 64:
            raise ValueError("Telegram clients can only send 1-64 bytes of callback data")
        return await self._press(self._resolve(message), callback_data, "(forged)", timeout)

    async def _press(
        self,
        current: ChatMessage,
        data: str,
        label: str,
        timeout: float | None,  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
    ) -> CallbackAnswer:
        self._begin_action()
        query_id = self._state.queries.new_id()
        payload: JSON = {"id": query_id, "from": self.profile.user_json()}
        if current.inline_message_id is not None:  # sent in inline mode: the bot gets no message
            payload["inline_message_id"] = current.inline_message_id
        else:
            payload["message"] = current.payload
        payload["chat_instance"] = str(abs(hash(("chat", current.chat_id))) % 10**18)
        payload["data"] = data
        self._push("callback_query", payload)
        wait = timeout if timeout is not None else self._state.config.callback_timeout
        query = self._state.queries.open(query_id, QueryKind.CALLBACK, payload, wait)
        answer = await self._await_answer(query, f"press of button {label!r}")
        return CallbackAnswer(
            answer.get("text"),
            bool(answer.get("show_alert")),
            answer.get("url"),
            int(answer.get("cache_time") or 0),
        )

    async def _await_answer(self, query: PendingQuery, what: str) -> dict[str, Any]:
        try:
            return await query.answer
        except TimeoutError:
            raise EmulatorTimeout(
                f"the bot did not answer the {query.kind} for {self.first_name}'s {what} "
                f"within {query.timeout:g}s.\n{self._report()}"
            ) from None

    async def pay(
        self,
        invoice: ChatMessage | int | str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
    ) -> Charge:
        """Pay an invoice message (or an invoice link): pre-checkout, then successful_payment.

        Raises :class:`PaymentDeclined` if the bot answers the pre-checkout query with
        ``ok=False`` and :class:`EmulatorTimeout` if it does not answer in time.
        """
        terms, paid_key = self._invoice_terms(invoice)
        self._begin_action()
        query_id = self._state.queries.new_id()
        payload: JSON = {
            "id": query_id,
            "from": self.profile.user_json(),
            "currency": terms.currency,
            "total_amount": terms.total_amount,
            "invoice_payload": terms.payload,
        }
        self._push("pre_checkout_query", payload)
        wait = timeout if timeout is not None else self._state.config.pre_checkout_timeout
        query = self._state.queries.open(query_id, QueryKind.PRE_CHECKOUT, payload, wait)
        answer = await self._await_answer(query, f"payment of {terms.title!r}")
        if not answer.get("ok"):
            raise PaymentDeclined(str(answer.get("error_message") or ""))
        ledger = self._state.payments
        telegram_id, provider_id = ledger.new_charge_ids(terms.currency)
        charge = Charge(
            telegram_id, provider_id, self.id, terms.currency, terms.total_amount, terms.payload
        )
        message = self._state.user_message(
            self.chat, {"successful_payment": charge.successful_payment_json()}
        )
        update = self._push("message", message)
        if paid_key is not None:
            self._paid_invoices.add(paid_key)
        return ledger.add_charge(replace(charge, update=update))

    def _invoice_terms(self, invoice: ChatMessage | int | str) -> tuple[InvoiceTerms, int | None]:
        if isinstance(invoice, str):
            terms = self._state.payments.links.get(invoice)
            if terms is None:
                raise EmulatorError(f"{invoice!r} is not an invoice link the bot created")
            return terms, None
        current = self._resolve(invoice)
        terms = self._state.payments.invoices.get((self.chat.id, current.message_id))
        if terms is None:
            raise EmulatorError(f"message {current.message_id} is not an invoice")
        if current.message_id in self._paid_invoices:
            raise EmulatorError(f"invoice message {current.message_id} was already paid")
        return terms, current.message_id

    async def redeliver_payment(self, charge: Charge) -> None:
        """Deliver the same successful_payment message again (what a retry after a crash does)."""
        self._begin_action()
        self._state.updates.redeliver(charge.update)

    async def inline_query(
        self,
        query: str,
        *,
        offset: str = "",
        chat_type: str = "sender",
        timeout: float | None = None,  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
    ) -> InlineAnswer:
        """Type ``@bot query`` and wait for the bot's answerInlineQuery."""
        if not self._state.config.supports_inline_queries:
            raise EmulatorError("inline mode is disabled for this bot")
        self._begin_action()
        query_id = self._state.queries.new_id()
        payload: JSON = {
            "id": query_id,
            "from": self.profile.user_json(),
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        self._push("inline_query", payload)
        wait = timeout if timeout is not None else self._state.config.inline_timeout
        pending = self._state.queries.open(query_id, QueryKind.INLINE, payload, wait)
        answer = await self._await_answer(pending, f"inline query {query!r}")
        return InlineAnswer(
            answer["results"],
            answer["next_offset"],
            answer["cache_time"],
            answer["is_personal"],
            answer["button"],
            query,
        )

    async def choose_inline_result(
        self, answer: InlineAnswer, result_id: str, *, to: SimulatedUser | None = None
    ) -> ChatMessage:
        """Pick one of the bot's inline results: it is sent, as this person's message "via
        @bot", to the chat the query was typed in: the chat with the bot, or with ``to``.

        The bot hears of it as Telegram tells it: the message itself only when it is in the
        chat (the chat with the bot), and ``chosen_inline_result`` when it asked for those
        (``allowed_updates``), with the ``inline_message_id`` that a result with buttons gets.
        """
        result = answer.result(result_id)
        content = result.get("input_message_content") or {}
        if "message_text" not in content:
            raise EmulatorError("the emulator sends text results only (input_message_content)")
        self._begin_action()
        formatted = parse_formatted(
            content["message_text"], content.get("parse_mode"), content.get("entities")
        )
        message = {**text_content(formatted), "via_bot": self._state.bot_json()}
        if result.get("reply_markup"):
            message["reply_markup"] = result["reply_markup"]
        chat = self.chat if to is None else self.chat_with(to)
        payload = self._state.user_message(chat, message, sender=self.profile, inline=True)
        if to is None:
            self._push("message", payload)
        sent = self._stored(chat, payload)
        chosen: JSON = {"result_id": result_id, "from": self.profile.user_json()}
        if sent.inline_message_id is not None:
            chosen["inline_message_id"] = sent.inline_message_id
        chosen["query"] = answer.query
        self._state.updates.push("chosen_inline_result", chosen)  # only when asked for
        return sent

    def block_bot(self) -> None:
        """Block the bot: every later send to this user fails with 403."""
        self._member_update("member", "kicked")
        self.profile.blocked_bot = True

    def unblock_bot(self) -> None:
        """Unblock (restart) the bot."""
        self.profile.blocked_bot = False
        self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> None:
        bot = self._state.bot_json()

        def member(status: str) -> JSON:
            return {
                "status": status,
                "user": bot,
                **({"until_date": 0} if status == "kicked" else {}),
            }

        self._state.updates.push(
            "my_chat_member",
            {
                "chat": self.chat.chat_json(),
                "from": self.profile.user_json(),
                "date": self._state.now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )


def recent_activity(state: EmulatorState, limit: int = 8) -> str:
    """The bot's last API calls (without polling) and all violations, for failure reports."""
    calls = [call for call in state.log.calls if call.method != "getUpdates"][-limit:]
    lines = ["Recent bot API calls:"]
    lines += [f"  {call}" for call in calls] or ["  (none)"]
    report = state.log.report()
    lines.append(report if report else "No violations recorded.")
    return "\n".join(lines)
