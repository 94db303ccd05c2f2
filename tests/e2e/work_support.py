"""Shared steps for the work-and-money end-to-end tests.

Preconditions (a hired freelancer, a funded or delivered milestone, a completed
contract) are seeded through core, as one committed unit of work each; what a
test is about is then done through the bot by simulated people.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.app import gateways_for
from core import ledger
from core.actors import Actor
from core.events import Event
from core.marketplace import Marketplace
from emulator import CallbackAnswer, ChatMessage, SimulatedUser
from emulator.queries import QueryKind
from storage.models import Milestone
from tests.e2e.conftest import App

MENU = "What would you like to do?"


@asynccontextmanager
async def market(app: App) -> AsyncIterator[Marketplace]:
    """One unit of work on the bot's database, committed when the block succeeds."""
    async with app.db.uow() as uow:
        yield Marketplace(uow, app.settings, app.clock, gateways_for(app.settings))
        await uow.commit()


async def publish(app: App, events: Sequence[Event]) -> None:
    """Queue events that happened outside an update (an operator, a seed) as alerts,
    the way a committed update does, and wake the bot's delivery loop."""
    async with app.db.uow() as uow:
        for event in events:
            uow.outbox.add_event(event.kind, event.recipients, event.to_payload(), app.clock.now())
        await uow.commit()
    app.delivery.wake()


async def settled(app: App, within: float = 10.0) -> dict[str, int]:
    """Wait until every alert in the outbox has been expanded and sent (or settled)."""
    deadline = time.monotonic() + within
    while True:
        async with app.db.uow() as uow:
            counts = await uow.outbox.counts()
        if not counts.get("pending") and not counts.get("events waiting"):
            return counts
        if time.monotonic() > deadline:
            raise AssertionError(f"the outbox did not settle: {counts}")
        await asyncio.sleep(0.02)


async def balance(app: App, code: str) -> int:
    async with market(app) as m:
        return await ledger.Ledger(m.ctx.uow).balance(code)


async def check_books(app: App) -> None:
    """Nothing created or destroyed: balanced, nothing negative, escrow matches milestones."""
    async with app.db.uow() as uow:
        assert await uow.accounts.total_of_all_postings() == 0
        assert await uow.accounts.unbalanced_transactions() == []
        assert await uow.accounts.negative_internal_accounts() == []
        assert await uow.accounts.escrow_mismatches() == []


async def milestone(app: App, milestone_id: int) -> Milestone:
    async with market(app) as m:
        return await m.milestones.get(milestone_id)


@dataclass
class Deal:
    """An employer and a freelancer with an active contract, both chatting with the bot."""

    employer: SimulatedUser
    freelancer: SimulatedUser
    boss: Actor  # the employer in core
    worker: Actor  # the freelancer in core
    contract_id: int
    project_id: int
    project_title: str


async def started(person: SimulatedUser) -> None:
    await person.send_text("/start")
    await person.wait_for_message(MENU)


@dataclass
class Bidding:
    """A published project with one bid on it, and the events that caused (its alerts)."""

    employer: SimulatedUser
    freelancer: SimulatedUser
    boss: Actor
    worker: Actor
    project_id: int
    project_title: str
    bid_id: int
    events: list[Event]


async def bidding(
    app: App,
    *,
    employer: str = "Erin",
    freelancer: str = "Frank",
    budget: tuple[int, int] = (10_000, 50_000),
    amount: int = 30_000,
    title: str = "Build a Telegram bot for my shop",
    description: str = "A bot that takes orders, accepts payments and notifies staff.",
) -> Bidding:
    """Both people have opened the bot; the freelancer (profile complete) has bid."""
    erin, frank = app.person(employer), app.person(freelancer)
    await started(erin)
    await started(frank)
    async with market(app) as m:
        boss = m.users.actor(await m.users.register(erin.id, erin.first_name))
        worker = m.users.actor(await m.users.register(frank.id, frank.first_name))
        await m.users.update_profile(
            worker,
            headline="Senior Python developer",
            bio="Ten years of building web services, bots and data pipelines.",
            skills=["python"],
            hourly_rate=5000,
            portfolio=["https://example.com/work"],
        )
        project = await m.projects.create_draft(
            boss,
            title=title,
            description=description,
            skills=["python", "telegram-bots"],
            budget_min=budget[0],
            budget_max=budget[1],
        )
        await m.projects.publish(boss, project.id)
        bid = await m.bids.place(
            worker,
            project.id,
            amount=amount,
            delivery_days=10,
            proposal="I have built many shop bots; here is how I would do yours.",
        )
        events = m.take_events()
    return Bidding(erin, frank, boss, worker, project.id, project.title, bid.id, events)


async def hired(
    app: App,
    *,
    employer: str = "Erin",
    freelancer: str = "Frank",
    budget: tuple[int, int] = (10_000, 50_000),
    amount: int = 30_000,
    title: str = "Build a Telegram bot for my shop",
    **terms: Any,
) -> Deal:
    """An accepted award on ``terms`` (the proposed ones by default): the contract exists,
    with no milestones yet."""
    b = await bidding(
        app, employer=employer, freelancer=freelancer, budget=budget, amount=amount, title=title
    )
    async with market(app) as m:
        award = await m.awards.offer(b.boss, b.bid_id, **terms)
        contract = await m.awards.accept(b.worker, award.id)
    return Deal(
        b.employer, b.freelancer, b.boss, b.worker, contract.id, b.project_id, b.project_title
    )


async def seeded_milestone(
    app: App,
    deal: Deal,
    amount: int = 10_000,
    *,
    description: str = "Design the order flow",
    fund: bool = True,
    deliver: bool = False,
) -> int:
    async with market(app) as m:
        ms = await m.milestones.create(
            deal.boss, deal.contract_id, description=description, amount=amount
        )
    if fund:
        async with market(app) as m:
            await m.milestones.start_funding(deal.boss, ms.id, "sandbox")
    if deliver:
        async with market(app) as m:
            await m.milestones.deliver(deal.worker, ms.id, "All done, see the repository.")
    return ms.id


async def completed(app: App, deal: Deal, amount: int = 10_000) -> int:
    """A contract completed after one released milestone; returns the milestone id."""
    ms_id = await seeded_milestone(app, deal, amount)
    async with market(app) as m:
        await m.milestones.release(deal.boss, ms_id)
    async with market(app) as m:
        await m.contracts.end(deal.boss, deal.contract_id)
    return ms_id


async def press(person: SimulatedUser, message: ChatMessage, data: str) -> CallbackAnswer:
    """Press a button that is *not* on the message: what a forged client would send.

    Telegram only relays callback data of real buttons, but the bot must not rely on
    it; this builds the same update ``SimulatedUser.click`` does, with any data.
    """
    state = person._state
    person._begin_action()
    query_id = state.queries.new_id()
    payload: dict[str, Any] = {
        "id": query_id,
        "from": person.profile.user_json(),
        "message": message.payload,
        "chat_instance": "forged",
        "data": data,
    }
    person._push("callback_query", payload)
    query = state.queries.open(query_id, QueryKind.CALLBACK, payload, state.config.callback_timeout)
    answer = await person._await_answer(query, "forged press")
    return CallbackAnswer(answer.get("text"), bool(answer.get("show_alert")))


def buttons(message: ChatMessage) -> list[str]:
    return message.button_texts
