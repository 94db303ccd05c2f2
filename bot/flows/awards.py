"""Awarding a bid (employer): the offer and its terms, shown for a confirm.

The terms start from what core proposes (the project's scope, the default revision
rounds, the bid's days) and may be changed before sending: the deliverables (typed, one
per line), the revision rounds (a button per count), the due date (days from now).
The freelancer accepts the offer and its terms together.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import AwardCb, BidCb, FlowCb, ProjectCb
from bot.keyboards import cancel_row, only_cancel
from bot.render import button
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import bids as texts
from bot.texts.common import shown
from bot.texts.projects import when
from bot.ui import replace
from core.actors import Actor
from core.marketplace import Marketplace

router = Area("flows.awards")
TEXT = F.text & ~F.text.startswith("/")
ROUNDS = "aw_r"  # FlowCb action prefix of a revision-rounds choice: aw_r0 ... aw_r5


class AwardForm(StatesGroup):
    confirm = State()  # the offer and its terms, with Yes and the changes
    deliverables = State()
    due = State()


def _keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=texts.yes_award(), callback_data=FlowCb(action="aw_ok"))
    kb.button(text=texts.edit_deliverables(), callback_data=FlowCb(action="aw_dv"))
    kb.button(text=texts.rounds_button(data["rounds"]), callback_data=FlowCb(action="aw_rr"))
    kb.button(text=texts.edit_due(), callback_data=FlowCb(action="aw_due"))
    kb.button(text=texts.view_bid(), callback_data=BidCb(action="view", bid_id=data["bid_id"]))
    kb.adjust(1, 3, 1)
    kb.row(*cancel_row())
    return kb.as_markup()


async def _confirm(
    chat_id: int,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    settings: BotSettings,
    query: CallbackQuery | None = None,
) -> None:
    """Show the offer with its terms as they stand (in place of a pressed prompt)."""
    await state.set_state(AwardForm.confirm)
    data = await state.get_data()
    hours = int(settings.award_acceptance_window.total_seconds() // 3600)
    text = texts.confirm_award(
        data["name"],
        data["amount"],
        hours,
        settings.money,
        data["deliverables"],
        data["rounds"],
        market.awards.due_in_days(data["days"]),
    )
    if query is not None:
        await replace(bot, query, text, _keyboard(data))
    else:
        await bot.send_message(chat_id, text, reply_markup=_keyboard(data))


@router.callback_query(BidCb.filter(F.action == "award"))
async def start(
    query: CallbackQuery,
    callback_data: BidCb,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    # Core says why not first: a refused press leaves an earlier offer's confirm usable.
    proposed = await market.awards.proposed_terms(actor, callback_data.bid_id)
    view = await market.bids.view_for_employer(actor, callback_data.bid_id)
    await state.clear()
    await state.set_data(
        {
            "bid_id": view.bid.id,
            "name": shown(view.bidder),
            "amount": view.bid.amount,
            "deliverables": list(proposed.deliverables),
            "rounds": proposed.revision_rounds,
            "days": view.bid.delivery_days,
        }
    )
    await _confirm(query.from_user.id, bot, state, market, settings)


# --- changing the terms ---------------------------------------------------------------------


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action == "aw_dv"))
async def deliverables_ask(
    query: CallbackQuery, bot: Bot, state: FSMContext, settings: BotSettings
) -> None:
    data = await state.get_data()
    await state.set_state(AwardForm.deliverables)
    await bot.send_message(
        query.from_user.id,
        texts.ask_deliverables(
            data["deliverables"], settings.deliverables_max, settings.deliverable_text_max
        ),
        reply_markup=only_cancel(),
    )


@router.message(AwardForm.deliverables, TEXT)
async def deliverables(
    message: Message, bot: Bot, state: FSMContext, market: Marketplace, settings: BotSettings
) -> None:
    lines = market.awards.check_deliverables((message.text or "").splitlines())
    await state.update_data(deliverables=list(lines))
    await _confirm(message.chat.id, bot, state, market, settings)


@router.message(AwardForm.deliverables)
async def deliverables_reask(message: Message) -> None:
    """Anything but text where the deliverables are asked."""
    await message.answer(texts.deliverables_reask(), reply_markup=only_cancel())


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action == "aw_rr"))
async def rounds_ask(query: CallbackQuery, bot: Bot, settings: BotSettings) -> None:
    kb = InlineKeyboardBuilder()
    for count in range(settings.revision_rounds_max + 1):
        kb.button(text=button(str(count)), callback_data=FlowCb(action=f"{ROUNDS}{count}"))
    kb.adjust(6)
    kb.row(*cancel_row())
    await replace(bot, query, texts.ask_rounds(settings.revision_rounds_max), kb.as_markup())


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action.startswith(ROUNDS)))
async def rounds_chosen(
    query: CallbackQuery,
    callback_data: FlowCb,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    settings: BotSettings,
) -> None:
    raw = callback_data.action.removeprefix(ROUNDS)
    count = market.awards.check_revision_rounds(int(raw) if raw.isdigit() else -1)
    await state.update_data(rounds=count)
    await _confirm(query.from_user.id, bot, state, market, settings, query)


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action == "aw_due"))
async def due_ask(query: CallbackQuery, bot: Bot, state: FSMContext, settings: BotSettings) -> None:
    await state.set_state(AwardForm.due)
    await bot.send_message(
        query.from_user.id, texts.ask_due(settings.max_delivery_days), reply_markup=only_cancel()
    )


@router.message(AwardForm.due, TEXT)
async def due(
    message: Message, bot: Bot, state: FSMContext, market: Marketplace, settings: BotSettings
) -> None:
    raw = (message.text or "").strip()
    if not raw.isdigit() or len(raw) > 6:
        await message.answer(texts.due_reask(), reply_markup=only_cancel())
        return
    market.awards.due_in_days(int(raw))  # refuses 0 or too far, and asks again
    await state.update_data(days=int(raw))
    await _confirm(message.chat.id, bot, state, market, settings)


@router.message(AwardForm.due)
async def due_reask(message: Message) -> None:
    """Anything but text where the due date is asked."""
    await message.answer(texts.due_reask(), reply_markup=only_cancel())


# --- sending the offer ------------------------------------------------------------------------


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action == "aw_ok"))
async def award(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
) -> None:
    data = await state.get_data()
    offer = await market.awards.offer(
        actor,
        data["bid_id"],
        deliverables=data["deliverables"],
        revision_rounds=data["rounds"],
        due_at=market.awards.due_in_days(data["days"]),
    )
    await state.clear()
    freelancer = await market.users.get(offer.freelancer_id)
    kb = InlineKeyboardBuilder()
    kb.button(text=texts.withdraw(), callback_data=AwardCb(action="withdraw", award_id=offer.id))
    kb.button(
        text=texts.open_project(),
        callback_data=ProjectCb(action="view", project_id=offer.project_id),
    )
    kb.adjust(1)
    text = texts.offer_sent(shown(freelancer), when(offer.expires_at))
    await replace(bot, query, text, kb.as_markup())


@router.message(AwardForm.confirm)
async def confirm_reask(message: Message) -> None:
    """A message where the offer's buttons are waiting."""
    await message.answer(texts.confirm_terms())
