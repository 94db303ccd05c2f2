"""Invoices, pre-checkout, successful_payment (incl. duplicate delivery) and Stars refunds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import LabeledPrice, Message, PreCheckoutQuery

from emulator import BotAPIEmulator, EmulatorTimeout, PaymentDeclined, ViolationKind, polling


@dataclass
class Wallet:
    credits: dict[int, int] = field(default_factory=dict)
    seen_charges: set[str] = field(default_factory=set)
    release_slow: asyncio.Event = field(default_factory=asyncio.Event)
    late_errors: asyncio.Queue[str] = field(default_factory=asyncio.Queue)


def shop_router(wallet: Wallet) -> Router:
    router = Router()

    @router.message(Command("buy"))
    async def buy(message: Message) -> None:
        payload = (message.text or "").removeprefix("/buy").strip() or "credits:50"
        await message.answer_invoice(
            title="50 credits",
            description="Credits for posting projects",
            payload=payload,
            currency="XTR",
            prices=[LabeledPrice(label="50 credits", amount=50)],
        )

    @router.pre_checkout_query()
    async def pre_checkout(query: PreCheckoutQuery) -> None:
        if query.invoice_payload.startswith("bad"):
            await query.answer(ok=False, error_message="This offer has expired")
        elif query.invoice_payload.startswith("slow"):
            await wallet.release_slow.wait()
            try:
                await query.answer(ok=True)
            except TelegramBadRequest as error:
                wallet.late_errors.put_nowait(error.message)
        else:
            await query.answer(ok=True)

    @router.message(F.successful_payment)
    async def paid(message: Message) -> None:
        payment = message.successful_payment
        assert payment is not None and message.from_user is not None
        if payment.telegram_payment_charge_id in wallet.seen_charges:
            await message.answer("Payment already processed")
            return
        wallet.seen_charges.add(payment.telegram_payment_charge_id)
        user = message.from_user.id
        wallet.credits[user] = wallet.credits.get(user, 0) + payment.total_amount
        await message.answer(f"Credited {payment.total_amount}")

    return router


@pytest.fixture
def wallet() -> Wallet:
    return Wallet()


@pytest.fixture
async def shop(emu: BotAPIEmulator, bot: Bot, wallet: Wallet) -> AsyncIterator[BotAPIEmulator]:
    dispatcher = Dispatcher()
    dispatcher.include_router(shop_router(wallet))
    async with polling(dispatcher, bot, emu):
        yield emu


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"provider_token": "TOKEN"}, "PAYMENT_PROVIDER_INVALID"),
        ({"prices": [LabeledPrice(label="a", amount=1)] * 2}, "STARS_INVOICE_INVALID"),
        ({"payload": "p" * 129}, "INVOICE_PAYLOAD_INVALID"),
        ({"title": "t" * 33}, "INVOICE_TITLE_INVALID"),
        ({"description": "d" * 256}, "INVOICE_DESCRIPTION_INVALID"),
        ({"currency": "ABC"}, "CURRENCY_INVALID"),
        ({"currency": "USD"}, "PAYMENT_PROVIDER_INVALID"),
    ],
)
async def test_invoice_validation(
    bot: Bot, emu: BotAPIEmulator, changes: dict[str, object], error: str
) -> None:
    alice = emu.user("Alice", started=True)
    params: dict[str, object] = {
        "chat_id": alice.id,
        "title": "Credits",
        "description": "50 credits",
        "payload": "p" * 128,
        "currency": "XTR",
        "prices": [LabeledPrice(label="x", amount=50)],
    }
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_invoice(**{**params, **changes})  # type: ignore[arg-type]


async def test_fiat_invoice_and_unanswered_pre_checkout(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = emu.user("Alice", started=True)
    sent = await bot.send_invoice(
        alice.id,
        "Plan",
        "Pro plan",
        "plan:pro",
        "USD",
        [LabeledPrice(label="Plan", amount=999), LabeledPrice(label="Tax", amount=100)],
        provider_token="284685063:TEST:abc",
    )
    assert sent.invoice is not None and sent.invoice.total_amount == 1099
    invoice = alice.last_message
    assert invoice is not None
    with pytest.raises(EmulatorTimeout, match="pre_checkout_query"):
        await alice.pay(invoice, timeout=0.2)  # nobody polls, so nobody answers
    assert emu.violations[-1].kind is ViolationKind.PRE_CHECKOUT_NOT_ANSWERED


async def test_pay_and_duplicate_delivery_credits_once(
    shop: BotAPIEmulator, wallet: Wallet
) -> None:
    alice = shop.user("Alice")
    await alice.send_text("/buy")
    invoice = await alice.wait_for_message(lambda m: m.invoice is not None)
    assert invoice.invoice == {
        "title": "50 credits",
        "description": "Credits for posting projects",
        "start_parameter": "",
        "currency": "XTR",
        "total_amount": 50,
    }
    charge = await alice.pay(invoice)
    assert charge.total_amount == 50 and charge.invoice_payload == "credits:50"
    assert charge.telegram_payment_charge_id
    await alice.wait_for_message("Credited 50")
    await alice.redeliver_payment(charge)
    await alice.wait_for_message("already processed")
    assert wallet.credits == {alice.id: 50}
    shop.assert_clean()


async def test_charge_ids_are_unique(shop: BotAPIEmulator) -> None:
    alice = shop.user("Alice")
    ids = set()
    for _ in range(2):
        await alice.send_text("/buy")
        invoice = await alice.wait_for_message(lambda m: m.invoice is not None)
        ids.add((await alice.pay(invoice)).telegram_payment_charge_id)
        await alice.wait_for_message("Credited")
    assert len(ids) == 2


async def test_declined_pre_checkout(shop: BotAPIEmulator, wallet: Wallet) -> None:
    alice = shop.user("Alice")
    await alice.send_text("/buy bad:offer")
    invoice = await alice.wait_for_message(lambda m: m.invoice is not None)
    with pytest.raises(PaymentDeclined, match="This offer has expired"):
        await alice.pay(invoice)
    assert wallet.credits == {} and shop.charges == []


async def test_late_pre_checkout_answer_fails_the_payment(
    shop: BotAPIEmulator, wallet: Wallet
) -> None:
    alice = shop.user("Alice")
    await alice.send_text("/buy slow:1")
    invoice = await alice.wait_for_message(lambda m: m.invoice is not None)
    with pytest.raises(EmulatorTimeout, match="did not answer the pre_checkout_query"):
        await alice.pay(invoice, timeout=0.2)
    wallet.release_slow.set()
    late = await asyncio.wait_for(wallet.late_errors.get(), timeout=5)
    assert "query is too old" in late
    kinds = [v.kind for v in shop.violations]
    assert kinds == [ViolationKind.PRE_CHECKOUT_NOT_ANSWERED, ViolationKind.REJECTED_CALL]
    assert shop.charges == []


async def test_refund_star_payment_once(shop: BotAPIEmulator, bot: Bot) -> None:
    alice = shop.user("Alice")
    await alice.send_text("/buy")
    charge = await alice.pay(await alice.wait_for_message(lambda m: m.invoice is not None))
    charge_id = charge.telegram_payment_charge_id
    assert await bot.refund_star_payment(alice.id, charge_id)
    with pytest.raises(TelegramBadRequest, match="CHARGE_ALREADY_REFUNDED"):
        await bot.refund_star_payment(alice.id, charge_id)
    with pytest.raises(TelegramBadRequest, match="CHARGE_NOT_FOUND"):
        await bot.refund_star_payment(alice.id, "stxUNKNOWN")
    [refund] = shop.refunds
    assert (refund.user_id, refund.telegram_payment_charge_id, refund.amount) == (
        alice.id,
        charge_id,
        50,
    )
