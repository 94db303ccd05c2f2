"""Queries the bot must answer in time: callback, inline and pre-checkout queries.

Telegram shows a spinner on the button until the bot answers the callback query and gives
up after roughly 10-15 seconds; a pre-checkout query unanswered within 10 seconds fails the
payment. A late answer is rejected with ``query is too old...``. The tracker arms a deadline
per query, records a violation when it passes, and lets the simulated person await the answer.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from emulator.errors import QUERY_TOO_OLD, bad_request
from emulator.records import CallLog, Violation, ViolationKind


class QueryKind(StrEnum):
    CALLBACK = "callback_query"
    INLINE = "inline_query"
    PRE_CHECKOUT = "pre_checkout_query"


_VIOLATION = {
    QueryKind.CALLBACK: ViolationKind.CALLBACK_NOT_ANSWERED,
    QueryKind.INLINE: ViolationKind.INLINE_QUERY_NOT_ANSWERED,
    QueryKind.PRE_CHECKOUT: ViolationKind.PRE_CHECKOUT_NOT_ANSWERED,
}


@dataclass
class PendingQuery:
    """A query delivered to the bot and awaiting its answer."""

    id: str
    kind: QueryKind
    payload: dict[str, Any]
    timeout: float
    answer: asyncio.Future[dict[str, Any]] = field(repr=False)
    expired: bool = False
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class QueryTracker:
    """Deadlines and answers for every query the emulator sent."""

    def __init__(self, log: CallLog) -> None:
        self._log = log
        self._queries: dict[str, PendingQuery] = {}

    @staticmethod
    def new_id() -> str:
        """Query ids are large decimal strings in real Telegram."""
        return str(secrets.randbits(62))

    def open(
        self, query_id: str, kind: QueryKind, payload: dict[str, Any], timeout: float
    ) -> PendingQuery:
        """Start the answer deadline for a query just queued for the bot."""
        loop = asyncio.get_running_loop()
        query = PendingQuery(query_id, kind, payload, timeout, loop.create_future())
        query.timer = loop.call_later(timeout, self._expire, query)
        self._queries[query_id] = query
        return query

    def _expire(self, query: PendingQuery) -> None:
        if query.answer.done():
            return
        query.expired = True
        self._log.add_violation(
            Violation(
                _VIOLATION[query.kind],
                f"{query.kind} {query.id} was not answered within {query.timeout:g}s",
                params={"query": query.payload},
            )
        )
        query.answer.set_exception(
            TimeoutError(f"{query.kind} {query.id} not answered within {query.timeout:g}s")
        )
        query.answer.exception()  # mark retrieved: nobody may be awaiting it

    def answer(self, query_id: str, kind: QueryKind, answer: dict[str, Any]) -> PendingQuery:
        """Accept the bot's answer, or raise ``query is too old...``."""
        query = self._queries.get(query_id)
        if query is None or query.kind != kind or query.expired or query.answer.done():
            raise bad_request(QUERY_TOO_OLD)
        if query.timer is not None:
            query.timer.cancel()
        query.answer.set_result(answer)
        return query

    def get(self, query_id: str) -> PendingQuery | None:
        return self._queries.get(query_id)

    def close(self) -> None:
        """Cancel all deadlines (emulator shutdown)."""
        for query in self._queries.values():
            if query.timer is not None:
                query.timer.cancel()
            if not query.answer.done():
                query.answer.cancel()
