"""The employer's answers that need typing: ask for changes (note), release part (amount)."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import FlowCb, MilestoneCb
from bot.context import Ctx
from bot.keyboards import only_cancel
from bot.routers import Area
from bot.screens.contracts import contract_button
from bot.screens.milestones import answer_release, release_confirm_text
from bot.settings import BotSettings
from bot.texts import contracts as contract_texts
from bot.texts import milestones as texts
from bot.texts import payments as payment_texts
from bot.texts.common import money_badge
from bot.ui import TYPED, choices, finish, request_key
from core import text

router = Area("flows.milestones_answer")


class ChangesForm(StatesGroup):
    note = State()
    confirm = State()


class PartReleaseForm(StatesGroup):
    amount = State()
    confirm = State()


# --- request changes --------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "changes"))
async def changes_start(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    m = await ctx.market.milestones.check(ctx.actor, callback_data.milestone_id, "request_changes")
    contract = await ctx.market.contracts.get(ctx.actor, m.contract_id)
    await ctx.state.set_state(ChangesForm.note)
    await ctx.state.update_data(milestone_id=m.id, description=m.description)
    left = ctx.market.milestones.revisions_left(m, contract)
    await ctx.bot.send_message(
        query.from_user.id,
        texts.changes_ask(
            m.description, ctx.settings.delivery_note_max, left, contract.revision_rounds
        ),
        reply_markup=only_cancel(),
    )


@router.message(ChangesForm.note, TYPED)
async def changes_note(message: Message, ctx: Ctx) -> None:
    value = text.bounded(message.text, "milestone.changes", 1, ctx.settings.delivery_note_max)
    data = await ctx.state.update_data(note=value)
    await ctx.state.set_state(ChangesForm.confirm)
    await message.answer(
        texts.changes_confirm(data["description"], value),
        reply_markup=choices((contract_texts.confirm(), "ch_ok")),
    )


router.reminds(
    "changes_reask", ChangesForm.note, text=texts.changes_reask, reply_markup=only_cancel
)


@router.callback_query(ChangesForm.confirm, FlowCb.filter(F.action == "ch_ok"))
async def changes_confirm(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    m = await ctx.market.milestones.request_changes(ctx.actor, data["milestone_id"], data["note"])
    await finish(
        query,
        ctx,
        "✏️",
        texts.changes_sent(m.description),
        contract_button(m.contract_id),
    )


router.reminds(
    "changes_confirm_reask",
    ChangesForm.confirm,
    text=contract_texts.confirm_reask,
    reply_markup=lambda: choices((contract_texts.confirm(), "ch_ok")),
)


# --- release part -----------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "release_part"))
async def part_start(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    m = await ctx.market.milestones.check(ctx.actor, callback_data.milestone_id, "release")
    await ctx.state.set_state(PartReleaseForm.amount)
    await ctx.state.update_data(milestone_id=m.id)
    await ctx.bot.send_message(
        query.from_user.id,
        payment_texts.part_amount_ask(
            m.description,
            ctx.settings.money.format(m.escrow),
            ctx.settings.money,
            money_badge(ctx.settings.gateways()),
        ),
        reply_markup=only_cancel(),
    )


@router.message(PartReleaseForm.amount, TYPED)
async def part_amount(message: Message, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    money = ctx.settings.money
    confirm = await ctx.market.views.milestones.release(
        ctx.actor, data["milestone_id"], money.parse(message.text or "")
    )
    preview = confirm.preview
    await ctx.state.update_data(amount=preview.amount)
    await ctx.state.set_state(PartReleaseForm.confirm)
    await message.answer(
        release_confirm_text(confirm, ctx.settings),
        reply_markup=choices(
            (
                payment_texts.confirm_release(money.format(preview.amount)),
                "pr_ok",
            )
        ),
    )


@router.message(PartReleaseForm.amount)
async def part_reask(message: Message, settings: BotSettings) -> None:
    await message.answer(
        payment_texts.part_amount_reask(settings.money), reply_markup=only_cancel()
    )


@router.callback_query(PartReleaseForm.confirm, FlowCb.filter(F.action == "pr_ok"))
async def part_confirm(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    result = await ctx.market.milestones.release(
        ctx.actor, data["milestone_id"], data["amount"], request_key=request_key(query)
    )
    await ctx.state.clear()
    await answer_release(query, ctx, result)


@router.message(PartReleaseForm.confirm)
async def part_confirm_reask(message: Message, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    label = payment_texts.confirm_release(ctx.settings.money.format(data["amount"]))
    await message.answer(contract_texts.confirm_reask(), reply_markup=choices((label, "pr_ok")))
