"""New milestone (employer) or milestone request (freelancer), as a conversation:
description → amount → due in days (or Skip) → confirm. Past a delivery's included
revision rounds, the employer starts the same conversation for the extra work.
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ContractCb, FlowCb, MilestoneCb
from bot.context import Ctx
from bot.keyboards import only_cancel
from bot.routers import Area
from bot.screens.milestones import milestone_keyboard
from bot.settings import BotSettings
from bot.texts import common
from bot.texts import contracts as contract_texts
from bot.texts import milestones as texts
from bot.texts.common import money_badge
from bot.ui import TYPED, ask, choices, finish

router = Area("flows.milestones")


class MilestoneForm(StatesGroup):
    description = State()
    amount = State()
    due = State()
    confirm = State()


@router.callback_query(ContractCb.filter(F.action.in_({"new_ms", "request_ms"})))
async def start(query: CallbackQuery, callback_data: ContractCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    mode = "create" if callback_data.action == "new_ms" else "request"
    contract = await ctx.market.milestones.check_contract(
        ctx.actor, callback_data.contract_id, mode
    )
    await ask(
        ctx,
        query.from_user.id,
        MilestoneForm.description,
        texts.ms_description_ask(mode == "request", ctx.settings.milestone_description_max),
        contract_id=contract.id,
        mode=mode,
    )


@router.callback_query(MilestoneCb.filter(F.action == "extra"))
async def start_extra(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    """A new milestone for the work a delivery's used-up revision rounds do not cover."""
    await ctx.state.clear()
    m = await ctx.market.milestones.check(ctx.actor, callback_data.milestone_id, "extra_milestone")
    await ask(
        ctx,
        query.from_user.id,
        MilestoneForm.description,
        texts.extra_description_ask(m.description, ctx.settings.milestone_description_max),
        contract_id=m.contract_id,
        mode="extra",
        milestone_id=m.id,
    )


@router.message(MilestoneForm.description, TYPED)
async def description(message: Message, ctx: Ctx) -> None:
    value = ctx.market.milestones.check_description(message.text or "")
    await ctx.state.update_data(description=value)
    await ctx.state.set_state(MilestoneForm.amount)
    await message.answer(texts.ms_amount_ask(ctx.settings.money), reply_markup=only_cancel())


router.reminds(
    "description_reask",
    MilestoneForm.description,
    text=texts.ms_description_reask,
    reply_markup=only_cancel,
)


@router.message(MilestoneForm.amount, TYPED)
async def amount(message: Message, ctx: Ctx) -> None:
    value = ctx.market.milestones.check_amount(ctx.settings.money.parse(message.text or ""))
    await ctx.state.update_data(amount=value)
    await ctx.state.set_state(MilestoneForm.due)
    await message.answer(
        texts.ms_due_ask(ctx.settings.max_delivery_days),
        reply_markup=choices((common.files_skip(), "ms_skip")),
    )


@router.message(MilestoneForm.amount)
async def amount_reask(message: Message, settings: BotSettings) -> None:
    await message.answer(texts.ms_amount_reask(settings.money), reply_markup=only_cancel())


async def _preview(chat_id: int, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    days = data.get("days")
    due = ctx.market.milestones.due_in_days(days) if days else None
    await ctx.state.set_state(MilestoneForm.confirm)
    await ctx.bot.send_message(
        chat_id,
        texts.ms_confirm(
            data["mode"] == "request",
            data["description"],
            ctx.settings.money.format(data["amount"]),
            due,
            money_badge(ctx.settings.gateways()),
        ),
        reply_markup=choices((contract_texts.confirm(), "ms_ok")),
    )


@router.message(MilestoneForm.due, TYPED)
async def due_days(message: Message, ctx: Ctx) -> None:
    raw = (message.text or "").strip()
    if not raw.isdigit() or len(raw) > 6:
        await message.answer(
            texts.ms_due_reask(ctx.settings.max_delivery_days),
            reply_markup=choices((common.files_skip(), "ms_skip")),
        )
        return
    ctx.market.milestones.due_in_days(int(raw))  # refuses 0 or too far, and re-asks
    await ctx.state.update_data(days=int(raw))
    await _preview(message.chat.id, ctx)


@router.callback_query(MilestoneForm.due, FlowCb.filter(F.action == "ms_skip"))
async def due_skip(query: CallbackQuery, ctx: Ctx) -> None:
    await ctx.state.update_data(days=None)
    await _preview(query.from_user.id, ctx)


@router.message(MilestoneForm.due)
async def due_reask(message: Message, settings: BotSettings) -> None:
    await message.answer(
        texts.ms_due_reask(settings.max_delivery_days),
        reply_markup=choices((common.files_skip(), "ms_skip")),
    )


@router.callback_query(MilestoneForm.confirm, FlowCb.filter(F.action == "ms_ok"))
async def confirm(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    due = ctx.market.milestones.due_in_days(data["days"]) if data.get("days") else None
    description, amount, contract_id = data["description"], data["amount"], data["contract_id"]
    money = ctx.settings.money
    if data["mode"] == "request":
        m = await ctx.market.milestones.request(
            ctx.actor, contract_id, description=description, amount=amount, due_at=due
        )
        text = texts.ms_requested(
            m.description, money.format(m.amount), money_badge(ctx.settings.gateways())
        )
        keyboard = None
    else:
        if data["mode"] == "extra":
            m = await ctx.market.milestones.create_extra(
                ctx.actor, data["milestone_id"], description=description, amount=amount, due_at=due
            )
        else:
            m = await ctx.market.milestones.create(
                ctx.actor, contract_id, description=description, amount=amount, due_at=due
            )
        text = texts.ms_created(
            m.description, money.format(m.amount), money_badge(ctx.settings.gateways())
        )
        actions = await ctx.market.milestones.actions(ctx.actor, m.id)
        keyboard = milestone_keyboard(m, actions, ctx.settings, contract_id=m.contract_id)
    await finish(query, ctx, "✅", text, keyboard)


router.reminds(
    "confirm_reask",
    MilestoneForm.confirm,
    text=contract_texts.confirm_reask,
    reply_markup=lambda: choices((contract_texts.confirm(), "ms_ok")),
)
