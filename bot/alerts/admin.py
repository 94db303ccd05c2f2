"""Admin alerts: payout requests to the admins; bans and unbans to the person concerned."""

from __future__ import annotations

from bot.admins import admin_users
from bot.callbacks import AdminCb
from bot.notifier import Alert, AlertContext, renders
from bot.texts import admin as texts
from bot.ui import action_button, markup
from core.events import Event


@renders("payout.requested")
async def payout_requested(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for admin in await admin_users(ctx.market, ctx.settings):
        actor = ctx.market.users.actor(admin)
        payout = await ctx.market.payouts.get(actor, int(event.data["payout_id"] or 0))
        user = await ctx.market.users.get(payout.user_id)
        keyboard = markup(
            [
                action_button(texts.paid_button(payout.id), AdminCb(action="paid", id=payout.id)),
                action_button(
                    texts.reject_button(payout.id), AdminCb(action="reject", id=payout.id)
                ),
            ],
            [action_button(texts.PAYOUTS_QUEUE, AdminCb(action="pq"))],
        )
        text = texts.payout_requested(payout, user, ctx.settings.money)
        alerts.append(Alert(admin.telegram_id, text, keyboard))
    return alerts


@renders("user.banned")
async def banned(event: Event, ctx: AlertContext) -> list[Alert]:
    user = await ctx.market.users.get(int(event.data["user_id"] or 0))
    return [Alert(user.telegram_id, texts.you_are_banned(user.ban_reason))]


@renders("user.unbanned")
async def unbanned(event: Event, ctx: AlertContext) -> list[Alert]:
    user = await ctx.market.users.get(int(event.data["user_id"] or 0))
    return [Alert(user.telegram_id, texts.YOU_ARE_UNBANNED)]
