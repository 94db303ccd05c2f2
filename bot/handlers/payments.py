"""Money coming in through Telegram, and Stars going back.

Invoices (Stars or a payment provider) carry ``pay:<payment id>``; the
pre-checkout query re-checks the payment within Telegram's 10 seconds; the
successful payment is confirmed exactly once however often Telegram delivers it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import LabeledPrice, Message, PreCheckoutQuery

from bot.settings import BotSettings
from bot.texts import money as texts
from core.actors import Actor
from core.errors import Conflict, DomainError
from core.marketplace import Marketplace
from storage.models import Milestone, Payment

log = logging.getLogger("bidgram.payments")
router = Router(name="payments")
PAYLOAD_PREFIX = "pay:"


def invoice_payload(payment_id: int) -> str:
    return f"{PAYLOAD_PREFIX}{payment_id}"


def payment_id_of(payload: str) -> int | None:
    """The payment an invoice payload names, or None for anything we did not send."""
    if not payload.startswith(PAYLOAD_PREFIX):
        return None
    raw = payload[len(PAYLOAD_PREFIX) :]
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


async def send_invoice(
    bot: Bot,
    chat_id: int,
    settings: BotSettings,
    payment: Payment,
    milestone: Milestone,
    project_title: str,
) -> None:
    """Ask for the money: Stars need no provider token, a card payment needs one."""
    token = None
    if settings.funding_gateway == "telegram" and settings.payment_provider_token is not None:
        token = settings.payment_provider_token.get_secret_value()
    await bot.send_invoice(
        chat_id,
        title=texts.invoice_title(milestone.id),
        description=texts.invoice_description(project_title, milestone.description),
        payload=invoice_payload(payment.id),
        currency=payment.currency,
        prices=[LabeledPrice(label=texts.INVOICE_LABEL, amount=payment.amount)],
        provider_token=token,
    )


@router.pre_checkout_query()
async def pre_checkout(query: PreCheckoutQuery, market: Marketplace, actor: Actor) -> None:
    """Last look before Telegram takes the money; a refusal explains itself to the payer."""
    payment_id = payment_id_of(query.invoice_payload)
    if payment_id is None:
        await query.answer(ok=False, error_message=texts.INVOICE_UNKNOWN)
        return
    await market.payments.check_payable(payment_id, query.total_amount, query.currency, payer=actor)
    await query.answer(ok=True)


@router.message(F.successful_payment)
async def paid(message: Message, market: Marketplace, settings: BotSettings) -> None:
    payment = message.successful_payment
    assert payment is not None
    payment_id = payment_id_of(payment.invoice_payload)
    if payment_id is None:
        log.error("successful payment with a foreign payload %r", payment.invoice_payload)
        await message.answer(texts.PAYMENT_RECEIVED)
        return
    try:
        confirmation = await market.payments.confirm(
            payment_id, payment.telegram_payment_charge_id, payment.total_amount
        )
    except Conflict as error:
        if error.code not in ("payment.already_confirmed", "conflict.duplicate"):
            raise
        # Telegram delivered the same payment again (or twice at once): credited once.
        await message.answer(texts.PAYMENT_ALREADY_RECEIVED)
        return
    if confirmation.funded:
        amount = settings.money.format(confirmation.payment.amount)
        await message.answer(texts.paid_and_funded(confirmation.milestone.description, amount))
    # Otherwise the payment.credited_to_balance alert explains where the money went.


def _refund_call(bot: Bot, telegram_id: int) -> Callable[[Payment], Awaitable[object]]:
    async def send(payment: Payment) -> None:
        assert payment.external_id is not None
        await bot.refund_star_payment(
            user_id=telegram_id, telegram_payment_charge_id=payment.external_id
        )

    return send


async def return_stars(bot: Bot, market: Marketplace, milestone_id: int) -> list[Payment]:
    """Send Stars back for a milestone whose escrow went back to the payer in full.

    Call it in the same update that refunded the escrow (a freelancer's cancel, a
    dispute refund). Each payment is refunded inside its own savepoint around
    refundStarPayment: if Telegram refuses, nothing is written and the money stays
    on the payer's bidgram balance, where it can fund work or be paid out.
    """
    returned: list[Payment] = []
    for payment in await market.payments.refundable_to_source(milestone_id):
        # Read before the attempt: a rolled-back savepoint expires what it touched.
        payment_id = payment.id
        payer = await market.users.get(payment.payer_id)
        try:
            returned.append(
                await market.payments.refund_to_source(
                    payment_id, _refund_call(bot, payer.telegram_id)
                )
            )
        except (TelegramAPIError, DomainError) as error:
            log.warning("payment %s kept on the balance: %r", payment_id, error)
    return returned
