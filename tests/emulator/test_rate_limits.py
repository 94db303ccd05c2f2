"""Flood control: 429 with retry_after, and checks that the bot honours it."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter

from emulator import BotAPIEmulator, RateLimits, TelegramError, ViolationKind
from emulator.limits import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_bursts_then_throttles_and_refills() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(per_chat_rate=1.0, per_chat_burst=3), clock)
    for _ in range(3):
        limiter.check(1)
    with pytest.raises(TelegramError) as caught:
        limiter.check(1)
    assert caught.value.error_code == 429 and caught.value.retry_after == 1
    assert caught.value.description == "Too Many Requests: retry after 1"
    limiter.check(2)  # other chats are unaffected
    clock.now = 1.0
    limiter.check(1)


def test_disabled_limits_never_throttle() -> None:
    limiter = RateLimiter(RateLimits.disabled(), FakeClock())
    for _ in range(1000):
        limiter.check(1)


async def test_strict_throttling_returns_429_with_retry_after(
    bot: Bot, emu: BotAPIEmulator
) -> None:
    alice = emu.user("Alice", started=True)
    emu.set_rate_limits(RateLimits.strict(per_chat_burst=2))
    await bot.send_message(alice.id, "one")
    await bot.send_message(alice.id, "two")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(alice.id, "three")
    assert caught.value.retry_after >= 1
    assert "Too Many Requests: retry after" in caught.value.message
    emu.assert_clean()  # being throttled is not a bug...
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(alice.id, "three, impatiently")
    # ...but retrying before retry_after has passed is
    assert [v.kind for v in emu.violations] == [ViolationKind.RETRY_AFTER_IGNORED]
    assert [m.text for m in alice.messages] == ["one", "two"]


async def send_politely(bot: Bot, chat_id: int, text: str) -> None:
    """What a well-behaved bot does on 429."""
    while True:
        try:
            await bot.send_message(chat_id, text)
            return
        except TelegramRetryAfter as error:
            await asyncio.sleep(error.retry_after)


async def test_a_bot_that_honours_retry_after_passes(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    emu.set_rate_limits(RateLimits.strict(per_chat_burst=1, per_chat_rate=2.0))
    started = time.monotonic()
    for text in ("first", "second"):
        await send_politely(bot, alice.id, text)
    assert time.monotonic() - started >= 1.0
    assert [m.text for m in alice.messages] == ["first", "second"]
    assert [c.error_code for c in emu.calls_to("sendMessage")] == [None, 429, None]
    emu.assert_clean()


async def test_global_limit_across_chats(bot: Bot, emu: BotAPIEmulator) -> None:
    people = [emu.user(f"P{i}", started=True) for i in range(4)]
    emu.set_rate_limits(RateLimits(per_chat_burst=10, global_rate=1.0, global_burst=3))
    for person in people[:3]:
        await bot.send_message(person.id, "hi")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(people[3].id, "hi")


async def test_validation_errors_do_not_consume_the_budget(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    emu.set_rate_limits(RateLimits.strict(per_chat_burst=1))
    with pytest.raises(Exception, match="can't parse entities"):
        await bot.send_message(alice.id, "<x>", parse_mode="HTML")
    await bot.send_message(alice.id, "fine")


def test_retry_after_is_a_promise_even_if_the_timer_fires_a_bit_early() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits.strict(per_chat_burst=1, per_chat_rate=1.0), clock)
    limiter.check(1)
    with pytest.raises(TelegramError) as caught:
        limiter.check(1)
    assert caught.value.retry_after == 1
    clock.now = 0.99  # asyncio may wake a sleeper slightly before the deadline
    limiter.check(1)
