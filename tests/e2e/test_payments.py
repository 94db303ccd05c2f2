"""Telegram Stars: invoices, pre-checkout, exactly-once crediting, refunds to the payer."""

from __future__ import annotations

import pytest

from core import ledger
from emulator import PaymentDeclined, SimulatedUser
from emulator.queries import QueryKind
from storage.enums import DisputeResolution, MilestoneStatus
from tests.e2e.conftest import ADMIN_ID, App
from tests.e2e.work_support import (
    Deal,
    balance,
    buttons,
    check_books,
    hired,
    market,
    milestone,
    publish,
    seeded_milestone,
    started,
)

STARS = ledger.external("stars")


STARS_SETTINGS = {"funding_gateway": "stars", "currency": "XTR", "currency_exponent": 0}
CARD_SETTINGS = {
    "funding_gateway": "telegram",
    "payment_provider_token": "284685063:TEST:bidgram",
    "currency": "EUR",
    "currency_exponent": 2,
}


@pytest.fixture
def bot_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    """Stars unless a test asks for another gateway (indirect parametrization)."""
    return dict(getattr(request, "param", STARS_SETTINGS))


async def stars_deal(app: App) -> tuple[Deal, int]:
    """A contract paid in Stars with one unfunded milestone of ⭐ 500."""
    deal = await hired(app, budget=(1_000, 5_000), amount=3_000)
    async with market(app) as m:
        ms = await m.milestones.create(
            deal.boss, deal.contract_id, description="Landing page", amount=500
        )
    return deal, ms.id


async def invoice_for(erin: SimulatedUser) -> None:
    """/contracts → contract → milestone → Pay ⭐ 500: leaves the invoice as the last message."""
    await erin.send_text("/contracts")
    listing = await erin.wait_for_message("Your contracts")
    await erin.click(listing, "Build a Telegram bot")
    screen = await erin.wait_for_message("You are the employer")
    assert "SANDBOX" not in screen.text  # real Stars: no sandbox label
    await erin.click(screen, "📄 Landing page")
    card = await erin.wait_for_message("📄 Milestone")
    assert "Pay ⭐ 500" in buttons(card)
    answer = await erin.click(card, "Pay ⭐ 500")
    assert answer.text == "Invoice sent below."
    await erin.wait_for_message(lambda msg: msg.invoice is not None)


async def test_an_invoice_paid_in_stars_funds_the_milestone_once(app: App) -> None:
    deal, ms_id = await stars_deal(app)
    erin, frank = deal.employer, deal.freelancer
    await invoice_for(erin)
    invoice = erin.messages[-1]
    assert invoice.invoice is not None
    assert (invoice.invoice["currency"], invoice.invoice["total_amount"]) == ("XTR", 500)
    [sent] = app.emu.calls_to("sendInvoice")
    assert sent.params["payload"].startswith("pay:") and "provider_token" not in sent.params

    charge = await erin.pay(invoice)
    receipt = await erin.wait_for_message("Payment received")
    assert "⭐ 500 is now held in escrow" in receipt.text
    await frank.wait_for_message("Funded:")
    m = await milestone(app, ms_id)
    assert (m.status, m.escrow) == (MilestoneStatus.FUNDED, 500)

    # Telegram delivers the same successful_payment again: acknowledged, credited once.
    await erin.redeliver_payment(charge)
    again = await erin.wait_for_message("already received")
    assert "Nothing was charged or credited twice" in again.text
    assert await balance(app, ledger.available(deal.boss.user_id)) == 0
    assert await balance(app, ledger.escrow(ms_id)) == 500
    assert await balance(app, STARS) == -500
    assert (await milestone(app, ms_id)).funded_amount == 500
    await check_books(app)


async def test_a_pre_checkout_for_a_milestone_cancelled_meanwhile_is_declined(app: App) -> None:
    deal, ms_id = await stars_deal(app)
    erin = deal.employer
    await invoice_for(erin)
    invoice = erin.messages[-1]
    async with market(app) as m:
        await m.milestones.cancel(deal.boss, ms_id)
    with pytest.raises(PaymentDeclined, match="no longer needs funding"):
        await erin.pay(invoice)
    assert app.emu.charges == []
    assert await balance(app, STARS) == 0
    assert (await milestone(app, ms_id)).status is MilestoneStatus.CANCELLED
    await check_books(app)


async def test_a_freelancer_cancel_sends_the_stars_back(app: App) -> None:
    deal, ms_id = await stars_deal(app)
    erin, frank = deal.employer, deal.freelancer
    await invoice_for(erin)
    charge = await erin.pay(erin.messages[-1])
    await erin.wait_for_message("Payment received")
    go = await frank.wait_for_message("Funded:")

    await frank.click(go, "🤝 Open contract")
    screen = await frank.wait_for_message("You are the freelancer")
    await frank.click(screen, "📄 Landing page")
    card = await frank.wait_for_message("📄 Milestone")
    await frank.click(card, "↩️ Cancel & refund")
    sure = await frank.wait_for_message("Cancel “")
    await frank.click(sure, "✅ Yes, cancel it")
    await frank.wait_for_message("is cancelled")
    await erin.wait_for_message("The freelancer cancelled")
    await erin.wait_for_message("went back to your Telegram Stars")

    [refund] = app.emu.refunds
    assert (refund.user_id, refund.telegram_payment_charge_id, refund.amount) == (
        erin.id,
        charge.telegram_payment_charge_id,
        500,
    )
    assert await balance(app, ledger.available(deal.boss.user_id)) == 0
    assert await balance(app, ledger.escrow(ms_id)) == 0
    assert await balance(app, STARS) == 0  # the Stars left the way they came
    async with market(app) as m:
        assert await m.refunds.refundable(ms_id) == []  # nothing left to send back
    await check_books(app)


async def cancel_as_freelancer(frank: SimulatedUser) -> None:
    go = await frank.wait_for_message("Funded:")
    await frank.click(go, "🤝 Open contract")
    screen = await frank.wait_for_message("You are the freelancer")
    await frank.click(screen, "📄 Landing page")
    card = await frank.wait_for_message("📄 Milestone")
    await frank.click(card, "↩️ Cancel & refund")
    sure = await frank.wait_for_message("Cancel “")
    await frank.click(sure, "✅ Yes, cancel it")
    await frank.wait_for_message("is cancelled")


async def test_a_refund_telegram_already_made_counts_as_done(app: App) -> None:
    """The charge was refunded already (an earlier call whose reply was lost, or support):
    the money is back with the payer, so it leaves the bidgram balance too, once."""
    deal, ms_id = await stars_deal(app)
    erin, frank = deal.employer, deal.freelancer
    await invoice_for(erin)
    charge = await erin.pay(erin.messages[-1])
    await erin.wait_for_message("Payment received")
    app.emu.state.payments.refund(erin.id, charge.telegram_payment_charge_id)
    await cancel_as_freelancer(frank)
    await erin.wait_for_message("The freelancer cancelled")
    await erin.wait_for_message("went back to your Telegram Stars")
    assert (await milestone(app, ms_id)).status is MilestoneStatus.REFUNDED
    assert await balance(app, ledger.available(deal.boss.user_id)) == 0
    assert await balance(app, ledger.refund_hold(deal.boss.user_id)) == 0
    assert await balance(app, STARS) == 0
    async with market(app) as m:
        assert await m.refunds.refundable(ms_id) == []
    await check_books(app)
    [answered] = app.emu.violations  # Telegram's "already refunded", taken as done
    assert "CHARGE_ALREADY_REFUNDED" in answered.description
    app.emu.clear_violations()


async def test_a_refund_telegram_refuses_keeps_the_money_on_the_balance(app: App) -> None:
    """Telegram will not refund the charge: the cancel stands, the Stars stay on the
    bidgram balance (where they can fund work or be paid out), and the payer is told."""
    deal, ms_id = await stars_deal(app)
    erin, frank = deal.employer, deal.freelancer
    await invoice_for(erin)
    charge = await erin.pay(erin.messages[-1])
    await erin.wait_for_message("Payment received")
    del app.emu.state.payments.charges[charge.telegram_payment_charge_id]  # unknown to it
    await cancel_as_freelancer(frank)
    await erin.wait_for_message("The freelancer cancelled")
    await erin.wait_for_message("could not return")
    assert (await milestone(app, ms_id)).status is MilestoneStatus.REFUNDED
    assert await balance(app, ledger.available(deal.boss.user_id)) == 500
    assert await balance(app, ledger.refund_hold(deal.boss.user_id)) == 0
    assert await balance(app, STARS) == -500
    async with market(app) as m:
        assert await m.refunds.refundable(ms_id) == []  # refused once is refused
    await check_books(app)
    [refused] = app.emu.violations
    assert refused.method == "refundStarPayment" and "CHARGE_NOT_FOUND" in refused.description
    app.emu.clear_violations()


@pytest.mark.parametrize("bot_overrides", [CARD_SETTINGS], indirect=True)
async def test_a_card_payment_uses_the_provider_and_minor_units(app: App) -> None:
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal, 12_345, description="Landing page", fund=False)
    erin, frank = deal.employer, deal.freelancer
    await erin.send_text("/contracts")
    listing = await erin.wait_for_message("Your contracts")
    await erin.click(listing, "Build a Telegram bot")
    screen = await erin.wait_for_message("You are the employer")
    await erin.click(screen, "📄 Landing page")
    card = await erin.wait_for_message("📄 Milestone")
    await erin.click(card, "💳 Pay 123.45 EUR")
    invoice = await erin.wait_for_message(lambda msg: msg.invoice is not None)
    [sent] = app.emu.calls_to("sendInvoice")
    assert sent.params["provider_token"] == "284685063:TEST:bidgram"
    assert (invoice.invoice or {}).get("currency") == "EUR"
    assert (invoice.invoice or {}).get("total_amount") == 12_345
    await erin.pay(invoice)
    await erin.wait_for_message("Payment received")
    await frank.wait_for_message("Funded:")
    assert await balance(app, ledger.escrow(ms_id)) == 12_345
    assert await balance(app, ledger.external("telegram")) == -12_345

    # A card payment cannot go back through the Bot API: a refund stays on the balance.
    async with market(app) as m:
        await m.milestones.cancel(deal.worker, ms_id)
        assert await m.refunds.refundable(ms_id) == []
    assert app.emu.refunds == []
    assert await balance(app, ledger.available(deal.boss.user_id)) == 12_345
    await check_books(app)


async def test_money_arriving_for_a_cancelled_milestone_is_kept_on_the_balance(app: App) -> None:
    """Pre-checkout passed, then the milestone was cancelled before Telegram confirmed."""
    deal, ms_id = await stars_deal(app)
    async with market(app) as m:
        payment = (await m.milestones.start_funding(deal.boss, ms_id, "stars")).payment
    async with market(app) as m:
        await m.milestones.cancel(deal.boss, ms_id)
    async with market(app) as m:
        confirmation = await m.payments.confirm(payment.id, "stxLate", 500)
        events = m.take_events()
    assert confirmation.funded is False
    await publish(app, events)
    told = await deal.employer.wait_for_message("no longer needed it")
    assert "⭐ 500" in told.text and "/balance" in told.text
    assert "SANDBOX" not in told.text
    assert await balance(app, ledger.available(deal.boss.user_id)) == 500
    await check_books(app)


async def test_a_payment_that_arrives_after_a_ban_is_still_recorded(app: App) -> None:
    """Telegram took the money, so the bot must book it whatever happened since."""
    deal, ms_id = await stars_deal(app)
    erin = deal.employer
    await invoice_for(erin)
    charge = await erin.pay(erin.messages[-1])
    await erin.wait_for_message("Payment received")
    async with market(app) as m:
        admin = m.users.actor(await m.users.register(ADMIN_ID, "Ada"))
        await m.users.ban(admin, deal.boss.user_id, "chargeback fraud")
    # The same payment arrives again after the ban: handled (credited once), not refused.
    await erin.redeliver_payment(charge)
    again = await erin.wait_for_message("already received")
    assert "suspended" not in again.text
    assert await balance(app, ledger.escrow(ms_id)) == 500
    await check_books(app)


async def test_a_refund_verdict_after_a_freelancers_silence_sends_the_stars_back(
    app: App,
) -> None:
    """The freelancer never answers the employer's full-refund claim: the sweep sends it
    to an admin (silence refunds nothing by itself), whose refund goes back as Stars."""
    deal, ms_id = await stars_deal(app)
    ada = app.person("Ada", admin=True)
    await started(ada)  # an admin with a chat: the escalation is told to her
    erin = deal.employer
    await invoice_for(erin)
    charge = await erin.pay(erin.messages[-1])
    await erin.wait_for_message("Payment received")
    async with market(app) as m:
        await m.disputes.open(
            deal.boss,
            ms_id,
            deliverables=[0],
            reason="Nothing was started in two weeks.",
            claimed_amount=500,
        )
    app.clock.advance(days=5)  # past the 4-day response window
    report = await app.sweep()
    assert (report.disputes_defaulted, report.disputes_escalated) == (0, 1)
    assert await balance(app, ledger.escrow(ms_id)) == 500
    await ada.wait_for_message("needs an arbiter")
    async with market(app) as m:
        admin = m.users.actor(await m.users.register(ADMIN_ID, "Ada"))
        [dispute] = await m.disputes.of_user(deal.boss)
        await m.disputes.resolve(admin, dispute.id, DisputeResolution.REFUND)
        events = m.take_events()
    await publish(app, events)
    await erin.wait_for_message("went back to your Telegram Stars")
    [refund] = app.emu.refunds
    assert (refund.telegram_payment_charge_id, refund.amount) == (
        charge.telegram_payment_charge_id,
        500,
    )
    assert await balance(app, STARS) == 0
    await check_books(app)


async def test_stars_are_written_one_way_and_only_whole(app: App) -> None:
    """Every amount reads "⭐ 1,200" (never "XTR"), prompts ask for whole Stars, and a
    typed fraction is refused saying why."""
    deal = await hired(app, budget=(1_000, 5_000), amount=3_000)
    erin = deal.employer
    await erin.send_text("/post")
    await erin.wait_for_message("step 1 of 5")
    await erin.send_text("Landing page for my bakery")
    await erin.wait_for_message("Step 2 of 5")
    await erin.send_text("One page: the menu, opening hours and a map to the shop.")
    await erin.wait_for_message("Step 3 of 5")
    await erin.send_text("Python")
    ask = await erin.wait_for_message("Step 4 of 5")
    assert "budget</b> in Stars" in ask.html and "The smallest budget is ⭐ 1,000." in ask.text
    await erin.send_text("1200.50")
    refused = await erin.wait_for_message("whole numbers")
    assert refused.text == (
        "Amounts in Stars are whole numbers: send one like 150, with nothing after the point."
    )
    await erin.send_text("500")
    await erin.wait_for_message("The smallest budget is ⭐ 1,000.")
    await erin.send_text("/cancel")
    await erin.wait_for_message("Cancelled")

    await erin.send_text("/contracts")
    listing = await erin.wait_for_message("Your contracts")
    assert "⭐ 3,000" in listing.text
    await erin.click(listing, "Build a Telegram bot")
    screen = await erin.wait_for_message("You are the employer")
    await erin.click(screen, "➕ New milestone")
    await erin.wait_for_message("What is to be delivered?")
    await erin.send_text("Landing page")
    ask = await erin.wait_for_message("How much is this milestone?")
    assert "in Stars, for example 150." in ask.text and "150.50" not in ask.text
    await erin.send_text("1,200.5")
    await erin.wait_for_message("Amounts in Stars are whole numbers")
    await erin.send_text("1,200")
    due = await erin.wait_for_message("Due in how many days?")
    await erin.click(due, "Skip")
    sure = await erin.wait_for_message("Create this milestone?")
    assert "Amount: ⭐ 1,200" in sure.text
    await erin.click(sure, "✅ Confirm")
    created = await erin.wait_for_message("created")
    assert "for ⭐ 1,200" in created.text and "Pay ⭐ 1,200" in buttons(created)
    for message in erin.messages:
        assert "XTR" not in message.text and "XTR" not in " ".join(buttons(message))


@pytest.mark.parametrize(
    "bot_overrides", [{**STARS_SETTINGS, "telegram_test_env": True}], indirect=True
)
async def test_test_stars_say_so_on_the_button_the_invoice_and_the_receipt(app: App) -> None:
    deal, ms_id = await stars_deal(app)
    erin = deal.employer
    await erin.send_text("/contracts")
    listing = await erin.wait_for_message("Your contracts")
    assert "TEST STARS" in listing.text
    await erin.click(listing, "Build a Telegram bot")
    screen = await erin.wait_for_message("You are the employer")
    await erin.click(screen, "📄 Landing page")
    card = await erin.wait_for_message("📄 Milestone")
    assert "🧪 TEST STARS — Telegram's test environment, not real Stars" in card.text
    await erin.click(card, "Pay ⭐ 500 (test Stars)")
    sent = await erin.wait_for_message("Here is the invoice for ⭐ 500")
    assert "TEST STARS" in sent.text
    invoice = await erin.wait_for_message(lambda msg: msg.invoice is not None)
    assert invoice.invoice is not None
    assert invoice.invoice["title"] == f"Milestone #{ms_id} escrow (test)"
    assert invoice.invoice["description"].startswith("🧪 TEST STARS")
    [call] = app.emu.calls_to("sendInvoice")
    assert "test" in str(call.params["prices"])
    await erin.pay(invoice)
    receipt = await erin.wait_for_message("Payment received")
    assert "⭐ 500 is now held in escrow" in receipt.text and "TEST STARS" in receipt.text
    await deal.freelancer.wait_for_message("🧪 TEST STARS")


async def test_a_pre_checkout_in_another_currency_is_refused_saying_so(app: App) -> None:
    """A client that pays an invoice in a currency it was not issued in (Telegram never
    should): the payer is told which currency, not that "the amount" changed."""
    deal, _ = await stars_deal(app)
    erin = deal.employer
    await invoice_for(erin)
    invoice = erin.messages[-1]
    assert invoice.invoice is not None
    state = erin._state
    erin._begin_action()
    query_id = state.queries.new_id()
    payload = {
        "id": query_id,
        "from": erin.profile.user_json(),
        "currency": "USD",
        "total_amount": invoice.invoice["total_amount"],
        "invoice_payload": app.emu.calls_to("sendInvoice")[0].params["payload"],
    }
    erin._push("pre_checkout_query", payload)
    query = state.queries.open(query_id, QueryKind.PRE_CHECKOUT, payload, 5.0)
    answer = await erin._await_answer(query, "a payment in another currency")
    assert answer["ok"] is False
    assert str(answer["error_message"]).startswith(
        "This invoice was issued in XTR, but the payment is in USD. Nothing was charged"
    )
    assert app.emu.charges == []
    await check_books(app)
