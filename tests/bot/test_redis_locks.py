"""Person locks in Redis: two processes (two clients) take turns on one person."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisEventIsolation
from redis.asyncio import Redis

from bot.locks import RedisPersonLocks

pytestmark = pytest.mark.redis
BOT_ID = 123456789


@pytest.fixture
async def two_processes(redis_url: str, redis_prefix: str) -> AsyncIterator[list[RedisPersonLocks]]:
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    keys = DefaultKeyBuilder(prefix=redis_prefix, with_bot_id=True)
    yield [RedisPersonLocks(RedisEventIsolation(c, key_builder=keys), BOT_ID) for c in clients]
    for client in clients:
        await client.aclose()


async def test_a_person_is_handled_by_one_process_at_a_time(
    two_processes: list[RedisPersonLocks],
) -> None:
    one, two = two_processes
    order: list[str] = []
    async with one.of(42):
        waiting = asyncio.create_task(_hold(two, 42, order, "two"))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # the other process waits for this person
        order.append("one")
    await asyncio.wait_for(waiting, 10)
    assert order == ["one", "two"]


async def test_different_people_do_not_wait_for_each_other(
    two_processes: list[RedisPersonLocks],
) -> None:
    one, two = two_processes
    async with one.of(42):
        await asyncio.wait_for(_hold(two, 43, [], "two"), 5)


async def _hold(locks: RedisPersonLocks, person: int, order: list[str], name: str) -> None:
    async with locks.of(person):
        order.append(name)
