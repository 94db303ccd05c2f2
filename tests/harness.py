"""A test harness that reads like the product: people, projects, contracts, money.

Each helper runs in its own unit of work and commits, as one Telegram update
would. ``refused`` checks a refusal and that it changed nothing in the database.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import select

from core import ledger
from core.actors import Actor
from core.clock import FrozenClock
from core.errors import DomainError
from core.events import Event
from core.marketplace import Marketplace
from core.settings import Settings
from storage.db import Database
from storage.models import Base, Contract, Milestone

T = TypeVar("T")
_ids = itertools.count(1000)


class Harness:
    def __init__(
        self, db: Database, settings: Settings, clock: FrozenClock, admin_telegram_id: int
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.admin_telegram_id = admin_telegram_id
        self.events: list[Event] = []

    # --- units of work --------------------------------------------------------------

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[Marketplace]:
        """One unit of work that commits when the block succeeds."""
        async with self.db.uow() as uow:
            market = Marketplace(uow, self.settings, self.clock)
            yield market
            await uow.commit()
            self.events.extend(market.take_events())

    async def run(self, fn: Callable[[Marketplace], Awaitable[T]]) -> T:
        async with self.tx() as m:
            return await fn(m)

    async def refused(
        self, fn: Callable[[Marketplace], Awaitable[Any]], code: str | None = None
    ) -> DomainError:
        """Expect a domain error; commit anyway and prove nothing changed."""
        before = await self.snapshot()
        async with self.db.uow() as uow:
            market = Marketplace(uow, self.settings, self.clock)
            try:
                await fn(market)
            except DomainError as error:
                caught = error
            else:
                raise AssertionError(f"expected a refusal ({code}), but it succeeded")
            assert not market.ctx.events, "a refused operation left events behind"
            await uow.commit()
        if code is not None:
            assert caught.code == code, f"expected {code}, got {caught.code}: {caught.message}"
        after = await self.snapshot()
        assert before == after, "a refused operation changed the database"
        return caught

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        async with self.db.uow() as uow:
            for table in Base.metadata.sorted_tables:
                rows = (await uow.session.execute(select(table))).all()
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return out

    # --- people ---------------------------------------------------------------------

    async def user(self, name: str = "user", *, admin: bool = False) -> Actor:
        telegram_id = self.admin_telegram_id if admin else next(_ids) * 7
        async with self.tx() as m:
            user = await m.users.register(telegram_id, name, username=name.lower())
            return m.users.actor(user)

    async def admin(self) -> Actor:
        return await self.user("Admin", admin=True)

    async def employer(self, name: str = "Erin") -> Actor:
        return await self.user(name)

    async def freelancer(self, name: str = "Frank", skills: tuple[str, ...] = ("python",)) -> Actor:
        actor = await self.user(name)
        async with self.tx() as m:
            await m.users.update_profile(
                actor,
                headline="Senior Python developer",
                bio="Ten years of building web services, bots and data pipelines.",
                skills=list(skills),
                hourly_rate=5000,
                portfolio=["https://example.com/work"],
            )
        return actor

    # --- projects -------------------------------------------------------------------

    async def draft(self, employer: Actor, **overrides: Any) -> int:
        fields: dict[str, Any] = {
            "title": "Build a Telegram bot for my shop",
            "description": "A bot that takes orders, accepts payments and notifies staff.",
            "skills": ["python", "telegram-bots"],
            "budget_min": 10_000,
            "budget_max": 50_000,
        }
        fields.update(overrides)
        async with self.tx() as m:
            return (await m.projects.create_draft(employer, **fields)).id

    async def open_project(self, employer: Actor, **overrides: Any) -> int:
        pid = await self.draft(employer, **overrides)
        async with self.tx() as m:
            await m.projects.publish(employer, pid)
        return pid

    async def bid(
        self, freelancer: Actor, project_id: int, amount: int = 30_000, days: int = 10
    ) -> int:
        async with self.tx() as m:
            bid = await m.bids.place(
                freelancer,
                project_id,
                amount=amount,
                delivery_days=days,
                proposal="I have built many shop bots; here is how I would do yours.",
            )
            return bid.id

    async def hire(
        self,
        employer: Actor | None = None,
        freelancer: Actor | None = None,
        amount: int = 30_000,
        **terms: Any,
    ) -> tuple[Actor, Actor, Contract]:
        """An employer, a freelancer and an active contract between them, on the offer's
        ``terms`` (the proposed ones by default)."""
        employer = employer or await self.employer()
        freelancer = freelancer or await self.freelancer()
        pid = await self.open_project(employer)
        bid_id = await self.bid(freelancer, pid, amount=amount)
        async with self.tx() as m:
            award = await m.awards.offer(employer, bid_id, **terms)
        async with self.tx() as m:
            contract = await m.awards.accept(freelancer, award.id)
        return employer, freelancer, contract

    async def milestone(
        self, employer: Actor, contract_id: int, amount: int = 10_000, *, fund: bool = True
    ) -> Milestone:
        async with self.tx() as m:
            ms = await m.milestones.create(
                employer, contract_id, description="First part", amount=amount
            )
        if fund:
            async with self.tx() as m:
                await m.milestones.start_funding(employer, ms.id, "sandbox")
        return await self.get_milestone(ms.id)

    async def get_milestone(self, milestone_id: int) -> Milestone:
        async with self.tx() as m:
            return await m.milestones.get(milestone_id)

    # --- money ----------------------------------------------------------------------

    async def balance(self, code: str) -> int:
        async with self.tx() as m:
            return await ledger.Ledger(m.ctx.uow).balance(code)

    async def available(self, actor: Actor) -> int:
        return await self.balance(ledger.available(actor.user_id))

    async def check_books(self) -> None:
        """The money invariants: balanced, nothing negative, escrow matches milestones."""
        async with self.db.uow() as uow:
            assert await uow.accounts.total_of_all_postings() == 0
            assert await uow.accounts.unbalanced_transactions() == []
            assert await uow.accounts.negative_internal_accounts() == []
            assert await uow.accounts.escrow_mismatches() == []
