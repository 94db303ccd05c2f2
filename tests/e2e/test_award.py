"""From bids to a hire: the employer sorts and reviews bids, awards one with a confirm
step, the freelancer accepts from the alert (both told, the other bidders told), or
declines; offers can be withdrawn or lapse; stale Award and Accept buttons change nothing."""

from __future__ import annotations

from dataclasses import dataclass

from emulator import ChatMessage, SimulatedUser
from storage.enums import AwardStatus, BidStatus, ProjectStatus
from tests.e2e.conftest import App
from tests.e2e.test_bidding import (
    bid_status,
    freelancer,
    market,
    member,
    place_bid,
    project,
    started,
)


@dataclass
class Bidding:
    erin: SimulatedUser
    frank: SimulatedUser
    grace: SimulatedUser
    project_id: int
    frank_bid: int
    grace_bid: int


async def bidding(app: App) -> Bidding:
    """Erin's open project with bids from Frank (dearer) and Grace (cheaper)."""
    erin, frank, grace = app.person("Erin"), app.person("Frank"), app.person("Grace")
    for person in (erin, frank, grace):
        await started(person)
    pid = await project(app, await member(app, erin))
    frank_bid = await place_bid(app, await freelancer(app, frank), pid, amount=40_000)
    grace_bid = await place_bid(app, await freelancer(app, grace), pid, amount=25_000)
    return Bidding(erin, frank, grace, pid, frank_bid, grace_bid)


async def bids_of(person: SimulatedUser) -> ChatMessage:
    """Erin opens her project from /projects and its bids."""
    await person.send_text("/projects")
    listing = await person.wait_for_message("Your projects")
    await person.click(listing, "1. Telegram bot for my flower shop")
    card = await person.wait_for_message(lambda m: any("View bids" in t for t in m.button_texts))
    await person.click(card, "💼 View bids (2)")
    return await person.wait_for_message("Bids on")


async def award_to(erin: SimulatedUser, bids: ChatMessage, button: str) -> ChatMessage:
    await erin.click(bids, button)
    view = await erin.wait_for_message("Proposal")
    await erin.click(view, "🏆 Award")
    confirm = await erin.wait_for_message("Offer the project to")
    assert "They have 36 hours to accept" in confirm.text
    await erin.click(confirm, "🏆 Yes, award")
    return await erin.wait_for_message("Offer sent to")


async def test_award_accept_tells_everyone(app: App) -> None:
    b = await bidding(app)
    bids = await bids_of(b.erin)
    assert bids.button_texts[:2] == ["1. Grace · 250.00 USD", "2. Frank · 400.00 USD"]
    await b.erin.click(bids, "Lowest price")
    lowest = await b.erin.wait_for_message(lambda m: m.message_id == bids.message_id)
    assert "• Lowest price" in lowest.button_texts
    await b.erin.click(lowest, "Best rated")
    rated = await b.erin.wait_for_message(lambda m: m.message_id == bids.message_id)
    assert "• Best rated" in rated.button_texts

    assert rated.button_texts[:2] == ["1. Frank · 400.00 USD", "2. Grace · 250.00 USD"]
    await b.erin.click(rated, "Frank · 400.00 USD")
    frank_card = await b.erin.wait_for_message("Proposal")
    assert frank_card.text.startswith("👤 Frank")
    async with market(app) as m:
        frank_id = (await m.bids.get(b.frank_bid)).freelancer_id
    message = frank_card.button("💬 Message")  # the relay chat with Frank about this project
    assert message.callback_data == f"ch:{b.project_id}:{frank_id}"

    sent = await award_to(b.erin, bids, "Frank · 400.00 USD")
    assert "Offer sent to Frank" in sent.text
    offer = await b.frank.wait_for_message("You are offered Telegram bot for my flower shop!")
    assert offer.button_texts[:2] == ["✅ Accept offer and terms", "✖ Decline"]
    assert "Agreed terms" in offer.text and "2 revision rounds included" in offer.text
    await b.frank.click(offer, "📄 Open project")  # the card offers the same terms
    card = await b.frank.wait_for_message(lambda m: "✅ Accept offer and terms" in m.button_texts)
    assert "Agreed terms" in card.text and "2 revision rounds included" in card.text

    await b.frank.click(offer, "✅ Accept offer and terms")
    hired = await b.frank.wait_for_message("You accepted")
    assert hired.button_texts == ["🤝 Open contract"]
    told = await b.erin.wait_for_message("Frank accepted")
    assert told.button_texts == ["➕ New milestone", "🤝 Open contract"]  # the next step first
    await b.grace.wait_for_message("went to another freelancer")
    assert await bid_status(app, b.grace_bid) is BidStatus.CLOSED
    async with market(app) as m:
        assert (await m.projects.get(b.project_id)).status is ProjectStatus.IN_PROGRESS

    # pressing Accept again: a clear answer, nothing changes
    answer = await b.frank.click(offer, "✅ Accept offer and terms")
    assert answer.show_alert and answer.text == "This offer was already accepted."


async def test_declined_offer_reopens_the_project(app: App) -> None:
    b = await bidding(app)
    bids = await bids_of(b.erin)
    await award_to(b.erin, bids, "Grace · 250.00 USD")
    offer = await b.grace.wait_for_message("You are offered")
    await b.grace.click(offer, "✖ Decline")
    confirm = await b.grace.wait_for_message("Decline the offer for")
    await b.grace.click(confirm, "Yes, decline the offer")
    await b.grace.wait_for_message("You declined the offer")
    told = await b.erin.wait_for_message("Grace declined your offer")
    assert told.button_texts == ["💼 View bids"]
    async with market(app) as m:
        assert (await m.projects.get(b.project_id)).status is ProjectStatus.OPEN
    assert await bid_status(app, b.grace_bid) is BidStatus.CLOSED

    # the employer may now award Frank
    await b.erin.click(told, "💼 View bids")
    remaining = await b.erin.wait_for_message("Bids on")
    assert remaining.button_texts[0] == "1. Frank · 400.00 USD"
    await award_to(b.erin, remaining, "Frank · 400.00 USD")
    await b.frank.wait_for_message("You are offered")


async def test_withdrawn_offer_and_stale_buttons(app: App) -> None:
    b = await bidding(app)
    bids = await bids_of(b.erin)
    sent = await award_to(b.erin, bids, "Frank · 400.00 USD")
    offer = await b.frank.wait_for_message("You are offered")

    # a second award while one is pending is refused by core, with its reason
    await b.erin.click(bids, "Grace · 250.00 USD")
    grace_view = await b.erin.wait_for_message("Proposal")
    answer = await b.erin.click(grace_view, "🏆 Award")
    assert answer.show_alert and "already offered this project" in (answer.text or "")

    await b.erin.click(sent, "↩️ Withdraw offer")
    really = await b.erin.wait_for_message("Withdraw your offer")
    await b.erin.click(really, "Yes, withdraw it")
    await b.erin.wait_for_message("withdrawn")
    await b.frank.wait_for_message("The employer withdrew the offer")
    async with market(app) as m:
        assert (await m.awards.get(1)).status is AwardStatus.WITHDRAWN
    assert await bid_status(app, b.frank_bid) is BidStatus.ACTIVE

    answer = await b.frank.click(offer, "✅ Accept offer and terms")  # the withdrawn offer
    assert answer.show_alert and "no longer valid" in (answer.text or "")

    # Erin is asked to confirm an award to Grace; Grace retracts meanwhile, and both
    # buttons then change nothing
    await b.erin.click(grace_view, "🏆 Award")
    confirm = await b.erin.wait_for_message("Offer the project to")
    async with market(app) as m:
        grace = await m.users.get((await m.bids.get(b.grace_bid)).freelancer_id)
        await m.bids.retract(m.users.actor(grace), b.grace_bid)
    answer = await b.erin.click(grace_view, "🏆 Award")
    assert answer.show_alert and answer.text == "This bid is no longer active."
    answer = await b.erin.click(confirm, "🏆 Yes, award")
    assert answer.show_alert and answer.text == "This bid is no longer active."
    async with market(app) as m:
        assert (await m.projects.get(b.project_id)).status is ProjectStatus.OPEN


async def test_employer_declines_a_bid(app: App) -> None:
    b = await bidding(app)
    bids = await bids_of(b.erin)
    await b.erin.click(bids, "Grace · 250.00 USD")
    view = await b.erin.wait_for_message("Proposal")
    await b.erin.click(view, "✖ Decline")
    await b.erin.wait_for_message("You declined Grace's bid")
    await b.grace.wait_for_message("The employer declined your bid")
    assert await bid_status(app, b.grace_bid) is BidStatus.DECLINED


async def test_unanswered_offer_lapses_then_the_project_closes_unawarded(app: App) -> None:
    b = await bidding(app)
    async with market(app) as m:
        erin = m.users.actor(await m.users.get((await m.projects.get(b.project_id)).employer_id))
        await m.awards.offer(erin, b.frank_bid)

    app.clock.advance(hours=37)
    await app.sweep()
    told = await b.erin.wait_for_message("Frank did not answer your offer")
    assert told.button_texts == ["💼 View bids"]
    await b.frank.wait_for_message("lapsed: it was not accepted in time")
    assert await bid_status(app, b.frank_bid) is BidStatus.ACTIVE

    app.clock.advance(days=6)  # bidding is over: Erin is asked to award one of the bids
    await app.sweep()
    prompt = await b.erin.wait_for_message("Bidding is over")
    assert prompt.button_texts == ["💼 View bids (2)", "📄 Open project"]
    app.clock.advance(days=7)  # and she let the decision window pass
    await app.sweep()
    closed = await b.erin.wait_for_message("nobody was awarded in time")
    assert closed.button_texts == ["📝 Post it again", "📂 My projects"]
    for bidder in (b.frank, b.grace):
        await bidder.wait_for_message("nobody was hired")
