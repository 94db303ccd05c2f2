"""Handled update ids: an update claimed once is refused the second time, a twin waits
for the first claim's transaction, and old ids are pruned."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

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


async def test_the_claim_brings_the_sender_in_the_same_statement_on_postgresql(
    db: Database, clock: FrozenClock, backend: str
) -> None:
    async with db.uow() as uow:
        known = (await uow.users.ensure(501, clock.now())).id
        await uow.commit()
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's own
            sent.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    async with db.uow() as uow:
        assert await uow.claim(BOT, 20, clock.now(), sender=501)
        assert (await uow.users.ensure(501, clock.now())).id == known
        assert len(sent) == (1 if backend == "postgresql" else 2)
        assert await uow.claim(BOT, 21, clock.now(), sender=502)  # someone new
        newcomer = await uow.users.ensure(502, clock.now())
        assert newcomer.telegram_id == 502 and newcomer.id != known
        assert not await uow.claim(BOT, 20, clock.now(), sender=501)  # claimed already
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.claim(BOT, 21, clock.now(), sender=502)
        assert await uow.claim(BOT, 22, clock.now())  # from nobody


@pytest.mark.postgres
async def test_a_person_read_with_the_claim_is_fresh(db: Database, clock: FrozenClock) -> None:
    """The row comes as it is now, not as this unit of work last saw it (another
    transaction changed it meanwhile)."""
    async with db.uow() as uow:
        await uow.users.ensure(601, clock.now())
        await uow.commit()
    async with db.uow() as uow:
        held = await uow.users.ensure(601, clock.now())
        async with db.uow() as other:
            (await other.users.ensure(601, clock.now())).time_zone = "Europe/Berlin"
            await other.commit()
        assert held.time_zone is None  # what this unit of work saw
        assert await uow.claim(BOT, 30, clock.now(), sender=601)
        again = await uow.users.ensure(601, clock.now())
        assert again is held and again.time_zone == "Europe/Berlin"


@pytest.mark.postgres
@pytest.mark.parametrize("first_commits", [True, False])
@pytest.mark.parametrize("sender", [None, 700])
async def test_a_twin_claim_waits_for_the_first_transaction(
    db: Database, clock: FrozenClock, first_commits: bool, sender: int | None
) -> None:
    async with db.uow() as first:
        assert await first.claim(BOT, 7, clock.now(), sender)
        async with db.uow() as twin:
            claim = asyncio.create_task(twin.claim(BOT, 7, clock.now(), sender))
            await asyncio.sleep(0.3)
            assert not claim.done()  # waiting on the primary key, not guessing
            if first_commits:
                await first.commit()
            else:
                await first.rollback()
            assert await asyncio.wait_for(claim, 10) is not first_commits
