"""Disputes through the bot: open from a delivery, respond, negotiate, default, stale buttons."""

from __future__ import annotations

from collections.abc import Callable

from bot.callbacks import DisputeCb, MilestoneCb
from core import ledger
from core.events import Event
from emulator import ChatMessage, SimulatedUser
from storage.enums import DisputeStatus, MilestoneStatus
from tests.e2e.conftest import App
from tests.e2e.work_support import (
    Deal,
    balance,
    check_books,
    hired,
    market,
    milestone,
    press,
    publish,
    seeded_milestone,
)


def has_button(data: str) -> Callable[[ChatMessage], bool]:
    """Matches a message carrying a button with this callback data, whatever its label."""

    def check(message: ChatMessage) -> bool:
        return any(b.callback_data == data for row in message.buttons for b in row)

    return check


async def delivered(app: App, amount: int = 10_000) -> tuple[Deal, int, list[Event]]:
    """A funded, delivered milestone and the events its delivery caused."""
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal, amount, fund=True)
    async with market(app) as m:
        await m.milestones.deliver(deal.worker, ms_id, "All done, see the repository.")
        events = m.take_events()
    return deal, ms_id, events


async def screen(person: SimulatedUser) -> ChatMessage:
    return await person.wait_for_message("⚖️ Dispute #")


async def test_employer_disputes_a_delivery_and_the_sides_settle_on_a_split(app: App) -> None:
    deal, ms_id, events = await delivered(app)
    erin, frank = deal.employer, deal.freelancer
    await publish(app, events)  # the delivery alert, with its Dispute button
    dispute_button = MilestoneCb(action="dispute", milestone_id=ms_id).pack()
    delivery = await erin.wait_for_message(has_button(dispute_button))
    await erin.click(delivery, callback_data=dispute_button)

    # Delivered work: she must name which agreed deliverable is missing or wrong.
    pick = await erin.wait_for_message("Which of the agreed deliverables are missing or wrong?")
    answer = await erin.click(pick, "Next ›")
    assert answer.show_alert and "tap at least one agreed deliverable" in (answer.text or "")
    await erin.click(pick, "⬜ Build a Telegram bot for my shop")
    picked = await erin.wait_for_message(lambda m: m.message_id == pick.message_id)
    assert "☑️ Build a Telegram bot for my shop" in picked.button_texts
    await erin.click(picked, "Next ›")
    ask = await erin.wait_for_message("What went wrong?")
    assert "100.00 USD" in ask.text
    await erin.send_sticker()
    await erin.wait_for_message("describe what went wrong in a text message")
    await erin.send_text("Too short")
    await erin.wait_for_message("at least 10 characters")
    await erin.send_text("The order flow <b>crashes</b> on checkout.")
    amount = await erin.wait_for_message("refunded to you")
    await erin.send_text("250")
    await erin.wait_for_message("Claim between 0.01 USD and 100.00 USD")
    await erin.click(amount, "All of it (100.00 USD)")
    evidence = await erin.wait_for_message("Evidence")
    await erin.click(evidence, "Skip")
    confirm = await erin.wait_for_message("Open this dispute?")
    assert "✗ Build a Telegram bot for my shop" in confirm.text
    assert "Frank will have 4 days to respond (the same time either side gets)" in confirm.text
    assert "an admin decides" in confirm.text
    assert "<b>crashes</b>" in confirm.text  # what she typed is shown, not interpreted
    answer = await erin.click(confirm, "⚖️ Open the dispute")
    assert answer.text == "Dispute opened. The other side has been told."
    opened = await screen(erin)
    assert "Waiting for Frank's response until 09 Jan 2026, 09:00 UTC" in opened.text
    assert "Filed by you, the employer, on 05 Jan 2026" in opened.text  # said once
    assert "You ask for 100.00 USD to be refunded to you." in opened.text
    assert "↩️ Withdraw the dispute" in opened.button_texts
    assert (await milestone(app, ms_id)).status is MilestoneStatus.DISPUTED

    alert = await frank.wait_for_message("opened a dispute")
    assert "@erin" not in alert.text and str(erin.id) not in alert.text
    await frank.click(alert, "✍️ Respond")
    await frank.wait_for_message("Your response")
    await frank.send_text("It works on every browser I tried; half of it is surely mine.")
    preview = await frank.wait_for_message("Send it?")
    await frank.click(preview, "✍️ Send my response")
    negotiating = await screen(frank)
    assert "Filed by Erin, the employer, on" in negotiating.text
    assert "Erin asks for 100.00 USD to be refunded to them." in negotiating.text
    assert "You responded:" in negotiating.text and "(you)" not in negotiating.text
    assert "Negotiating until 12 Jan 2026" in negotiating.text
    assert "🛡 Escalate to an admin" in negotiating.button_texts
    told = await erin.wait_for_message("responded to your dispute")
    assert "half of it is surely mine" in told.text

    await frank.click(negotiating, "🤝 Offer a split")
    await frank.wait_for_message("How much should go")
    await frank.send_text("60")
    offer_preview = await frank.wait_for_message("Send this offer?")
    assert "they receive 54.00 USD after the platform fee" in offer_preview.text
    assert "Back to the employer: 40.00 USD" in offer_preview.text
    await frank.click(offer_preview, "🤝 Send this offer")
    await screen(frank)

    offer = await erin.wait_for_message("offers a split")
    answer = await erin.click(offer, "✅ Accept: 60.00 USD to the freelancer")
    assert answer.text == "Settled: the money has moved."
    done = await screen(erin)
    assert "Resolved: both sides agreed on a split" in done.text
    assert "Released to Frank: 60.00 USD (54.00 USD after the platform fee)" in done.text
    assert "Refunded to Erin: 40.00 USD" in done.text
    settled = await frank.wait_for_message("accepted your offer")
    assert "Released to Frank: 60.00 USD" in settled.text

    assert await balance(app, ledger.available(deal.worker.user_id)) == 5_400
    assert await balance(app, ledger.available(deal.boss.user_id)) == 4_000
    assert await balance(app, ledger.FEES) == 600
    assert (await milestone(app, ms_id)).status is MilestoneStatus.RELEASED
    await check_books(app)

    # The contract says what happened to the milestone's money: it was split.
    await erin.send_text("/contracts")
    await erin.click(await erin.wait_for_message("Your contracts"), "1. Build a Telegram bot")
    contract = await erin.wait_for_message("You are the employer")
    assert "➗ split: 60.00 USD to the freelancer, 40.00 USD refunded" in contract.text
    assert "✅ released" not in contract.text
    await erin.click(contract, "📄 Design the order flow · 100.00 USD")
    card = await erin.wait_for_message("📄 Milestone")
    assert "Status: ➗ split" in card.text and "Refunded: 40.00 USD" in card.text


async def test_a_silent_employer_lets_the_freelancers_claim_stand_and_both_are_told(
    app: App,
) -> None:
    deal, ms_id, _ = await delivered(app)
    erin, frank = deal.employer, deal.freelancer
    async with market(app) as m:
        dispute = await m.disputes.open(
            deal.worker, ms_id, reason="Delivered in full, no answer since.", claimed_amount=8_000
        )
        events = m.take_events()
    await publish(app, events)
    alert = await erin.wait_for_message("opened a dispute")
    assert "Respond by 09 Jan 2026, 09:00 UTC" in alert.text  # 4 days, as for freelancers
    assert "or Frank's claim stands" in alert.text

    app.clock.advance(days=4, seconds=1)
    await app.sweep()
    for person in (erin, frank):
        told = await person.wait_for_message("Resolved")
        assert "Erin did not respond in time, so Frank's claim stood" in told.text
        assert "Released to Frank: 80.00 USD" in told.text
        assert "Refunded to Erin: 20.00 USD" in told.text
    async with market(app) as m:
        assert (await m.disputes.get(deal.worker, dispute.id)).status is DisputeStatus.RESOLVED
    assert await balance(app, ledger.available(deal.worker.user_id)) == 7_200
    await check_books(app)


async def test_stale_dispute_buttons_are_refused_clearly(app: App) -> None:
    deal, ms_id, _ = await delivered(app)
    erin, frank = deal.employer, deal.freelancer
    async with market(app) as m:
        dispute = await m.disputes.open(
            deal.boss,
            ms_id,
            deliverables=[0],
            reason="Nothing works on mobile.",
            claimed_amount=10_000,
        )
        events = m.take_events()
    await publish(app, events)
    opened = await frank.wait_for_message("opened a dispute")
    offers = []
    for amount in (7_000, 6_000):  # the second offer supersedes the first
        async with market(app) as m:
            await m.disputes.offer(deal.worker, dispute.id, amount)
            events = m.take_events()
        await publish(app, events)
        offers.append(await erin.wait_for_message("offers a split"))
    old_offer, new_offer = offers

    answer = await erin.click(old_offer, "✅ Accept: 70.00 USD to the freelancer")
    assert answer.show_alert and answer.text == "This offer is no longer on the table."
    assert (await milestone(app, ms_id)).escrow == 10_000  # nothing moved

    # Frank's offer already answered the dispute: his Respond button is out of date.
    answer = await frank.click(opened, "✍️ Respond")
    assert answer.show_alert and "moved on" in (answer.text or "")
    assert "Negotiating" in (await screen(frank)).text

    # Erin withdraws; the Accept of the offer that was current is refused after that.
    await erin.click(new_offer, "⚖️ View the dispute")
    await erin.click(await screen(erin), "↩️ Withdraw the dispute")
    await erin.click(await erin.wait_for_message("Withdraw dispute"), "↩️ Yes, withdraw it")
    assert "Withdrawn by Erin" in (await screen(erin)).text
    await frank.wait_for_message("withdrew the dispute")
    answer = await erin.click(new_offer, "✅ Accept: 60.00 USD to the freelancer")
    assert answer.show_alert and answer.text == "This dispute is already settled."
    assert (await milestone(app, ms_id)).status is MilestoneStatus.DELIVERED
    await check_books(app)


async def test_disputes_command_lists_both_sides_disputes(app: App) -> None:
    deal, ms_id, _ = await delivered(app)
    async with market(app) as m:
        await m.disputes.open(
            deal.boss,
            ms_id,
            deliverables=[0],
            reason="The work does not match the brief.",
            claimed_amount=4_000,
        )
    for person, side in ((deal.employer, "you filed"), (deal.freelancer, "filed by ")):
        await person.send_text("/disputes")
        listing = await person.wait_for_message("Your disputes")
        assert side in listing.text and "Waiting for" in listing.text
        buttons = await person.wait_for_message(lambda msg: bool(msg.buttons))
        await person.click(buttons, buttons.buttons[0][0].text)
        await screen(person)


async def test_escalating_asks_first_and_can_be_taken_back(app: App) -> None:
    deal, ms_id, _ = await delivered(app)
    erin, frank = deal.employer, deal.freelancer
    async with market(app) as m:
        dispute = await m.disputes.open(
            deal.boss, ms_id, deliverables=[0], reason="Checkout is missing.", claimed_amount=5_000
        )
        await m.disputes.respond(deal.worker, dispute.id, "Checkout is in the next milestone.")
    await erin.send_text("/disputes")
    await erin.wait_for_message("Your disputes")
    listing = await erin.wait_for_message(lambda msg: bool(msg.buttons))
    await erin.click(listing, listing.buttons[0][0].text)
    negotiating = await screen(erin)

    # The respondent may not withdraw: refused at the first press, nothing asked.
    await frank.send_text("/disputes")
    await frank.wait_for_message("Your disputes")
    theirs = await frank.wait_for_message(lambda msg: bool(msg.buttons))
    forged = DisputeCb(action="withdraw", dispute_id=dispute.id).pack()
    answer = await press(frank, theirs, forged)
    assert answer.show_alert and answer.text == "Only the side that filed it can withdraw it."
    await frank.expect_no_message()

    await erin.click(negotiating, "🛡 Escalate to an admin")
    sure = await erin.wait_for_message("Send dispute #1 to an admin?")
    assert "decision is final" in sure.text
    assert sure.button_texts == ["🛡 Yes, send it to an admin", "« Back to the dispute"]
    await erin.click(sure, "« Back to the dispute")  # changed her mind: nothing happened
    assert "Negotiating" in (await screen(erin)).text
    async with market(app) as m:
        assert (await m.disputes.get(deal.boss, dispute.id)).status is DisputeStatus.NEGOTIATION
    await frank.expect_no_message()

    await erin.click(sure, "🛡 Yes, send it to an admin")
    assert "With an admin" in (await screen(erin)).text
    await frank.wait_for_message("asked an admin to decide")
    again = await erin.click(negotiating, "🛡 Escalate to an admin")  # an old screen's button
    assert again.show_alert and again.text == "This dispute is already with an admin."
