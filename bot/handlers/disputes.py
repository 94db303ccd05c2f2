"""Dispute buttons: open one from a milestone, view it, and act on it.

Contract and milestone screens and the delivery alert carry the milestone's
Dispute button; the dispute screen and dispute alerts carry the rest.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import DisputeCb, OfferCb
from bot.middlewares import CallbackReply
from bot.render import button, pages
from bot.routers import Area
from bot.screens.contracts import settled_prompt
from bot.screens.disputes import load_view, show
from bot.settings import BotSettings
from bot.texts import disputes as texts
from bot.ui import yes_or_not
from core.actors import Actor
from core.marketplace import Marketplace

router = Area("handlers.disputes")


@router.message(Command("disputes"))
async def my_disputes(
    message: Message, state: FSMContext, market: Marketplace, actor: Actor, settings: BotSettings
) -> None:
    """Every dispute the person is part of, newest first, each one a button away."""
    await state.clear()
    disputes = await market.disputes.of_user(actor, limit=10)
    if not disputes:
        await message.answer(texts.my_disputes_empty())
        return
    views = [await load_view(market, actor, d.id) for d in disputes]
    buttons = [
        [
            InlineKeyboardButton(
                text=button(texts.list_button(v)),
                callback_data=DisputeCb(action="view", dispute_id=v.dispute.id).pack(),
            )
        ]
        for v in views
    ]
    for page in pages(texts.my_disputes(views, actor.user_id, settings.money)):
        await message.answer(page)
    await message.answer(texts.view(), reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons))


@router.callback_query(DisputeCb.filter(F.action == "view"))
async def view(
    query: CallbackQuery,
    callback_data: DisputeCb,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
) -> None:
    await show(bot, query.from_user.id, market, actor, callback_data.dispute_id, settings)


async def _confirm(
    bot: Bot, chat_id: int, market: Marketplace, actor: Actor, dispute_id: int, action: str
) -> None:
    """Ask before what cannot be undone (escalating, withdrawing), once core said this
    person may do it: a button they may not use is refused here, at its first press."""
    await market.disputes.check(actor, dispute_id, action)
    v = await load_view(market, actor, dispute_id)
    yes, question = {
        "escalate": (texts.escalate_yes(), texts.confirm_escalate),
        "withdraw": (texts.withdraw_yes(), texts.confirm_withdraw),
    }[action]
    keyboard = yes_or_not(
        yes,
        DisputeCb(action=f"{action}_yes", dispute_id=dispute_id),
        texts.back(),
        DisputeCb(action="view", dispute_id=dispute_id),
    )
    await bot.send_message(chat_id, question(v), reply_markup=keyboard)


@router.callback_query(DisputeCb.filter(F.action.in_({"escalate", "withdraw"})))
async def confirm(
    query: CallbackQuery, callback_data: DisputeCb, market: Marketplace, actor: Actor, bot: Bot
) -> None:
    await _confirm(
        bot, query.from_user.id, market, actor, callback_data.dispute_id, callback_data.action
    )


@router.callback_query(DisputeCb.filter(F.action == "escalate_yes"))
async def escalate(
    query: CallbackQuery,
    callback_data: DisputeCb,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    dispute = await market.disputes.escalate(actor, callback_data.dispute_id)
    callback_reply.text = texts.escalated()
    await show(bot, query.from_user.id, market, actor, dispute.id, settings)


@router.callback_query(DisputeCb.filter(F.action == "withdraw_yes"))
async def withdraw_confirmed(
    query: CallbackQuery,
    callback_data: DisputeCb,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    dispute = await market.disputes.withdraw(actor, callback_data.dispute_id)
    callback_reply.text = texts.withdrawn()
    await show(bot, query.from_user.id, market, actor, dispute.id, settings)


@router.callback_query(OfferCb.filter(F.action == "accept"))
async def accept_offer(
    query: CallbackQuery,
    callback_data: OfferCb,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    result = await market.disputes.accept_offer(actor, callback_data.offer_id)
    callback_reply.text = texts.settled()
    offer = await market.disputes.get_offer(actor, callback_data.offer_id)
    await show(bot, query.from_user.id, market, actor, offer.dispute_id, settings)
    if result.contract_settled:
        prompt, keyboard = await settled_prompt(market, actor, result.milestone.contract_id)
        await bot.send_message(query.from_user.id, prompt, reply_markup=keyboard)
