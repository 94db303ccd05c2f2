"""The demo sandbox with Stars invoices: paying, inline search, the relay chat, the clock.

``bidgram sandbox --demo --gateway stars`` starts with Erin's projects, Frank's bid,
an offer waiting for Fiona and a contract whose milestone Erin has not paid yet.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.people import Person


def test_demo_people_pay_search_talk_and_watch_an_offer_lapse(demo_page: Page) -> None:
    page = demo_page
    erin, frank, fiona = Person(page, "Erin"), Person(page, "Frank"), Person(page, "Fiona")
    ada = Person(page, "Ada")

    # Erin pays the yoga milestone's invoice: pre-checkout, then the payment.
    accepted = erin.bot_message("Frank accepted")
    contract = erin.press(accepted, "Open contract", "You are the employer")
    milestone = erin.press(contract, "First version of the page", "waiting for funding")
    invoice = erin.press(milestone, "Pay 30,000 XTR", "Milestone #1 escrow")
    expect(invoice.locator(".invoice .amount")).to_have_text("⭐ 30000")
    erin.press(invoice, "Pay ⭐ 30000", "Payment received: 30,000 XTR is now held in escrow")
    expect(erin.chat.locator(".msg.from-me .payment")).to_have_text("✅ Paid ⭐ 30000")
    frank.bot_message("is held in escrow. You can start")

    # Fiona finds the bakery project in inline mode, sends its card and opens it in the bot.
    results = fiona.type_inline("@bidgram_sandbox_bot bakery")
    results.locator(".result", has_text="Telegram bot for my bakery").click()
    card = fiona.shown.locator(".msg.from-me", has_text="Telegram bot for my bakery")
    expect(card.locator(".via")).to_have_text("via @bidgram_sandbox_bot")
    fiona._acting()
    card.locator(".keyboard button", has_text="Open in bidgram").click()
    fiona.bot_message("Orders, payments and a daily summary")

    # Erin writes to Frank through the bot; he replies to the relayed message.
    bid = erin.bot_message("New bid on Telegram bot for my bakery shop", earlier=True)
    erin.press(bid, "Message", "You are now talking to Frank")
    erin.say_only("Can you start on Monday?")
    relayed = frank.bot_message("Can you start on Monday?")
    # The relayed message brings the bot's own Reply: the page adds no second one.
    expect(relayed.locator(".reply-btn")).to_have_count(0)
    frank.press(relayed, "Reply", "You are now talking to Erin")
    frank.say_only("Yes, Monday works.")
    erin.bot_message("Yes, Monday works.")

    # The admin's command menu has the admin commands too (after START, as in Telegram).
    ada.start()
    ada.chat.locator("button.menu-button").click()
    expect(ada.chat.locator(".commands")).to_contain_text("/admin")

    # A day and a half passes on the bot's clock: Fiona's unanswered offer lapses.
    page.get_by_role("button", name="+1 day").click()
    expect(page.locator("#clock-offset")).to_have_text("(+1 day)")
    page.get_by_role("button", name="+1 day").click()
    expect(page.locator("#clock-offset")).to_have_text("(+2 days)")
    fiona.bot_message("lapsed")
    erin.bot_message("Fiona did not answer your offer")
    expect(page.locator("#log")).to_contain_text("lapsed 1 offer(s)")
