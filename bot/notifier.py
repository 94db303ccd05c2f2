"""Alerts: services record events; renderers here turn each event into messages.

Events are written to the outbox in the transaction that caused them
(``Marketplace.commit``); ``bot.delivery`` expands them with the renderer registered
for their event class (``bot.alerts``) and sends the messages under Telegram's limits. A
renderer only reads; what must be written once a message is out (where a relayed
message landed) is an ``after_sent`` action, run in the transaction that marks the
message sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from aiogram.types import InlineKeyboardMarkup

from core.clock import Clock
from core.events import Event
from core.gateways import Gateways
from core.marketplace import Marketplace
from core.settings import Settings
from storage.db import Database
from storage.models import OutboxEvent

#: An event written to the outbox with its row (``Marketplace.write_events``).
Written = tuple[Event, OutboxEvent]


class Notifier(Protocol):
    """What update handling needs: the update's events made into messages in its own
    transaction where that is cheap (``prepare``, whose answer is called once it has
    committed), a nudge that other alerts are in the outbox, and a place for a reply
    Telegram would not take right now (``bot.replies``)."""

    def wake(self) -> None: ...

    async def prepare(
        self, market: Marketplace, written: Sequence[Written]
    ) -> Callable[[], None]: ...

    async def queue(self, alerts: list[Alert]) -> None: ...


@dataclass
class Alert:
    """One message to one person."""

    chat_id: int | str
    text: str
    keyboard: InlineKeyboardMarkup | None = None
    file_id: str | None = None
    file_kind: str | None = None  # document | photo | voice | video | audio
    # An AFTER_SENT action and its argument, e.g. ("relay", message id): run with the
    # sent message's id in the transaction that marks it sent.
    after_sent: tuple[str, int] | None = None
    # Alerts of one digest kind to one person may be merged when many come at once;
    # ``ref_id`` is what the digest lists (e.g. a project id).
    digest: str | None = None
    ref_id: int | None = None
    # Telegram's protect_content: the recipient can neither forward nor save it (a
    # delivery's preview until it is paid for).
    protect: bool = False


@dataclass
class AlertContext:
    """What a renderer may use. Renderers only read through ``market``: it shares the
    delivery's unit of work, which writes the messages they return."""

    market: Marketplace
    settings: Settings
    db: Database
    clock: Clock
    gateways: Gateways
    bot_username: str = ""  # for deep links in posts that live outside the bot's chat


E = TypeVar("E", bound=Event)
Renderer = Callable[[E, AlertContext], Awaitable[list[Alert]]]
#: event class -> its renderer, which takes that class (``renders`` checks it statically).
RENDERERS: dict[type[Event], Renderer[Any]] = {}
#: Events whose readers the renderer looks for (a new project's subscribers): they may be
#: thousands, so they are expanded by the delivery loop, never in the update that made them.
FAN_OUT: set[type[Event]] = set()


def renders(*kinds: type[E], fan_out: bool = False) -> Callable[[Renderer[E]], Renderer[E]]:
    """Register the renderer of one or more event classes (several: it takes their base);
    ``fan_out`` for events that may reach many (see ``FAN_OUT``)."""

    def register(fn: Renderer[E]) -> Renderer[E]:
        for kind in kinds:
            if kind in RENDERERS:
                raise RuntimeError(f"two renderers for {kind.kind}")
            RENDERERS[kind] = fn
            if fan_out:
                FAN_OUT.add(kind)
        return fn

    return register


AfterSent = Callable[[Marketplace, int, int, int], Awaitable[None]]
"""(market, argument, chat id, sent message id)"""
AFTER_SENT: dict[str, AfterSent] = {}

Digest = Callable[[Sequence[int], AlertContext], Awaitable[tuple[str, InlineKeyboardMarkup | None]]]
"""(ref ids, context) -> the digest's text and keyboard"""
DIGESTS: dict[str, Digest] = {}


def after_sent(name: str) -> Callable[[AfterSent], AfterSent]:
    def register(fn: AfterSent) -> AfterSent:
        AFTER_SENT[name] = fn
        return fn

    return register


def digest(kind: str) -> Callable[[Digest], Digest]:
    def register(fn: Digest) -> Digest:
        DIGESTS[kind] = fn
        return fn

    return register


@dataclass
class RecordingNotifier:
    """Counts nudges instead of delivering (handler tests)."""

    wakes: int = 0
    events: list[Event] = field(default_factory=list)
    queued: list[Alert] = field(default_factory=list)

    def wake(self) -> None:
        self.wakes += 1

    async def prepare(self, market: Marketplace, written: Sequence[Written]) -> Callable[[], None]:
        self.events += [event for event, _ in written]
        return self.wake

    async def queue(self, alerts: list[Alert]) -> None:
        self.queued += alerts
