"""The update queue behind getUpdates, with Telegram's long-polling semantics.

* ``offset`` confirms (forgets) every update with a smaller id; a negative offset keeps only
  the last ``-offset`` updates.
* ``allowed_updates`` is remembered from the last call that passed it and filters updates
  created *afterwards* (Telegram does not even create the others).
* A second concurrent getUpdates terminates the first with ``409 Conflict``.
* The call returns as soon as at least one update is available, or after ``timeout``.
* While a webhook is set (:mod:`emulator.webhook`) getUpdates is refused with ``409``, and
  the webhook delivery confirms updates one by one instead of ``offset``.
"""

from __future__ import annotations

import itertools
from typing import Any

from emulator.errors import TelegramError, conflict, webhook_conflict
from emulator.waiting import Changes

Update = dict[str, Any]

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
        "managed_bot",
    }
)
DEFAULT_ALLOWED = ALL_UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}


def update_type(update: Update) -> str:
    """The payload key of an update (``message``, ``callback_query``...)."""
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Pending updates for the bot, in creation order."""

    def __init__(self, first_id: int = 1) -> None:
        self._pending: list[Update] = []
        self._ids = itertools.count(first_id)
        self._changes = Changes()
        self._poll_generation = 0
        self._closed = False
        self._webhook_active = False
        self.allowed: frozenset[str] = DEFAULT_ALLOWED
        self.polls_started = 0
        """How many getUpdates calls arrived so far (a long poll is logged only when it ends)."""
        self.delivered: list[Update] = []
        """Every update ever returned to the bot, for inspection."""
        self.created: list[Update] = []
        """Every update ever queued, delivered or not, in order."""

    @property
    def pending(self) -> list[Update]:
        return list(self._pending)

    @property
    def changes(self) -> Changes:
        """Notified whenever an update is queued, confirmed or polled for."""
        return self._changes

    def set_webhook_active(self, active: bool) -> None:
        self._webhook_active = active
        self._changes.notify()  # a running long poll learns it lost to the webhook

    def confirm_delivered(self, update: Update) -> None:
        """A webhook delivery got its 200: the update is done (that very one, by identity)."""
        self._pending = [u for u in self._pending if u is not update]
        self.delivered.append(update)
        self._changes.notify()

    def allow(self, allowed_updates: list[str]) -> None:
        """Telegram ignores unknown names; an empty list means "the default set"."""
        known = frozenset(allowed_updates) & ALL_UPDATE_TYPES
        self.allowed = known if allowed_updates else DEFAULT_ALLOWED

    def accepts(self, kind: str) -> bool:
        """Whether the bot's current ``allowed_updates`` lets this kind of update through."""
        return kind in self.allowed

    def push(self, kind: str, payload: dict[str, Any]) -> Update | None:
        """Queue an update; ``None`` when ``allowed_updates`` filters it out."""
        if not self.accepts(kind):
            return None
        update: Update = {"update_id": next(self._ids), kind: payload}
        self._pending.append(update)
        self.created.append(update)
        self._changes.notify()
        return update

    def redeliver(self, update: Update) -> Update:
        """Queue the same payload again under a fresh update_id (as after a bot crash)."""
        kind = update_type(update)
        again: Update = {"update_id": next(self._ids), kind: update[kind]}
        self._pending.append(again)
        self.created.append(again)
        self._changes.notify()
        return again

    def drop_pending(self) -> None:
        self._pending.clear()

    def close(self) -> None:
        """Release every long poll (server shutdown)."""
        self._closed = True
        self._changes.notify()

    async def get(
        self,
        offset: int | None,
        limit: int | None,
        poll_seconds: int | None,
        allowed_updates: list[str] | None,
    ) -> list[Update]:
        """Serve one getUpdates call."""
        if self._webhook_active:
            raise webhook_conflict()
        if limit is not None and not 1 <= limit <= 100:
            limit = min(max(limit, 1), 100)
        if allowed_updates is not None:
            self.allow(allowed_updates)
        self._confirm(offset)
        self.polls_started += 1
        self._poll_generation += 1
        generation = self._poll_generation
        self._changes.notify()  # wake an older poll so it can see it was superseded

        def ready() -> list[Update] | TelegramError | None:
            if generation != self._poll_generation:
                return conflict()
            if self._webhook_active:
                return webhook_conflict()
            if self._pending or self._closed:
                return self._pending[: limit or 100]
            return None

        outcome: list[Update] | TelegramError | None = await self._changes.wait_for(
            ready, float(max(poll_seconds or 0, 0))
        )
        if isinstance(outcome, TelegramError):
            raise outcome
        batch = list(outcome or [])
        self.delivered.extend(batch)
        return batch

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    async def wait_for_poll(self, after: int, within: float) -> bool:
        """Wait until more than ``after`` getUpdates calls have arrived."""
        result = await self._changes.wait_for(
            lambda: True if self.polls_started > after else None, within
        )
        return bool(result)
