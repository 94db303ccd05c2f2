"""How much a person does on the happy path: every message sent and every button tapped.

Erin (employer) posts a project, awards Frank, funds a milestone, releases it, ends the
contract and reviews; Frank (freelancer) completes his profile, bids, accepts, delivers
and reviews. Each takes the shortest way the bot offers, from a fresh chat (START
included), and every confirmation that moves money is still there (the award's terms,
the milestone, the release with its fee).

Before issue 15 the same path took the employer 27 messages and taps and the freelancer
22: ending the contract was /contracts, the contract, End, Yes, then Review (now one
"End contract & review" under the release), and the first milestone was two taps from
the "accepted" alert (now one).
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator import ChatMessage, SimulatedUser
from tests.e2e.conftest import App

#: The most messages and taps the employer's whole happy path may take.
EMPLOYER_MOST = 24
#: What the employer's takes today.
EMPLOYER_STEPS = 22
#: What the freelancer's takes today (profile, bid, accept, deliver, review).
FREELANCER_STEPS = 22


@dataclass
class Counted:
    """A person whose every message and tap is counted."""

    person: SimulatedUser
    steps: int = 0

    async def say(self, text: str, expect: str) -> ChatMessage:
        self.steps += 1
        await self.person.send_text(text)
        return await self.person.wait_for_message(expect)

    async def tap(self, message: ChatMessage, label: str, expect: str) -> ChatMessage:
        self.steps += 1
        await self.person.click(message, label)
        return await self.person.wait_for_message(expect)

    async def wait(self, expect: str) -> ChatMessage:
        """What the bot sends without being asked (an alert): costs nothing."""
        return await self.person.wait_for_message(expect)


async def test_the_employers_happy_path_takes_at_most_24_messages_and_taps(app: App) -> None:
    erin, frank = Counted(app.person("Erin")), Counted(app.person("Frank"))
    title = "Telegram bot for my bakery shop"

    await erin.say("/start", "What would you like to do?")
    await frank.say("/start", "What would you like to do?")

    # Frank: a complete profile.
    profile = await frank.say("/profile", "Missing:")
    await frank.tap(profile, "✏️ Complete my profile", "Your headline")
    await frank.say("Python developer for Telegram bots", "About you")
    await frank.say("I build Telegram bots, payment flows and shop backends.", "Your skills")
    await frank.say("Python, Telegram bots", "hourly rate")
    await frank.say("25", "Your profile is complete")

    # Erin: post.
    await erin.say("/post", "step 1 of 5")
    await erin.say(title, "Step 2 of 5")
    await erin.say("Orders, payments and a daily summary for the staff.", "Step 3 of 5")
    await erin.say("Python, Telegram bots", "Step 4 of 5")
    files = await erin.say("200-500", "Step 5 of 5")
    preview = await erin.tap(files, "Skip", "Preview")
    await erin.tap(preview, "🚀 Publish", "is live!")

    # Frank: bid.
    alert = await frank.wait("A new project matches your skills")
    card = await frank.tap(alert, "👁 View and bid", title)
    await frank.tap(card, "💼 Bid on this project", "How much do you ask")
    await frank.say("400", "how many days")
    await frank.say("10", "Your proposal")
    sure = await frank.say(
        "I have built three shop bots with payments; ten days.", "Place this bid?"
    )
    await frank.tap(sure, "✅ Place bid", "is in")

    # Erin: award; Frank: accept.
    bid = await erin.wait(f"New bid on {title}")
    sure = await erin.tap(bid, "🏆 Award", "Offer the project to Frank")
    await erin.tap(sure, "🏆 Yes, award", "Offer sent to Frank")
    offer = await frank.wait(f"You are offered {title}")
    await frank.tap(offer, "✅ Accept offer and terms", "The contract has started")

    # Erin: a milestone, funded.
    accepted = await erin.wait("Frank accepted")
    await erin.tap(accepted, "➕ New milestone", "What is to be delivered?")
    await erin.say("Bot with orders and payments", "How much is this milestone?")
    due = await erin.say("400", "Due in how many days?")
    sure = await erin.tap(due, "Skip", "Create this milestone?")
    created = await erin.tap(sure, "✅ Confirm", "created")
    await erin.tap(created, "💳 Fund 400.00 USD (sandbox)", "Milestone funded")

    # Frank: deliver.
    funded = await frank.wait("is held in escrow. You can start")
    await frank.tap(funded, "📦 Deliver work", "What are you delivering?")
    files = await frank.say("The bot is live: https://t.me/bakery_bot", "Any files to deliver")
    sure = await frank.tap(files, "Skip", "Deliver “Bot with orders and payments”?")
    await frank.tap(sure, "📦 Deliver", "released to you automatically")

    # Erin: release (with its confirmation), end the contract, review.
    delivered = await erin.wait("Frank delivered")
    sure = await erin.tap(delivered, "✅ Release 400.00 USD", "Frank receives: 360.00 USD")
    released = await erin.tap(sure, "✅ Yes, release 400.00 USD", "Released 400.00 USD")
    stars = await erin.tap(released, "🏁 End contract & review", "How was working with Frank?")
    await erin.tap(stars, "★★★★★", "a few words")
    sure = await erin.say("Fast, clear and friendly.", "Publish it?")
    await erin.tap(sure, "⭐ Publish review", "Your review is published")

    # Frank: review.
    frank_ended = await frank.wait("is completed")
    stars = await frank.tap(frank_ended, "⭐ Review", "How was working with Erin?")
    await frank.tap(stars, "★★★★", "a few words")
    sure = await frank.say("Clear brief, paid on time.", "Publish it?")
    both = await frank.tap(sure, "⭐ Publish review", "Your review is published")
    assert "Fast, clear and friendly." in both.text

    assert erin.steps <= EMPLOYER_MOST, f"the employer took {erin.steps} messages and taps"
    assert (erin.steps, frank.steps) == (EMPLOYER_STEPS, FREELANCER_STEPS)
