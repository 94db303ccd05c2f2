"""Requesting a payout: amount (or All) → destination → confirm. An operator pays it."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import FlowCb, MenuCb, WalletCb
from bot.keyboards import only_cancel
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import payments as payment_texts
from bot.texts import payouts as texts
from bot.texts.common import money_badge
from bot.ui import choices, finish
from core.actors import Actor
from core.marketplace import Marketplace

router = Area("flows.payouts")
TEXT = F.text & ~F.text.startswith("/")


class PayoutForm(StatesGroup):
    amount = State()
    destination = State()
    confirm = State()


def _amount_keyboard(available: str) -> InlineKeyboardMarkup:
    return choices((texts.payout_all(available), "po_all"))


@router.callback_query(WalletCb.filter(F.action == "payout"))
async def start(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    everything = await market.payouts.check_amount(actor)  # refuses a balance below the minimum
    money = settings.money
    await state.set_state(PayoutForm.amount)
    await bot.send_message(
        query.from_user.id,
        texts.payout_amount_ask(
            money.format(everything),
            money.format(settings.min_payout),
            money_badge(settings.gateways()),
        ),
        reply_markup=_amount_keyboard(money.format(everything)),
    )


async def _amount_chosen(chat_id: int, bot: Bot, state: FSMContext, amount: int) -> None:
    await state.update_data(amount=amount)
    await state.set_state(PayoutForm.destination)
    await bot.send_message(chat_id, texts.destination_ask(), reply_markup=only_cancel())


@router.message(PayoutForm.amount, TEXT)
async def amount(
    message: Message,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    value = await market.payouts.check_amount(actor, settings.money.parse(message.text or ""))
    await _amount_chosen(message.chat.id, bot, state, value)


@router.callback_query(PayoutForm.amount, FlowCb.filter(F.action == "po_all"))
async def amount_all(
    query: CallbackQuery, bot: Bot, state: FSMContext, market: Marketplace, actor: Actor
) -> None:
    await _amount_chosen(query.from_user.id, bot, state, await market.payouts.check_amount(actor))


@router.message(PayoutForm.amount)
async def amount_reask(message: Message, settings: BotSettings) -> None:
    await message.answer(texts.payout_amount_reask(settings.money), reply_markup=only_cancel())


@router.message(PayoutForm.destination, TEXT)
async def destination(
    message: Message, state: FSMContext, market: Marketplace, settings: BotSettings
) -> None:
    value = market.payouts.check_destination(message.text or "")
    await state.update_data(destination=value)
    await state.set_state(PayoutForm.confirm)
    data = await state.get_data()
    await message.answer(
        texts.payout_confirm(
            settings.money.format(data["amount"]), value, money_badge(settings.gateways())
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
async def confirm(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    data = await state.get_data()
    payout = await market.payouts.request(actor, data["amount"], data["destination"])
    kb = InlineKeyboardBuilder()
    kb.button(text=texts.open_balance(), callback_data=MenuCb(action="balance"))
    amount = settings.money.format(payout.amount)
    text = texts.payout_requested(amount, money_badge(settings.gateways()))
    await finish(query, bot, state, callback_reply, "💸", text, kb.as_markup())


router.reminds(
    "confirm_reask",
    PayoutForm.confirm,
    text=payment_texts.confirm_reask,
    reply_markup=lambda: choices((texts.confirm_payout(), "po_ok")),
)
