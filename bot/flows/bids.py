"""The bid conversation: amount → delivery days → proposal → confirm; and editing a bid.

Before anything is asked, core says whether this person may bid on this project at all
(a stale Bid button on a closed project is refused at once) and what their profile
still lacks (then they get a button to complete it instead of a wizard).
"""

from __future__ import annotations

from functools import partial

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import BidCb, Count, FlowCb, ProfileEditCb, ProjectCb
from bot.context import Ctx
from bot.keyboards import cancel_row
from bot.routers import Area
from bot.texts import bids as texts
from bot.texts import profiles as profile_texts
from bot.ui import TYPED, ask, keep_search, send_long

router = Area("flows.bids")

DAY_PICKS = (1, 3, 7, 14, 30)


class PickCb(CallbackData, prefix="mpk"):
    """A suggested number in the bid conversation (an amount in minor units, or days)."""

    value: Count


class BidFieldCb(CallbackData, prefix="mbe"):
    """Which term of one's bid to change: ``amount``, ``days`` or ``proposal``."""

    field: str


class BidForm(StatesGroup):
    amount = State()
    days = State()
    proposal = State()
    confirm = State()


class BidEditForm(StatesGroup):
    choose = State()
    amount = State()
    days = State()
    proposal = State()


def _picks(values: list[tuple[str, int]]) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(text=label, callback_data=PickCb(value=value).pack())
        for label, value in values
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row, cancel_row()])


def _open_project(project_id: int) -> InlineKeyboardMarkup:
    data = ProjectCb(action="view", project_id=project_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=texts.open_project(), callback_data=data)]]
    )


async def _typed_days(message: Message) -> int | None:
    """The number of days typed ("7", "7 days"), or None once told it is not one."""
    value = (message.text or "").strip().lower().removesuffix("days").removesuffix("day").strip()
    if value.isdigit() and len(value) <= 6:
        return int(value)
    await message.answer(texts.bad_days())
    return None


# --- placing a bid ---------------------------------------------------------------------------


@router.callback_query(ProjectCb.filter(F.action == "bid"))
async def start(query: CallbackQuery, callback_data: ProjectCb, ctx: Ctx) -> None:
    found = await ctx.market.bids.eligibility(ctx.actor, callback_data.project_id)
    project, mine, actions = found.project, found.bid, found.actions
    if mine is not None and "edit_bid" in actions:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=texts.edit_bid(),
                        callback_data=BidCb(action="edit", bid_id=mine.id).pack(),
                    ),
                    InlineKeyboardButton(
                        text=texts.retract(),
                        callback_data=BidCb(action="retract", bid_id=mine.id).pack(),
                    ),
                ]
            ]
        )
        await ctx.bot.send_message(
            ctx.actor.telegram_id, texts.already_bid(mine, ctx.settings.money), reply_markup=markup
        )
        return
    if "bid" not in actions and "complete_profile" not in actions:
        waiting = "accept_offer" in actions
        ctx.callback_reply.text = texts.offer_waiting() if waiting else texts.bid_closed()
        ctx.callback_reply.alert = True
        return
    if "complete_profile" in actions:
        complete = ProfileEditCb(field="missing").pack()
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=profile_texts.complete_missing(), callback_data=complete
                    )
                ]
            ]
        )
        ctx.callback_reply.text = texts.profile_first_alert()
        await ctx.bot.send_message(
            ctx.actor.telegram_id, texts.profile_first(found.missing), reply_markup=markup
        )
        return
    await keep_search(ctx.state)
    await ctx.state.set_state(BidForm.amount)
    await ctx.state.update_data(project_id=project.id, title=project.title)
    money = ctx.settings.money
    middle = (project.budget_min + project.budget_max) // 2
    amounts = dict.fromkeys([project.budget_min, middle, project.budget_max])
    await ctx.bot.send_message(
        ctx.actor.telegram_id,
        texts.ask_amount(project, money),
        reply_markup=_picks([(money.format(a), a) for a in amounts]),
    )


async def _take_amount(amount: int, ctx: Ctx) -> None:
    ctx.market.bids.check_terms(amount=amount)
    await ctx.state.update_data(amount=amount)
    await ctx.state.set_state(BidForm.days)
    picks = [(texts.days(d), d) for d in DAY_PICKS if d <= ctx.settings.max_delivery_days]
    await ctx.bot.send_message(
        ctx.actor.telegram_id,
        texts.ask_days(ctx.settings.max_delivery_days),
        reply_markup=_picks(picks),
    )


async def _take_days(n_days: int, ctx: Ctx) -> None:
    ctx.market.bids.check_terms(delivery_days=n_days)
    await ctx.state.update_data(days=n_days)
    await ask(
        ctx,
        ctx.actor.telegram_id,
        BidForm.proposal,
        texts.ask_proposal(ctx.settings.proposal_min, ctx.settings.proposal_max),
    )


@router.message(BidForm.amount, TYPED)
async def typed_amount(message: Message, ctx: Ctx) -> None:
    amount = ctx.settings.money.parse(message.text or "")
    await _take_amount(amount, ctx)


@router.callback_query(StateFilter(BidForm.amount, BidForm.days), PickCb.filter())
async def picked(query: CallbackQuery, callback_data: PickCb, ctx: Ctx, raw_state: str) -> None:
    """A suggested amount or number of days, whichever the step asks for."""
    take = _take_amount if raw_state == BidForm.amount.state else _take_days
    await take(callback_data.value, ctx)


@router.message(BidForm.days, TYPED)
async def typed_days(message: Message, ctx: Ctx) -> None:
    n_days = await _typed_days(message)
    if n_days is not None:
        await _take_days(n_days, ctx)


@router.message(BidForm.proposal, TYPED)
async def typed_proposal(message: Message, ctx: Ctx) -> None:
    proposal = ctx.market.bids.check_terms(proposal=message.text or "") or ""
    data = await ctx.state.update_data(proposal=proposal)
    await ctx.state.set_state(BidForm.confirm)
    place = InlineKeyboardButton(text=texts.place(), callback_data=FlowCb(action="confirm").pack())
    await send_long(
        ctx.bot,
        ctx.actor.telegram_id,
        texts.bid_summary(
            data["title"], data["amount"], data["days"], proposal, ctx.settings.money
        ),
        InlineKeyboardMarkup(inline_keyboard=[[place], cancel_row()]),
    )


@router.callback_query(BidForm.confirm, FlowCb.filter(F.action == "confirm"))
async def confirm(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    bid = await ctx.market.bids.place(
        ctx.actor,
        int(data["project_id"]),
        amount=int(data["amount"]),
        delivery_days=int(data["days"]),
        proposal=str(data["proposal"]),
    )
    await keep_search(ctx.state)
    await ctx.bot.send_message(
        ctx.actor.telegram_id,
        texts.bid_placed(str(data["title"])),
        reply_markup=_open_project(bid.project_id),
    )


for step, what in (
    (BidForm.amount, "amount"),
    (BidForm.days, "days"),
    (BidForm.proposal, "proposal"),
):
    router.reminds("not_text", step, ~F.text, text=partial(texts.not_text, what))


# --- editing one's bid -----------------------------------------------------------------------


@router.callback_query(BidCb.filter(F.action == "edit"))
async def edit_start(query: CallbackQuery, callback_data: BidCb, ctx: Ctx) -> None:
    bid = await ctx.market.bids.check_active(ctx.actor, callback_data.bid_id)
    project = await ctx.market.projects.get(bid.project_id)
    await keep_search(ctx.state)
    await ctx.state.set_state(BidEditForm.choose)
    await ctx.state.update_data(bid_id=bid.id, title=project.title)
    fields = [
        (texts.edit_amount(), "amount"),
        (texts.edit_days(), "days"),
        (texts.edit_proposal(), "proposal"),
    ]
    row = [
        InlineKeyboardButton(text=label, callback_data=BidFieldCb(field=field).pack())
        for label, field in fields
    ]
    await ctx.bot.send_message(
        ctx.actor.telegram_id,
        texts.edit_what(),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[row, cancel_row()]),
    )


@router.callback_query(BidEditForm.choose, BidFieldCb.filter())
async def edit_field(query: CallbackQuery, callback_data: BidFieldCb, ctx: Ctx) -> None:
    asks = {
        "amount": (BidEditForm.amount, texts.ask_new_amount(ctx.settings.money)),
        "days": (BidEditForm.days, texts.ask_new_days(ctx.settings.max_delivery_days)),
        "proposal": (
            BidEditForm.proposal,
            texts.ask_new_proposal(ctx.settings.proposal_min, ctx.settings.proposal_max),
        ),
    }
    target, text = asks.get(callback_data.field, asks["amount"])
    await ask(ctx, ctx.actor.telegram_id, target, text)


async def _edited(
    ctx: Ctx,
    *,
    amount: int | None = None,
    delivery_days: int | None = None,
    proposal: str | None = None,
) -> None:
    data = await ctx.state.get_data()
    bid = await ctx.market.bids.edit(
        ctx.actor,
        int(data["bid_id"]),
        amount=amount,
        delivery_days=delivery_days,
        proposal=proposal,
    )
    await keep_search(ctx.state)
    await ctx.bot.send_message(
        ctx.actor.telegram_id,
        texts.bid_edited(str(data["title"])),
        reply_markup=_open_project(bid.project_id),
    )


@router.message(BidEditForm.amount, TYPED)
async def new_amount(message: Message, ctx: Ctx) -> None:
    amount = ctx.settings.money.parse(message.text or "")
    await _edited(ctx, amount=amount)


@router.message(BidEditForm.days, TYPED)
async def new_days(message: Message, ctx: Ctx) -> None:
    n_days = await _typed_days(message)
    if n_days is not None:
        await _edited(ctx, delivery_days=n_days)


@router.message(BidEditForm.proposal, TYPED)
async def new_proposal(message: Message, ctx: Ctx) -> None:
    await _edited(ctx, proposal=message.text or "")


router.reminds(
    "edit_not_text",
    StateFilter(BidEditForm.amount, BidEditForm.days, BidEditForm.proposal),
    ~F.text,
    text=lambda: texts.not_text("new_value"),
)
