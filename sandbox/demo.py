"""``--demo``: sample profiles, projects, bids and work in progress, made by the services.

Everything goes through core (``Marketplace``), one committed unit of work per step, so
the data obeys every rule, and the alerts it causes are delivered as they would be in a
live bot: the chats open with something to look at and to press.

What it sets up, so the clock control has something to act on:

* Frank (freelancer: Python, Telegram bots) and Fiona (freelancer: design) with profiles;
* Erin's "Telegram bot for my bakery shop", open, with Frank's bid;
* Erin's "Logo for a coffee roastery", offered to Fiona (the offer lapses after a day
  and a half unless she answers);
* Erin's "Landing page for a yoga studio", a contract with Frank and a funded milestone
  he has delivered (released automatically once the review window passes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.actors import Actor
from core.marketplace import Marketplace
from sandbox.world import Sandbox


@asynccontextmanager
async def _step(sandbox: Sandbox) -> AsyncIterator[Marketplace]:
    """One unit of work: committed, then its alerts delivered."""
    world = sandbox.world
    async with world.db.uow() as uow:
        market = Marketplace(uow, world.settings, world.clock, world.gateways)
        yield market
        await market.commit()  # its alerts go to the outbox with it
    world.notifier.wake()


async def seed(sandbox: Sandbox) -> None:
    people = {person.first_name: person for person in sandbox.people()}
    actors: dict[str, Actor] = {}
    async with _step(sandbox) as m:
        for name, person in people.items():
            person.profile.started_bot = True  # as if each had opened the bot already
            user = await m.users.register(person.id, name, username=person.username)
            actors[name] = m.users.actor(user)
    erin, frank, fiona = actors["Erin"], actors["Frank"], actors["Fiona"]
    async with _step(sandbox) as m:
        await m.users.update_profile(
            frank,
            headline="Python developer for Telegram bots",
            bio="I build Telegram bots, payment flows and shop backends.",
            skills=["python", "telegram-bots", "django"],
            hourly_rate=2500,
        )
        await m.users.update_profile(
            fiona,
            headline="Brand and interface designer",
            bio="Logos, brand books and friendly interfaces for small shops.",
            skills=["logo-design", "graphic-design", "ui-ux"],
            hourly_rate=3000,
        )

    bakery = await _project(
        sandbox,
        erin,
        "Telegram bot for my bakery shop",
        "Orders, payments and a daily summary for the staff, in Telegram.",
        ["python", "telegram-bots"],
        (20_000, 50_000),
    )
    async with _step(sandbox) as m:
        await m.bids.place(
            frank,
            bakery,
            amount=40_000,
            delivery_days=10,
            proposal="I have built three shop bots with payments; ten days.",
        )

    logo = await _project(
        sandbox,
        erin,
        "Logo for a coffee roastery",
        "A simple, warm logo for bags, cups and the shop window.",
        ["logo-design", "graphic-design"],
        (10_000, 30_000),
    )
    async with _step(sandbox) as m:
        bid = await m.bids.place(
            fiona,
            logo,
            amount=15_000,
            delivery_days=5,
            proposal="Three sketches in two days, the final files in five.",
        )
    async with _step(sandbox) as m:
        await m.awards.offer(erin, bid.id)

    yoga = await _project(
        sandbox,
        erin,
        "Landing page for a yoga studio",
        "One page with the timetable, prices and a booking form.",
        ["python", "django"],
        (20_000, 60_000),
    )
    async with _step(sandbox) as m:
        bid = await m.bids.place(
            frank,
            yoga,
            amount=30_000,
            delivery_days=7,
            proposal="A fast Django page with the booking form; one week.",
        )
    async with _step(sandbox) as m:
        award = await m.awards.offer(erin, bid.id)
    async with _step(sandbox) as m:
        contract = await m.awards.accept(frank, award.id)
    async with _step(sandbox) as m:
        milestone = await m.milestones.create(
            erin, contract.id, description="First version of the page", amount=30_000
        )
    if sandbox.world.settings.funding_gateway != "sandbox":
        return  # real-looking payments need a person to pay the invoice in the chat
    async with _step(sandbox) as m:
        await m.milestones.start_funding(erin, milestone.id, "sandbox")
    async with _step(sandbox) as m:
        await m.milestones.deliver(
            frank, milestone.id, "The page is live on the staging address; please have a look."
        )


async def _project(
    sandbox: Sandbox,
    employer: Actor,
    title: str,
    description: str,
    skills: list[str],
    budget: tuple[int, int],
) -> int:
    async with _step(sandbox) as m:
        project = await m.projects.create_draft(
            employer,
            title=title,
            description=description,
            skills=skills,
            budget_min=budget[0],
            budget_max=budget[1],
        )
    async with _step(sandbox) as m:
        await m.projects.publish(employer, project.id)
    return project.id
