"""Fair by design, through the real bot: an employer who tries every way to keep the work
without paying (staying silent, asking for changes past the cap, disputing without naming
a deliverable, withdrawing and filing again, forwarding the protected files) ends up
paying, or before an admin who sees the whole record; and a deliverable that is really
missing, disputed with evidence, ends in an admin's refund or split."""

from __future__ import annotations

import pytest

from bot.callbacks import MilestoneCb
from bot.texts.awards import endings
from core import ledger
from emulator import ChatMessage, SimulatedUser
from storage.enums import ContractEnding, DisputeStatus, MilestoneStatus
from tests.e2e.conftest import App
from tests.e2e.work_support import (
    Deal,
    balance,
    bidding,
    buttons,
    check_books,
    hired,
    market,
    milestone,
    press,
    publish,
    started,
)

SCOPE = ["Order form", "Card payments", "Admin panel"]


async def terms_deal(app: App, rounds: int = 2) -> Deal:
    """A contract on three agreed deliverables and ``rounds`` revision rounds."""
    return await hired(app, deliverables=SCOPE, revision_rounds=rounds)


async def funded(app: App, deal: Deal, amount: int = 10_000) -> tuple[int, ChatMessage]:
    """A funded milestone, and Frank's alert that he can start (its Deliver button)."""
    async with market(app) as m:
        ms = await m.milestones.create(
            deal.boss, deal.contract_id, description="The bot", amount=amount
        )
    async with market(app) as m:
        await m.milestones.start_funding(deal.boss, ms.id, "sandbox")
        events = m.take_events()
    await publish(app, events)
    return ms.id, await deal.freelancer.wait_for_message("is held in escrow. You can start")


async def deliver(
    frank: SimulatedUser, start: ChatMessage, note: str, file_name: str, *, protect: bool = True
) -> None:
    """Frank delivers through the bot, with one file; a protected preview unless told."""
    await frank.click(start, "📦 Deliver work")
    await frank.wait_for_message("What are you delivering?")
    await frank.send_text(note)
    await frank.wait_for_message("Any files to deliver")
    await frank.send_document(file_name)
    more = await frank.wait_for_message("File 1 of at most 10 attached")
    await frank.click(more, "✔ Done")
    confirm = await frank.wait_for_message("Deliver “")
    assert "Protected preview" in confirm.text
    if not protect:
        await frank.click(confirm, "🔓 Hand it over in full now")
        confirm = await frank.wait_for_message("Handed over in full")
    await frank.click(confirm, "📦 Deliver")
    await frank.wait_for_message("released to you automatically")


async def delivery_alert(erin: SimulatedUser) -> tuple[ChatMessage, ChatMessage]:
    """The employer's delivery alert and its file."""
    alert = await erin.wait_for_message("Frank delivered")
    file = await erin.wait_for_message(lambda m: m.document is not None)
    return alert, file


# --- the terms ----------------------------------------------------------------------------


async def test_the_terms_are_set_at_award_and_accepted_with_the_offer(app: App) -> None:
    b = await bidding(
        app,
        title="Telegram bot for my bakery",
        description="What we need:\n- An order form\n- Card payments\n- A daily summary",
    )
    erin, frank = b.employer, b.freelancer
    await publish(app, [e for e in b.events if e.kind == "bid.placed"])
    bid = await erin.wait_for_message("New bid on Telegram bot for my bakery")

    await erin.click(bid, "🏆 Award")
    confirm = await erin.wait_for_message("Offer the project to Frank")
    for line in ("• An order form", "• Card payments", "• A daily summary", "2 revision rounds"):
        assert line in confirm.text  # proposed from the project and the settings
    assert "Due 15 Jan 2026" in confirm.text  # the bid's 10 days
    await erin.click(confirm, "✏️ Deliverables")
    await erin.wait_for_message("What is to be delivered?")
    await erin.send_text("Order form\n" + "x" * 101)
    await erin.wait_for_message("at most 100 characters")
    await erin.send_text("- Order form\n- Card payments\n- Admin panel")
    confirm = await erin.wait_for_message("Offer the project to Frank")
    await erin.click(confirm, "🔁 2 revision rounds")
    rounds = await erin.wait_for_message("How many revision rounds")
    await erin.click(rounds, "1")
    confirm = await erin.wait_for_message(lambda m: "1 revision round included" in m.text)
    await erin.click(confirm, "📅 Due date")
    await erin.wait_for_message("Due in how many days?")
    await erin.send_text("20")
    confirm = await erin.wait_for_message("Due 25 Jan 2026")
    await erin.click(confirm, "🏆 Yes, award")
    await erin.wait_for_message("Offer sent to Frank")

    offer = await frank.wait_for_message("You are offered Telegram bot for my bakery")
    for line in ("• Order form", "• Card payments", "• Admin panel", "1 revision round"):
        assert line in offer.text
    assert "Accepting the offer accepts these terms" in offer.text
    await frank.click(offer, "✅ Accept offer and terms")
    await frank.wait_for_message("You accepted")
    async with market(app) as m:
        contract = await m.contracts.for_project(b.project_id)
    assert contract is not None
    assert (contract.deliverables, contract.revision_rounds) == (SCOPE, 1)
    told = await erin.wait_for_message("Frank accepted")
    await erin.click(told, "🤝 Open contract")
    card = await erin.wait_for_message("You are the employer")
    assert "• Admin panel" in card.text and "1 revision round included" in card.text


# --- keeping the work without paying -----------------------------------------------------------


async def test_an_employer_who_stays_silent_pays_and_gets_the_files_in_full(app: App) -> None:
    deal = await terms_deal(app)
    erin, frank = deal.employer, deal.freelancer
    ms_id, start = await funded(app, deal)
    await deliver(frank, start, "The bot is live; the code is attached.", "bot.zip")
    alert, preview = await delivery_alert(erin)
    assert "🔒 Preview" in alert.text and alert.protected
    assert preview.protected and "🔒 Preview · File 1 of 1" in preview.text
    # Keeping the preview does not work: the app refuses to forward (or save) it.
    for message in (alert, preview):
        attempt = erin.forward(message)
        assert attempt.refused and attempt.reason
    assert erin.forwarded == []

    app.clock.advance(app.settings.delivery_review_window)
    assert (await app.sweep()).milestones_auto_released == 1
    await frank.wait_for_message("was released automatically")
    assert await balance(app, ledger.available(deal.worker.user_id)) == 9_000
    handed = await erin.wait_for_message("is yours in full")
    assert "The bot is live" in handed.text and not handed.protected
    full = await erin.wait_for_message(lambda m: m.document is not None)
    assert not full.protected and full.file_id == preview.file_id
    assert not erin.forward(full).refused
    assert (await milestone(app, ms_id)).status is MilestoneStatus.RELEASED
    await check_books(app)


async def test_changes_past_the_included_rounds_give_way_to_a_new_milestone_or_a_dispute(
    app: App,
) -> None:
    deal = await terms_deal(app, rounds=1)
    erin, frank = deal.employer, deal.freelancer
    ms_id, start = await funded(app, deal)
    await deliver(frank, start, "First version.", "v1.zip")
    alert, _ = await delivery_alert(erin)

    await erin.click(alert, "✏️ Request changes (1 left)")
    ask = await erin.wait_for_message("What should change")
    assert "revision round 1 of 1" in ask.text and "It is the last one" in ask.text
    await erin.send_text("Add the admin panel we agreed on.")
    await erin.click(await erin.wait_for_message("Ask for changes"), "✅ Confirm")
    await erin.wait_for_message("Changes requested")
    assert (await milestone(app, ms_id)).auto_release_at is None  # the clock stops...
    told = await frank.wait_for_message("asked for changes")
    assert "That was the last included revision round" in told.text
    app.clock.advance(days=3)
    await deliver(frank, told, "Admin panel added.", "v2.zip")
    again, _ = await delivery_alert(erin)
    ms = await milestone(app, ms_id)  # ...and delivering again starts a fresh window
    assert ms.auto_release_at == app.clock.now() + app.settings.delivery_review_window

    # Past the cap: no more change requests, but extra work or a dispute.
    labels = buttons(again)
    assert not any(label.startswith("✏️ Request changes") for label in labels)
    assert {"➕ New milestone for the extra work", "⚖️ Open a dispute"} <= set(labels)
    forged = await press(erin, again, MilestoneCb(action="changes", milestone_id=ms_id).pack())
    assert forged.show_alert and "revision round this milestone includes is used" in (
        forged.text or ""
    )
    await erin.click(again, "➕ New milestone for the extra work")
    await erin.wait_for_message("The revision rounds included with")
    await erin.send_text("A weekly sales report")
    await erin.wait_for_message("How much is this milestone?")
    await erin.send_text("50")
    due = await erin.wait_for_message("Due in how many days?")
    await erin.click(due, "Skip")
    await erin.click(await erin.wait_for_message("Create this milestone?"), "✅ Confirm")
    await erin.wait_for_message("created")
    async with market(app) as m:
        extra = (await m.milestones.for_contract(deal.boss, deal.contract_id))[-1]
    assert (extra.description, extra.amount, extra.status) == (
        "A weekly sales report",
        5_000,
        MilestoneStatus.PENDING,
    )
    # And the delivered milestone still pays when its window ends in silence.
    app.clock.advance(app.settings.delivery_review_window)
    assert (await app.sweep()).milestones_auto_released == 1
    assert await balance(app, ledger.available(deal.worker.user_id)) == 9_000
    await check_books(app)


async def test_withdrawing_and_filing_again_gains_the_employer_nothing(app: App) -> None:
    """A dispute without a named deliverable is refused; a withdrawn one keeps the review
    clock running and stays on the record; the freelancer's silence on the second goes to
    an admin, who reads that the work was delivered and releases it."""
    deal = await terms_deal(app)
    erin, frank = deal.employer, deal.freelancer
    ada = app.person("Ada", admin=True)
    await started(ada)
    ms_id, start = await funded(app, deal)
    await deliver(frank, start, "Everything we agreed.", "bot.zip")
    alert, _ = await delivery_alert(erin)
    review_ends = (await milestone(app, ms_id)).auto_release_at
    app.clock.advance(days=12)

    async def file_dispute(source: ChatMessage) -> ChatMessage:
        await erin.click(source, "⚖️ Open a dispute")
        pick = await erin.wait_for_message("Which of the agreed deliverables")
        refused = await erin.click(pick, "Next ›")  # without naming one
        assert refused.show_alert and "at least one agreed deliverable" in (refused.text or "")
        await erin.click(pick, "⬜ Admin panel")
        await erin.click(
            await erin.wait_for_message(lambda m: m.message_id == pick.message_id), "Next ›"
        )
        await erin.wait_for_message("What went wrong?")
        await erin.send_text("The admin panel is not there.")
        amount = await erin.wait_for_message("refunded to you")
        await erin.click(amount, "All of it (100.00 USD)")
        await erin.click(await erin.wait_for_message("Evidence"), "Skip")
        await erin.click(await erin.wait_for_message("Open this dispute?"), "⚖️ Open the dispute")
        return await erin.wait_for_message("⚖️ Dispute #")

    first = await file_dispute(alert)
    app.clock.advance(days=1)
    await erin.click(first, "↩️ Withdraw the dispute")
    await erin.click(await erin.wait_for_message("Withdraw dispute"), "↩️ Yes, withdraw it")
    await erin.wait_for_message("Withdrawn by Erin")
    ms = await milestone(app, ms_id)
    assert ms.auto_release_at == review_ends  # the 13 days in dispute were not given back
    second = await file_dispute(alert)
    assert "Without one, an admin decides" in second.text

    app.clock.advance(app.settings.dispute_response_window)  # Frank stays silent
    report = await app.sweep()
    assert (report.disputes_escalated, report.disputes_defaulted) == (1, 0)
    assert await balance(app, ledger.available(deal.boss.user_id)) == 0  # nothing refunded
    told = await erin.wait_for_message("did not respond in time, so an admin decides")
    assert "no automatic refund" in told.text
    arbiter = await ada.wait_for_message("needs an arbiter")
    await ada.click(arbiter, "🛡 Open the record")
    record = await ada.wait_for_message("Record of dispute #2")
    for fact in (
        "Work delivered: yes",
        "✗ Admin panel",
        "No response: Frank",
        "• Order form",  # the agreed terms
        "Earlier disputes of this milestone",
        "#1 · withdrawn",
        "Everything we agreed.",  # the delivery note
    ):
        assert fact in record.text, fact
    await ada.click(record, "✅ Release all")
    confirm = await ada.wait_for_message("Verdict on dispute #2")
    await ada.click(confirm, "✅ Confirm the verdict")
    await ada.wait_for_message("Dispute #2 resolved")
    assert await balance(app, ledger.available(deal.worker.user_id)) == 9_000
    handed = await erin.wait_for_message("is yours in full")
    assert not handed.protected
    await check_books(app)


# --- a deliverable that is really missing ---------------------------------------------------


@pytest.mark.parametrize("verdict", ["split", "refund"])
async def test_a_missing_deliverable_disputed_with_evidence_ends_in_an_admins_verdict(
    app: App, verdict: str
) -> None:
    deal = await terms_deal(app)
    erin, frank = deal.employer, deal.freelancer
    ada = app.person("Ada", admin=True)
    await started(ada)
    ms_id, start = await funded(app, deal)
    await deliver(frank, start, "Order form and payments are done.", "bot.zip")
    alert, _ = await delivery_alert(erin)

    # Erin names what is missing and shows it.
    await erin.click(alert, "⚖️ Open a dispute")
    pick = await erin.wait_for_message("Which of the agreed deliverables")
    await erin.click(pick, "⬜ Admin panel")
    await erin.click(
        await erin.wait_for_message(lambda m: m.message_id == pick.message_id), "Next ›"
    )
    await erin.wait_for_message("What went wrong?")
    await erin.send_text("There is no admin panel at all, and it was agreed.")
    await erin.send_text("40")
    await erin.wait_for_message("Evidence")
    await erin.send_photo(caption="The menu: no admin entry")
    added = await erin.wait_for_message("Evidence 1 of at most 10 attached")
    await erin.click(added, "✔ Done")
    confirm = await erin.wait_for_message("Open this dispute?")
    assert "✗ Admin panel" in confirm.text and "📎 1 file of evidence" in confirm.text
    await erin.click(confirm, "⚖️ Open the dispute")
    screen = await erin.wait_for_message("⚖️ Dispute #1")
    assert "📎 Evidence: 1 file (Erin 1)" in screen.text

    # Frank sees the claim and the evidence, answers, and adds his own.
    opened = await frank.wait_for_message("opened a dispute")
    assert "✗ Admin panel" in opened.text
    shown = await frank.wait_for_message("Erin attached evidence")
    assert shown.photo is not None and "The menu: no admin entry" in shown.text
    await frank.click(opened, "✍️ Respond")
    await frank.wait_for_message("Your response")
    await frank.send_text("The panel was to come with the next milestone.")
    await frank.click(await frank.wait_for_message("Send it?"), "✍️ Send my response")
    negotiating = await frank.wait_for_message("⚖️ Dispute #1")
    await frank.click(negotiating, "📎 Add evidence")
    await frank.wait_for_message("Evidence")
    await frank.send_document("plan.pdf", caption="Our plan: the panel in milestone 2")
    more = await frank.wait_for_message("Evidence 1 of at most 10 attached")
    await frank.click(more, "✔ Done")
    await frank.wait_for_message("⚖️ Dispute #1")
    told = await erin.wait_for_message("responded to your dispute")
    assert (await erin.wait_for_message("Frank attached evidence")).document is not None

    # Erin asks an admin; Ada decides on the whole record.
    await erin.click(told, "⚖️ View the dispute")
    await erin.click(await erin.wait_for_message("⚖️ Dispute #1"), "🛡 Escalate to an admin")
    await erin.click(await erin.wait_for_message("to an admin?"), "🛡 Yes, send it to an admin")
    arbiter = await ada.wait_for_message("needs an arbiter")
    await ada.click(arbiter, "🛡 Open the record")
    record = await ada.wait_for_message("Record of dispute #1")
    for fact in (
        "✗ Admin panel",
        "• Admin panel",
        "Order form and payments are done.",
        "protected preview",
        "Evidence (2)",
        "photo with the dispute: The menu: no admin entry",
        "document while negotiating: Our plan: the panel in milestone 2",
        "🛡 Dispute #1 · with an admin",
        "(🔨 In progress)",  # the project's state in words, never "(in_progress)"
        "by Erin @erin (#1), the employer",
        "⚖️ in dispute ·",
        "dispute answered",
    ):
        assert fact in record.text, fact
    assert "in_progress" not in record.text and "_" not in record.text.split("Messages")[0]
    await ada.click(record, "📎 Files (3)")  # the delivery and both sides' evidence
    assert (await ada.wait_for_message("Delivered by Frank")).document is not None
    assert (await ada.wait_for_message("Evidence from Erin")).photo is not None
    assert (await ada.wait_for_message("Evidence from Frank")).document is not None

    if verdict == "split":
        await ada.click(record, "➗ Split")
        await ada.wait_for_message("How much of 100.00 USD")
        await ada.send_text("60")
    else:
        await ada.click(record, "↩️ Refund all")
    confirm = await ada.wait_for_message("Verdict on dispute #1")
    await ada.click(confirm, "✅ Confirm the verdict")
    await ada.wait_for_message("Dispute #1 resolved")
    if verdict == "split":
        assert await balance(app, ledger.available(deal.worker.user_id)) == 5_400
        assert await balance(app, ledger.available(deal.boss.user_id)) == 4_000
        # Paid in part: the work is handed over in full.
        assert not (await erin.wait_for_message("is yours in full")).protected
        ending = ContractEnding.VERDICT_SPLIT
    else:
        assert await balance(app, ledger.available(deal.boss.user_id)) == 10_000
        assert (await milestone(app, ms_id)).status is MilestoneStatus.REFUNDED
        ending = ContractEnding.VERDICT_REFUNDED
    async with market(app) as m:
        assert (await m.disputes.get(deal.boss, 1)).status is DisputeStatus.RESOLVED
    await check_books(app)

    # However it ended, both sides review it, and the review says how it ended.
    async with market(app) as m:
        await m.contracts.end(deal.boss, deal.contract_id)
        events = m.take_events()
    await publish(app, events)
    await erin.send_text("/contracts")
    await erin.click(await erin.wait_for_message("Your contracts"), "Build a Telegram bot")
    card = await erin.wait_for_message("You are the employer")
    await erin.click(card, "⭐ Reviews")
    for person in (erin, frank):
        if person is frank:
            ended = await frank.wait_for_message("The contract for")
            assert endings()[ending] in ended.text
            await frank.click(ended, "⭐ Review")
        await person.click(await person.wait_for_message("How was working with"), "★★★")
        await person.wait_for_message("a few words")
        await person.send_text("It ended as it ended.")
        await person.click(await person.wait_for_message("Publish it?"), "⭐ Publish review")
        status = await person.wait_for_message("Your review is published")
        assert f"How it ended: {endings()[ending]}" in status.text
    async with market(app) as m:
        view = await m.reviews.for_contract(deal.boss, deal.contract_id)
    assert view.mine is not None and view.mine.ending is ending
    assert view.theirs is not None and view.theirs.ending is ending  # both wrote: visible
    if verdict == "refund":  # the preview stayed a preview: nothing was handed over
        assert not [m for m in erin.messages if "is yours in full" in m.text]
