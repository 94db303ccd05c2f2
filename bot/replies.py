"""An update's answers go out after its work is committed, and survive Telegram's hiccups.

While a handler runs (``collecting``), the Bot API calls that only show something —
messages, edits, button-press answers, invoices — are held, not sent: the handler
gets a stand-in result (no handler reads them). Once the update's unit of work has
committed, ``Replies.send`` makes the calls in order, the button-press answer first.
So a reply Telegram fails to take can never roll the person's change back.

Every call, held or not (a ``getFile`` runs at once), honours ``retry_after`` and
retries 5xx and network errors a few times. A message or edit that still fails is
queued through the outbox (which keeps retrying under the rate limits); an answer to
a button press cannot wait and is given up. An edit Telegram refuses (the message
is too old, or gone) is sent as a new message instead, and "not modified" is fine.

In webhook mode the button-press answer rides on the webhook's 200 (``WebhookReply``):
Telegram runs a method call sent as the answer to its delivery, which saves the bot
one request per press. Only the press answer goes that way: Telegram does not say
whether such a call worked, and a press answer is the one reply already given up
when it fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Protocol

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerInlineQuery,
    AnswerPreCheckoutQuery,
    CopyMessage,
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    SendAudio,
    SendChatAction,
    SendDocument,
    SendInvoice,
    SendMessage,
    SendPhoto,
    SendVideo,
    SendVoice,
    TelegramMethod,
)
from aiogram.types import Chat, InlineKeyboardMarkup, Message, MessageId

from bot.failures import is_transient
from bot.notifier import Alert
from bot.session import unread

log = logging.getLogger("bidgram.replies")

#: Tries of one call (the first included) before it is queued or given up.
ATTEMPTS = 4
#: Waits between tries after a 5xx or a network error.
BACKOFF = (0.5, 1.0, 2.0)
#: A ``retry_after`` longer than this is not waited out here: the outbox honours it.
LONGEST_WAIT = 10.0

Method = TelegramMethod[Any]


#: The stand-ins, built once and copied per reply: constructing a ``Message`` or a ``Chat``
#: resolves the defaults of every field (90 µs for a chat, a few per cent of an update's
#: CPU when done for every reply), where a copy costs 2 µs and keeps nothing.
_STAND_IN_CHAT = Chat.model_construct(id=0, type="private")
_STAND_IN = Message.model_construct(
    message_id=0, date=datetime(1970, 1, 1, tzinfo=UTC), chat=_STAND_IN_CHAT
)


def _sent(method: Method) -> Message:
    chat_id = getattr(method, "chat_id", 0)
    chat = _STAND_IN_CHAT.model_copy(update={"id": chat_id if isinstance(chat_id, int) else 0})
    return _STAND_IN.model_copy(update={"chat": chat, "date": datetime.now(UTC)})


#: The calls held until after the commit, and the stand-in result each returns.
HELD: dict[type[Method], Callable[[Method], Any]] = {
    SendMessage: _sent,
    SendPhoto: _sent,
    SendDocument: _sent,
    SendVideo: _sent,
    SendAudio: _sent,
    SendVoice: _sent,
    SendInvoice: _sent,
    CopyMessage: lambda _: MessageId(message_id=0),
    EditMessageText: lambda _: True,
    EditMessageCaption: lambda _: True,
    EditMessageReplyMarkup: lambda _: True,
    DeleteMessage: lambda _: True,
    SendChatAction: lambda _: True,
    AnswerCallbackQuery: lambda _: True,
    AnswerPreCheckoutQuery: lambda _: True,
    AnswerInlineQuery: lambda _: True,
}

_FILE_KINDS: dict[type[Method], tuple[str, str]] = {
    SendPhoto: ("photo", "photo"),
    SendDocument: ("document", "document"),
    SendVideo: ("video", "video"),
    SendAudio: ("audio", "audio"),
    SendVoice: ("voice", "voice"),
}


class WebhookReply:
    """The one call the webhook's answer to this update carries (webhook mode only)."""

    def __init__(self) -> None:
        self.method: AnswerCallbackQuery | None = None

    def take(self, calls: list[Method]) -> None:
        """Take the press answer out of ``calls`` (it is first when there is one)."""
        if calls and isinstance(calls[0], AnswerCallbackQuery):
            first = calls.pop(0)
            assert isinstance(first, AnswerCallbackQuery)
            self.method = first

    def body(self) -> dict[str, Any] | None:
        """The JSON the webhook answers with, or None for an empty 200."""
        if self.method is None:
            return None
        params = self.method.model_dump(exclude_none=True, mode="json")
        return {"method": self.method.__api_method__, **params}


class Queue(Protocol):
    """Where a reply that Telegram would not take goes (the outbox)."""

    async def queue(self, alerts: list[Alert]) -> None: ...


class Replies:
    """One update's held calls (see the module docstring)."""

    def __init__(self) -> None:
        self.calls: list[Method] = []
        self.holding = True

    def hold(self, method: Method) -> Any:
        self.calls.append(method)
        return HELD[type(method)](method)

    def discard(self) -> None:
        """The update's work was rolled back: what it would have said is not said."""
        self.calls.clear()

    async def send(
        self,
        bot: Bot,
        queue: Queue | None,
        update_id: int,
        webhook: WebhookReply | None = None,
    ) -> None:
        """Make the held calls, button-press answers first (or on ``webhook``'s answer);
        hold nothing from now on."""
        self.holding = False
        calls, self.calls = self.calls, []
        calls.sort(key=lambda call: not isinstance(call, AnswerCallbackQuery))
        if webhook is not None:
            webhook.take(calls)
        undelivered: list[Alert] = []
        reading = unread.set(True)  # nobody reads what Telegram answers these
        try:
            await self._make(bot, calls, update_id, undelivered)
        finally:
            unread.reset(reading)
        if undelivered and queue is not None:
            try:
                await queue.queue(undelivered)
            except Exception as error:  # the database is away too: nothing left to try
                log.error("update %s: %d replies lost: %r", update_id, len(undelivered), error)

    @staticmethod
    async def _make(
        bot: Bot, calls: list[Method], update_id: int, undelivered: list[Alert]
    ) -> None:
        for call in calls:
            try:
                await call_with_retries(bot, call)
            except TelegramBadRequest as error:
                fallback = _refused(call, error, update_id)
                if fallback is not None:
                    try:
                        await call_with_retries(bot, fallback)
                    except Exception as again:
                        undelivered += _as_alerts(fallback, again, update_id)
            except Exception as error:
                if not is_transient(error):
                    log.error("update %s: %s failed: %r", update_id, _name(call), error)
                    continue
                undelivered += _as_alerts(call, error, update_id)


_current: ContextVar[Replies | None] = ContextVar("bidgram_replies", default=None)


@contextlib.contextmanager
def collecting() -> Iterator[Replies]:
    """Hold this update's replies (in this task) until ``Replies.send``."""
    replies = Replies()
    token = _current.set(replies)
    try:
        yield replies
    finally:
        _current.reset(token)


class ReplyMiddleware(BaseRequestMiddleware):
    """The bot session's middleware: holds an update's replies, retries its other calls.

    Calls made outside an update (alert delivery, refunds) pass straight through:
    those loops have their own retries, backoff and records.
    """

    async def __call__(self, make_request: Any, bot: Bot, method: Method) -> Any:
        replies = _current.get()
        if replies is None:
            return await make_request(bot, method)
        if replies.holding and type(method) in HELD:
            return replies.hold(method)
        return await with_retries(lambda: make_request(bot, method), _name(method))


async def call_with_retries(bot: Bot, method: Method) -> Any:
    """``bot(method)`` with the retries of the module docstring (outside an update too)."""
    if _current.get() is not None:
        return await bot(method)  # the session's middleware retries it
    return await with_retries(lambda: bot(method), _name(method))


async def with_retries(call: Callable[[], Awaitable[Any]], name: str) -> Any:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except TelegramRetryAfter as error:
            if attempt == ATTEMPTS or error.retry_after > LONGEST_WAIT:
                raise
            log.info("%s: Telegram asks to wait %ss", name, error.retry_after)
            await asyncio.sleep(error.retry_after)
        except TelegramBadRequest:
            raise  # Telegram refuses it: the same call would be refused again
        except Exception as error:
            if attempt == ATTEMPTS or not is_transient(error):
                raise
            log.info("%s failed (%r); trying again", name, error)
            await asyncio.sleep(BACKOFF[min(attempt, len(BACKOFF)) - 1])
    raise AssertionError("unreachable")  # pragma: no cover


def _refused(call: Method, error: TelegramBadRequest, update_id: int) -> Method | None:
    """What to do instead of a call Telegram refused, if anything."""
    if isinstance(call, EditMessageText | EditMessageCaption | EditMessageReplyMarkup):
        if "not modified" in error.message:
            return None  # a double tap: the message already shows this
        if isinstance(call, EditMessageText) and call.chat_id is not None and call.text:
            # Too old to edit, or gone: say it anew rather than not at all.
            markup = (
                call.reply_markup if isinstance(call.reply_markup, InlineKeyboardMarkup) else None
            )
            return SendMessage(chat_id=call.chat_id, text=call.text, reply_markup=markup)
    if isinstance(call, AnswerCallbackQuery):
        return None  # too old to answer: the work is done, the spinner has stopped
    log.error("update %s: Telegram refused %s: %s", update_id, _name(call), error.message)
    return None


def _as_alerts(call: Method, error: BaseException, update_id: int) -> list[Alert]:
    """A reply Telegram could not take now, as an outbox message (when it is one)."""
    chat_id = getattr(call, "chat_id", None)
    markup = getattr(call, "reply_markup", None)
    keyboard = markup if isinstance(markup, InlineKeyboardMarkup) else None
    if (
        isinstance(chat_id, int | str)
        and isinstance(call, SendMessage | EditMessageText)
        and call.text
    ):
        log.warning("update %s: %s queued after %r", update_id, _name(call), error)
        return [Alert(chat_id, call.text, keyboard)]
    if isinstance(chat_id, int | str) and type(call) in _FILE_KINDS:
        file = getattr(call, _FILE_KINDS[type(call)][0], None)
        if isinstance(file, str):  # a file id; an upload cannot wait in the outbox
            caption = getattr(call, "caption", None) or ""
            log.warning("update %s: %s queued after %r", update_id, _name(call), error)
            return [Alert(chat_id, caption, keyboard, file, _FILE_KINDS[type(call)][1])]
    log.warning("update %s: %s given up after %r", update_id, _name(call), error)
    return []


def _name(method: Method) -> str:
    return str(getattr(method, "__api_method__", type(method).__name__))
