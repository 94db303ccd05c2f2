"""Handling one update to its end: done, retry later, or dead-lettered.

Both transports (``bot.polling`` and ``bot.webhook``) hand every update to
``UpdateProcessor.process`` and act on its answer:

* ``HANDLED``: committed (or refused with an explanation); acknowledge it.
* ``RETRY``: the database, Redis or the network failed (``bot.failures``). Nothing
  was kept, so do not acknowledge it: the webhook answers 5xx and Telegram delivers
  it again; the poller tries it again with backoff before moving on. The update-id
  claim makes a second delivery safe if the first did commit after all.
* ``DEAD``: a bug. The raw update is kept in ``dead_letters`` with the error, the
  person is told, and the update is acknowledged so nobody waits behind it;
  ``bidgram replay`` handles it again once the bug is fixed.
* ``DROPPED``: an update that cannot be one of ours (ids out of range): acknowledged
  and ignored, with a warning instead of a traceback.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError

from bot.errors import apologise
from bot.failures import is_transient
from bot.i18n import SOURCE_LANGUAGE, UTC, speaking
from bot.logs import UpdateContext, handling
from bot.metrics import Metrics
from bot.replies import collecting
from core.clock import Clock
from core.locales import language_of, zone_of
from core.services import audit
from core.services.audit import Concerns
from storage.db import Database
from storage.models import DeadLetter

log = logging.getLogger("bidgram.updates")

#: Ids are stored as signed 64-bit integers; Telegram's fit in far fewer bits.
LARGEST_ID = 2**63 - 1


class Outcome(StrEnum):
    HANDLED = "handled"
    RETRY = "retry"
    DEAD = "dead"
    DROPPED = "dropped"


def out_of_range(update: Update) -> str | None:
    """Why this update cannot be a real one (an id no database column can hold), or None."""
    if not 0 <= update.update_id <= LARGEST_ID:
        return f"update_id {update.update_id}"
    context = UserContextMiddleware.resolve_event_context(update)
    user, chat = context.user, context.chat
    if user is not None and not 1 <= user.id <= LARGEST_ID:
        return f"user id {user.id}"
    if chat is not None and not -LARGEST_ID <= chat.id <= LARGEST_ID:
        return f"chat id {chat.id}"
    message = update.message or update.edited_message
    if message is not None:
        for number in (message.message_id, getattr(message.reply_to_message, "message_id", 1)):
            if not 0 <= number <= LARGEST_ID:
                return f"message id {number}"
    return None


def kind_of(update: Update) -> str:
    """``message``, ``callback_query`` ... (a metric label, so one of a few words)."""
    try:
        return update.event_type
    except UpdateTypeLookupError:
        return "unknown"


def person_of(update: Update) -> int | None:
    user = UserContextMiddleware.resolve_event_context(update).user
    return user.id if user is not None else None


class UpdateProcessor:
    """Feeds one update to the dispatcher and sorts its failure (module docstring).

    Every update ends with one log line (its outcome and duration) and in the metrics;
    every line logged while it is handled carries its id and its sender's (``bot.logs``).
    """

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        db: Database,
        clock: Clock,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self.dp = dp
        self.bot = bot
        self.db = db
        self.clock = clock
        self.metrics = metrics

    async def process(self, update: Update, **data: Any) -> Outcome:
        started = time.perf_counter()
        kind = kind_of(update)
        context = UpdateContext(update.update_id)
        # Until it ends otherwise: an exception escaping here is an update not acknowledged.
        outcome = Outcome.RETRY
        if self.metrics is not None:
            self.metrics.in_progress.inc()
        try:
            with handling(context):
                outcome = await self._process(update, context, data)
                return outcome
        finally:
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.in_progress.dec()
                self.metrics.update_done(kind, outcome, seconds)
            with handling(context):
                log.info(
                    "update %s %s: %s",
                    update.update_id,
                    kind,
                    outcome,
                    extra={"duration_ms": round(seconds * 1000, 1), "outcome": str(outcome)},
                )

    async def _process(
        self, update: Update, context: UpdateContext, data: dict[str, Any]
    ) -> Outcome:
        reason = out_of_range(update)
        if reason is not None:
            log.warning("update dropped: %s is out of range", reason)
            return Outcome.DROPPED
        context.person_id = person_of(update)
        try:
            await self.dp.feed_update(self.bot, update, **data)
        except Exception as error:
            if is_transient(error):
                log.warning("update %s not handled, will be retried: %r", update.update_id, error)
                return Outcome.RETRY
            return await self._dead(update, error)
        return Outcome.HANDLED

    async def _dead(self, update: Update, error: Exception) -> Outcome:
        log.error("update %s failed: %r", update.update_id, error, exc_info=error)
        try:
            await self.bury(update, error)
        except Exception as failure:
            if is_transient(failure):  # could not even keep it: better try it all again
                log.warning("update %s not dead-lettered: %r", update.update_id, failure)
                return Outcome.RETRY
            raise
        with collecting() as replies, speaking(*await self._reader(update)):
            await apologise(self.bot, update)
            await replies.send(self.bot, None, update.update_id)
        return Outcome.DEAD

    async def _reader(self, update: Update) -> tuple[str, ZoneInfo]:
        """The sender's language and zone for the apology: their choice when the database
        can tell it, else their client's language (the failure may be the database's)."""
        user = UserContextMiddleware.resolve_event_context(update).user
        settings = self.dp.get("settings")
        default = settings.default_language if settings is not None else SOURCE_LANGUAGE
        if user is None:
            return default, UTC
        try:
            async with self.db.uow() as uow:
                reader = (await uow.users.readers([user.id])).get(user.id)
        except Exception as error:
            log.warning("update %s: the sender's language is unknown: %r", update.update_id, error)
            reader = None
        if reader is None:
            return language_of(None, user.language_code, default=default), UTC
        chosen = language_of(
            reader.language, reader.client_language or user.language_code, default=default
        )
        return chosen, zone_of(reader.time_zone)

    async def bury(self, update: Update, error: BaseException) -> None:
        """Keep the update and why it failed (a second failure of it counts an attempt)."""
        now = self.clock.now()
        raw = update.model_dump_json(exclude_none=True, by_alias=True)
        why = "".join(traceback.format_exception(error))[-8000:]
        async with self.db.uow() as uow:
            letter = await uow.dead_letters.by_update(self.bot.id, update.update_id)
            if letter is None:
                uow.dead_letters.add(
                    DeadLetter(
                        bot_id=self.bot.id,
                        update_id=update.update_id,
                        update=raw,
                        error=why,
                        created_at=now,
                        failed_at=now,
                        attempts=1,
                    )
                )
            else:
                letter.error, letter.failed_at, letter.replayed_at = why, now, None
                letter.attempts += 1
            # The update counts as handled: a redelivery must not run it (or apologise) again.
            await uow.updates.claim(self.bot.id, update.update_id, now)
            await uow.commit()

    async def replay(self, letter_id: int, reason: str = "") -> Outcome:
        """Handle a dead letter's update again (after the bug was fixed).

        Its claim is released first, so the update runs as if new; if it fails again it
        stays a dead letter with one more attempt. Each replay is an operator's action on
        the audit trail (no admin: ``by`` operator), with its outcome, written with the
        letter's mark; a letter that is gone or already replayed is left alone, unrecorded.
        """
        async with self.db.uow() as uow:
            letter = await uow.dead_letters.get(letter_id)
            if letter is None or letter.replayed_at is not None:
                return Outcome.DROPPED
            raw: dict[str, Any] = json.loads(letter.update)
            await uow.updates.release(letter.bot_id, letter.update_id)
            await uow.commit()
        update = Update.model_validate(raw, context={"bot": self.bot})
        outcome = await self.process(update)
        async with self.db.uow() as uow:
            done = await uow.dead_letters.get(letter_id)
            now = self.clock.now()
            if done is not None and outcome is Outcome.HANDLED:
                done.replayed_at = now
            telegram_id = person_of(update)
            person = await uow.users.by_telegram_id(telegram_id) if telegram_id else None
            audit.record(
                uow,
                now,
                audit.DEAD_LETTER_REPLAY,
                ("dead_letter", letter_id),
                actor_id=None,
                concerns=Concerns(person.id if person is not None else None),
                details={"update_id": update.update_id, "outcome": str(outcome)},
                reason=reason,
            )
            await uow.commit()
        return outcome
