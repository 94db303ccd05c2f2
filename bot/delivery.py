"""Durable delivery of alerts: the outbox, expanded and sent under Telegram's limits.

Two stages, each claimed with a lease so that several processes share the work:

1. *expand*: an event written by a committed change is rendered (``bot.alerts``) into
   one outbox message per chat, in one transaction with marking the event expanded;
2. *send*: the head of each chat's queue is claimed, sent when the rate limiter allows,
   and marked sent (with its ``after_sent`` action) in one transaction.

An update's own events take a shorter way (``prepare``): they are expanded in the
update's transaction, in a savepoint, and the messages that are their chat's only one
are claimed as they are written and sent once it commits. The expander still takes
what that leaves: events that may reach thousands (``FAN_OUT``), refunds, an expansion
that failed, and every event written outside an update (the scheduler's).

A crash between a commit and a send loses nothing: the rows are still there. A message
is sent at most once, except in one window: when a process dies after Telegram took a
message but before the mark was committed, the message goes again once its lease
(``DELIVERY_LEASE``) runs out. Errors: 429 holds the chat for ``retry_after``; 5xx and
network errors retry with backoff up to ``DELIVERY_MAX_ATTEMPTS``; 403 (the person
blocked the bot) settles the chat's queue as ``blocked`` and records it on the user;
any other refusal fails that message with Telegram's reason.

Delivery runs on the wall clock, never on the marketplace's injectable clock: rate
limits, leases and backoff are about real seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import os
import random
import socket
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    SendAudio,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVideo,
    SendVoice,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup, Message

from bot.failures import is_transient
from bot.i18n import speaking
from bot.locks import PersonLocks
from bot.notifier import AFTER_SENT, DIGESTS, FAN_OUT, RENDERERS, Alert, AlertContext, Written
from bot.ratelimit import Limiter, Limits, LocalLimiter
from bot.refunds import refund_due
from bot.session import sent_message_id
from bot.settings import BotSettings
from core.clock import Clock, SystemClock
from core.events import Event, from_payload
from core.events.payments import RefundStarted
from core.gateways import Gateways
from core.locales import language_of, zone_of
from core.marketplace import Marketplace
from storage.db import Database
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger("bidgram.delivery")

PENDING, SENT, MERGED, BLOCKED, FAILED = "pending", "sent", "merged", "blocked", "failed"
BLOCKED_BEFORE = "Forbidden: the person had blocked the bot"
EXPAND_ATTEMPTS = 5
#: The event of a refund core recorded as pending: the refund loop asks Telegram now.
REFUND_STARTED = RefundStarted.kind
MAX_BACKOFF = 300.0


@dataclass(frozen=True)
class Claimed:
    """A claimed message, detached from its session (sending holds no transaction)."""

    id: int
    chat: str
    text: str
    keyboard: str | None
    file_id: str | None
    file_kind: str | None
    after_sent: str | None
    digest: str | None
    ref_id: int | None
    attempts: int
    protect: bool = False
    mates: tuple[int, ...] = ()  # digest mates merged into this message
    mate_refs: tuple[int, ...] = ()
    # Claimed as it was written, its chat's only message then: once it is sent, nothing
    # of this process's waits behind it unless ``Delivery._behind`` says so.
    alone: bool = False

    @classmethod
    def of(cls, row: OutboxMessage, mates: Sequence[OutboxMessage] = ()) -> Claimed:
        return cls(
            row.id,
            row.chat,
            row.text,
            row.keyboard,
            row.file_id,
            row.file_kind,
            row.after_sent,
            row.digest,
            row.ref_id,
            row.attempts,
            row.protect,
            tuple(m.id for m in mates),
            tuple(m.ref_id for m in mates if m.ref_id is not None),
        )

    @classmethod
    def written(cls, message_id: int, row: dict[str, Any]) -> Claimed:
        """A message claimed as it was inserted (``row``: ``Delivery._rows``)."""
        return cls(
            message_id,
            row["chat"],
            row["text"],
            row["keyboard"],
            row["file_id"],
            row["file_kind"],
            row["after_sent"],
            row["digest"],
            row["ref_id"],
            0,
            row["protect"],
            alone=True,
        )

    @property
    def chat_id(self) -> int | str:
        return int(self.chat) if self.chat.lstrip("-").isdigit() else self.chat


def backoff(attempt: int) -> float:
    """1, 2, 4 ... seconds (capped), with jitter so that retries do not come in step."""
    base: float = min(MAX_BACKOFF, 2.0 ** max(attempt - 1, 0))
    return base * random.uniform(1.0, 1.25)


#: Events an expansion claims at most (one transaction).
#: The most renderings of one event for its readers' languages and zones (see _render).
WORDINGS = 8
EXPAND_BATCH = 20
#: Free send slots a process waits for before claiming more (see ``Delivery._dispatch``).
CLAIM_BATCH = 4


class Delivery:
    """Expands and sends the outbox; ``run`` until cancelled, or ``drain`` in tests."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        settings: BotSettings,
        clock: Clock,
        gateways: Gateways,
        *,
        limiter: Limiter | None = None,
        wall: Clock | None = None,
        worker: str | None = None,
    ) -> None:
        self.bot = bot
        self.db = db
        self.settings = settings
        self.clock = clock  # the marketplace's clock, for renderers
        self.wall = wall or SystemClock()
        self.gateways = gateways
        self.limiter = limiter or LocalLimiter(Limits.of(settings))
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.bot_username = ""  # learnt from getMe at start-up
        self.locks = PersonLocks()  # shared with the update middleware
        self._wakes: dict[str, asyncio.Event] = {}
        self._sending: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._running = False
        # Sends run in this context, not in that of the update that started them (whose
        # replies are being held: ``bot.replies``).
        self._context = contextvars.copy_context()
        # Messages of this process may wait for the sender that no claim of it saw: set
        # where some are left unclaimed, cleared when the sender claims.
        self._behind = False

    # --- running ------------------------------------------------------------------------

    def wake(self) -> None:
        """New events are in the outbox: expand them now rather than at the next poll.
        The sender is woken by what the expander makes: woken with it, it would claim
        before there is anything to claim (two statements for nothing, per alert)."""
        self._wake("expander")

    def _wake(self, name: str) -> None:
        woken = self._wakes.get(name)
        if woken is not None:
            woken.set()

    async def run(self) -> None:
        """The expander and the sender, until ``stop``; then the sends in flight end."""
        self._stopping, self._running = False, True
        tasks = [
            asyncio.create_task(self._loop(self._expand, "expander")),
            asyncio.create_task(self._loop(self._dispatch, "sender")),
            # Refunds are asked of Telegram when one starts (the expander sees its event)
            # and, for retries and leases run out, every sweep interval.
            asyncio.create_task(
                self._loop(self.refund_once, "refunds", poll=self.settings.sweep_interval)
            ),
        ]
        try:
            await asyncio.gather(*tasks)
            # Each marks what it sent; one whose mark failed was logged and is leased.
            await asyncio.gather(*self._sending, return_exceptions=True)
        finally:
            self._running = False
            for task in [*tasks, *self._sending]:
                task.cancel()
            await asyncio.gather(*tasks, *self._sending, return_exceptions=True)

    async def stop(self) -> None:
        """Let every loop finish what it holds (a send in flight is marked), then end.
        Cancelling instead could cut a transaction in half."""
        self._stopping, self._running = True, False
        for woken in self._wakes.values():
            woken.set()

    async def _loop(
        self, work: Callable[[], Awaitable[int]], name: str, poll: timedelta | None = None
    ) -> None:
        woken = self._wakes[name] = asyncio.Event()
        wait = (poll or self.settings.delivery_poll).total_seconds()
        try:
            while not self._stopping:
                woken.clear()
                try:
                    busy = await work()
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    if is_transient(error):
                        log.warning("%s: %r; retrying", name, error)
                    else:
                        log.exception("%s failed; retrying", name)
                    busy = 0
                    await asyncio.sleep(self.settings.delivery_poll.total_seconds())
                if busy:
                    continue
                if self._stopping:
                    break
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):  # wait_for could swallow a cancellation
                        await woken.wait()
        finally:
            del self._wakes[name]

    async def drain(self, rounds: int = 1000) -> int:
        """Expand and send until nothing is due (tests, the sandbox, ``bidgram sweep``)."""
        done = 0
        for _ in range(rounds):
            expanded = await self.expand_once()
            refunded = await self.refund_once()
            sent = await self.send_batch(self.settings.delivery_workers)
            done += sent
            if not expanded and not refunded and not sent:
                return done
        return done

    async def queue(self, alerts: list[Alert]) -> None:
        """Send these as alerts are sent: replies Telegram would not take just now."""
        now = self.wall.now()
        async with self.db.uow() as uow:
            await uow.outbox.add_messages(await self._rows(uow, None, alerts, now))
            await uow.commit()
        self._behind = True
        self._wake("sender")

    async def prepare(self, market: Marketplace, written: Sequence[Written]) -> Callable[[], None]:
        """Expand an update's events in its transaction (``market``'s), before it commits;
        what to call once it has: it sends the messages claimed here and wakes the loops
        for what is left. An alert then costs no transaction of its own, and reaches
        its reader without waiting for the expander.

        Only while the loops run (``run``): ``drain`` does the work in tests. Renderers
        only read; an expansion that fails is rolled back to its savepoint, and its
        events are left to the expander, which retries (the update itself goes on)."""
        import bot.alerts  # noqa: F401  (registers the renderers)

        here = [(e, row) for e, row in written if self._running and self._expands_here(e)]
        left = len(here) < len(written)
        claimed: list[Claimed] = []
        queued = False
        if here:
            now = self.wall.now()
            for _, row in here:
                row.expanded_at = now  # written with the event
            # The update's own writes (and these events) first: their failure is the
            # update's, not a renderer's.
            await market.ctx.uow.flush()
            try:
                async with market.ctx.uow.savepoint():
                    claimed, queued = await self._expand_here(market, here, now)
            except Exception as error:
                log.warning("alerts for %s left to the expander: %r", here[0][0].kind, error)
                for _, row in here:
                    row.expanded_at = None
                claimed, queued, left = [], False, True

        def deliver() -> None:
            self._start(claimed)
            if left:
                self._wake("expander")
            if queued:
                self._behind = True
                self._wake("sender")

        return deliver

    @staticmethod
    def _expands_here(event: Event) -> bool:
        kind = type(event)
        return kind in RENDERERS and kind not in FAN_OUT and event.kind != REFUND_STARTED

    async def _expand_here(
        self, market: Marketplace, written: Sequence[Written], now: datetime
    ) -> tuple[list[Claimed], bool]:
        """The events' messages, written; those claimed; whether any due was not."""
        uow = market.ctx.uow
        ctx = AlertContext(
            market, self.settings, self.db, self.clock, self.gateways, self.bot_username
        )
        rows: list[dict[str, Any]] = []
        for event, row in written:
            alerts, blocked = await self._render(uow, event, ctx)
            rows += await self._rows(uow, row.id, alerts, now, blocked)
        return await self._add_claiming(uow, rows, now)

    async def _add_claiming(
        self, uow: UnitOfWork, rows: list[dict[str, Any]], now: datetime
    ) -> tuple[list[Claimed], bool]:
        """Insert ``rows``, each due one that will be its chat's only pending message
        claimed by this process (up to the free send slots); the claimed, and whether a
        due message was left to the sender. A chat with a message waiting keeps its
        order: the new one waits behind it."""
        free = self._free_slots()
        due = [r for r in rows if r["status"] == PENDING and r["not_before"] <= now]
        busy = await uow.outbox.queued_chats({r["chat"] for r in due}) if due and free else set()
        until = now + self.settings.delivery_lease
        heads: list[int] = []
        due_ones = {id(r) for r in due}
        for i, r in enumerate(rows):
            r["claimed_until"] = r["claimed_by"] = None
            if len(heads) < free and id(r) in due_ones and r["chat"] not in busy:
                busy.add(r["chat"])
                r["claimed_until"], r["claimed_by"] = until, self.worker
                heads.append(i)
        ids = await uow.outbox.add_messages(rows, returning=bool(heads))
        return [Claimed.written(ids[i], rows[i]) for i in heads], len(heads) < len(due)

    async def refund_once(self) -> int:
        """Ask Telegram about the Stars refunds that are due (``bot.refunds``)."""
        return await refund_due(self.bot, self.db, self.settings, self.clock, self.gateways)

    # --- stage 1: events into messages ---------------------------------------------------

    async def _expand(self) -> int:
        """The expander's step. The heads it makes (or finds) due are claimed in the
        same transaction, up to the free send slots, and sent from here: the sender
        would otherwise be woken to claim them in a transaction of its own, a write and
        a wake later for every alert. Busy (look again at once) only after a full batch,
        as a short one left nothing behind."""
        free = self._free_slots()
        expanded, (claimed, full) = await self._expand_and_claim(EXPAND_BATCH, free)
        self._start(claimed)
        if expanded and full:
            self._wake("sender")  # the slots are full: what is left is the sender's
        return expanded if expanded == EXPAND_BATCH else 0

    async def expand_once(self, limit: int = EXPAND_BATCH) -> int:
        """Expand up to ``limit`` events into messages, claiming none."""
        expanded, _ = await self._expand_and_claim(limit, 0)
        return expanded

    async def _expand_and_claim(
        self, limit: int, claim: int
    ) -> tuple[int, tuple[list[Claimed], bool]]:
        import bot.alerts  # noqa: F401  (registers the renderers)

        now = self.wall.now()
        lease = self.settings.delivery_lease
        async with self.db.uow() as uow:
            events = await uow.outbox.claim_events(now, now + lease, limit)
            if not events:
                return 0, ([], False)
            market = Marketplace(uow, self.settings, self.clock, self.gateways)
            ctx = AlertContext(
                market, self.settings, self.db, self.clock, self.gateways, self.bot_username
            )
            if any(row.kind == REFUND_STARTED for row in events):
                self._wake("refunds")
            for row in events:
                try:
                    async with uow.savepoint():
                        event = from_payload(row.kind, row.recipients, row.data)
                        alerts, blocked = await self._render(uow, event, ctx)
                        rows = await self._rows(uow, row.id, alerts, now, blocked)
                        await uow.outbox.add_messages(rows)
                        row.expanded_at = now
                except Exception as error:
                    row.attempts += 1
                    row.last_error = repr(error)[:2000]
                    if row.attempts >= EXPAND_ATTEMPTS:
                        log.exception("alert for %s #%s dropped", row.kind, row.id)
                        row.expanded_at = now
                    else:
                        log.warning("alert for %s #%s: %r; will retry", row.kind, row.id, error)
                        row.claimed_until = now + timedelta(seconds=backoff(row.attempts))
            claimed = await self._claim_in(uow, claim, now)
            await uow.commit()
        self._behind = True  # what it made may wait behind a message claimed alone
        return len(events), claimed

    async def _render(
        self, uow: UnitOfWork, event: Event | None, ctx: AlertContext
    ) -> tuple[list[Alert], set[str]]:
        """The event's alerts, each worded for its reader; and the chats of those who
        blocked the bot. None for a kind this version does not know.

        The event is rendered in the default language and UTC, then again for each other
        (language, zone) among its readers, whose alerts are taken from that rendering:
        renderers read, they never write, so rendering twice changes nothing. An event
        read in more than ``WORDINGS`` ways (a new project's alert to subscribers all over
        the world) is rendered once per language instead, its times in UTC, named so.
        """
        render = None if event is None else RENDERERS.get(type(event))
        if event is None or render is None:
            return [], set()
        default = self.settings.default_language
        now = self.clock.now()
        with speaking(default, now=now):
            alerts = await render(event, ctx)
        ids = [int(chat) for chat in {str(a.chat_id) for a in alerts} if chat.lstrip("-").isdigit()]
        readers = await uow.users.readers(ids)
        blocked = {str(telegram_id) for telegram_id, r in readers.items() if r.blocked}
        groups: dict[tuple[str, str | None], set[str]] = defaultdict(set)
        for telegram_id, r in readers.items():
            language = language_of(r.language, r.client_language, default=default)
            if (language, r.time_zone) != (default, None):
                groups[(language, r.time_zone)].add(str(telegram_id))
        if len(groups) > WORDINGS:  # a fan-out to many zones: one wording per language
            by_language: dict[tuple[str, str | None], set[str]] = defaultdict(set)
            for (language, _zone), chats in groups.items():
                if language != default:
                    by_language[(language, None)] |= chats
            groups = by_language
        if not groups:
            return alerts, blocked
        worded: dict[str, list[Alert]] = {}
        for (language, zone), chats in groups.items():
            with speaking(language, zone_of(zone), now=now):
                for alert in await render(event, ctx):
                    if str(alert.chat_id) in chats:
                        worded.setdefault(str(alert.chat_id), []).append(alert)
        ordered: list[Alert] = []
        for alert in alerts:  # the first rendering's order of chats, each chat's own order
            chat = str(alert.chat_id)
            if chat not in worded:
                ordered.append(alert)
            elif worded[chat]:
                ordered += worded[chat]
                worded[chat] = []
        return ordered, blocked

    async def _rows(
        self,
        uow: UnitOfWork,
        event_id: int | None,
        alerts: list[Alert],
        now: datetime,
        blocked: set[str] | None = None,
    ) -> list[dict[str, Any]]:
        markups: dict[int, str | None] = {}  # one JSON per shared keyboard object
        held = await self._digest_holds(uow, alerts, now)
        if blocked is None:
            blocked = await self._blocked_chats(uow, [str(a.chat_id) for a in alerts])
        rows = []
        for alert in alerts:
            key = id(alert.keyboard)
            if key not in markups:
                markups[key] = (
                    alert.keyboard.model_dump_json(exclude_none=True) if alert.keyboard else None
                )
            chat = str(alert.chat_id)
            rows.append(
                {
                    "event_id": event_id,
                    "chat": chat,
                    "text": alert.text,
                    "keyboard": markups[key],
                    "file_id": alert.file_id,
                    "file_kind": alert.file_kind,
                    "after_sent": f"{alert.after_sent[0]}:{alert.after_sent[1]}"
                    if alert.after_sent
                    else None,
                    "digest": alert.digest,
                    "ref_id": alert.ref_id,
                    "protect": alert.protect,
                    "priority": 1 if alert.digest else 0,
                    "status": BLOCKED if chat in blocked else PENDING,
                    "last_error": BLOCKED_BEFORE if chat in blocked else None,
                    "not_before": held.get((chat, alert.digest or ""), now),
                    "created_at": now,
                    "attempts": 0,
                }
            )
        return rows

    @staticmethod
    async def _blocked_chats(uow: UnitOfWork, chats: list[str]) -> set[str]:
        """People who blocked the bot: their alerts are recorded, not sent."""
        ids = [int(c) for c in chats if c.lstrip("-").isdigit()]
        return {str(t) for t in await uow.users.blocked_bot(ids)}

    async def _digest_holds(
        self, uow: UnitOfWork, alerts: list[Alert], now: datetime
    ) -> dict[tuple[str, str], datetime]:
        """When a person already had DIGEST_AFTER alerts of a kind within DIGEST_WINDOW,
        hold the next ones until one time, where they go out as a single digest."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for alert in alerts:
            if alert.digest:
                wanted[alert.digest].add(str(alert.chat_id))
        holds: dict[tuple[str, str], datetime] = {}
        window = self.settings.digest_window
        for kind, chats in wanted.items():
            history = await uow.outbox.digest_history(kind, list(chats), now - window)
            for chat, (count, until) in history.items():
                if count >= self.settings.digest_after:
                    later = until if until is not None and until > now else now + window
                    holds[(chat, kind)] = later
        return holds

    # --- stage 2: messages to Telegram ---------------------------------------------------

    async def _dispatch(self) -> int:
        """Claim as many chats' heads as there are free send slots (``DELIVERY_WORKERS``)
        and start sending them. One claimer per process: a claim is a write
        transaction, and several claimers woken by the same commit mostly found nothing
        (docs/benchmarks.md). A send that ends frees its slot and wakes this again.

        Claims wait until a few slots are free (``CLAIM_BATCH``), not one: a claim per
        finished send would double the transactions of sending. Busy (look again at
        once) only when every free slot was filled: then more may be due.
        """
        free = self._free_slots()
        if free <= 0 or (self._sending and free < min(CLAIM_BATCH, self.settings.delivery_workers)):
            return 0
        claimed, full = await self._claim(free)
        self._start(claimed)
        return len(claimed) if full else 0

    def _free_slots(self) -> int:
        return max(0, self.settings.delivery_workers - len(self._sending))

    def _start(self, claimed: Sequence[Claimed]) -> None:
        """Send each claimed message in a task of its own, in a slot until it ends."""
        for msg in claimed:
            task = asyncio.create_task(self._deliver(msg), context=self._context.copy())
            self._sending.add(task)
            task.add_done_callback(functools.partial(self._sent_or_settled, msg))

    def _sent_or_settled(self, msg: Claimed, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Recording the outcome failed (the database, say): the lease runs out and
            # the message is claimed again.
            log.error("alert delivery failed", exc_info=task.exception())
        # A free slot, and the chat's next message may be its head now. Not after a
        # message that was its chat's only one when claimed, unless this process left
        # some since: the claim would find nothing (a transaction for nothing, per
        # alert). Another process's message queued behind it waits for a poll.
        if not msg.alone or self._behind:
            self._wake("sender")

    async def send_batch(self, limit: int) -> int:
        claimed, _ = await self._claim(limit)
        if claimed:
            await asyncio.gather(*(self._deliver(c) for c in claimed))
        return len(claimed)

    async def _claim(self, limit: int) -> tuple[list[Claimed], bool]:
        self._behind = False  # this claim sees what was left before it (later: set again)
        async with self.db.uow() as uow:
            claim = await self._claim_in(uow, limit, self.wall.now())
            await uow.commit()
        return claim

    async def _claim_in(
        self, uow: UnitOfWork, limit: int, now: datetime
    ) -> tuple[list[Claimed], bool]:
        """Up to ``limit`` due heads of chats' queues, leased to this process in ``uow``'s
        transaction (they are this process's to send once it commits); and whether there
        were ``limit`` of them (then more may be due). Claims none for a ``limit`` of 0."""
        if limit <= 0:
            return [], True
        until = now + self.settings.delivery_lease
        rows = await uow.outbox.claim_messages(now, until, self.worker, limit)
        # A person who blocked the bot after these were queued (the 403 of an earlier
        # message was recorded meanwhile) gets nothing more: settle instead of sending.
        blocked = await self._blocked_chats(uow, [row.chat for row in rows])
        claimed = []
        for row in rows:
            if row.chat in blocked:
                row.status, row.last_error, row.claimed_until = BLOCKED, BLOCKED_BEFORE, None
                continue
            mates: list[OutboxMessage] = []
            if row.digest and row.digest in DIGESTS:
                mates = await uow.outbox.claim_digest_mates(row, now, until, self.worker)
            claimed.append(Claimed.of(row, mates))
        return claimed, len(rows) == limit

    async def _deliver(self, msg: Claimed) -> None:
        await self.limiter.acquire(msg.chat)
        chat_id = msg.chat_id
        async with self.locks.of(chat_id):
            try:
                message_id = await self._send(msg)
            except TelegramRetryAfter as error:
                await self._hold(msg, error.retry_after)
            except TelegramForbiddenError as error:
                await self._blocked(msg, error.message)
            except (TelegramServerError, TelegramNetworkError, TimeoutError, OSError) as error:
                await self._retry(msg, f"{type(error).__name__}: {error}")
            except TelegramBadRequest as error:
                await self._settle(msg, FAILED, error.message)
            except Exception as error:
                log.exception("alert %s to %s failed", msg.id, msg.chat)
                await self._retry(msg, repr(error))
            else:
                await self._sent(msg, message_id)

    async def _send(self, msg: Claimed) -> int:
        text, keyboard = msg.text, msg.keyboard
        markup = InlineKeyboardMarkup.model_validate_json(keyboard) if keyboard else None
        if msg.mates and msg.digest is not None:
            text, markup = await self._digest_of(msg)
        chat, caption = msg.chat_id, msg.text or None
        protect = True if msg.protect else None  # None: the parameter is left out
        common: dict[str, Any] = {"reply_markup": markup, "protect_content": protect}
        method: TelegramMethod[Message]
        if msg.file_id is None:
            method = SendMessage(chat_id=chat, text=text, **common)
        elif msg.file_kind == "photo":
            method = SendPhoto(chat_id=chat, photo=msg.file_id, caption=caption, **common)
        elif msg.file_kind == "voice":
            method = SendVoice(chat_id=chat, voice=msg.file_id, caption=caption, **common)
        elif msg.file_kind == "video":
            method = SendVideo(chat_id=chat, video=msg.file_id, caption=caption, **common)
        elif msg.file_kind == "audio":
            method = SendAudio(chat_id=chat, audio=msg.file_id, caption=caption, **common)
        else:
            method = SendDocument(chat_id=chat, document=msg.file_id, caption=caption, **common)
        return await sent_message_id(self.bot, method)

    async def _digest_of(self, msg: Claimed) -> tuple[str, InlineKeyboardMarkup | None]:
        """The held alerts as one message, worded when it is sent, for its reader."""
        refs = [r for r in (msg.ref_id, *msg.mate_refs) if r is not None]
        async with self.db.uow() as uow:
            market = Marketplace(uow, self.settings, self.clock, self.gateways)
            ctx = AlertContext(
                market, self.settings, self.db, self.clock, self.gateways, self.bot_username
            )
            assert msg.digest is not None
            chat = msg.chat_id
            reader = (await uow.users.readers([chat])).get(chat) if isinstance(chat, int) else None
            default = self.settings.default_language
            if reader is None:  # a chat that is no person's (a channel): the default
                language, zone = default, None
            else:
                language = language_of(reader.language, reader.client_language, default=default)
                zone = reader.time_zone
            with speaking(language, zone_of(zone), now=self.clock.now()):
                return await DIGESTS[msg.digest](refs, ctx)

    # --- outcomes ------------------------------------------------------------------------

    async def _rows_of(self, uow: UnitOfWork, msg: Claimed) -> list[OutboxMessage]:
        return await uow.outbox.get_messages([msg.id, *msg.mates])

    async def _sent(self, msg: Claimed, message_id: int) -> None:
        now = self.wall.now()
        async with self.db.uow() as uow:
            await uow.outbox.mark_sent(msg.id, msg.mates, now, message_id)
            # Its action failing fails the mark: the message goes again after its lease.
            market = Marketplace(uow, self.settings, self.clock, self.gateways).all_or_nothing()
            if msg.after_sent:
                name, _, argument = msg.after_sent.partition(":")
                action = AFTER_SENT.get(name)
                if action is not None:
                    await action(market, int(argument), int(msg.chat_id), message_id)
            await market.commit()

    async def _hold(self, msg: Claimed, retry_after: float) -> None:
        log.info("Telegram asks to wait %ss before writing to %s", retry_after, msg.chat)
        await self.limiter.penalize(msg.chat, retry_after)
        until = self.wall.now() + timedelta(seconds=retry_after)
        async with self.db.uow() as uow:
            await uow.outbox.postpone_chat(msg.chat, until)
            for row in await self._rows_of(uow, msg):
                row.claimed_until = None
            await uow.commit()

    async def _retry(self, msg: Claimed, reason: str) -> None:
        now = self.wall.now()
        async with self.db.uow() as uow:
            for row in await self._rows_of(uow, msg):
                row.attempts += 1
                row.last_error = reason[:2000]
                row.claimed_until = None
                if row.attempts >= self.settings.delivery_max_attempts:
                    row.status = FAILED
                    log.warning("alert %s to %s failed for good: %s", row.id, row.chat, reason)
                else:
                    row.not_before = now + timedelta(seconds=backoff(row.attempts))
            await uow.commit()

    async def _settle(self, msg: Claimed, status: str, reason: str) -> None:
        log.warning("alert %s to %s refused: %s", msg.id, msg.chat, reason)
        async with self.db.uow() as uow:
            for row in await self._rows_of(uow, msg):
                row.status = status
                row.last_error = reason[:2000]
                row.claimed_until = None
            await uow.commit()

    async def _blocked(self, msg: Claimed, reason: str) -> None:
        """The person blocked the bot: stop writing to them, and remember why."""
        log.info("chat %s blocked the bot; its alerts are settled as blocked", msg.chat)
        async with self.db.uow() as uow:
            await uow.outbox.stop_chat(msg.chat, BLOCKED, reason)
            if isinstance(msg.chat_id, int):
                market = Marketplace(uow, self.settings, self.clock, self.gateways)
                await market.users.stopped_bot(msg.chat_id)
            await uow.commit()
