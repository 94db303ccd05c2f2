"""Dispute buttons: open one from a milestone, view it, and act on it.

Contract and milestone screens and the delivery alert carry the milestone's
Dispute button; the dispute screen and dispute alerts carry the rest.
"""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import DisputeCb, OfferCb
from bot.context import Ctx
from bot.render import button, pages
from bot.routers import Area
from bot.screens.contracts import settled_prompt
from bot.screens.disputes import load_view, show
from bot.texts import disputes as texts
from bot.ui import yes_or_not

router = Area("handlers.disputes")


@router.message(Command("disputes"))
async def my_disputes(message: Message, ctx: Ctx) -> None:
    """Every dispute the person is part of, newest first, each one a button away."""
    await ctx.state.clear()
    disputes = await ctx.market.disputes.of_user(ctx.actor, limit=10)
    if not disputes:
        await message.answer(texts.my_disputes_empty())
        return
    views = [await load_view(ctx.market, ctx.actor, d.id) for d in disputes]
    buttons = [
        [
            InlineKeyboardButton(
                text=button(texts.list_button(v)),
                callback_data=DisputeCb(action="view", dispute_id=v.dispute.id).pack(),
            )
        ]
        for v in views
    ]
    for page in pages(texts.my_disputes(views, ctx.actor.user_id, ctx.settings.money)):
        await message.answer(page)
    await message.answer(texts.view(), reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons))


@router.callback_query(DisputeCb.filter(F.action == "view"))
async def view(query: CallbackQuery, callback_data: DisputeCb, ctx: Ctx) -> None:
    await show(ctx, callback_data.dispute_id)


async def _confirm(ctx: Ctx, chat_id: int, dispute_id: int, action: str) -> None:
    """Ask before what cannot be undone (escalating, withdrawing), once core said this
    person may do it: a button they may not use is refused here, at its first press."""
    await ctx.market.disputes.check(ctx.actor, dispute_id, action)
    v = await load_view(ctx.market, ctx.actor, dispute_id)
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
    await ctx.bot.send_message(chat_id, question(v), reply_markup=keyboard)


@router.callback_query(DisputeCb.filter(F.action.in_({"escalate", "withdraw"})))
async def confirm(query: CallbackQuery, callback_data: DisputeCb, ctx: Ctx) -> None:
    await _confirm(ctx, query.from_user.id, callback_data.dispute_id, callback_data.action)


@router.callback_query(DisputeCb.filter(F.action == "escalate_yes"))
async def escalate(query: CallbackQuery, callback_data: DisputeCb, ctx: Ctx) -> None:
    dispute = await ctx.market.disputes.escalate(ctx.actor, callback_data.dispute_id)
    ctx.callback_reply.text = texts.escalated()
    await show(ctx, dispute.id)


@router.callback_query(DisputeCb.filter(F.action == "withdraw_yes"))
async def withdraw_confirmed(query: CallbackQuery, callback_data: DisputeCb, ctx: Ctx) -> None:
    dispute = await ctx.market.disputes.withdraw(ctx.actor, callback_data.dispute_id)
    ctx.callback_reply.text = texts.withdrawn()
    await show(ctx, dispute.id)


@router.callback_query(OfferCb.filter(F.action == "accept"))
async def accept_offer(query: CallbackQuery, callback_data: OfferCb, ctx: Ctx) -> None:
    result = await ctx.market.disputes.accept_offer(ctx.actor, callback_data.offer_id)
    ctx.callback_reply.text = texts.settled()
    offer = await ctx.market.disputes.get_offer(ctx.actor, callback_data.offer_id)
    await show(ctx, offer.dispute_id)
    if result.contract_settled:
        prompt, keyboard = await settled_prompt(ctx.market, ctx.actor, result.milestone.contract_id)
        await ctx.bot.send_message(query.from_user.id, prompt, reply_markup=keyboard)
