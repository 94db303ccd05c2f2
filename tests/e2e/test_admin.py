"""The admin panel: figures, arbitration with the whole record, payouts, bans."""

from __future__ import annotations

from bot.callbacks import AdminCb, MenuCb
from core import ledger
from emulator import SimulatedUser
from storage.enums import PayoutStatus
from tests.e2e.conftest import App
from tests.e2e.test_disputes import delivered
from tests.e2e.work_support import (
    MENU,
    balance,
    check_books,
    completed,
    hired,
    market,
    press,
    publish,
    started,
)


async def panel(admin: SimulatedUser) -> None:
    await admin.send_text("/admin")
    await admin.wait_for_message("Admin panel")


async def test_only_admins_get_the_panel_and_its_buttons(app: App) -> None:
    deal, _, _ = await delivered(app)
    bob = deal.freelancer
    await bob.send_text("/admin")
    await bob.wait_for_message("This is for administrators only.")
    menu = bob.messages[-1]
    for forged in (AdminCb(action="release", id=1), AdminCb(action="pq"), MenuCb(action="admin")):
        answer = await press(bob, menu, forged.pack())
        assert answer.show_alert and answer.text == "This is for administrators only."

    ada = app.person("Ada", admin=True)
    await ada.send_text("/start")
    menu = await ada.wait_for_message(MENU)
    await ada.click(menu, "🛡 Admin")
    figures = await ada.wait_for_message("Admin panel")
    for line in (
        "Users: 3",
        "Projects in progress: 1",
        "Money in escrow: 100.00 USD",
        "Fees earned: 0.00 USD",
        "Disputes in arbitration: 0",
        "Payouts waiting: 0",
    ):
        assert line in figures.text
    assert figures.button_texts[:3] == ["⚖️ Disputes queue", "💸 Payouts queue", "🚫 Ban / unban"]


async def test_an_admin_splits_an_escalated_dispute_after_reading_the_whole_record(
    app: App,
) -> None:
    deal, ms_id, _ = await delivered(app)
    erin, frank = deal.employer, deal.freelancer
    ada = app.person("Ada", admin=True)
    await started(ada)
    sketch = await frank.send_document("checkout-sketch.pdf")
    assert sketch.document is not None
    async with market(app) as m:
        await m.messages.send(deal.boss, deal.project_id, deal.worker.user_id, "Where is checkout?")
        await m.messages.send(
            deal.worker,
            deal.project_id,
            deal.boss.user_id,
            "Here is my sketch of it.",
            file_id=sketch.document["file_id"],
            file_kind="document",
        )
        dispute = await m.disputes.open(
            deal.worker, ms_id, reason="Everything agreed was delivered.", claimed_amount=10_000
        )
        events = [e for e in m.take_events() if e.kind.startswith("dispute.")]
    await publish(app, events)

    opened = await erin.wait_for_message("opened a dispute")
    await erin.click(opened, "✍️ Respond")
    await erin.wait_for_message("Your response")
    await erin.send_text("The checkout page is missing entirely.")
    await erin.click(await erin.wait_for_message("Send it?"), "✍️ Send my response")
    negotiating = await erin.wait_for_message("⚖️ Dispute #")
    await erin.click(negotiating, "🛡 Escalate to an admin")
    sure = await erin.wait_for_message("Send dispute #1 to an admin?")
    await erin.click(sure, "🛡 Yes, send it to an admin")
    assert "With an admin" in (await erin.wait_for_message("⚖️ Dispute #")).text
    await frank.wait_for_message("Erin asked an admin to decide")

    arbiter = await ada.wait_for_message("needs an arbiter")
    await ada.click(arbiter, "🛡 Open the record")
    record = await ada.wait_for_message(f"Record of dispute #{dispute.id}")
    for fact in (
        "Everything agreed was delivered.",  # the reason
        "The checkout page is missing entirely.",  # the response
        "Build a Telegram bot for my shop",  # the project
        "I have built many shop bots",  # the bid
        "All done, see the repository.",  # the delivery note
        "Where is checkout?",  # their messages
        "Here is my sketch of it.",
        "dispute sent to an admin",  # the milestone history
    ):
        assert fact in record.text, fact
    await ada.click(record, "📎 Files (1)")
    file = await ada.wait_for_message("Sent by Frank")
    assert file.document is not None
    assert file.document["file_unique_id"] == sketch.document["file_unique_id"]

    await ada.click(record, "➗ Split")
    await ada.wait_for_message("How much of 100.00 USD")
    await ada.send_text("100")
    await ada.wait_for_message("less than 100.00 USD")
    await ada.send_text("30")
    confirm = await ada.wait_for_message("Verdict on dispute")
    assert "To the freelancer: 30.00 USD" in confirm.text
    assert "Back to the employer: 70.00 USD" in confirm.text
    await ada.send_text("Checkout was missing; the rest was there.")
    confirm = await ada.wait_for_message("Note to both sides")
    answer = await ada.click(confirm, "✅ Confirm the verdict")
    assert answer.text == "Verdict recorded: the money has moved."
    await ada.wait_for_message(f"Dispute #{dispute.id} resolved")

    for person in (erin, frank):
        told = await person.wait_for_message("Resolved: an admin split it")
        assert "Released to Frank: 30.00 USD (27.00 USD after the platform fee)" in told.text
        assert "Refunded to Erin: 70.00 USD" in told.text
        assert "Checkout was missing; the rest was there." in told.text

    answer = await ada.click(record, "✅ Release all")
    assert answer.show_alert and answer.text == (
        "This dispute is already resolved: there is nothing left to decide."
    )
    answer = await ada.click(confirm, "✅ Confirm the verdict")
    assert answer.show_alert  # the confirmation is stale too: the flow has ended
    assert await balance(app, ledger.available(deal.worker.user_id)) == 2_700
    assert await balance(app, ledger.available(deal.boss.user_id)) == 7_000
    assert await balance(app, ledger.FEES) == 300
    await check_books(app)


async def test_payouts_are_marked_paid_or_rejected_from_the_queue(app: App) -> None:
    deal = await hired(app)
    await completed(app, deal, amount=20_000)  # Frank earns 180.00 after the fee
    ada = app.person("Ada", admin=True)
    await started(ada)
    async with market(app) as m:
        first = await m.payouts.request(deal.worker, 5_000, "IBAN DE89 3704 0044 0532 0130 00")
        second = await m.payouts.request(deal.worker, 7_000, "PayPal <frank@example.com>")
        events = m.take_events()
    await publish(app, events)
    alert = await ada.wait_for_message(f"Payout requested #{first.id}")
    assert "IBAN DE89" in alert.text and f"✅ Paid #{first.id}" in alert.button_texts

    await panel(ada)
    await ada.click(ada.messages[-1], "💸 Payouts queue")
    queue = await ada.wait_for_message("Payouts waiting")
    assert "PayPal <frank@example.com>" in queue.text  # escaped, shown as typed
    assert "70.00 USD to Frank" in queue.text

    await ada.click(queue, f"✅ Paid #{first.id}")
    await ada.wait_for_message("Mark payout")
    await ada.send_text("SEPA transfer ref 42")
    await ada.wait_for_message(f"Payout #{first.id} of 50.00 USD marked paid")

    await ada.click(queue, f"❌ Reject #{second.id}")
    await ada.wait_for_message("Why?")
    await ada.send_text("PayPal is not supported; send an IBAN.")
    await ada.wait_for_message(f"Payout #{second.id} of 70.00 USD rejected")

    answer = await ada.click(queue, f"✅ Paid #{first.id}")
    assert answer.show_alert and answer.text == f"Payout #{first.id} is already paid."
    async with market(app) as m:
        paid, rejected = [await m.payouts.get(deal.worker, p.id) for p in (first, second)]
    assert (paid.status, paid.note) == (PayoutStatus.PAID, "SEPA transfer ref 42")
    assert (rejected.status, rejected.note) == (
        PayoutStatus.REJECTED,
        "PayPal is not supported; send an IBAN.",
    )
    assert await balance(app, ledger.available(deal.worker.user_id)) == 18_000 - 5_000
    await check_books(app)


async def test_a_banned_user_is_refused_until_unbanned(app: App) -> None:
    bob = app.person("Bob")
    await started(bob)
    ada = app.person("Ada", admin=True)
    await started(ada)

    await panel(ada)
    await ada.click(ada.messages[-1], "🚫 Ban / unban")
    await ada.wait_for_message("Ban or unban")
    await ada.send_text("@nobody")
    await ada.wait_for_message("Nobody here is @nobody.")
    await ada.send_text("@BOB")
    card = await ada.wait_for_message("Telegram id")
    assert "Bob @bob" in card.text and "Active" in card.text
    await ada.click(card, "🚫 Ban")
    await ada.wait_for_message("Why?")
    await ada.send_text("Asked bidders to pay outside <the platform>.")
    banned = await ada.wait_for_message("is suspended and has been told")

    told = await bob.wait_for_message("suspended by an administrator")
    assert "Reason: Asked bidders to pay outside <the platform>." in told.text
    await bob.send_text("/start")
    await bob.wait_for_message("Your account is suspended")
    menu = next(msg for msg in bob.messages if MENU in msg.text)
    answer = await bob.click(menu, "📝 Post a project")
    assert answer.show_alert and answer.text is not None and "suspended" in answer.text

    answer = await ada.click(card, "🚫 Ban")
    assert answer.show_alert and answer.text == "This person is already suspended."
    await ada.click(banned, "✅ Unban")
    ask = await ada.wait_for_message("Unban Bob")
    answer = await ada.click(ask, "✅ Unban without a reason")
    assert answer.text == "Unbanned."
    await bob.wait_for_message("active again")
    await bob.send_text("/start")
    await bob.wait_for_message(MENU)
    answer = await ada.click(banned, "✅ Unban")
    assert answer.show_alert and answer.text == "This person is not suspended."


async def test_the_queue_and_a_long_record_are_read_page_by_page(app: App) -> None:
    deal, ms_id, _ = await delivered(app)
    ada = app.person("Ada", admin=True)
    await started(ada)
    async with market(app) as m:
        for n in range(1, 7):  # six long messages: the record runs over several pages
            await m.messages.send(
                deal.boss, deal.project_id, deal.worker.user_id, f"Note {n}: " + "details " * 400
            )
        dispute = await m.disputes.open(
            deal.boss,
            ms_id,
            deliverables=[0],
            reason="See the six notes I sent.",
            claimed_amount=10_000,
        )
        await m.disputes.respond(deal.worker, dispute.id, "I read them all.")
        await m.disputes.escalate(deal.boss, dispute.id)

    await panel(ada)
    await ada.click(ada.messages[-1], "⚖️ Disputes queue")
    queue = await ada.wait_for_message("Disputes waiting for an arbiter")
    assert f"#{dispute.id} · Build a Telegram bot for my shop · 100.00 USD held" in queue.text
    await ada.click(queue, f"#{dispute.id} · Build a Telegram bot")
    first = await ada.wait_for_message(f"Record of dispute #{dispute.id} · page 1 of")
    pages = int(first.text.split(" · page 1 of ", 1)[1].split()[0])
    assert pages >= 3 and "Next ›" in first.button_texts
    assert "Previous" not in " ".join(first.button_texts)
    seen = first.text
    for page in range(2, pages + 1):
        await ada.click(first, "Next ›")  # the current state of that message
        turned = await ada.wait_for_message(f"page {page} of {pages}")
        assert turned.message_id == first.message_id  # the page turns in place
        assert len(turned.text) <= 4096
        seen += turned.text
    assert all(f"Note {n}: details" in seen for n in range(1, 7))
    last = ada.message(first.message_id)
    assert last is not None and "Next ›" not in last.button_texts
    await ada.click(last, "‹ Previous")
    await ada.wait_for_message(f"page {pages - 1} of {pages}")


async def test_a_split_after_a_small_release_shows_the_fee_it_takes(app: App) -> None:
    """Fees run on the milestone's total: after 0.09 released (no fee yet), a verdict that
    releases 0.09 more takes 0.01, and the confirmation says so before the money moves."""
    deal, ms_id, _ = await delivered(app)
    ada = app.person("Ada", admin=True)
    await started(ada)
    async with market(app) as m:
        await m.milestones.release(deal.boss, ms_id, 9)
        dispute = await m.disputes.open(
            deal.worker, ms_id, reason="The rest was delivered too.", claimed_amount=9_991
        )
        await m.disputes.respond(deal.boss, dispute.id, "Half of it is missing.")
        await m.disputes.escalate(deal.boss, dispute.id)
    await panel(ada)
    await ada.click(ada.messages[-1], "⚖️ Disputes queue")
    queue = await ada.wait_for_message("Disputes waiting for an arbiter")
    await ada.click(queue, f"#{dispute.id} · Build a Telegram bot")
    record = await ada.wait_for_message(f"Record of dispute #{dispute.id}")
    await ada.click(record, "➗ Split")
    await ada.wait_for_message("How much of 99.91 USD")
    await ada.send_text("0.09")
    confirm = await ada.wait_for_message("Verdict on dispute")
    assert "(platform fee 10%: 0.01 USD)" in confirm.text
    await ada.send_text("Part of it was there.")
    confirm = await ada.wait_for_message("Note to both sides")
    await ada.click(confirm, "✅ Confirm the verdict")
    await ada.wait_for_message(f"Dispute #{dispute.id} resolved")
    assert await balance(app, ledger.FEES) == 1
    assert await balance(app, ledger.available(deal.worker.user_id)) == 17
    await check_books(app)
