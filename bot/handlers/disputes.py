"""Dispute buttons: open one from a milestone, view it, and act on it.

Contract and milestone screens and the delivery alert carry the milestone's
Dispute button; the dispute screen and dispute alerts carry the rest.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import DisputeCb, MilestoneCb, OfferCb
from bot.flows import dispute as flow
from bot.handlers.contracts import settled_prompt
from bot.middlewares import CallbackReply
from bot.render import button, pages
from bot.settings import BotSettings
from bot.texts import disputes as texts
from core.actors import Actor
from core.marketplace import Marketplace
from storage.enums import DisputeStatus

router = Router(name="disputes")


@router.message(Command("disputes"))
async def my_disputes(
    message: Message, state: FSMContext, market: Marketplace, actor: Actor, settings: BotSettings
) -> None:
    """Every dispute the person is part of, newest first, each one a button away."""
    await state.clear()
    disputes = await market.disputes.of_user(actor, limit=10)
    if not disputes:
        await message.answer(texts.MY_DISPUTES_EMPTY)
        return
    views = [await flow.load_view(market, actor, d.id) for d in disputes]
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
    await message.answer(texts.VIEW, reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons))


@router.callback_query(MilestoneCb.filter(F.action == "dispute"))
async def dispute_milestone(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
) -> None:
    """Open a dispute over the milestone, or show the one it already has."""
    await state.clear()
    opening = await market.disputes.opening(actor, callback_data.milestone_id)
    if opening.existing is not None:
        await flow.show(bot, query.from_user.id, market, actor, opening.existing.id, settings)
        return
    await flow.begin_open(bot, query.from_user.id, state, market, opening, settings)


@router.callback_query(DisputeCb.filter(F.action == "view"))
async def view(
    query: CallbackQuery,
    callback_data: DisputeCb,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
) -> None:
    await flow.show(bot, query.from_user.id, market, actor, callback_data.dispute_id, settings)


@router.callback_query(DisputeCb.filter(F.action == "respond"))
async def respond(
    query: CallbackQuery,
    callback_data: DisputeCb,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    await state.clear()
    v = await flow.load_view(market, actor, callback_data.dispute_id)
    if v.dispute.status is not DisputeStatus.AWAITING_RESPONSE:
        await _moved_on(query, v, actor, bot, settings, callback_reply)
        return
    await flow.begin_respond(bot, query.from_user.id, state, v, settings)


@router.callback_query(DisputeCb.filter(F.action == "offer"))
async def offer(
    query: CallbackQuery,
    callback_data: DisputeCb,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    await state.clear()
    v = await flow.load_view(market, actor, callback_data.dispute_id)
    if not v.is_open or v.dispute.status is DisputeStatus.ARBITRATION:
        await _moved_on(query, v, actor, bot, settings, callback_reply)
        return
    await flow.begin_offer(bot, query.from_user.id, state, v, actor.user_id, settings)


async def _moved_on(
    query: CallbackQuery,
    v: texts.DisputeView,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    """A button from an earlier step: say so, and show where the dispute stands now."""
    callback_reply.text = texts.MOVED_ON
    callback_reply.alert = True
    await flow.send_dispute(bot, query.from_user.id, v, actor.user_id, settings)


@router.callback_query(DisputeCb.filter(F.action == "evidence"))
async def evidence(
    query: CallbackQuery,
    callback_data: DisputeCb,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
) -> None:
    """Files, photos or videos for the record, at whatever stage the dispute is."""
    await state.clear()
    dispute = await market.disputes.check_evidence(actor, callback_data.dispute_id)
    await flow.begin_evidence(bot, query.from_user.id, state, dispute.id, settings)


async def _confirm(
    bot: Bot, chat_id: int, market: Marketplace, actor: Actor, dispute_id: int, action: str
) -> None:
    """Ask before what cannot be undone (escalating, withdrawing), once core said this
    person may do it: a button they may not use is refused here, at its first press."""
    await market.disputes.check(actor, dispute_id, action)
    v = await flow.load_view(market, actor, dispute_id)
    yes, question = {
        "escalate": (texts.ESCALATE_YES, texts.confirm_escalate),
        "withdraw": (texts.WITHDRAW_YES, texts.confirm_withdraw),
    }[action]
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [flow.action_button(yes, DisputeCb(action=f"{action}_yes", dispute_id=dispute_id))],
            [flow.action_button(texts.BACK, DisputeCb(action="view", dispute_id=dispute_id))],
        ]
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
    callback_reply.text = texts.ESCALATED
    await flow.show(bot, query.from_user.id, market, actor, dispute.id, settings)


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
    callback_reply.text = texts.WITHDRAWN
    await flow.show(bot, query.from_user.id, market, actor, dispute.id, settings)


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
    callback_reply.text = texts.SETTLED
    offer = await market.disputes.get_offer(actor, callback_data.offer_id)
    await flow.show(bot, query.from_user.id, market, actor, offer.dispute_id, settings)
    if result.contract_settled:
        prompt, keyboard = await settled_prompt(market, actor, result.milestone.contract_id)
        await bot.send_message(query.from_user.id, prompt, reply_markup=keyboard)
