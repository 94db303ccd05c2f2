"""The employer's answers that need typing: ask for changes (note), release part (amount)."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import FlowCb, MilestoneCb
from bot.keyboards import only_cancel
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.screens.contracts import contract_button
from bot.screens.milestones import released_reply
from bot.settings import BotSettings
from bot.texts import contracts as contract_texts
from bot.texts import milestones as texts
from bot.texts import payments as payment_texts
from bot.texts.common import money_badge
from bot.ui import choices, finish, replace_prompt, request_key
from core import text
from core.actors import Actor
from core.marketplace import Marketplace

router = Area("flows.milestones_answer")
TEXT = F.text & ~F.text.startswith("/")


class ChangesForm(StatesGroup):
    note = State()
    confirm = State()


class PartReleaseForm(StatesGroup):
    amount = State()
    confirm = State()


# --- request changes --------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "changes"))
async def changes_start(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    m = await market.milestones.check(actor, callback_data.milestone_id, "request_changes")
    contract = await market.contracts.get(actor, m.contract_id)
    await state.set_state(ChangesForm.note)
    await state.update_data(milestone_id=m.id, description=m.description)
    left = market.milestones.revisions_left(m, contract)
    await bot.send_message(
        query.from_user.id,
        texts.changes_ask(
            m.description, settings.delivery_note_max, left, contract.revision_rounds
        ),
        reply_markup=only_cancel(),
    )


@router.message(ChangesForm.note, TEXT)
async def changes_note(message: Message, state: FSMContext, settings: BotSettings) -> None:
    value = text.bounded(message.text, "milestone.changes", 1, settings.delivery_note_max)
    await state.update_data(note=value)
    await state.set_state(ChangesForm.confirm)
    data = await state.get_data()
    await message.answer(
        texts.changes_confirm(data["description"], value),
        reply_markup=choices((contract_texts.confirm(), "ch_ok")),
    )


router.reminds(
    "changes_reask", ChangesForm.note, text=texts.changes_reask, reply_markup=only_cancel
)


@router.callback_query(ChangesForm.confirm, FlowCb.filter(F.action == "ch_ok"))
async def changes_confirm(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    data = await state.get_data()
    m = await market.milestones.request_changes(actor, data["milestone_id"], data["note"])
    await finish(
        query,
        bot,
        state,
        callback_reply,
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
async def part_start(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    m = await market.milestones.check(actor, callback_data.milestone_id, "release")
    await state.set_state(PartReleaseForm.amount)
    await state.update_data(milestone_id=m.id)
    await bot.send_message(
        query.from_user.id,
        payment_texts.part_amount_ask(
            m.description,
            settings.money.format(m.escrow),
            settings.money,
            money_badge(settings.gateways()),
        ),
        reply_markup=only_cancel(),
    )


@router.message(PartReleaseForm.amount, TEXT)
async def part_amount(
    message: Message,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    data = await state.get_data()
    money = settings.money
    confirm = await market.views.milestones.release(
        actor, data["milestone_id"], money.parse(message.text or "")
    )
    preview = confirm.preview
    m = preview.milestone
    await state.update_data(amount=preview.amount)
    await state.set_state(PartReleaseForm.confirm)
    await message.answer(
        payment_texts.release_confirm(
            m.description,
            confirm.freelancer_name,
            money.format(preview.amount),
            money.format(preview.fee),
            money.format(preview.net),
            money.format(m.escrow),
            money_badge(settings.gateways()),
        ),
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
async def part_confirm(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    data = await state.get_data()
    result = await market.milestones.release(
        actor, data["milestone_id"], data["amount"], request_key=request_key(query)
    )
    await state.clear()
    if result.replayed:
        callback_reply.text, callback_reply.alert = payment_texts.already_done(), True
        return
    callback_reply.text = "✅"
    await replace_prompt(query, bot, *await released_reply(market, actor, settings, result))


@router.message(PartReleaseForm.confirm)
async def part_confirm_reask(message: Message, state: FSMContext, settings: BotSettings) -> None:
    data = await state.get_data()
    label = payment_texts.confirm_release(settings.money.format(data["amount"]))
    await message.answer(contract_texts.confirm_reask(), reply_markup=choices((label, "pr_ok")))
