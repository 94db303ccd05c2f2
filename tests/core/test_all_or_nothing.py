"""A unit of work that is all or nothing (an update's): operations open no savepoints, and
an operation that failed half-done is never committed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from core.actors import Actor
from core.context import Service, atomic
from core.errors import InvalidState
from core.marketplace import Marketplace
from storage.models import User
from tests.harness import Harness


class Clumsy(Service):
    @atomic
    async def rename_then_refuse(self, user_id: int) -> None:
        """Writes, then is refused: half done unless something undoes it."""
        user = await self.uow.users.get(user_id)
        assert user is not None
        user.first_name = "Half"
        await self.uow.flush()
        raise InvalidState("test.refused", "Refused after writing.")


@asynccontextmanager
async def unit(h: Harness, *, whole: bool) -> AsyncIterator[Marketplace]:
    async with h.db.uow() as uow:
        market = Marketplace(uow, h.settings, h.clock)
        yield market.all_or_nothing() if whole else market


@contextmanager
def savepoints(h: Harness) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if "SAVEPOINT" in statement.upper() and "RELEASE" not in statement.upper():
            seen.append(statement)

    event.listen(h.db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(h.db.engine.sync_engine, "before_cursor_execute", record)


async def name_of(h: Harness, who: Actor) -> str:
    async with h.db.uow() as uow:
        user = await uow.session.get(User, who.user_id)
        assert user is not None
        return user.first_name


async def headline_of(h: Harness, who: Actor) -> str | None:
    async with h.tx() as m:
        profile = (await m.users.profile(who.user_id)).profile
        return profile.headline if profile is not None else None


async def test_an_operation_opens_no_savepoint_when_the_whole_unit_of_work_goes_with_it(
    h: Harness,
) -> None:
    frank = await h.freelancer()
    for whole, expected in ((False, 1), (True, 0)):
        with savepoints(h) as seen:
            async with unit(h, whole=whole) as m:
                await m.users.update_profile(frank, headline=f"Python developer {expected}")
                await m.commit()
        assert len(seen) == expected


async def test_an_operation_refused_half_done_whose_caller_carries_on_is_never_committed(
    h: Harness,
) -> None:
    frank = await h.freelancer()
    async with unit(h, whole=True) as m:
        with pytest.raises(InvalidState):
            await Clumsy(m.ctx).rename_then_refuse(frank.user_id)
        with pytest.raises(RuntimeError, match="attempt"):
            await m.commit()
    assert await name_of(h, frank) == "Frank"


async def test_an_attempt_undoes_a_refused_operation_alone_and_the_rest_commits(
    h: Harness,
) -> None:
    frank = await h.freelancer()
    async with unit(h, whole=True) as m:
        await m.users.update_profile(frank, headline="Senior Python developer")
        with pytest.raises(InvalidState):
            async with m.attempt():
                await Clumsy(m.ctx).rename_then_refuse(frank.user_id)
        await m.commit()
    assert await name_of(h, frank) == "Frank"
    assert await headline_of(h, frank) == "Senior Python developer"


async def test_after_a_rollback_the_unit_of_work_commits_again(h: Harness) -> None:
    """As an update does after a refusal: the claim and the person written again."""
    frank = await h.freelancer()
    async with unit(h, whole=True) as m:
        with pytest.raises(InvalidState):
            await Clumsy(m.ctx).rename_then_refuse(frank.user_id)
        await m.rollback()
        await m.users.update_profile(frank, headline="Written after the rollback")
        await m.commit()
    assert await name_of(h, frank) == "Frank"
    assert await headline_of(h, frank) == "Written after the rollback"
