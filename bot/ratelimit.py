"""Telegram's flood limits, kept on our side so the bot is never told to slow down.

Token buckets: one across all chats (SEND_RATE after a burst of SEND_BURST), one per
private chat (CHAT_RATE after CHAT_BURST) and one per group or channel (GROUP_PER_MINUTE,
no burst). ``acquire`` waits until a message may go; ``penalize`` honours a 429's
``retry_after`` for that chat. ``LocalLimiter`` holds the buckets in this process;
``RedisLimiter`` holds them in Redis so that several processes share one budget.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from bot.settings import BotSettings


@dataclass(frozen=True)
class Limits:
    send_rate: float = 25.0
    send_burst: int = 5
    chat_rate: float = 1.0
    chat_burst: int = 3
    group_rate: float = 19 / 60
    group_burst: int = 1

    @classmethod
    def of(cls, settings: BotSettings) -> Limits:
        return cls(
            send_rate=settings.send_rate,
            send_burst=settings.send_burst,
            chat_rate=settings.chat_rate,
            chat_burst=settings.chat_burst,
            group_rate=settings.group_per_minute / 60,
        )

    def for_chat(self, group: bool) -> tuple[float, int]:
        return (self.group_rate, self.group_burst) if group else (self.chat_rate, self.chat_burst)


def is_group(chat: str) -> bool:
    """Groups and channels: an @username or a negative id."""
    return chat.startswith(("@", "-"))


class Limiter(Protocol):
    async def acquire(self, chat: str) -> None: ...

    async def penalize(self, chat: str, seconds: float) -> None: ...

    async def close(self) -> None: ...


class _Bucket:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.capacity = rate, float(burst)
        self.tokens, self.updated = self.capacity, now

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 when one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        # (a hair under one token counts as one: float sums of rate x time drift)
        return 0.0 if self.tokens >= 1.0 - 1e-9 else (1.0 - self.tokens) / self.rate


class LocalLimiter:
    """Buckets in this process (one process, or tests)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._global = _Bucket(limits.send_rate, limits.send_burst, clock())
        self._chats: dict[str, _Bucket] = {}
        self._until: dict[str, float] = {}

    async def acquire(self, chat: str) -> None:
        while True:
            wait = self._try(chat)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    def _try(self, chat: str) -> float:
        now = self._clock()
        held = self._until.get(chat, 0.0) - now
        if held > 0:
            return held
        bucket = self._chats.get(chat)
        if bucket is None:
            bucket = self._chats[chat] = _Bucket(*self.limits.for_chat(is_group(chat)), now)
        wait = max(bucket.wait(now), self._global.wait(now))
        if wait > 0:
            return wait
        bucket.tokens = max(bucket.tokens - 1.0, 0.0)
        self._global.tokens = max(self._global.tokens - 1.0, 0.0)
        if len(self._chats) > 50_000:
            self._forget(now)
        return 0.0

    def _forget(self, now: float) -> None:
        """Drop full buckets (they are what a new bucket would be) to bound memory."""
        for chat in [
            c for c, b in self._chats.items() if b.wait(now) == 0 and b.tokens >= b.capacity
        ]:
            del self._chats[chat]
        self._until = {c: t for c, t in self._until.items() if t > now}

    async def penalize(self, chat: str, seconds: float) -> None:
        self._until[chat] = max(self._until.get(chat, 0.0), self._clock() + seconds)
        bucket = self._chats.get(chat)
        if bucket is not None:
            bucket.tokens = 0.0

    async def close(self) -> None:
        return None


# KEYS: global bucket, chat bucket, chat hold. ARGV: rates and capacities, key ttl (ms).
# Redis's own TIME is the clock, so every process measures the same seconds.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local hold = tonumber(redis.call('GET', KEYS[3]) or '0')
if hold > now then return math.ceil((hold - now) * 1000) end
local function level(key, rate, cap)
  local v = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(v[1]) or cap
  local ts = tonumber(v[2]) or now
  return math.min(cap, tokens + (now - ts) * rate)
end
local grate, gcap = tonumber(ARGV[1]), tonumber(ARGV[2])
local crate, ccap = tonumber(ARGV[3]), tonumber(ARGV[4])
local g = level(KEYS[1], grate, gcap)
local c = level(KEYS[2], crate, ccap)
if c < 1 then return math.ceil((1 - c) / crate * 1000) end
if g < 1 then return math.ceil((1 - g) / grate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(g - 1), 'ts', tostring(now))
redis.call('HSET', KEYS[2], 'tokens', tostring(c - 1), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 0
"""

_PENALIZE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local hold = now + tonumber(ARGV[1])
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
if hold > old then
  redis.call('SET', KEYS[1], tostring(hold), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
redis.call('HSET', KEYS[2], 'tokens', '0', 'ts', tostring(now))
return 0
"""


class RedisLimiter:
    """The same buckets in Redis, updated atomically by a script: one budget for all
    processes of a deployment."""

    def __init__(
        self, redis: Redis, limits: Limits, prefix: str = "bidgram:rate", *, owned: bool = True
    ) -> None:
        self.redis = redis
        self.owned = owned  # close the client with the limiter (not a shared one)
        self.limits = limits
        self.prefix = prefix
        self._acquire = redis.register_script(_ACQUIRE)
        self._penalize = redis.register_script(_PENALIZE)

    @classmethod
    def from_url(cls, url: str, limits: Limits, prefix: str = "bidgram:rate") -> RedisLimiter:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url), limits, prefix)

    def _keys(self, chat: str) -> list[str]:
        p = self.prefix
        return [f"{p}:global", f"{p}:chat:{chat}", f"{p}:hold:{chat}"]

    async def acquire(self, chat: str) -> None:
        rate, burst = self.limits.for_chat(is_group(chat))
        ttl = math.ceil(max(burst / rate, self.limits.send_burst / self.limits.send_rate) * 1000)
        args = [self.limits.send_rate, self.limits.send_burst, rate, burst, ttl + 1000]
        while True:
            wait_ms = int(await self._acquire(keys=self._keys(chat), args=args))
            if wait_ms <= 0:
                return
            await asyncio.sleep(wait_ms / 1000)

    async def penalize(self, chat: str, seconds: float) -> None:
        keys = self._keys(chat)
        await self._penalize(keys=[keys[2], keys[1]], args=[seconds])

    async def close(self) -> None:
        if self.owned:
            await self.redis.aclose()
