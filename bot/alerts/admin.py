"""Admin alerts: bans and unbans, to the person concerned."""

from __future__ import annotations

from bot.notifier import Alert, AlertContext, renders
from bot.texts import admin as texts
from core.events.users import UserBanned, UserUnbanned


@renders(UserBanned)
async def banned(event: UserBanned, ctx: AlertContext) -> list[Alert]:
    user = await ctx.market.users.get(event.user_id)
    return [Alert(user.telegram_id, texts.you_are_banned(user.ban_reason))]


@renders(UserUnbanned)
async def unbanned(event: UserUnbanned, ctx: AlertContext) -> list[Alert]:
    user = await ctx.market.users.get(event.user_id)
    return [Alert(user.telegram_id, texts.you_are_unbanned())]
