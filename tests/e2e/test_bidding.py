"""Bidding as people do it: the profile gate, the bid wizard with bad answers, the
employer's alert with quick replies and the bidder's card, editing and retracting,
stale buttons, and a blocked employer who does not break the freelancer's bid.

The seeding helpers here are shared by the other marketplace-front e2e modules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from bot.app import gateways_for
from core.actors import Actor
from core.marketplace import Marketplace
from emulator import ChatMessage, SimulatedUser, ViolationKind
from storage.enums import BidStatus
from tests.e2e.conftest import App

MENU = "What would you like to do?"
DESCRIPTION = "A bot that takes orders, accepts payments and tells the staff about them."
PROPOSAL = "I have built a dozen shop bots with payments; here is how I would build yours."


# --- seeding through core -----------------------------------------------------------------


@asynccontextmanager
async def market(app: App) -> AsyncIterator[Marketplace]:
    """One unit of work on the bot's database, committed when the block succeeds."""
    async with app.db.uow() as uow:
        yield Marketplace(uow, app.settings, app.clock, gateways_for(app.settings))
        await uow.commit()


async def started(person: SimulatedUser) -> None:
    """The person opens the bot (so it may write to them) and has its whole answer: the
    menu, then the time zone question (one that blocks the bot next must not refuse it)."""
    await person.send_text("/start")
    await person.wait_for_message(MENU)
    await person.wait_for_message("Time zone")


async def member(app: App, person: SimulatedUser) -> Actor:
    async with market(app) as m:
        user = await m.users.register(person.id, person.first_name, username=person.username)
        return m.users.actor(user)


async def freelancer(app: App, person: SimulatedUser, skills: Sequence[str] = ("python",)) -> Actor:
    actor = await member(app, person)
    async with market(app) as m:
        await m.users.update_profile(
            actor,
            headline=f"{person.first_name}, senior developer",
            bio="Ten years of web services, Telegram bots and data pipelines for shops.",
            skills=list(skills),
            hourly_rate=4000,
            portfolio=["https://example.com/portfolio"],
        )
    return actor


async def project(
    app: App,
    employer: Actor,
    title: str = "Telegram bot for my flower shop",
    *,
    skills: Sequence[str] = ("python", "telegram-bots"),
    budget: tuple[int, int] = (10_000, 50_000),
    description: str = DESCRIPTION,
    publish: bool = True,
) -> int:
    async with market(app) as m:
        draft = await m.projects.create_draft(
            employer,
            title=title,
            description=description,
            skills=list(skills),
            budget_min=budget[0],
            budget_max=budget[1],
        )
        if publish:
            await m.projects.publish(employer, draft.id)
        return draft.id


async def place_bid(
    app: App, who: Actor, project_id: int, amount: int = 30_000, days: int = 10
) -> int:
    async with market(app) as m:
        bid = await m.bids.place(
            who, project_id, amount=amount, delivery_days=days, proposal=PROPOSAL
        )
        return bid.id


async def open_card(person: SimulatedUser, project_id: int) -> ChatMessage:
    """Open a project through its deep link, as a shared link would."""
    await person.send_text(f"/start p_{project_id}")
    return await person.wait_for_message(lambda m: bool(m.buttons))


async def bid_status(app: App, bid_id: int) -> BidStatus:
    async with market(app) as m:
        return (await m.bids.get(bid_id)).status


# --- the tests ------------------------------------------------------------------------------


async def test_incomplete_profile_is_sent_to_complete_it_first(app: App) -> None:
    erin, nick = app.person("Erin"), app.person("Nick")
    pid = await project(app, await member(app, erin))
    card = await open_card(nick, pid)
    answer = await nick.click(card, "💼 Bid on this project")
    assert answer.text == "Complete your freelancer profile first."
    gate = await nick.wait_for_message("Complete your profile first.")
    assert "headline, bio, skills, hourly rate" in gate.text
    await nick.click(gate, "✏️ Complete my profile")
    await nick.wait_for_message("Step 1 of 4")


async def test_bid_wizard_re_asks_bad_terms_then_the_employer_gets_quick_replies(
    app: App,
) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    await started(erin)
    boss = await member(app, erin)
    await freelancer(app, frank)
    pid = await project(app, boss)

    card = await open_card(frank, pid)
    assert "Telegram bot for my flower shop" in card.text
    assert "👔 Employer: no reviews yet" in card.text
    await frank.click(card, "💼 Bid on this project")
    ask = await frank.wait_for_message("step 1 of 3")
    assert ask.button_texts[:3] == ["100.00 USD", "300.00 USD", "500.00 USD"]
    await frank.send_text("lots")
    await frank.wait_for_message("Send an amount in USD, like 150 or 150.50.")
    await frank.send_text("0")
    await frank.wait_for_message("The bid amount must be above zero.")
    await frank.send_text("275.50")
    days = await frank.wait_for_message("Step 2 of 3")
    await frank.send_text("soon")
    await frank.wait_for_message("Send the number of days as digits")
    await frank.send_text("400")
    await frank.wait_for_message("Delivery takes between 1 and 365 days.")
    await frank.click(days, "7 days")
    await frank.wait_for_message("Step 3 of 3")
    await frank.send_sticker()
    await frank.wait_for_message("Please send the proposal as a text message.")
    await frank.send_text("I can do it.")
    await frank.wait_for_message("The proposal needs at least 20 characters.")
    await frank.send_text(PROPOSAL)
    summary = await frank.wait_for_message("Place this bid?")
    assert "275.50 USD · ⏱ 7 days" in summary.text
    await frank.click(summary, "✅ Place bid")
    await frank.wait_for_message("Your bid on Telegram bot for my flower shop is in.")

    alert = await erin.wait_for_message("New bid on Telegram bot for my flower shop")
    assert "Frank" in alert.text and "275.50 USD" in alert.text
    assert alert.button_texts == ["👁 View bid", "💬 Message", "🏆 Award"]
    await erin.click(alert, "👁 View bid")
    bid_card = await erin.wait_for_message("Proposal")
    assert bid_card.text.startswith("👤 Frank")
    assert "Frank, senior developer" in bid_card.text  # the bidder's profile card
    assert PROPOSAL in bid_card.text
    assert "frank" not in bid_card.text  # never the username
    assert {"💬 Message", "🏆 Award", "✖ Decline"} <= set(bid_card.button_texts)


async def test_edit_and_retract_a_bid(app: App) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    await started(erin)
    pid = await project(app, await member(app, erin))
    bid_id = await place_bid(app, await freelancer(app, frank), pid)

    card = await open_card(frank, pid)
    assert "Your bid: 300.00 USD in 10 days · 🟢 Active" in card.text
    await frank.click(card, "✏️ Edit my bid")
    choose = await frank.wait_for_message("What would you like to change")
    await frank.click(choose, "Delivery days")
    await frank.send_text("0")
    await frank.wait_for_message("Delivery takes between 1 and 365 days.")
    await frank.send_text("5")
    await frank.wait_for_message("is updated")
    await erin.wait_for_message("Frank changed their bid")

    card = await open_card(frank, pid)
    assert "in 5 days" in card.text
    await frank.click(card, "↩️ Retract my bid")
    confirm = await frank.wait_for_message("Retract your bid")
    await frank.click(confirm, "Yes, retract it")
    await frank.wait_for_message("is retracted")
    await erin.wait_for_message("Frank retracted their bid")
    assert await bid_status(app, bid_id) is BidStatus.RETRACTED

    # the old Edit button now answers clearly and changes nothing
    answer = await frank.click(card, "✏️ Edit my bid")
    assert answer.show_alert and answer.text == "This bid is no longer active."


async def test_stale_bid_button_on_a_cancelled_project(app: App) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    boss = await member(app, erin)
    await freelancer(app, frank)
    pid = await project(app, boss)
    card = await open_card(frank, pid)
    async with market(app) as m:
        await m.projects.cancel(boss, pid)
    answer = await frank.click(card, "💼 Bid on this project")
    assert answer.show_alert
    assert answer.text == "This project is no longer open for bids."
    await frank.send_text("250")  # no bid conversation was started
    await frank.wait_for_message("I did not understand that")


async def test_a_blocked_employer_does_not_break_the_bid(app: App) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    await started(erin)
    boss = await member(app, erin)
    await freelancer(app, frank)
    pid = await project(app, boss)
    erin.block_bot()

    card = await open_card(frank, pid)
    await frank.click(card, "💼 Bid on this project")
    ask = await frank.wait_for_message("step 1 of 3")
    await frank.click(ask, "100.00 USD")
    days = await frank.wait_for_message("Step 2 of 3")
    await frank.click(days, "14 days")
    await frank.wait_for_message("Step 3 of 3")
    await frank.send_text(PROPOSAL)
    summary = await frank.wait_for_message("Place this bid?")
    await frank.click(summary, "✅ Place bid")
    await frank.wait_for_message("is in")
    async with market(app) as m:
        bids = await m.bids.for_employer(boss, pid)
    assert [(v.bid.amount, v.bid.delivery_days) for v in bids] == [(10_000, 14)]

    # Telegram refused the alert to Erin (403): expected here, and the only thing refused.
    refusal = await app.emu.wait_for_call("sendMessage", lambda call: not call.ok)
    assert refusal.error_code == 403 and str(refusal.params["chat_id"]) == str(erin.id)
    assert [v.kind for v in app.emu.violations] == [ViolationKind.FORBIDDEN]
    app.emu.clear_violations()


async def test_an_employer_cannot_bid_on_their_own_project(app: App) -> None:
    erin = app.person("Erin")
    boss = await freelancer(app, erin)
    pid = await project(app, boss)
    card = await open_card(erin, pid)
    assert "💼 Bid on this project" not in card.button_texts  # the owner's card
    assert "💼 View bids (0)" in card.button_texts


async def test_my_bids_lists_each_bid_with_its_project_and_status(app: App) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    boss = await member(app, erin)
    worker = await freelancer(app, frank)
    first = await project(app, boss, "First project to bid on")
    second = await project(app, boss, "Second project to bid on")
    await place_bid(app, worker, first, amount=12_000)
    retracted = await place_bid(app, worker, second, amount=20_000, days=3)
    async with market(app) as m:
        await m.bids.retract(worker, retracted)

    await frank.send_text("/bids")
    listing = await frank.wait_for_message("Your bids")
    assert "First project to bid on</b>" not in listing.text  # rendered, not raw HTML
    assert "120.00 USD · 10 days · 🟢 Active" in listing.text
    assert "200.00 USD · 3 days · ↩️ Retracted" in listing.text
    await frank.click(listing, "First project to bid on")
    card = await frank.wait_for_message("Your bid: 120.00 USD in 10 days")
    assert {"✏️ Edit my bid", "↩️ Retract my bid"} <= set(card.button_texts)
    await frank.click(listing, "Second project to bid on")
    again = await frank.wait_for_message("Your bid: 200.00 USD in 3 days · ↩️ Retracted")
    assert "💼 Bid on this project" in again.button_texts  # one may bid again
