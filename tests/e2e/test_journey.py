"""The whole journey of PRODUCT.md through the bot, by two people and an operator.

Frank completes his profile; Erin posts a project; Frank gets the alert and bids; Erin
gets the bid alert, reads his profile, talks to him through the bot and awards him; he
accepts; she creates and funds a milestone (sandbox); he delivers with a file; she
releases; the contract ends; both review (double-blind); he asks for a payout and the
operator pays it. Nothing is seeded: every step is a person pressing buttons and typing.
"""

from __future__ import annotations

from core import ledger
from core.gateways import PAYOUTS, SANDBOX
from emulator import ChatMessage, SimulatedUser
from tests.e2e.conftest import App


async def say(person: SimulatedUser, text: str, expect: str) -> ChatMessage:
    await person.send_text(text)
    return await person.wait_for_message(expect)


async def press(
    person: SimulatedUser, message: ChatMessage, label: str, expect: str
) -> ChatMessage:
    await person.click(message, label)
    return await person.wait_for_message(expect)


async def balance(app: App, code: str) -> int:
    async with app.db.uow() as uow:
        return await ledger.Ledger(uow).balance(code)


async def test_post_bid_award_fund_deliver_release_review_payout(app: App) -> None:
    await journey(app)


async def journey(app: App) -> None:
    """The whole journey; the webhook tests run it across several processes too."""
    erin, frank = app.person("Erin"), app.person("Frank")
    ada = app.person("Ada", admin=True)
    await say(ada, "/start", "What would you like to do?")

    # Frank completes his freelancer profile.
    await say(frank, "/start", "What would you like to do?")
    profile = await say(frank, "/profile", "Missing: headline, bio, skills, hourly rate")
    await press(frank, profile, "✏️ Complete my profile", "Your headline")
    await say(frank, "Python developer for Telegram bots", "About you")
    await say(frank, "I build Telegram bots, payment flows and shop backends.", "Your skills")
    await say(frank, "Python, Telegram bots", "hourly rate")
    await say(frank, "25", "Your profile is complete")

    # Erin posts a project.
    await say(erin, "/post", "step 1 of 5")
    await say(erin, "Telegram bot for my bakery shop", "Step 2 of 5")
    await say(erin, "Orders, payments and a daily summary for the staff.", "Step 3 of 5")
    await say(erin, "Python, Telegram bots", "Step 4 of 5")
    files = await say(erin, "200-500", "Step 5 of 5")
    preview = await press(erin, files, "Skip", "Preview")
    live = await press(erin, preview, "🚀 Publish", "is live!")
    assert "https://t.me/bidgram_test_bot?start=p_" in live.text

    # Frank is alerted and bids.
    alert = await frank.wait_for_message("A new project matches your skills")
    card = await press(frank, alert, "👁 View and bid", "Telegram bot for my bakery shop")
    await press(frank, card, "💼 Bid on this project", "How much do you ask")
    await say(frank, "400", "how many days")
    await say(frank, "10", "Your proposal")
    confirm = await say(
        frank, "I have built three shop bots with payments; ten days.", "Place this bid?"
    )
    await press(frank, confirm, "✅ Place bid", "Your bid on Telegram bot for my bakery shop is in")

    # Erin gets the bid with quick replies, reads the profile and talks to Frank.
    bid_alert = await erin.wait_for_message("New bid on Telegram bot for my bakery shop")
    card = await press(erin, bid_alert, "👁 View bid", "Python developer for Telegram bots")
    assert "@frank" not in card.text  # usernames stay private
    await press(erin, bid_alert, "💬 Message", "You are now talking to Frank")
    await erin.send_text("Can you also add a loyalty card?")
    relayed = await frank.wait_for_message("Can you also add a loyalty card?")
    assert "@erin" not in relayed.text
    await frank.reply_to(relayed, "Yes, within the same budget.")
    await erin.wait_for_message("Yes, within the same budget.")
    await say(erin, "/cancel", "Cancelled")

    # Award and accept.
    sure = await press(erin, bid_alert, "🏆 Award", "Offer the project to Frank")
    await press(erin, sure, "🏆 Yes, award", "Offer sent to Frank")
    offer = await frank.wait_for_message("You are offered Telegram bot for my bakery shop")
    await press(frank, offer, "✅ Accept offer and terms", "The contract has started")
    started = await erin.wait_for_message("Frank accepted")

    # Erin creates and funds a milestone; every money screen says sandbox.
    contract = await press(erin, started, "🤝 Open contract", "You are the employer")
    await press(erin, contract, "➕ New milestone", "What is to be delivered?")
    await say(erin, "Bot with orders and payments", "How much is this milestone?")
    due = await say(erin, "400", "Due in how many days?")
    sure = await press(erin, due, "Skip", "Create this milestone?")
    created = await press(erin, sure, "✅ Confirm", "created")
    funded = await press(erin, created, "💳 Fund 400.00 USD (sandbox)", "Milestone funded")
    assert "SANDBOX" in funded.text
    assert await balance(app, ledger.external(SANDBOX.name)) == -40_000

    # Frank delivers with a file; Erin's alert carries the quick replies and the auto-release date.
    start = await frank.wait_for_message("is held in escrow. You can start")
    await press(frank, start, "📦 Deliver work", "What are you delivering?")
    await say(frank, "The bot is live. Source in the attached archive.", "Any files to deliver")
    await frank.send_document(file_name="bot.zip")
    more = await frank.wait_for_message("File 1 of at most 10 attached")
    sure = await press(frank, more, "✔ Done", "Deliver “Bot with orders and payments”?")
    await press(frank, sure, "📦 Deliver", "released to you automatically")
    delivery = await erin.wait_for_message("Frank delivered")
    assert "released automatically" in delivery.text
    assert [b.text for row in delivery.buttons for b in row][:3] == [
        "✅ Release 400.00 USD",
        "✏️ Request changes (2 left)",
        "⚖️ Open a dispute",
    ]
    preview = await erin.wait_for_message("File 1 of 1")
    assert preview.protected and erin.forward(preview).refused

    # Release: the fee is shown before, Frank is paid after, Erin gets the file in full.
    sure = await press(erin, delivery, "✅ Release 400.00 USD", "Frank receives: 360.00 USD")
    await press(erin, sure, "✅ Yes, release 400.00 USD", "Released 400.00 USD")
    await frank.wait_for_message("360.00 USD released to you")
    full = await erin.wait_for_message("File 1 of 1 for “Bot with orders and payments”, in full")
    assert not full.protected and not erin.forward(full).refused

    # The contract ends; reviews are double-blind.
    contracts = await say(erin, "/contracts", "Your contracts")
    contract = await press(
        erin, contracts, "1. Telegram bot for my bakery shop", "Released: 400.00"
    )
    sure = await press(erin, contract, "🏁 End contract", "End the contract")
    ended = await press(erin, sure, "🏁 Yes, end the contract", "is completed")
    frank_ended = await frank.wait_for_message("is completed")
    stars = await press(erin, ended, "⭐ Review", "How was working with Frank?")
    await press(erin, stars, "★★★★★", "a few words")
    sure = await say(erin, "Fast, clear and friendly.", "Publish it?")
    mine = await press(erin, sure, "⭐ Publish review", "Your review is published")
    assert "it appears when they write theirs" in mine.text  # hidden until Frank writes
    stars = await press(frank, frank_ended, "⭐ Review", "How was working with Erin?")
    await press(frank, stars, "★★★★", "a few words")
    sure = await say(frank, "Clear brief, paid on time.", "Publish it?")
    both = await press(frank, sure, "⭐ Publish review", "Your review is published")
    assert "Fast, clear and friendly." in both.text  # now both are visible
    await erin.wait_for_message("Clear brief, paid on time.")

    # Frank is paid out by the operator.
    wallet = await say(frank, "/balance", "Available: 360.00 USD")
    amount = await press(frank, wallet, "💸 Request payout", "How much")
    await press(frank, amount, "All: 360.00 USD", "Where should we send it?")
    sure = await say(frank, "IBAN DE89 3704 0044 0532 0130 00", "Request a payout of 360.00 USD")
    await press(frank, sure, "✅ Request payout", "Payout of 360.00 USD requested")
    request = await ada.wait_for_message("Payout requested #1: 360.00 USD")
    await press(ada, request, "✅ Paid #1", "Mark payout #1 as paid")
    await say(ada, "SEPA ref 2026-0042", "marked paid")
    await frank.wait_for_message("Your payout of 360.00 USD")

    # The books: money in through the sandbox, out through payouts, the fee stays.
    assert await balance(app, ledger.external(PAYOUTS.name)) == 36_000
    assert await balance(app, ledger.FEES) == 4_000
    async with app.db.uow() as uow:
        assert await uow.accounts.total_of_all_postings() == 0
        assert await uow.accounts.negative_internal_accounts() == []
        assert await uow.accounts.escrow_mismatches() == []
