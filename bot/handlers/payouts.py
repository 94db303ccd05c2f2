"""/balance: what one has, what is on hold for payouts, and recent payouts."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import WalletCb
from bot.context import Ctx
from bot.keyboards import back_to_menu
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import payouts as payout_texts
from bot.texts.common import money_badge
from core.actors import Actor
from core.marketplace import Marketplace

router = Area("handlers.payouts")
RECENT_PAYOUTS = 5


async def balance_screen(
    market: Marketplace, actor: Actor, settings: BotSettings
) -> tuple[str, InlineKeyboardMarkup]:
    money = settings.money
    screen = await market.views.payouts.balance(actor, RECENT_PAYOUTS)
    balance, payouts = screen.balance, list(screen.payouts)
    kb = InlineKeyboardBuilder()
    if "payout" in screen.actions:  # not below the smallest payout
        kb.button(text=payout_texts.request_payout(), callback_data=WalletCb(action="payout"))
    kb.add(back_to_menu())
    kb.adjust(1)
    text = payout_texts.balance(
        money.format(balance.available),
        money.format(balance.on_hold),
        money.format(balance.refunding) if balance.refunding else None,
        payouts,
        money,
        money.format(settings.min_payout),
        money_badge(settings.gateways()),
    )
    return text, kb.as_markup()


@router.screen("balance")
async def balance(ctx: Ctx) -> None:
    text, kb = await balance_screen(ctx.market, ctx.actor, ctx.settings)
    await ctx.bot.send_message(ctx.actor.telegram_id, text, reply_markup=kb)
