"""Money coming in through Telegram (Stars going back: ``bot.refunds``).

Invoices (Stars or a payment provider) carry ``pay:<payment id>``; the
pre-checkout query re-checks the payment within Telegram's 10 seconds; the
successful payment is journaled before anything else runs (``bot.middlewares``)
and credited exactly once however often Telegram delivers it.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F
from aiogram.types import LabeledPrice, Message, PreCheckoutQuery

from bot.context import Ctx
from bot.invoices import invoice_payload, payment_id_of
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import payments as texts
from bot.texts.common import money_badge
from core.actors import Actor
from core.errors import Conflict
from core.marketplace import Marketplace
from storage.models import Milestone, Payment

log = logging.getLogger("bidgram.payments")
router = Area("handlers.payments")


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
    badge = money_badge(settings.gateways())
    await bot.send_invoice(
        chat_id,
        title=texts.invoice_title(milestone.id, bool(badge)),
        description=texts.invoice_description(project_title, milestone.description, badge),
        payload=invoice_payload(payment.id),
        currency=payment.currency,
        prices=[LabeledPrice(label=texts.invoice_label(bool(badge)), amount=payment.amount)],
        provider_token=token,
    )


@router.pre_checkout_query()
async def pre_checkout(query: PreCheckoutQuery, market: Marketplace, actor: Actor) -> None:
    """Last look before Telegram takes the money; a refusal explains itself to the payer."""
    payment_id = payment_id_of(query.invoice_payload)
    if payment_id is None:
        await query.answer(ok=False, error_message=texts.invoice_unknown())
        return
    await market.payments.check_payable(payment_id, query.total_amount, query.currency, payer=actor)
    await query.answer(ok=True)


@router.message(F.successful_payment)
async def paid(message: Message, ctx: Ctx) -> None:
    """Credit the charge the middleware journaled (the sweep does it if this fails)."""
    payment = message.successful_payment
    assert payment is not None
    try:
        async with ctx.market.attempt():  # a charge credited already is answered below
            confirmation = await ctx.market.payments.credit(payment.telegram_payment_charge_id)
    except Conflict as error:
        if error.code not in ("payment.already_confirmed", "conflict.duplicate"):
            raise
        # Telegram delivered the same payment again (or twice at once): credited once.
        await message.answer(texts.payment_already_received())
        return
    if confirmation is None:
        log.error("successful payment %r matched no invoice", payment.invoice_payload)
        await message.answer(texts.payment_received())
        return
    if confirmation.funded:
        amount = ctx.settings.money.format(confirmation.payment.amount)
        badge = money_badge(ctx.settings.gateways())
        await message.answer(
            texts.paid_and_funded(confirmation.milestone.description, amount, badge)
        )
    # Otherwise the payment.credited_to_balance alert explains where the money went.
