"""Alerts of payments: money kept on the balance, and refunds to the payer's Stars."""

from __future__ import annotations

from bot.alerts.common import recipients, to_all
from bot.notifier import Alert, AlertContext, renders
from bot.texts import payments as texts
from core.events.payments import (
    CreditedToBalance,
    Refunded,
    RefundFinished,
    RefundRefused,
    RefundStarted,
)


@renders(CreditedToBalance)
async def credited(event: CreditedToBalance, ctx: AlertContext) -> list[Alert]:
    m = await ctx.market.milestones.get(event.milestone_id)
    text = texts.credited_to_balance(ctx.settings.money.format(event.amount), m.description)
    return to_all(await recipients(ctx, event), text)


@renders(Refunded, RefundRefused)
async def refund_finished(event: RefundFinished, ctx: AlertContext) -> list[Alert]:
    amount = ctx.settings.money.format(event.amount)
    if isinstance(event, Refunded):
        text = texts.refunded_to_stars(amount)
    else:
        text = texts.refund_refused(amount)
    return to_all(await recipients(ctx, event), text)


@renders(RefundStarted)
async def refund_started(event: RefundStarted, ctx: AlertContext) -> list[Alert]:
    """Nobody is told yet: the payer hears when Telegram has the Stars back (or not).
    The event wakes the refund loop (``bot.delivery``)."""
    return []
