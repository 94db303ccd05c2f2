"""On the record, and reports, through the real bot: the record where people decide, the
safety note on scam-like messages, mutes, and a report from the 🚩 button to a decision."""

from __future__ import annotations

from bot.callbacks import BidCb, ReportCb
from emulator import ChatMessage, SimulatedUser
from tests.e2e.conftest import App
from tests.e2e.test_disputes import has_button
from tests.e2e.test_relay import Bidding, bid_placed, chat_with_bidder
from tests.e2e.work_support import (
    MENU,
    hired,
    market,
    press,
    publish,
    seeded_milestone,
    settled,
    started,
)

SCAM = "Congrats! Pay the activation fee to receive your payment: t.me/fastpay"
SAFETY = "Safety note"


async def relayed_scam(app: App) -> tuple[Bidding, ChatMessage]:
    """Erin writes to her bidder Frank; Frank answers with a pay-to-get-paid scam."""
    b = await bid_placed(app)
    await chat_with_bidder(b)
    await b.employer.send_text("Hi Frank, when could you start?")
    hello = await b.bidder.wait_for_message("when could you start?")
    await b.bidder.reply_to(hello, SCAM)
    scam = await b.employer.wait_for_message("activation fee")
    return b, scam


async def admin(app: App) -> SimulatedUser:
    ada = app.person("Ada", admin=True)
    await started(ada)
    return ada


async def test_a_reported_message_reaches_the_admin_who_warns_and_the_reporter_is_told(
    app: App,
) -> None:
    ada = await admin(app)
    b, scam = await relayed_scam(app)
    erin, frank = b.employer, b.bidder
    assert scam.button_texts == ["↩️ Reply", "🚩 Report"]

    await erin.click(scam, "🚩 Report")
    why = await erin.wait_for_message("Report Frank's message")
    await erin.click(why, "💸 Asks for money or payment outside escrow")
    await erin.wait_for_message("Anything the admin should know?")
    await erin.send_text("He wants a <fee> before paying me, as the employer!")
    await erin.wait_for_message("your report is with the admins")

    alert = await ada.wait_for_message("New report #")
    assert "Frank @frank" in alert.text and "Erin @erin" in alert.text
    assert "flagged: link, pay-to-get-paid" in alert.text
    await ada.click(alert, "🚩 Open the report")
    screen = await ada.wait_for_message("Report #")
    for line in (
        "Reason: 💸 Asks for money or payment outside escrow",
        "Their note: He wants a <fee> before paying me, as the employer!",
        "Flagged: link, pay-to-get-paid",
        SCAM,
        "Hi Frank, when could you start?",  # the conversation up to it
        "Reports about Frank: 1 open, 0 dismissed, 0 warned, 0 banned",
    ):
        assert line in screen.text
    assert screen.button_texts == ["✔ Dismiss", "⚠️ Warn", "🚫 Ban", "« Reports"]

    await ada.click(screen, "⚠️ Warn")
    ask = await ada.wait_for_message("Warn Frank")
    await ada.send_text("Fees before payment are not allowed here. Keep it in escrow.")
    done = await ada.wait_for_message("decided: a warning was sent")
    assert "Erin is told" in done.text

    warning = await frank.wait_for_message("A warning from bidgram's admins")
    assert "Fees before payment are not allowed here" in warning.text
    assert "Erin" not in warning.text  # the reporter stays anonymous
    told = await erin.wait_for_message("An admin reviewed your report")
    assert "Frank's message: they have been warned" in told.text

    # The buttons of a decided report are answered, not acted on twice.
    answer = await ada.click(ask, "⚠️ Send the standard warning")
    assert (
        answer.show_alert
        and answer.text == "This button has expired. Open the item again from the menu."
    )
    answer = await ada.click(screen, "🚫 Ban")
    assert answer.show_alert and answer.text == "Report #1 is already warned."
    answer = await ada.click(screen, "✔ Dismiss")
    assert answer.show_alert and answer.text == "Report #1 is already warned."
    await ada.send_text("/admin")
    panel = await ada.wait_for_message("Admin panel")
    assert "🚩 Reports (0)" in panel.button_texts


async def test_a_scam_message_goes_through_with_one_safety_note_per_conversation(
    app: App,
) -> None:
    b, scam = await relayed_scam(app)
    erin, frank = b.employer, b.bidder
    assert SCAM in scam.text  # delivered as it was written
    note = await erin.wait_for_message(SAFETY)
    assert "bidgram never asks you to pay to get paid" in note.text
    assert "money sent outside escrow is not protected" in note.text
    assert note.button_texts == ["🚩 Report"]

    hello = next(m for m in frank.messages if "when could you start?" in m.text)
    await frank.reply_to(hello, "Or call me on +1 415 555 2671")
    await erin.wait_for_message("+1 415 555 2671")
    await settled(app)
    assert [m for m in erin.messages if SAFETY in m.text] == [note]  # once per conversation

    # Frank gets his own note, once, when Erin's text pushes off the platform.
    await erin.send_text("Fine, mail me at erin@example.com")
    await frank.wait_for_message("erin@example.com")
    await frank.wait_for_message(SAFETY)
    await erin.send_text("or write to @erin_shop")
    await frank.wait_for_message("@erin_shop")
    await settled(app)
    assert len([m for m in frank.messages if SAFETY in m.text]) == 1

    async with market(app) as m:
        thread = await m.messages.thread(
            m.users.actor(await m.users.get(b.employer_id)), b.project_id, b.bidder_id
        )
    assert [x.flags for x in thread] == [None, "link,fee", "phone", "email", "username"]


async def test_a_muted_bidder_cannot_message_the_employer(app: App) -> None:
    b = await bid_placed(app)
    erin, frank = b.employer, b.bidder
    await chat_with_bidder(b)
    await erin.send_text("Let me think about it.")
    relayed = await frank.wait_for_message("Let me think about it.")

    async with market(app) as m:
        bid = await m.bids.mine_on(m.users.actor(await m.users.get(b.bidder_id)), b.project_id)
    assert bid is not None
    view = BidCb(action="view", bid_id=bid.id).pack()
    alert = next(msg for msg in erin.messages if has_button(view)(msg))  # the bid alert
    await erin.click(alert, callback_data=view)
    card = await erin.wait_for_message("Bid on")
    assert "🔇 Mute" in card.button_texts and "🚩 Report" in card.button_texts
    await erin.click(card, "🔇 Mute")
    muted = await erin.wait_for_message("You muted")
    assert "Frank" in muted.text and "🔈 Unmute" in muted.button_texts

    await frank.reply_to(relayed, "Please, just one more look?")
    await frank.wait_for_message("This employer does not take messages from you.")
    await erin.expect_no_message()

    await erin.click(muted, "🔈 Unmute")
    await erin.wait_for_message("can write to you again")
    await frank.reply_to(relayed, "Thank you!")
    await erin.wait_for_message("Thank you!")


async def test_the_record_shows_on_a_project_card_and_on_a_bid_alert(app: App) -> None:
    deal = await hired(app, amount=20_000)  # Erin hired Frank before
    ms_id = await seeded_milestone(app, deal, 20_000, deliver=True)
    app.clock.advance(days=2)
    async with market(app) as m:
        await m.milestones.release(deal.boss, ms_id)
        await m.contracts.end(deal.boss, deal.contract_id)
        fresh = await m.projects.create_draft(
            deal.boss,
            title="Loyalty bot for the shop",
            description="Customers collect stamps in Telegram and redeem them at the till.",
            skills=["python"],
            budget_min=10_000,
            budget_max=50_000,
        )
        await m.projects.publish(deal.boss, fresh.id)
    erin, gina = deal.employer, app.person("Gina")
    await started(gina)
    await gina.send_text("/find")
    results = await gina.wait_for_message("Open projects")
    line = "📒 1 milestone funded, 1 released · pays ~2 d after delivery · hires 100%"
    assert line in results.text and "disputes: 0 opened, 0 lost" in results.text
    await gina.click(results, "1. Loyalty bot for the shop")
    card = await gina.wait_for_message("Loyalty bot for the shop")
    assert line in card.text
    assert "👔 The employer" in card.button_texts and "🚩 Report" in card.button_texts
    await gina.click(card, "👔 The employer")
    about = await gina.wait_for_message("As an employer")
    for fact in (
        "Milestones funded: 1 (200.00 USD) · released: 1 (200.00 USD)",
        "From delivery to release: ~2 d (median)",
        "Hire rate: 100% (1 of 1 decided project)",
        "Disputes opened: 0 · lost: 0",
    ):
        assert fact in about.text
    assert "@erin" not in about.text

    async with market(app) as m:
        proposal = "Stamps, QR codes, a till app."
        await m.bids.place(deal.worker, fresh.id, amount=30_000, delivery_days=7, proposal=proposal)
        events = m.take_events()
    await publish(app, events)
    alert = await erin.wait_for_message("New bid on")
    assert "📒 on time 100% (1 delivery) · disputes lost: 0" in alert.text


async def test_a_project_is_reported_from_its_card_and_the_admin_bans_after_confirming(
    app: App,
) -> None:
    ada = await admin(app)
    b = await bid_placed(app)
    erin, frank = b.employer, b.bidder
    gina = app.person("Gina")
    await started(gina)
    await gina.send_text("/find")
    results = await gina.wait_for_message("Open projects")
    await gina.click(results, "1. Logo for a coffee roastery")
    card = await gina.wait_for_message("Logo for a coffee roastery")
    await gina.click(card, "🚩 Report")
    why = await gina.wait_for_message("Report Erin's project")
    await gina.click(why, "🗑 Spam or fake")
    ask = await gina.wait_for_message("Anything the admin should know?")
    await gina.click(ask, "🚩 Send report")
    await gina.wait_for_message("your report is with the admins")
    again = await gina.click(card, "🚩 Report")  # once is enough while it is open
    assert again.show_alert and again.text is not None and "already reported" in again.text

    await ada.wait_for_message("New report #")
    await ada.send_text("/admin")
    panel = await ada.wait_for_message("Admin panel")
    await ada.click(panel, "🚩 Reports (1)")
    queue = await ada.wait_for_message("Reports waiting")
    assert "spam · project of Erin @erin" in queue.text
    await ada.click(queue, queue.button_texts[0])
    screen = await ada.wait_for_message("Report #")
    assert "Logo for a coffee roastery" in screen.text
    await ada.click(screen, "🚫 Ban")
    await ada.wait_for_message("Ban Erin")
    await ada.send_text("Fake project collecting contacts.")
    confirm = await ada.wait_for_message("Ban Erin @erin")
    assert "Fake project collecting contacts." in confirm.text
    await ada.click(confirm, "🚫 Yes, ban")
    await ada.wait_for_message("decided: the account is suspended")

    suspended = await erin.wait_for_message("Your bidgram account has been suspended")
    assert "Fake project collecting contacts." in suspended.text
    told = await gina.wait_for_message("An admin reviewed your report")
    assert "their account is suspended" in told.text
    await frank.expect_no_message()


async def test_a_report_button_for_something_one_cannot_see_is_refused(app: App) -> None:
    b, _ = await relayed_scam(app)
    mallory = app.person("Mallory")
    await started(mallory)
    menu = mallory.messages[-1]
    assert MENU in menu.text
    async with market(app) as m:
        erin = m.users.actor(await m.users.get(b.employer_id))
        message_id = (await m.messages.thread(erin, b.project_id, b.bidder_id))[-1].id
    forged = ReportCb(action="new", kind="message", target_id=message_id).pack()
    answer = await press(mallory, menu, forged)
    assert answer.show_alert and answer.text == "This message does not exist."
    own = await press(b.bidder, b.bidder.messages[-1], forged)
    assert own.show_alert and own.text == "You cannot report yourself."
    odd = ReportCb(action="new", kind="wallet", target_id=1).pack()
    answer = await press(mallory, menu, odd)
    assert answer.show_alert and answer.text == "That cannot be reported."
