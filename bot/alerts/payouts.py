"""Alerts of payouts: a request to the admins, with its answers; the outcome to the payee."""

from __future__ import annotations

from bot.alerts.common import admins, badge, recipients, to_all
from bot.callbacks import AdminCb
from bot.notifier import Alert, AlertContext, renders
from bot.texts import admin as admin_texts
from bot.texts import payouts as texts
from bot.ui import action_button, markup
from core.events.payouts import PayoutEvent, PayoutPaid, PayoutRejected, PayoutRequested


@renders(PayoutRequested)
async def requested(event: PayoutRequested, ctx: AlertContext) -> list[Alert]:
    people = await admins(ctx)
    if not people:
        return []
    payout = await ctx.market.payouts.get(people[0].actor, event.payout_id)
    user = await ctx.market.users.get(payout.user_id)
    keyboard = markup(
        [
            action_button(admin_texts.paid_button(payout.id), AdminCb(action="paid", id=payout.id)),
            action_button(
                admin_texts.reject_button(payout.id), AdminCb(action="reject", id=payout.id)
            ),
        ],
        [action_button(admin_texts.payouts_queue_button(), AdminCb(action="pq"))],
    )
    text = admin_texts.payout_requested(payout, user, ctx.settings.money)
    return to_all(people, text, keyboard)


@renders(PayoutPaid, PayoutRejected)
async def decided(event: PayoutEvent, ctx: AlertContext) -> list[Alert]:
    people = await recipients(ctx, event)
    if not people:
        return []
    payout = await ctx.market.payouts.get(people[0].actor, event.payout_id)
    amount = ctx.settings.money.format(payout.amount)
    if isinstance(event, PayoutPaid):
        text = texts.payout_paid(amount, payout.destination, badge(ctx))
    else:
        text = texts.payout_rejected(amount, payout.note, badge(ctx))
    return to_all(people, text)
