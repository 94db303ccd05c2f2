"""Contracts: the whole journey from an accepted award to a payout, and the contract screens."""

from __future__ import annotations

from core import ledger
from storage.enums import ContractStatus, MilestoneStatus
from tests.e2e.conftest import App
from tests.e2e.work_support import (
    balance,
    buttons,
    check_books,
    hired,
    market,
    milestone,
    press,
    seeded_milestone,
    started,
)


async def test_from_an_accepted_award_to_a_payout(app: App) -> None:
    deal = await hired(app)
    erin, frank = deal.employer, deal.freelancer

    # The employer opens the contract and creates a milestone.
    await erin.send_text("/contracts")
    listing = await erin.wait_for_message("Your contracts")
    assert "Build a Telegram bot for my shop" in listing.text and "Frank" in listing.text
    assert "300.00 USD" in listing.text and "active" in listing.text
    await erin.click(listing, "Build a Telegram bot")
    screen = await erin.wait_for_message("You are the employer")
    assert "Deadline" in screen.text and "SANDBOX" in screen.text
    assert "💬 Message Frank" in buttons(screen)
    await erin.click(screen, "➕ New milestone")
    await erin.wait_for_message("What is to be delivered?")
    await erin.send_text("Design the <order> flow & screens")
    await erin.wait_for_message("How much")
    await erin.send_text("100")
    due = await erin.wait_for_message("Due in how many days?")
    await erin.click(due, "Skip")
    preview = await erin.wait_for_message("Create this milestone?")
    assert "Design the <order> flow & screens" in preview.text  # escaped, shown literally
    assert "SANDBOX" in preview.text
    await erin.click(preview, "✅ Confirm")
    created = await erin.wait_for_message("created")
    assert "SANDBOX" in created.text
    await frank.wait_for_message("New milestone")

    # Funding in the sandbox is immediate and says it is test money.
    await erin.click(created, "💳 Fund 100.00 USD (sandbox)")
    funded = await erin.wait_for_message("Milestone funded")
    assert "SANDBOX" in funded.text and "100.00 USD" in funded.text
    go = await frank.wait_for_message("Funded:")
    assert "SANDBOX" in go.text

    # The freelancer delivers with a note and a document.
    await frank.click(go, "📦 Deliver work")
    await frank.wait_for_message("What are you delivering?")
    await frank.send_text("Flow diagrams and all screens, as agreed.")
    await frank.wait_for_message("Any files to deliver")
    await frank.send_document("screens.pdf")
    got = await frank.wait_for_message("File 1 of at most 10 attached")
    await frank.click(got, "✔ Done")
    confirm = await frank.wait_for_message("Deliver “Design")
    assert "screens.pdf" in confirm.text
    await frank.click(confirm, "📦 Deliver")
    delivered = await frank.wait_for_message("Delivered")
    assert "automatically" in delivered.text

    # The employer is alerted with quick replies, the auto-release date, and the file.
    alert = await erin.wait_for_message("Frank delivered")
    assert "Flow diagrams and all screens" in alert.text
    assert "released automatically on" in alert.text and "19 Jan 2026" in alert.text
    assert {"✅ Release 100.00 USD", "✏️ Request changes (2 left)", "⚖️ Open a dispute"} <= set(
        buttons(alert)
    )
    file_message = await erin.wait_for_message(lambda msg: msg.document is not None)
    assert "Preview · File 1 of 1" in file_message.text
    assert alert.protected and file_message.protected  # a preview until it is paid for

    # Release in full, after a confirm step that shows the fee.
    await erin.click(alert, "✅ Release 100.00 USD")
    prompt = await erin.wait_for_message("Release 100.00 USD")
    assert "Platform fee: 10.00 USD" in prompt.text and "Frank receives: 90.00 USD" in prompt.text
    await erin.click(prompt, "✅ Yes, release 100.00 USD")
    await erin.wait_for_message("Released 100.00 USD")
    paid = await frank.wait_for_message("released to you")
    assert "90.00 USD" in paid.text

    # End the contract; both are offered a review.
    await erin.click(screen, "🏁 End contract")
    end = await erin.wait_for_message("End the contract")
    await erin.click(end, "🏁 Yes, end the contract")
    ended = await erin.wait_for_message("completed")
    told = await frank.wait_for_message("completed")
    assert "⭐ Review" in buttons(told)

    # Double-blind reviews: nobody sees the other's review before writing their own.
    await erin.click(ended, "⭐ Review")
    stars = await erin.wait_for_message("How was working with Frank?")
    await erin.click(stars, "★★★★★")
    await erin.wait_for_message("a few words")
    await erin.send_text("Fast, careful and friendly.")
    publish = await erin.wait_for_message("Your review of Frank")
    await erin.click(publish, "⭐ Publish review")
    mine = await erin.wait_for_message("Your review is published")
    assert "appears when they write theirs" in mine.text
    nudge = await frank.wait_for_message("reviewed you")
    assert "write yours to see theirs" in nudge.text
    assert "Fast, careful" not in nudge.text
    await frank.click(nudge, "⭐ Review")
    stars = await frank.wait_for_message("How was working with Erin?")
    await frank.click(stars, "★★★★")
    await frank.wait_for_message("a few words")
    await frank.send_text("Clear brief, paid on time.")
    publish = await frank.wait_for_message("Your review of Erin")
    await frank.click(publish, "⭐ Publish review")
    both = await frank.wait_for_message("Your review is published")
    assert "Fast, careful and friendly." in both.text  # now visible
    revealed = await erin.wait_for_message("reviewed you")
    assert "Clear brief, paid on time." in revealed.text

    # The freelancer's balance, and a payout request.
    await frank.send_text("/balance")
    wallet = await frank.wait_for_message("Your balance")
    assert "Available: 90.00 USD" in wallet.text
    await frank.click(wallet, "💸 Request payout")
    ask = await frank.wait_for_message("How much")
    await frank.click(ask, "All: 90.00 USD")
    await frank.wait_for_message("Where should we send it?")
    await frank.send_text("IBAN DE89 3704 <0044> 0532")
    sure = await frank.wait_for_message("Request a payout of 90.00 USD")
    assert "IBAN DE89 3704 <0044> 0532" in sure.text
    await frank.click(sure, "✅ Request payout")
    await frank.wait_for_message("Payout of 90.00 USD requested")
    await frank.send_text("/balance")
    wallet = await frank.wait_for_message("Your balance")
    assert "Available: 0.00 USD" in wallet.text and "On hold for payouts: 90.00 USD" in wallet.text
    assert "requested" in wallet.text

    assert await balance(app, ledger.available(deal.worker.user_id)) == 0
    assert await balance(app, ledger.payout_hold(deal.worker.user_id)) == 9_000
    assert await balance(app, ledger.FEES) == 1_000
    async with market(app) as m:
        contract = await m.contracts.get(deal.boss, deal.contract_id)
        assert contract.status is ContractStatus.COMPLETED
    await check_books(app)


async def test_no_contracts_yet(app: App) -> None:
    zoe = app.person("Zoe")
    await started(zoe)
    await zoe.send_text("/contracts")
    empty = await zoe.wait_for_message("Your contracts")
    assert "No contracts yet" in empty.text


async def test_the_menu_opens_contracts_and_the_freelancer_sees_their_side(app: App) -> None:
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal)
    frank = deal.freelancer
    await frank.send_text("/menu")
    menu = await frank.wait_for_message("What would you like to do?")
    await frank.click(menu, "🤝 Contracts")
    listing = await frank.wait_for_message("Your contracts")
    assert "client: Erin" in listing.text
    await frank.click(listing, "Build a Telegram bot")
    screen = await frank.wait_for_message("You are the freelancer")
    assert "funded" in screen.text and "escrow 100.00 USD" in screen.text
    assert "➕ Request milestone" in buttons(screen)
    assert "➕ New milestone" not in buttons(screen)
    await frank.click(screen, "📄 Design the order flow")
    card = await frank.wait_for_message("Milestone")
    labels = buttons(card)
    assert "📦 Deliver work" in labels and "↩️ Cancel & refund" in labels
    assert not any(label.startswith("✅ Release") for label in labels)
    await frank.click(card, "📜 History")
    history = await frank.wait_for_message("History of")
    assert "Erin: created 100.00 USD" in history.text and "funded" in history.text
    assert (await milestone(app, ms_id)).status is MilestoneStatus.FUNDED


async def test_a_contract_with_money_in_escrow_cannot_be_ended(app: App) -> None:
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal)
    erin = deal.employer
    await erin.send_text("/contracts")
    listing = await erin.wait_for_message("Your contracts")
    await erin.click(listing, "Build a Telegram bot")
    screen = await erin.wait_for_message("You are the employer")
    answer = await erin.click(screen, "🏁 End contract")  # refused before any question
    assert answer.show_alert and "still held in escrow" in (answer.text or "")
    await erin.expect_no_message()
    async with market(app) as m:
        assert (await m.contracts.get(deal.boss, deal.contract_id)).status is ContractStatus.ACTIVE
    assert await balance(app, ledger.escrow(ms_id)) == 10_000


async def test_someone_elses_contract_is_refused(app: App) -> None:
    deal = await hired(app)
    mallory = app.person("Mallory")
    await started(mallory)
    menu = mallory.messages[-1]
    answer = await press(mallory, menu, f"c:view:{deal.contract_id}")
    assert answer.show_alert and "not yours" in (answer.text or "")
    answer = await press(mallory, menu, f"c:end_ok:{deal.contract_id}")
    assert answer.show_alert and "not yours" in (answer.text or "")
    async with market(app) as m:
        assert (await m.contracts.get(deal.boss, deal.contract_id)).status is ContractStatus.ACTIVE


async def test_a_long_contract_list_turns_its_pages_in_place_both_ways(app: App) -> None:
    deal = await hired(app, title="Project number 01 for the shop")
    async with market(app) as m:
        for n in range(2, 11):
            project = await m.projects.create_draft(
                deal.boss,
                title=f"Project number {n:02d} for the shop",
                description="A bot that takes orders, accepts payments and notifies staff.",
                skills=["python"],
                budget_min=10_000,
                budget_max=50_000,
            )
            await m.projects.publish(deal.boss, project.id)
            bid = await m.bids.place(
                deal.worker,
                project.id,
                amount=20_000,
                delivery_days=5,
                proposal="I have built many shop bots; here is how I would do yours.",
            )
            award = await m.awards.offer(deal.boss, bid.id)
            await m.awards.accept(deal.worker, award.id)
    erin = deal.employer
    await erin.send_text("/contracts")
    first = await erin.wait_for_message("Your contracts")
    assert "1. Project number 10" in first.text and "8. Project number 03" in first.text
    assert "Project number 01" not in first.text
    assert "‹ Newer" not in buttons(first)
    await erin.click(first, "Older ›")
    second = await erin.wait_for_message("Your contracts")
    assert second.message_id == first.message_id  # the list turned, not sent again
    assert "9. Project number 02" in second.text and "10. Project number 01" in second.text
    assert "Older ›" not in buttons(second)
    await erin.click(second, "‹ Newer")
    again = await erin.wait_for_message("Your contracts")
    assert again.message_id == first.message_id
    assert again.text == first.text and buttons(again) == buttons(first)
