"""Milestones through the bot: requests, wizards, part release, changes, cancel, stale buttons."""

from __future__ import annotations

from datetime import timedelta

from core import ledger
from emulator import ChatMessage, SimulatedUser
from storage.enums import MilestoneStatus
from tests.e2e.conftest import App
from tests.e2e.work_support import (
    Deal,
    balance,
    buttons,
    check_books,
    hired,
    market,
    milestone,
    press,
    publish,
    seeded_milestone,
    started,
)


async def open_card(person: SimulatedUser, description: str = "Design the order flow") -> None:
    """/contracts → the contract → the milestone card (left as the person's last message)."""
    await person.send_text("/contracts")
    listing = await person.wait_for_message("Your contracts")
    await person.click(listing, "Build a Telegram bot")
    screen = await person.wait_for_message("You are the")
    await person.click(screen, f"📄 {description[:20]}")
    await person.wait_for_message("📄 Milestone")


async def test_a_freelancer_requests_a_milestone_and_the_employer_accepts(app: App) -> None:
    deal = await hired(app)
    erin, frank = deal.employer, deal.freelancer
    await frank.send_text("/contracts")
    listing = await frank.wait_for_message("Your contracts")
    await frank.click(listing, "Build a Telegram bot")
    screen = await frank.wait_for_message("You are the freelancer")
    await frank.click(screen, "➕ Request milestone")
    await frank.wait_for_message("request a milestone")
    await frank.send_text("Payment integration")
    await frank.wait_for_message("How much")
    await frank.send_text("150.50")
    await frank.wait_for_message("Due in how many days?")
    await frank.send_text("7")
    preview = await frank.wait_for_message("Request this milestone?")
    assert "150.50 USD" in preview.text and "12 Jan 2026" in preview.text
    await frank.click(preview, "✅ Confirm")
    await frank.wait_for_message("requested")

    ask = await erin.wait_for_message("requests a milestone")
    assert "Payment integration" in ask.text and "150.50 USD" in ask.text
    await erin.click(ask, "✅ Accept request")
    accepted = await erin.wait_for_message("Accepted")
    assert "💳 Fund 150.50 USD (sandbox)" in buttons(accepted)
    await frank.wait_for_message("was accepted")

    # The same Accept again: already answered, said clearly.
    again = await erin.click(ask, "✅ Accept request")
    assert again.show_alert and "already answered" in (again.text or "")


async def test_the_employer_rejects_a_request(app: App) -> None:
    deal = await hired(app)
    async with market(app) as m:
        ms = await m.milestones.request(
            deal.worker, deal.contract_id, description="Extra admin panel", amount=20_000
        )
    erin = deal.employer
    await erin.send_text("/contracts")
    listing = await erin.wait_for_message("Your contracts")
    await erin.click(listing, "Build a Telegram bot")
    screen = await erin.wait_for_message("requested by the freelancer")
    await erin.click(screen, "📄 Extra admin panel")
    card = await erin.wait_for_message("📄 Milestone")
    await erin.click(card, "✖ Reject request")
    await erin.wait_for_message("was rejected")
    told = await deal.freelancer.wait_for_message("was rejected")
    assert "Extra admin panel" in told.text
    assert (await milestone(app, ms.id)).status is MilestoneStatus.REJECTED


async def test_the_milestone_wizard_reasks_bad_input(app: App) -> None:
    deal = await hired(app)
    erin = deal.employer
    await erin.send_text("/contracts")
    listing = await erin.wait_for_message("Your contracts")
    await erin.click(listing, "Build a Telegram bot")
    screen = await erin.wait_for_message("You are the employer")
    await erin.click(screen, "➕ New milestone")
    await erin.wait_for_message("What is to be delivered?")
    await erin.send_sticker()
    await erin.wait_for_message("describe the milestone in a text message")
    await erin.send_text("x" * 501)
    await erin.wait_for_message("at most 500 characters")
    await erin.send_text("Checkout page")
    await erin.wait_for_message("How much")
    await erin.send_sticker()
    await erin.wait_for_message("Send the amount as a number")
    await erin.send_text("-5")
    await erin.wait_for_message("Send an amount in USD, like 150")
    await erin.send_text("0")
    await erin.wait_for_message("above zero")
    await erin.send_text("99999999")
    await erin.wait_for_message("at most")
    await erin.send_text("12.345")
    await erin.wait_for_message("2 digits after the point")
    await erin.send_text("80")
    await erin.wait_for_message("Due in how many days?")
    await erin.send_text("soon")
    await erin.wait_for_message("Send a number of days")
    await erin.send_text("0")
    await erin.wait_for_message("1 to 365 days")
    await erin.send_photo()
    await erin.wait_for_message("Send a number of days")
    await erin.send_text("3")
    preview = await erin.wait_for_message("Create this milestone?")
    assert "80.00 USD" in preview.text and "Checkout page" in preview.text
    await erin.send_text("yes")
    await erin.wait_for_message("confirm to go ahead")
    await erin.click(preview, "✅ Confirm")
    await erin.wait_for_message("created")
    async with market(app) as m:
        [ms] = await m.milestones.for_contract(deal.boss, deal.contract_id)
    assert (ms.description, ms.amount, ms.status) == (
        "Checkout page",
        8_000,
        MilestoneStatus.PENDING,
    )


async def delivered_alert(app: App, deal: Deal) -> int:
    """A funded milestone, delivered by the freelancer through the bot."""
    ms_id = await seeded_milestone(app, deal)
    frank = deal.freelancer
    await open_card(frank)
    card = frank.messages[-1]
    await frank.click(card, "📦 Deliver work")
    await frank.wait_for_message("What are you delivering?")
    await frank.send_text("Done: see https://example.com/demo")
    files = await frank.wait_for_message("Any files to deliver")
    await frank.click(files, "Skip")
    confirm = await frank.wait_for_message("Deliver “")
    await frank.click(confirm, "📦 Deliver")
    await frank.wait_for_message("Delivered")
    return ms_id


async def at_the_release_prompt(app: App) -> tuple[Deal, int, ChatMessage]:
    """A delivered milestone (100.00 USD) whose employer pressed Release: the deal, the
    milestone and the confirmation she is looking at (the tests that kill or stop a
    webhook process mid-release start here)."""
    deal = await hired(app)
    ms_id = await delivered_alert(app, deal)
    erin = deal.employer
    alert = await erin.wait_for_message("Frank delivered", timeout=30)
    await erin.click(alert, "✅ Release 100.00 USD", timeout=30)
    prompt = await erin.wait_for_message("Release 100.00 USD", timeout=30)
    return deal, ms_id, prompt


async def test_partial_release_with_a_bad_amount_first(app: App) -> None:
    deal = await hired(app)
    ms_id = await delivered_alert(app, deal)
    erin, frank = deal.employer, deal.freelancer
    await erin.wait_for_message("Frank delivered")
    await open_card(erin)
    card = erin.messages[-1]
    assert "✅ Release 100.00 USD" in buttons(card)
    assert "✏️ Request changes (2 left)" in buttons(card)
    await erin.click(card, "➗ Release part")
    await erin.wait_for_message("How much of the 100.00 USD")
    await erin.send_sticker()
    await erin.wait_for_message("Send the amount as a number")
    await erin.send_text("-40")
    await erin.wait_for_message("Send an amount in USD, like 150")
    await erin.send_text("100.01")
    await erin.wait_for_message("Only 100.00 USD is held")
    await erin.send_text("40")
    prompt = await erin.wait_for_message("Release 40.00 USD")
    assert "Platform fee: 4.00 USD" in prompt.text and "Frank receives: 36.00 USD" in prompt.text
    await erin.click(prompt, "✅ Yes, release 40.00 USD")
    done = await erin.wait_for_message("Released 40.00 USD")
    assert "Still in escrow: 60.00 USD" in done.text
    paid = await frank.wait_for_message("released to you")
    assert "36.00 USD" in paid.text

    m = await milestone(app, ms_id)
    assert (m.status, m.escrow, m.released_amount) == (MilestoneStatus.FUNDED, 6_000, 4_000)
    assert m.auto_release_at is None  # the rest waits for more work
    assert await balance(app, ledger.available(deal.worker.user_id)) == 3_600
    await check_books(app)


async def test_the_employer_asks_for_changes(app: App) -> None:
    deal = await hired(app)
    ms_id = await delivered_alert(app, deal)
    erin, frank = deal.employer, deal.freelancer
    alert = await erin.wait_for_message("Frank delivered")
    await erin.click(alert, "✏️ Request changes (2 left)")
    await erin.wait_for_message("What should change")
    await erin.send_text("y" * 2001)
    await erin.wait_for_message("at most 2000 characters")
    await erin.send_sticker()
    await erin.wait_for_message("write what should change")
    await erin.send_text("The <logo> is too small & blurry.")
    confirm = await erin.wait_for_message("Ask for changes")
    await erin.click(confirm, "✅ Confirm")
    await erin.wait_for_message("Changes requested")
    told = await frank.wait_for_message("asked for changes")
    assert "The <logo> is too small & blurry." in told.text
    assert "📦 Deliver work" in buttons(told)
    m = await milestone(app, ms_id)
    assert m.status is MilestoneStatus.FUNDED and m.auto_release_at is None

    # The old alert's Release still works on the funded money, but changes need a delivery.
    answer = await erin.click(alert, "✏️ Request changes (2 left)")
    assert answer.show_alert and "Nothing has been delivered" in (answer.text or "")


async def test_the_freelancer_cancels_a_funded_milestone_and_the_employer_is_refunded(
    app: App,
) -> None:
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal)
    erin, frank = deal.employer, deal.freelancer
    await open_card(frank)
    card = frank.messages[-1]
    await frank.click(card, "↩️ Cancel & refund")
    sure = await frank.wait_for_message("Cancel “")
    assert "100.00 USD held in escrow goes back to the employer" in sure.text
    await frank.click(sure, "✅ Yes, cancel it")
    await frank.wait_for_message("is cancelled")
    told = await erin.wait_for_message("The freelancer cancelled")
    assert "100.00 USD" in told.text and "refunded to you" in told.text
    assert (await milestone(app, ms_id)).status is MilestoneStatus.REFUNDED
    assert await balance(app, ledger.available(deal.boss.user_id)) == 10_000
    await check_books(app)

    # That balance pays for the next milestone without a new payment.
    nxt = await seeded_milestone(app, deal, description="Second try", fund=False)
    await open_card(erin, "Second try")
    card = erin.messages[-1]
    await erin.click(card, "💼 Pay from balance")
    funded = await erin.wait_for_message("funded from your balance")
    assert "SANDBOX" in funded.text
    await frank.wait_for_message("Funded:")
    assert (await milestone(app, nxt)).escrow == 10_000
    assert await balance(app, ledger.available(deal.boss.user_id)) == 0
    await check_books(app)


async def test_a_stale_release_button_moves_nothing(app: App) -> None:
    deal = await hired(app)
    ms_id = await delivered_alert(app, deal)
    erin = deal.employer
    alert = await erin.wait_for_message("Frank delivered")
    await erin.click(alert, "✅ Release 100.00 USD")
    prompt = await erin.wait_for_message("Release 100.00 USD")
    await erin.click(prompt, "✅ Yes, release 100.00 USD")
    await erin.wait_for_message("Released 100.00 USD")
    before = await balance(app, ledger.available(deal.worker.user_id))

    again = await erin.click(alert, "✅ Release 100.00 USD")
    assert again.show_alert and "already been paid out" in (again.text or "")
    # The confirmation tapped twice (a double tap): the first release only.
    twice = await press(erin, prompt, prompt.buttons[0][0].callback_data or "")
    assert twice.show_alert and "already" in (twice.text or "")
    assert await balance(app, ledger.available(deal.worker.user_id)) == before == 9_000
    assert (await milestone(app, ms_id)).status is MilestoneStatus.RELEASED
    await check_books(app)


async def test_someone_elses_milestone_is_refused(app: App) -> None:
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal, deliver=True)
    mallory = app.person("Mallory")
    await started(mallory)
    menu = mallory.messages[-1]
    refusals = {
        f"ms:view:{ms_id}": "not yours",
        f"ms:history:{ms_id}": "not yours",
        f"ms:release:{ms_id}": "not yours",
        f"wk:release:{ms_id}:10000": "Only the employer",
        f"ms:fund:{ms_id}": "Only the employer",
    }
    for data, why in refusals.items():
        answer = await press(mallory, menu, data)
        assert answer.show_alert and why in (answer.text or ""), data
    answer = await press(mallory, menu, f"ms:deliver:{ms_id}")
    assert answer.show_alert and "not yours" in (answer.text or "")
    # The freelancer may not release the employer's money either.
    answer = await press(deal.freelancer, deal.freelancer.messages[-1], f"wk:release:{ms_id}:1")
    assert answer.show_alert and "Only the employer" in (answer.text or "")
    m = await milestone(app, ms_id)
    assert m.status is MilestoneStatus.DELIVERED and m.escrow == 10_000


async def test_the_delivery_wizard_reasks_and_takes_photos(app: App) -> None:
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal)
    erin, frank = deal.employer, deal.freelancer
    await open_card(frank)
    await frank.click(frank.messages[-1], "📦 Deliver work")
    await frank.wait_for_message("What are you delivering?")
    await frank.send_sticker()
    await frank.wait_for_message("write the delivery note as a text message")
    await frank.send_text("n" * 2001)
    await frank.wait_for_message("at most 2000 characters")
    await frank.send_text("Screens attached.")
    ask = await frank.wait_for_message("Any files to deliver")
    # worded as a project's files step: the same sentences, the same buttons
    assert ask.text.endswith(
        "Send up to 10 documents or photos, then tap Done. No files? Tap Skip."
    )
    await frank.send_sticker()
    nothing = await frank.wait_for_message("Send a document or a photo, or tap Skip")
    assert nothing.button_texts == ["Skip", "✖ Cancel"]
    await frank.send_text("here you go")
    await frank.wait_for_message("Send a document or a photo")
    await frank.send_photo()
    await frank.wait_for_message("📎 File 1 of at most 10 attached. Send more, or tap Done.")
    await frank.send_sticker()
    one = await frank.wait_for_message("Send a document or a photo, or tap Done.")
    assert one.button_texts == ["✔ Done", "✖ Cancel"]
    await frank.send_document("spec.pdf")
    await frank.wait_for_message("File 2 of at most 10 attached")
    await frank.send_text("done")
    confirm = await frank.wait_for_message("Deliver “")
    assert "photo" in confirm.text and "spec.pdf" in confirm.text
    await frank.click(confirm, "📦 Deliver")
    await frank.wait_for_message("Delivered")
    alert = await erin.wait_for_message("Frank delivered")
    assert "2 files below" in alert.text
    photo = await erin.wait_for_message(lambda msg: msg.photo is not None)
    assert "File 1 of 2" in photo.text
    document = await erin.wait_for_message(lambda msg: msg.document is not None)
    assert "File 2 of 2" in document.text
    assert (await milestone(app, ms_id)).status is MilestoneStatus.DELIVERED


async def test_silence_releases_the_delivery_and_both_are_told(app: App) -> None:
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal, deliver=True)
    app.clock.advance(timedelta(days=14, minutes=1))
    async with market(app) as m:
        report = await m.timers.sweep()
        events = m.take_events()
    assert report.milestones_auto_released == 1
    await publish(app, events)
    told = await deal.freelancer.wait_for_message("released automatically")
    assert "90.00 USD" in told.text
    await deal.employer.wait_for_message("did not answer")
    assert (await milestone(app, ms_id)).status is MilestoneStatus.RELEASED
    await check_books(app)
