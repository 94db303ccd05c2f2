"""The whole deal in the sandbox page, by clicking and typing as each person.

Erin posts a project, Frank completes his profile and bids, Erin awards him, he accepts,
she funds a milestone, he delivers with a file, she releases; then a second milestone is
delivered and left unanswered, and the clock control releases it automatically.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.people import Person


def test_post_bid_award_fund_deliver_release_then_the_clock_auto_releases(page: Page) -> None:
    erin, frank = Person(page, "Erin"), Person(page, "Frank")

    # Both open the bot with the START button, as in Telegram.
    erin.start()
    frank.start()

    # Frank completes his freelancer profile from the command menu.
    profile = frank.command("profile", "Missing: headline")
    frank.press(profile, "Complete my profile", "Your headline")
    frank.say("Python developer for Telegram bots", "About you")
    frank.say("I build Telegram bots, payment flows and shop backends.", "Your skills")
    frank.say("Python, Telegram bots", "hourly rate")
    frank.say("25", "Your profile is complete")

    # Erin posts a project.
    erin.say("/post", "step 1 of 5")
    erin.say("Telegram bot for my bakery shop", "Step 2 of 5")
    erin.say("Orders, payments and a daily summary for the staff.", "Step 3 of 5")
    erin.say("Python, Telegram bots", "Step 4 of 5")
    files = erin.say("200-500", "Step 5 of 5")
    preview = erin.press(files, "Skip", "Preview")
    erin.press(preview, "Publish", "is live!")

    # Frank gets the alert, formatted, and bids.
    alert = frank.bot_message("A new project matches your skills")
    expect(alert.locator("b").first).to_be_visible()  # Telegram HTML is rendered, not shown
    card = frank.press(alert, "View and bid", "Telegram bot for my bakery shop")
    frank.press(card, "Bid on this project", "How much do you ask")
    frank.say("400", "how many days")
    frank.say("10", "Your proposal")
    confirm = frank.say("I have built three shop bots with payments; ten days.", "Place this bid?")
    frank.press(confirm, "Place bid", "is in")

    # Erin awards; Frank accepts.
    bid = erin.bot_message("New bid on Telegram bot for my bakery shop")
    sure = erin.press(bid, "Award", "Offer the project to Frank")
    erin.press(sure, "Yes, award", "Offer sent to Frank")
    offer = frank.bot_message("You are offered Telegram bot for my bakery shop")
    frank.press(offer, "Accept", "The contract has started")

    # Erin creates and funds the first milestone (sandbox money).
    started = erin.bot_message("Frank accepted")
    contract = erin.press(started, "Open contract", "You are the employer")
    erin.press(contract, "New milestone", "What is to be delivered?")
    erin.say("Bot with orders and payments", "How much is this milestone?")
    due = erin.say("400", "Due in how many days?")
    sure = erin.press(due, "Skip", "Create this milestone?")
    created = erin.press(sure, "Confirm", "created")
    erin.press(created, "Fund 400.00 USD", "Milestone funded")

    # Frank delivers with a file sent from the page.
    start = frank.bot_message("is held in escrow. You can start")
    frank.press(start, "Deliver work", "What are you delivering?")
    frank.say("The bot is live. Source in the attached archive.", button="f:dl_skip")
    more = frank.send_file("bot.zip", b"PK\x05\x06" + bytes(18), button="f:dl_done")
    expect(frank.chat.locator(".msg.from-me .attachment", has_text="bot.zip")).to_be_visible()
    sure = frank.press(more, "Done", "Deliver “Bot with orders and payments”?")
    frank.press(sure, "Deliver", "released to you automatically")

    # Erin releases; Frank is paid.
    delivery = erin.bot_message("Frank delivered")
    sure = erin.press(delivery, "Release 400.00 USD", "Frank receives: 360.00 USD")
    erin.press(sure, "Yes, release 400.00 USD", "Released 400.00 USD")
    frank.bot_message("360.00 USD released to you")

    # A second milestone is delivered and Erin never answers it.
    contract = erin.say("/contracts", "Your contracts")
    contract = erin.press(contract, "Telegram bot for my bakery shop", "You are the employer")
    erin.press(contract, "New milestone", "What is to be delivered?")
    erin.say("Daily summary for the staff", "How much is this milestone?")
    due = erin.say("200", "Due in how many days?")
    sure = erin.press(due, "Skip", "Create this milestone?")
    created = erin.press(sure, "Confirm", "created")
    erin.press(created, "Fund 200.00 USD", "Milestone funded")
    start = frank.bot_message("“Daily summary for the staff” on")
    frank.press(start, "Deliver work", "What are you delivering?")
    more = frank.say("The summary is sent every evening at eight.", button="f:dl_skip")
    sure = frank.press(more, "Skip", "Deliver “Daily summary for the staff”?")
    frank.press(sure, "Deliver", "released to you automatically")
    erin.bot_message("Frank delivered")

    # Two weeks pass on the bot's clock: the delivery is released on its own.
    page.get_by_role("button", name="+1 week").click()
    expect(page.locator("#clock-offset")).to_have_text("(+7 days)")
    page.get_by_role("button", name="+1 week").click()
    expect(page.locator("#clock-offset")).to_have_text("(+14 days)")
    frank.bot_message("“Daily summary for the staff” was released automatically")
    erin.bot_message("released to the freelancer automatically")
    expect(page.locator("#log")).to_contain_text("auto-released")
