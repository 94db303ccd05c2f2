"""Flood limits: Telegram answers ``429 retry after N`` when a bot sends too fast.

Telegram documents roughly one message per second per chat (short bursts tolerated) and about
30 messages per second overall. Token buckets model both; thresholds are configurable so tests
can be lenient by default and strict when they check that the bot honours ``retry_after``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from emulator.errors import TelegramError, too_many_requests

_TIMER_SLACK = 0.05
"""Event loops may wake a sleeper a little early; such a retry still honours retry_after."""
_COUNTED_EXTRA = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


def is_rate_limited_method(method: str) -> bool:
    """Only calls that post a new message count against flood limits."""
    name = method.lower()
    return (name.startswith("send") and name != "sendchataction") or name in _COUNTED_EXTRA


@dataclass(frozen=True)
class RateLimits:
    """Flood-limit thresholds; the defaults approximate real Telegram."""

    enabled: bool = True
    per_chat_rate: float = 1.0
    """Sustained messages per second into one chat."""
    per_chat_burst: int = 5
    """Messages that may be sent into one chat back-to-back before throttling starts."""
    global_rate: float = 30.0
    global_burst: int = 30

    @classmethod
    def telegram(cls) -> RateLimits:
        """Approximately what the real Bot API enforces."""
        return cls()

    @classmethod
    def generous(cls) -> RateLimits:
        """For functional tests: still on, but only a runaway loop would hit it."""
        return cls(per_chat_rate=50.0, per_chat_burst=200, global_rate=500.0, global_burst=1000)

    @classmethod
    def strict(cls, per_chat_burst: int = 1, per_chat_rate: float = 1.0) -> RateLimits:
        """For tests of ``retry_after`` handling: throttles on the second quick message."""
        return cls(per_chat_rate=per_chat_rate, per_chat_burst=per_chat_burst)

    @classmethod
    def disabled(cls) -> RateLimits:
        return cls(enabled=False)

    def with_(self, **changes: float | int | bool) -> RateLimits:
        """A copy with some thresholds changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


class _Bucket:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.capacity = float(max(burst, 1))
        self.tokens = self.capacity
        self.updated = now

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def take(self, now: float) -> float:
        """Consume a token; return 0 on success or the seconds until one is available."""
        self.refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimiter:
    """Applies :class:`RateLimits` and remembers the ``retry_after`` it told the bot."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._chats: dict[int | str, _Bucket] = {}
        self._global: _Bucket | None = None
        self._penalties: dict[int | str, float] = {}

    def configure(self, limits: RateLimits) -> None:
        """Switch thresholds (resets all buckets)."""
        self.limits = limits
        self._chats.clear()
        self._global = None
        self._penalties.clear()

    def hold(self, chat_id: int | str, seconds: float) -> None:
        """A 429 was given for this chat (e.g. injected): calling before it ends is ignoring it."""
        self._penalties[chat_id] = self._clock() + seconds

    def check(self, chat_id: int | str) -> None:
        """Account one message to ``chat_id``; raise a 429 :class:`TelegramError` when over.

        A call arriving before an earlier ``retry_after`` for this chat expired gets a 429
        for which :func:`ignored_retry_after` is true (the caller records a violation).
        """
        if not self.limits.enabled:
            return
        now = self._clock()
        if self._global is None:
            self._global = _Bucket(self.limits.global_rate, self.limits.global_burst, now)
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = _Bucket(
                self.limits.per_chat_rate, self.limits.per_chat_burst, now
            )
        penalty_until = self._penalties.pop(chat_id, None)
        if penalty_until is not None:
            if now + _TIMER_SLACK < penalty_until:
                self._penalties[chat_id] = penalty_until
                raise _IgnoredRetryAfter(math.ceil(penalty_until - now))
            # retry_after is a promise: a bot that waited exactly that long gets through
            bucket.refill(now)
            bucket.tokens = max(bucket.tokens, 1.0)
        wait = max(bucket.take(now), 0.0)
        if wait == 0.0:
            global_wait = self._global.take(now)
            if global_wait > 0.0:
                bucket.tokens += 1.0  # the chat's message was not sent after all
                wait = global_wait
        if wait > 0.0:
            retry_after = max(1, math.ceil(wait))
            self._penalties[chat_id] = now + retry_after
            raise too_many_requests(retry_after)


class _IgnoredRetryAfter(TelegramError):
    """A 429 given because the bot retried before ``retry_after`` elapsed."""

    def __init__(self, retry_after: int) -> None:
        error = too_many_requests(max(retry_after, 1))
        super().__init__(error.error_code, error.description, error.retry_after)


def ignored_retry_after(error: TelegramError) -> bool:
    """Whether a 429 was caused by the bot ignoring an earlier ``retry_after``."""
    return isinstance(error, _IgnoredRetryAfter)
