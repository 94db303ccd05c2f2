"""Our side of Telegram's flood limits: what may be sent when, on a clock we move."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.ratelimit import Limits, LocalLimiter, RedisLimiter, is_group

LIMITS = Limits(send_rate=25, send_burst=5, chat_rate=1, chat_burst=3, group_rate=19 / 60)


class Ticks:
    """A monotonic clock that only moves when ``asyncio.sleep`` is awaited through it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def sent_within(limiter: LocalLimiter, ticks: Ticks, chat: str, seconds: float) -> int:
    """How many messages to ``chat`` may go in ``seconds`` when sent as fast as allowed."""
    start, sent = ticks.now, 0
    while True:
        wait = limiter._try(chat)
        if wait > 0:
            if ticks.now + wait > start + seconds:
                return sent
            ticks.now += wait
            continue
        sent += 1


async def test_a_chat_gets_a_short_burst_then_one_message_a_second() -> None:
    ticks = Ticks()
    limiter = LocalLimiter(LIMITS, clock=ticks)
    assert await sent_within(limiter, ticks, "42", 0.0) == 3
    assert await sent_within(limiter, ticks, "42", 10.0) == 10


async def test_groups_and_channels_get_at_most_twenty_a_minute() -> None:
    ticks = Ticks()
    limiter = LocalLimiter(LIMITS, clock=ticks)
    assert is_group("@bidgram_jobs") and is_group("-1001234") and not is_group("42")
    assert await sent_within(limiter, ticks, "@bidgram_jobs", 60.0) <= 20


async def test_all_chats_together_stay_under_thirty_a_second() -> None:
    ticks = Ticks()
    limiter = LocalLimiter(LIMITS, clock=ticks)
    sent = 0
    chat = 0
    start = ticks.now
    while ticks.now < start + 1.0:
        wait = limiter._try(str(chat))
        if wait > 0:
            ticks.now += wait
            continue
        sent += 1
        chat += 1
    assert sent <= 30  # a burst of 5, then 25 a second


async def test_retry_after_holds_the_chat_and_only_that_chat() -> None:
    ticks = Ticks()
    limiter = LocalLimiter(LIMITS, clock=ticks)
    await limiter.penalize("42", 7)
    assert limiter._try("42") == pytest.approx(7)
    assert limiter._try("43") == 0
    ticks.now += 7
    assert limiter._try("42") == 0


async def test_acquire_waits_for_its_turn() -> None:
    limiter = LocalLimiter(Limits(send_rate=100, send_burst=1, chat_rate=20, chat_burst=1))
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(3):
        await limiter.acquire("42")
    assert loop.time() - start >= 2 / 20 - 0.01


# --- the same budget shared through Redis --------------------------------------------------

REDIS = os.environ.get("TEST_REDIS_URL", "").strip()


@pytest.fixture
async def redis_limiters() -> AsyncIterator[tuple[RedisLimiter, RedisLimiter]]:
    if not REDIS:
        pytest.skip("TEST_REDIS_URL is not set")
    prefix = f"bidgram-test:{uuid.uuid4().hex}"
    first = RedisLimiter.from_url(REDIS, LIMITS, prefix)
    second = RedisLimiter.from_url(REDIS, LIMITS, prefix)
    try:
        await first.redis.ping()
    except Exception as error:  # CI asked for Redis: its absence is a failure
        pytest.fail(f"TEST_REDIS_URL is set but Redis is not reachable: {error}")
    try:
        yield first, second
    finally:
        keys = [k async for k in first.redis.scan_iter(f"{prefix}:*")]
        if keys:
            await first.redis.delete(*keys)
        await first.close()
        await second.close()


async def test_two_processes_share_one_budget_through_redis(
    redis_limiters: tuple[RedisLimiter, RedisLimiter],
) -> None:
    first, second = redis_limiters
    keys = first._keys("42")
    taken = 0
    for limiter in (first, second, first, second):
        if int(await limiter._acquire(keys=keys, args=_args(limiter))) == 0:
            taken += 1
    assert taken == 3  # the chat's burst is shared: the fourth must wait
    await second.penalize("42", 5)
    assert int(await first._acquire(keys=keys, args=_args(first))) > 4000


async def test_redis_acquire_returns_once_allowed(
    redis_limiters: tuple[RedisLimiter, RedisLimiter],
) -> None:
    first, _ = redis_limiters
    for _ in range(4):  # the fourth waits about a second for its token
        await asyncio.wait_for(first.acquire("7"), timeout=3)


def _args(limiter: RedisLimiter) -> list[float]:
    rate, burst = limiter.limits.for_chat(False)
    return [limiter.limits.send_rate, limiter.limits.send_burst, rate, burst, 60_000]
