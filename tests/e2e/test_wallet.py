"""The balance and payouts: what one has, asking for it, and hearing back from an operator."""

from __future__ import annotations

from core import ledger
from storage.enums import PayoutStatus
from tests.e2e.conftest import App
from tests.e2e.work_support import (
    balance,
    buttons,
    check_books,
    completed,
    hired,
    market,
    press,
    publish,
    started,
)


async def test_an_empty_balance_offers_no_payout(app: App) -> None:
    zoe = app.person("Zoe")
    await started(zoe)
    await zoe.click(zoe.messages[-1], "💰 Balance")
    wallet = await zoe.wait_for_message("Your balance")
    assert "Available: 0.00 USD" in wallet.text and "No payouts yet" in wallet.text
    assert "SANDBOX" in wallet.text
    assert "💸 Request payout" not in buttons(wallet)


async def test_the_payout_wizard_reasks_then_an_operator_pays(app: App) -> None:
    deal = await hired(app)
    await completed(app, deal, amount=10_000)  # Frank earned 90.00 USD after the fee
    frank = deal.freelancer
    await frank.send_text("/balance")
    wallet = await frank.wait_for_message("Your balance")
    assert "Available: 90.00 USD" in wallet.text
    await frank.click(wallet, "💸 Request payout")
    await frank.wait_for_message("How much do you want to be paid out?")
    await frank.send_sticker()
    await frank.wait_for_message("Send the amount as a number")
    await frank.send_text("-20")
    await frank.wait_for_message("Send an amount in USD, like 150")
    await frank.send_text("5")
    await frank.wait_for_message("The smallest payout is 10.00 USD")
    await frank.send_text("90.01")
    await frank.wait_for_message("You have 90.00 USD available")
    await frank.send_text("40")
    await frank.wait_for_message("Where should we send it?")
    await frank.send_photo()
    await frank.wait_for_message("write the payout details as text")
    await frank.send_text("ab")
    await frank.wait_for_message("at least 3 characters")
    await frank.send_text("z" * 501)
    await frank.wait_for_message("at most 500 characters")
    await frank.send_text("Card 4242 <b>4242</b>")
    sure = await frank.wait_for_message("Request a payout of 40.00 USD")
    assert "Card 4242 <b>4242</b>" in sure.text  # escaped, shown as typed
    await frank.click(sure, "✅ Request payout")
    await frank.wait_for_message("Payout of 40.00 USD requested")
    assert await balance(app, ledger.available(deal.worker.user_id)) == 5_000
    assert await balance(app, ledger.payout_hold(deal.worker.user_id)) == 4_000

    # A second tap that raced the first (its button was still on screen) asks nothing more.
    again = await press(frank, sure, sure.button("✅ Request payout").callback_data or "")
    assert again.show_alert and "expired" in (again.text or "")
    async with market(app) as m:
        [payout] = await m.payouts.of_user(deal.worker)
    assert payout.status is PayoutStatus.REQUESTED

    # An operator pays it (the admin screens are another area): Frank is told.
    admin = app.person("Ada", admin=True)
    await started(admin)
    async with market(app) as m:
        operator = m.users.actor(await m.users.register(admin.id, admin.first_name))
        await m.payouts.mark_paid(operator, payout.id, "SEPA ref 123")
        events = m.take_events()
    await publish(app, events)
    told = await frank.wait_for_message("was paid")
    assert "40.00 USD" in told.text and "Card 4242 <b>4242</b>" in told.text
    await frank.send_text("/balance")
    wallet = await frank.wait_for_message("Your balance")
    assert "Available: 50.00 USD" in wallet.text and "✅ paid" in wallet.text
    await check_books(app)


async def test_a_rejected_payout_comes_back_with_the_reason(app: App) -> None:
    deal = await hired(app)
    await completed(app, deal, amount=10_000)
    async with market(app) as m:
        payout = await m.payouts.request(deal.worker, 9_000, "Wallet T9yD…")
    admin = app.person("Ada", admin=True)
    await started(admin)
    async with market(app) as m:
        operator = m.users.actor(await m.users.register(admin.id, admin.first_name))
        await m.payouts.reject(operator, payout.id, "The wallet <address> is invalid")
        events = m.take_events()
    await publish(app, events)
    told = await deal.freelancer.wait_for_message("was rejected")
    assert "The wallet <address> is invalid" in told.text
    assert await balance(app, ledger.available(deal.worker.user_id)) == 9_000
    await check_books(app)
