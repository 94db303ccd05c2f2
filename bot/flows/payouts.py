"""Requesting a payout: amount (or All) → destination → confirm. An operator pays it."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import FlowCb, MenuCb, WalletCb
from bot.context import Ctx
from bot.keyboards import only_cancel
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import payments as payment_texts
from bot.texts import payouts as texts
from bot.texts.common import money_badge
from bot.ui import TYPED, ask, choices, finish

router = Area("flows.payouts")


class PayoutForm(StatesGroup):
    amount = State()
    destination = State()
    confirm = State()


def _amount_keyboard(available: str) -> InlineKeyboardMarkup:
    return choices((texts.payout_all(available), "po_all"))


@router.callback_query(WalletCb.filter(F.action == "payout"))
async def start(query: CallbackQuery, ctx: Ctx) -> None:
    await ctx.state.clear()
    everything = await ctx.market.payouts.check_amount(
        ctx.actor
    )  # refuses a balance below the minimum
    money = ctx.settings.money
    await ctx.state.set_state(PayoutForm.amount)
    await ctx.bot.send_message(
        query.from_user.id,
        texts.payout_amount_ask(
            money.format(everything),
            money.format(ctx.settings.min_payout),
            money_badge(ctx.settings.gateways()),
        ),
        reply_markup=_amount_keyboard(money.format(everything)),
    )


async def _amount_chosen(chat_id: int, ctx: Ctx, amount: int) -> None:
    await ctx.state.update_data(amount=amount)
    await ask(ctx, chat_id, PayoutForm.destination, texts.destination_ask())


@router.message(PayoutForm.amount, TYPED)
async def amount(message: Message, ctx: Ctx) -> None:
    value = await ctx.market.payouts.check_amount(
        ctx.actor, ctx.settings.money.parse(message.text or "")
    )
    await _amount_chosen(message.chat.id, ctx, value)


@router.callback_query(PayoutForm.amount, FlowCb.filter(F.action == "po_all"))
async def amount_all(query: CallbackQuery, ctx: Ctx) -> None:
    await _amount_chosen(query.from_user.id, ctx, await ctx.market.payouts.check_amount(ctx.actor))


@router.message(PayoutForm.amount)
async def amount_reask(message: Message, settings: BotSettings) -> None:
    await message.answer(texts.payout_amount_reask(settings.money), reply_markup=only_cancel())


@router.message(PayoutForm.destination, TYPED)
async def destination(message: Message, ctx: Ctx) -> None:
    value = ctx.market.payouts.check_destination(message.text or "")
    data = await ctx.state.update_data(destination=value)
    await ctx.state.set_state(PayoutForm.confirm)
    await message.answer(
        texts.payout_confirm(
            ctx.settings.money.format(data["amount"]), value, money_badge(ctx.settings.gateways())
        ),
        reply_markup=choices((texts.confirm_payout(), "po_ok")),
    )


router.reminds(
    "destination_reask",
    PayoutForm.destination,
    text=texts.destination_reask,
    reply_markup=only_cancel,
)


@router.callback_query(PayoutForm.confirm, FlowCb.filter(F.action == "po_ok"))
async def confirm(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    payout = await ctx.market.payouts.request(ctx.actor, data["amount"], data["destination"])
    kb = InlineKeyboardBuilder()
    kb.button(text=texts.open_balance(), callback_data=MenuCb(action="balance"))
    amount = ctx.settings.money.format(payout.amount)
    text = texts.payout_requested(amount, money_badge(ctx.settings.gateways()))
    await finish(query, ctx, "💸", text, kb.as_markup())


router.reminds(
    "confirm_reask",
    PayoutForm.confirm,
    text=payment_texts.confirm_reask,
    reply_markup=lambda: choices((texts.confirm_payout(), "po_ok")),
)
