"""Awarding a bid (employer): the offer and its terms, shown for a confirm.

The terms start from what core proposes (the project's scope, the default revision
rounds, the bid's days) and may be changed before sending: the deliverables (typed, one
per line), the revision rounds (a button per count), the due date (days from now).
The freelancer accepts the offer and its terms together.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import AwardCb, BidCb, FlowCb, ProjectCb
from bot.context import Ctx
from bot.keyboards import cancel_row, only_cancel
from bot.render import button
from bot.routers import Area
from bot.texts import bids as texts
from bot.texts.common import shown
from bot.texts.projects import when
from bot.ui import TYPED, ask, replace

router = Area("flows.awards")
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


async def _confirm(chat_id: int, ctx: Ctx, query: CallbackQuery | None = None) -> None:
    """Show the offer with its terms as they stand (in place of a pressed prompt)."""
    await ctx.state.set_state(AwardForm.confirm)
    data = await ctx.state.get_data()
    hours = int(ctx.settings.award_acceptance_window.total_seconds() // 3600)
    text = texts.confirm_award(
        data["name"],
        data["amount"],
        hours,
        ctx.settings.money,
        data["deliverables"],
        data["rounds"],
        ctx.market.awards.due_in_days(data["days"]),
    )
    if query is not None:
        await replace(ctx.bot, query, text, _keyboard(data))
    else:
        await ctx.bot.send_message(chat_id, text, reply_markup=_keyboard(data))


@router.callback_query(BidCb.filter(F.action == "award"))
async def start(query: CallbackQuery, callback_data: BidCb, ctx: Ctx) -> None:
    proposed = await ctx.market.awards.proposed_terms(ctx.actor, callback_data.bid_id)
    view = await ctx.market.bids.view_for_employer(ctx.actor, callback_data.bid_id)
    await ctx.state.clear()
    await ctx.state.set_data(
        {
            "bid_id": view.bid.id,
            "name": shown(view.bidder),
            "amount": view.bid.amount,
            "deliverables": list(proposed.deliverables),
            "rounds": proposed.revision_rounds,
            "days": view.bid.delivery_days,
        }
    )
    await _confirm(query.from_user.id, ctx)


# --- changing the terms ---------------------------------------------------------------------


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action == "aw_dv"))
async def deliverables_ask(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    await ask(
        ctx,
        query.from_user.id,
        AwardForm.deliverables,
        texts.ask_deliverables(
            data["deliverables"], ctx.settings.deliverables_max, ctx.settings.deliverable_text_max
        ),
    )


@router.message(AwardForm.deliverables, TYPED)
async def deliverables(message: Message, ctx: Ctx) -> None:
    lines = ctx.market.awards.check_deliverables((message.text or "").splitlines())
    await ctx.state.update_data(deliverables=list(lines))
    await _confirm(message.chat.id, ctx)


router.reminds(
    "deliverables_reask",
    AwardForm.deliverables,
    text=texts.deliverables_reask,
    reply_markup=only_cancel,
)


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action == "aw_rr"))
async def rounds_ask(query: CallbackQuery, ctx: Ctx) -> None:
    kb = InlineKeyboardBuilder()
    for count in range(ctx.settings.revision_rounds_max + 1):
        kb.button(text=button(str(count)), callback_data=FlowCb(action=f"{ROUNDS}{count}"))
    kb.adjust(6)
    kb.row(*cancel_row())
    await replace(
        ctx.bot, query, texts.ask_rounds(ctx.settings.revision_rounds_max), kb.as_markup()
    )


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action.startswith(ROUNDS)))
async def rounds_chosen(query: CallbackQuery, callback_data: FlowCb, ctx: Ctx) -> None:
    raw = callback_data.action.removeprefix(ROUNDS)
    count = ctx.market.awards.check_revision_rounds(int(raw) if raw.isdigit() else -1)
    await ctx.state.update_data(rounds=count)
    await _confirm(query.from_user.id, ctx, query)


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action == "aw_due"))
async def due_ask(query: CallbackQuery, ctx: Ctx) -> None:
    await ask(ctx, query.from_user.id, AwardForm.due, texts.ask_due(ctx.settings.max_delivery_days))


@router.message(AwardForm.due, TYPED)
async def due(message: Message, ctx: Ctx) -> None:
    raw = (message.text or "").strip()
    if not raw.isdigit() or len(raw) > 6:
        await message.answer(texts.due_reask(), reply_markup=only_cancel())
        return
    ctx.market.awards.due_in_days(int(raw))  # refuses 0 or too far, and asks again
    await ctx.state.update_data(days=int(raw))
    await _confirm(message.chat.id, ctx)


router.reminds("due_reask", AwardForm.due, text=texts.due_reask, reply_markup=only_cancel)


# --- sending the offer ------------------------------------------------------------------------


@router.callback_query(AwardForm.confirm, FlowCb.filter(F.action == "aw_ok"))
async def award(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    offer = await ctx.market.awards.offer(
        ctx.actor,
        data["bid_id"],
        deliverables=data["deliverables"],
        revision_rounds=data["rounds"],
        due_at=ctx.market.awards.due_in_days(data["days"]),
    )
    await ctx.state.clear()
    freelancer = await ctx.market.users.get(offer.freelancer_id)
    kb = InlineKeyboardBuilder()
    kb.button(text=texts.withdraw(), callback_data=AwardCb(action="withdraw", award_id=offer.id))
    kb.button(
        text=texts.open_project(),
        callback_data=ProjectCb(action="view", project_id=offer.project_id),
    )
    kb.adjust(1)
    text = texts.offer_sent(shown(freelancer), when(offer.expires_at))
    await replace(ctx.bot, query, text, kb.as_markup())


router.reminds("confirm_reask", AwardForm.confirm, text=texts.confirm_terms)
