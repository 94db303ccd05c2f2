"""/balance: what one has, what is on hold for payouts, and recent payouts."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, WalletCb
from bot.keyboards import back_to_menu
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import payouts as payout_texts
from bot.texts.common import money_badge
from core.actors import Actor
from core.errors import DomainError
from core.marketplace import Marketplace

router = Area("handlers.payouts")
RECENT_PAYOUTS = 5


async def balance_screen(
    market: Marketplace, actor: Actor, settings: BotSettings
) -> tuple[str, InlineKeyboardMarkup]:
    money = settings.money
    balance = await market.payouts.balance(actor.user_id)
    payouts = await market.payouts.of_user(actor, RECENT_PAYOUTS)
    kb = InlineKeyboardBuilder()
    try:
        await market.payouts.check_amount(actor)
    except DomainError:
        pass  # below the smallest payout: nothing to request yet
    else:
        kb.button(text=payout_texts.REQUEST_PAYOUT, callback_data=WalletCb(action="payout"))
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


@router.message(Command("balance"))
async def balance_command(
    message: Message, state: FSMContext, market: Marketplace, actor: Actor, settings: BotSettings
) -> None:
    await state.clear()
    text, kb = await balance_screen(market, actor, settings)
    await message.answer(text, reply_markup=kb)


@router.callback_query(MenuCb.filter(F.action == "balance"))
async def balance_button(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    text, kb = await balance_screen(market, actor, settings)
    await bot.send_message(query.from_user.id, text, reply_markup=kb)
