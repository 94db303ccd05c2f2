"""Instant alerts: services record events, the notifier tells the people concerned.

One interface (``Notifier``) so a later version can make delivery durable and
rate limited without touching handlers. The Telegram implementation renders each
event with the renderer registered for its kind (``bot.alerts``), then sends one
message per recipient; a recipient who blocked the bot, or a failed send, never
breaks anyone else's alert or the update that caused it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup

from bot.locks import PersonLocks
from core.clock import Clock
from core.events import Event
from core.gateways import Gateways
from core.marketplace import Marketplace
from core.settings import Settings
from storage.db import Database

log = logging.getLogger("bidgram.notifier")


class Notifier(Protocol):
    async def publish(self, events: Sequence[Event]) -> None: ...


@dataclass
class Alert:
    """One message to one person."""

    chat_id: int | str
    text: str
    keyboard: InlineKeyboardMarkup | None = None
    file_id: str | None = None
    file_kind: str | None = None  # document | photo | voice | video | audio
    # Called with the sent message's id (the relay chat records it for replies).
    on_sent: Callable[[int], Awaitable[None]] | None = None


@dataclass
class AlertContext:
    """What a renderer may use: a read-only marketplace (its unit of work is never
    committed) and, for ``on_sent`` hooks that must write, the database itself."""

    market: Marketplace
    settings: Settings
    db: Database
    clock: Clock
    gateways: Gateways
    bot_username: str = ""  # for deep links in posts that live outside the bot's chat


Renderer = Callable[[Event, AlertContext], Awaitable[list[Alert]]]
RENDERERS: dict[str, Renderer] = {}


def renders(*kinds: str) -> Callable[[Renderer], Renderer]:
    """Register the renderer of one or more event kinds."""

    def register(fn: Renderer) -> Renderer:
        for kind in kinds:
            if kind in RENDERERS:
                raise RuntimeError(f"two renderers for {kind}")
            RENDERERS[kind] = fn
        return fn

    return register


@dataclass
class RecordingNotifier:
    """Keeps events instead of sending them (handler tests)."""

    events: list[Event] = field(default_factory=list)

    async def publish(self, events: Sequence[Event]) -> None:
        self.events.extend(events)


class TelegramNotifier:
    MAX_RETRIES = 3

    def __init__(
        self, bot: Bot, db: Database, settings: Settings, clock: Clock, gateways: Gateways
    ) -> None:
        self.bot = bot
        self.db = db
        self.settings = settings
        self.clock = clock
        self.gateways = gateways
        self.bot_username = ""  # learnt from getMe at start-up
        self.locks = PersonLocks()  # shared with the update middleware

    async def publish(self, events: Sequence[Event]) -> None:
        import bot.alerts  # noqa: F401  (registers the renderers)

        alerts: list[Alert] = []
        async with self.db.uow() as uow:
            market = Marketplace(uow, self.settings, self.clock, self.gateways)
            ctx = AlertContext(
                market, self.settings, self.db, self.clock, self.gateways, self.bot_username
            )
            for event in events:
                render = RENDERERS.get(event.kind)
                if render is None:
                    continue
                try:
                    alerts.extend(await render(event, ctx))
                except Exception:
                    log.exception("could not render %s", event.kind)
        for alert in alerts:
            await self.send(alert)

    async def send(self, alert: Alert) -> int | None:
        """Send and record under the recipient's lock (see ``bot.locks``)."""
        async with self.locks.of(alert.chat_id):
            return await self._send(alert)

    async def _send(self, alert: Alert) -> int | None:
        for attempt in range(self.MAX_RETRIES):
            try:
                message_id = await self._send_once(alert)
            except TelegramRetryAfter as error:
                log.info("rate limited for %ss (attempt %s)", error.retry_after, attempt + 1)
                await asyncio.sleep(error.retry_after)
                continue
            except TelegramForbiddenError:
                log.info("chat %s blocked the bot; alert dropped", alert.chat_id)
                return None
            except TelegramAPIError as error:
                log.warning("alert to %s failed: %s", alert.chat_id, error)
                return None
            if alert.on_sent is not None:
                try:
                    await alert.on_sent(message_id)
                except Exception:
                    log.exception("after-send hook failed for chat %s", alert.chat_id)
            return message_id
        log.warning(
            "alert to %s dropped after %s rate-limit retries", alert.chat_id, self.MAX_RETRIES
        )
        return None

    async def _send_once(self, alert: Alert) -> int:
        b = self.bot
        markup = alert.keyboard
        if alert.file_id is None:
            msg = await b.send_message(alert.chat_id, alert.text, reply_markup=markup)
        elif alert.file_kind == "photo":
            msg = await b.send_photo(
                alert.chat_id, alert.file_id, caption=alert.text or None, reply_markup=markup
            )
        elif alert.file_kind == "voice":
            msg = await b.send_voice(
                alert.chat_id, alert.file_id, caption=alert.text or None, reply_markup=markup
            )
        elif alert.file_kind == "video":
            msg = await b.send_video(
                alert.chat_id, alert.file_id, caption=alert.text or None, reply_markup=markup
            )
        elif alert.file_kind == "audio":
            msg = await b.send_audio(
                alert.chat_id, alert.file_id, caption=alert.text or None, reply_markup=markup
            )
        else:
            msg = await b.send_document(
                alert.chat_id, alert.file_id, caption=alert.text or None, reply_markup=markup
            )
        return msg.message_id
