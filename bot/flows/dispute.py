"""Dispute conversations: open one (reason, amount, confirm), respond, offer a split.

The dispute screen lives here too: every step of a dispute ends by showing it,
and the dispute buttons (bot.handlers.disputes) and alerts show it as well.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ChatCb, DisputeCb, FlowCb, OfferCb
from bot.keyboards import cancel_row, only_cancel
from bot.middlewares import CallbackReply
from bot.render import button
from bot.settings import BotSettings
from bot.texts import disputes as texts
from bot.texts.disputes import DisputeView
from core.actors import Actor
from core.marketplace import Marketplace
from core.services.disputes import DisputeOpening
from storage.enums import DisputeStatus, PartyRole

router = Router(name="dispute_flow")


class OpenDispute(StatesGroup):
    reason = State()
    amount = State()
    confirm = State()


class Respond(StatesGroup):
    text = State()
    confirm = State()


class Offer(StatesGroup):
    amount = State()
    confirm = State()


# --- the dispute screen ----------------------------------------------------------------


async def load_view(market: Marketplace, actor: Actor, dispute_id: int) -> DisputeView:
    """Everything the screen shows; core refuses anyone but the two sides and admins."""
    dispute = await market.disputes.get(actor, dispute_id)
    offers = await market.disputes.offers(actor, dispute_id)
    milestone = await market.milestones.get(dispute.milestone_id)
    contract = await market.contracts.get(actor, dispute.contract_id)
    project = await market.projects.get(contract.project_id)
    names = {
        uid: (await market.users.get(uid)).first_name
        for uid in (contract.employer_id, contract.freelancer_id)
    }
    return DisputeView(dispute, milestone, contract, project, offers, names)


def dispute_keyboard(v: DisputeView, viewer_id: int, settings: BotSettings) -> InlineKeyboardMarkup:
    """The buttons a side may use now; core checks every press again."""
    kb = InlineKeyboardBuilder()
    d = v.dispute
    parties = (d.filed_by_id, d.respondent_id)
    if v.is_open and viewer_id in parties:
        if d.status is DisputeStatus.AWAITING_RESPONSE and viewer_id == d.respondent_id:
            kb.row(action_button(texts.RESPOND, DisputeCb(action="respond", dispute_id=d.id)))
        if d.status is not DisputeStatus.ARBITRATION:
            offer = v.open_offer
            if offer is not None and offer.by_user_id != viewer_id:
                amount = settings.money.format(offer.release_amount)
                kb.row(
                    action_button(texts.accept(amount), OfferCb(action="accept", offer_id=offer.id))
                )
                kb.row(action_button(texts.COUNTER, DisputeCb(action="offer", dispute_id=d.id)))
            else:
                kb.row(action_button(texts.OFFER, DisputeCb(action="offer", dispute_id=d.id)))
        if d.status is DisputeStatus.NEGOTIATION:
            kb.row(action_button(texts.ESCALATE, DisputeCb(action="escalate", dispute_id=d.id)))
        if viewer_id == d.filed_by_id:
            kb.row(action_button(texts.WITHDRAW, DisputeCb(action="withdraw", dispute_id=d.id)))
    if viewer_id in parties:
        other = v.other(viewer_id)
        kb.row(
            action_button(
                texts.message_button(v.names.get(other, "")),
                ChatCb(project_id=v.project.id, user_id=other),
            )
        )
    kb.row(action_button(texts.REFRESH, DisputeCb(action="view", dispute_id=d.id)))
    return kb.as_markup()


def action_button(label: str, data: CallbackData) -> InlineKeyboardButton:
    """A button that carries an action and ids; its label kept short and on one line."""
    return InlineKeyboardButton(text=button(label), callback_data=data.pack())


async def send_dispute(
    bot: Bot, chat_id: int, v: DisputeView, viewer_id: int, settings: BotSettings
) -> None:
    """Send the screen (in several messages if the texts are long), buttons on the last."""
    chunks = texts.messages(texts.screen(v, viewer_id, settings.money, settings.platform_fee_bps))
    for chunk in chunks[:-1]:
        await bot.send_message(chat_id, chunk)
    await bot.send_message(
        chat_id, chunks[-1], reply_markup=dispute_keyboard(v, viewer_id, settings)
    )


async def show(
    bot: Bot,
    chat_id: int,
    market: Marketplace,
    actor: Actor,
    dispute_id: int,
    settings: BotSettings,
) -> None:
    await send_dispute(
        bot, chat_id, await load_view(market, actor, dispute_id), actor.user_id, settings
    )


# --- opening a dispute -----------------------------------------------------------------


async def begin_open(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    market: Marketplace,
    opening: DisputeOpening,
    settings: BotSettings,
) -> None:
    """Start the conversation once core said this milestone can be disputed."""
    project = await market.projects.get(opening.contract.project_id)
    respondent = await market.users.get(opening.respondent_id)
    await state.set_state(OpenDispute.reason)
    await state.set_data(
        {
            "milestone_id": opening.milestone.id,
            "escrow": opening.milestone.escrow,
            "role": opening.role.value,
            "respondent": respondent.first_name,
            "respond_within": opening.respond_within.total_seconds(),
        }
    )
    await bot.send_message(
        chat_id,
        texts.ask_reason(opening.milestone, project, settings.money, settings.dispute_reason_max),
        reply_markup=only_cancel(),
    )


@router.message(OpenDispute.reason, F.text & ~F.text.startswith("/"))
async def got_reason(
    message: Message, state: FSMContext, market: Marketplace, settings: BotSettings
) -> None:
    reason = market.disputes.check_reason(message.text or "")
    data = await state.update_data(reason=reason)
    await state.set_state(OpenDispute.amount)
    escrow = int(data["escrow"])
    kb = InlineKeyboardBuilder()
    kb.row(action_button(texts.all_of_it(settings.money.format(escrow)), FlowCb(action="all")))
    kb.row(*cancel_row())
    await message.answer(
        texts.ask_amount(
            PartyRole(data["role"]), escrow, settings.money, settings.platform_fee_bps
        ),
        reply_markup=kb.as_markup(),
    )


@router.message(OpenDispute.reason, ~F.text)
async def reason_not_text(message: Message) -> None:
    await message.answer(texts.REASON_NOT_TEXT)


@router.message(OpenDispute.amount, F.text & ~F.text.startswith("/"))
async def got_claim(
    message: Message, state: FSMContext, market: Marketplace, bot: Bot, settings: BotSettings
) -> None:
    data = await state.get_data()
    claimed = settings.money.parse(message.text or "")
    amount = market.disputes.check_claim(claimed, int(data["escrow"]))
    await _confirm_open(message.chat.id, bot, state, amount, settings)


@router.callback_query(OpenDispute.amount, FlowCb.filter(F.action == "all"))
async def claim_all(
    query: CallbackQuery, state: FSMContext, bot: Bot, settings: BotSettings
) -> None:
    data = await state.get_data()
    await _confirm_open(query.from_user.id, bot, state, int(data["escrow"]), settings)


@router.message(OpenDispute.amount, ~F.text)
async def claim_not_text(message: Message) -> None:
    await message.answer(texts.AMOUNT_NOT_TEXT)


async def _confirm_open(
    chat_id: int, bot: Bot, state: FSMContext, amount: int, settings: BotSettings
) -> None:
    data = await state.update_data(claimed=amount)
    await state.set_state(OpenDispute.confirm)
    kb = InlineKeyboardBuilder()
    kb.row(action_button(texts.OPEN_IT, FlowCb(action="confirm")))
    kb.row(*cancel_row())
    await bot.send_message(
        chat_id,
        texts.confirm_open(
            PartyRole(data["role"]),
            data["reason"],
            amount,
            int(data["escrow"]),
            data["respondent"],
            timedelta(seconds=float(data["respond_within"])),
            settings.money,
        ),
        reply_markup=kb.as_markup(),
    )


@router.callback_query(OpenDispute.confirm, FlowCb.filter(F.action == "confirm"))
async def open_it(
    query: CallbackQuery,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    data = await state.get_data()
    dispute = await market.disputes.open(
        actor,
        int(data["milestone_id"]),
        reason=data["reason"],
        claimed_amount=int(data["claimed"]),
    )
    await state.clear()
    callback_reply.text = texts.OPENED
    await show(bot, query.from_user.id, market, actor, dispute.id, settings)


# --- responding ------------------------------------------------------------------------


async def begin_respond(
    bot: Bot, chat_id: int, state: FSMContext, v: DisputeView, settings: BotSettings
) -> None:
    await state.set_state(Respond.text)
    await state.set_data({"dispute_id": v.dispute.id})
    await bot.send_message(
        chat_id,
        texts.ask_response(v, settings.money, settings.dispute_reason_max),
        reply_markup=only_cancel(),
    )


@router.message(Respond.text, F.text & ~F.text.startswith("/"))
async def got_response(message: Message, state: FSMContext, market: Marketplace) -> None:
    response = market.disputes.check_response(message.text or "")
    await state.update_data(response=response)
    await state.set_state(Respond.confirm)
    kb = InlineKeyboardBuilder()
    kb.row(action_button(texts.SEND_RESPONSE, FlowCb(action="confirm")))
    kb.row(*cancel_row())
    chunks = texts.messages(texts.confirm_response(response))
    for chunk in chunks[:-1]:
        await message.answer(chunk)
    await message.answer(chunks[-1], reply_markup=kb.as_markup())


@router.message(Respond.text, ~F.text)
async def response_not_text(message: Message) -> None:
    await message.answer(texts.RESPONSE_NOT_TEXT)


@router.callback_query(Respond.confirm, FlowCb.filter(F.action == "confirm"))
async def send_response(
    query: CallbackQuery,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    data = await state.get_data()
    dispute = await market.disputes.respond(actor, int(data["dispute_id"]), data["response"])
    await state.clear()
    callback_reply.text = texts.RESPONDED
    await show(bot, query.from_user.id, market, actor, dispute.id, settings)


# --- offering a split ------------------------------------------------------------------


async def begin_offer(
    bot: Bot, chat_id: int, state: FSMContext, v: DisputeView, viewer_id: int, settings: BotSettings
) -> None:
    await state.set_state(Offer.amount)
    await state.set_data(
        {
            "dispute_id": v.dispute.id,
            "escrow": v.milestone.escrow,
            # What was released before, so the fee shown is the fee the split takes.
            "released": v.milestone.released_amount,
            "fee_taken": v.milestone.fee_amount,
            "other": v.names.get(v.other(viewer_id), ""),
        }
    )
    await bot.send_message(chat_id, texts.ask_offer(v, settings.money), reply_markup=only_cancel())


@router.message(Offer.amount, F.text & ~F.text.startswith("/"))
async def got_offer(
    message: Message, state: FSMContext, market: Marketplace, settings: BotSettings
) -> None:
    data = await state.get_data()
    escrow = int(data["escrow"])
    release = market.disputes.check_offer(settings.money.parse(message.text or ""), escrow)
    await state.update_data(release=release)
    await state.set_state(Offer.confirm)
    kb = InlineKeyboardBuilder()
    kb.row(action_button(texts.SEND_OFFER, FlowCb(action="confirm")))
    kb.row(*cancel_row())
    await message.answer(
        texts.confirm_offer(
            release,
            escrow,
            data["other"],
            settings.money,
            settings.platform_fee_bps,
            released=int(data.get("released", 0)),
            fee_taken=int(data.get("fee_taken", 0)),
        ),
        reply_markup=kb.as_markup(),
    )


@router.message(Offer.amount, ~F.text)
async def offer_not_text(message: Message) -> None:
    await message.answer(texts.AMOUNT_NOT_TEXT)


@router.callback_query(Offer.confirm, FlowCb.filter(F.action == "confirm"))
async def send_offer(
    query: CallbackQuery,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    data = await state.get_data()
    offer = await market.disputes.offer(actor, int(data["dispute_id"]), int(data["release"]))
    await state.clear()
    callback_reply.text = texts.OFFER_SENT
    await show(bot, query.from_user.id, market, actor, offer.dispute_id, settings)


# --- a confirm step waits for its button -------------------------------------------------


@router.message(OpenDispute.confirm)
@router.message(Respond.confirm)
@router.message(Offer.confirm)
async def confirm_please(message: Message) -> None:
    await message.answer(texts.CONFIRM_PLEASE)
