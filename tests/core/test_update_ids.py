"""Handled update ids: an update claimed once is refused the second time, a twin waits
for the first claim's transaction, and old ids are pruned."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import prune_update_ids
from core.clock import FrozenClock
from storage.db import Database

BOT = 123456789


async def test_an_update_is_claimed_once(db: Database, clock: FrozenClock) -> None:
    async with db.uow() as uow:
        assert await uow.updates.claim(BOT, 10, clock.now())
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.updates.claim(BOT, 10, clock.now())
        assert await uow.updates.claim(BOT, 11, clock.now())
        assert await uow.updates.claim(BOT + 1, 10, clock.now())  # another bot's update 10


async def test_a_claim_rolled_back_leaves_the_update_free(db: Database, clock: FrozenClock) -> None:
    async with db.uow() as uow:
        assert await uow.updates.claim(BOT, 10, clock.now())
    async with db.uow() as uow:
        assert await uow.updates.claim(BOT, 10, clock.now())


async def test_ids_older_than_a_day_are_pruned(db: Database, clock: FrozenClock) -> None:
    async with db.uow() as uow:
        await uow.updates.claim(BOT, 1, clock.now())
        await uow.commit()
    clock.advance(timedelta(hours=12))
    async with db.uow() as uow:
        await uow.updates.claim(BOT, 2, clock.now())
        await uow.commit()
    clock.advance(timedelta(hours=13))
    assert await prune_update_ids(db, clock) == 1
    async with db.uow() as uow:
        assert await uow.updates.claim(BOT, 1, clock.now())  # forgotten
        assert not await uow.updates.claim(BOT, 2, clock.now())  # still remembered


@pytest.mark.postgres
@pytest.mark.parametrize("first_commits", [True, False])
async def test_a_twin_claim_waits_for_the_first_transaction(
    db: Database, clock: FrozenClock, first_commits: bool
) -> None:
    async with db.uow() as first:
        assert await first.updates.claim(BOT, 7, clock.now())
        async with db.uow() as twin:
            claim = asyncio.create_task(twin.updates.claim(BOT, 7, clock.now()))
            await asyncio.sleep(0.3)
            assert not claim.done()  # waiting on the primary key, not guessing
            if first_commits:
                await first.commit()
            else:
                await first.rollback()
            assert await asyncio.wait_for(claim, 10) is not first_commits
