"""The bid conversation: amount → delivery days → proposal → confirm; and editing a bid.

Before anything is asked, core says whether this person may bid on this project at all
(a stale Bid button on a closed project is refused at once) and what their profile
still lacks (then they get a button to complete it instead of a wizard).
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import BidCb, Count, FlowCb, ProfileEditCb, ProjectCb
from bot.keyboards import cancel_row, only_cancel
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import bids as texts
from bot.texts import profiles as profile_texts
from bot.ui import keep_search, send_long
from core.actors import Actor
from core.marketplace import Marketplace

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


def _parse_days(text: str) -> int | None:
    value = text.strip().lower().removesuffix("days").removesuffix("day").strip()
    return int(value) if value.isdigit() and len(value) <= 6 else None


# --- placing a bid ---------------------------------------------------------------------------


@router.callback_query(ProjectCb.filter(F.action == "bid"))
async def start(
    query: CallbackQuery,
    callback_data: ProjectCb,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    found = await market.bids.eligibility(actor, callback_data.project_id)
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
        await bot.send_message(
            actor.telegram_id, texts.already_bid(mine, settings.money), reply_markup=markup
        )
        return
    if "bid" not in actions and "complete_profile" not in actions:
        waiting = "accept_offer" in actions
        callback_reply.text = texts.offer_waiting() if waiting else texts.bid_closed()
        callback_reply.alert = True
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
        callback_reply.text = texts.profile_first_alert()
        await bot.send_message(
            actor.telegram_id, texts.profile_first(found.missing), reply_markup=markup
        )
        return
    await keep_search(state)
    await state.set_state(BidForm.amount)
    await state.update_data(project_id=project.id, title=project.title)
    money = settings.money
    middle = (project.budget_min + project.budget_max) // 2
    amounts = dict.fromkeys([project.budget_min, middle, project.budget_max])
    await bot.send_message(
        actor.telegram_id,
        texts.ask_amount(project, money),
        reply_markup=_picks([(money.format(a), a) for a in amounts]),
    )


async def _take_amount(
    amount: int,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    market.bids.check_terms(amount=amount)
    await state.update_data(amount=amount)
    await state.set_state(BidForm.days)
    picks = [(texts.days(d), d) for d in DAY_PICKS if d <= settings.max_delivery_days]
    await bot.send_message(
        actor.telegram_id, texts.ask_days(settings.max_delivery_days), reply_markup=_picks(picks)
    )


async def _take_days(
    n_days: int,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    market.bids.check_terms(delivery_days=n_days)
    await state.update_data(days=n_days)
    await state.set_state(BidForm.proposal)
    await bot.send_message(
        actor.telegram_id,
        texts.ask_proposal(settings.proposal_min, settings.proposal_max),
        reply_markup=only_cancel(),
    )


@router.message(BidForm.amount, F.text & ~F.text.startswith("/"))
async def typed_amount(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    amount = settings.money.parse(message.text or "")
    await _take_amount(amount, state, bot, market, actor, settings)


@router.callback_query(StateFilter(BidForm.amount, BidForm.days), PickCb.filter())
async def picked(
    query: CallbackQuery,
    callback_data: PickCb,
    state: FSMContext,
    raw_state: str,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    """A suggested amount or number of days, whichever the step asks for."""
    take = _take_amount if raw_state == BidForm.amount.state else _take_days
    await take(callback_data.value, state, bot, market, actor, settings)


@router.message(BidForm.days, F.text & ~F.text.startswith("/"))
async def typed_days(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    n_days = _parse_days(message.text or "")
    if n_days is None:
        await message.answer(texts.bad_days())
        return
    await _take_days(n_days, state, bot, market, actor, settings)


@router.message(BidForm.proposal, F.text & ~F.text.startswith("/"))
async def typed_proposal(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    proposal = market.bids.check_terms(proposal=message.text or "") or ""
    await state.update_data(proposal=proposal)
    await state.set_state(BidForm.confirm)
    data = await state.get_data()
    place = InlineKeyboardButton(text=texts.place(), callback_data=FlowCb(action="confirm").pack())
    await send_long(
        bot,
        actor.telegram_id,
        texts.bid_summary(data["title"], data["amount"], data["days"], proposal, settings.money),
        InlineKeyboardMarkup(inline_keyboard=[[place], cancel_row()]),
    )


@router.callback_query(BidForm.confirm, FlowCb.filter(F.action == "confirm"))
async def confirm(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
) -> None:
    data = await state.get_data()
    bid = await market.bids.place(
        actor,
        int(data["project_id"]),
        amount=int(data["amount"]),
        delivery_days=int(data["days"]),
        proposal=str(data["proposal"]),
    )
    await keep_search(state)
    await bot.send_message(
        actor.telegram_id,
        texts.bid_placed(str(data["title"])),
        reply_markup=_open_project(bid.project_id),
    )


@router.message(StateFilter(BidForm.amount, BidForm.days, BidForm.proposal), ~F.text)
async def not_text(message: Message, state: FSMContext) -> None:
    what = {
        BidForm.amount.state: "amount",
        BidForm.days.state: "days",
        BidForm.proposal.state: "proposal",
    }
    await message.answer(texts.not_text(what.get(await state.get_state() or "", "answer")))


# --- editing one's bid -----------------------------------------------------------------------


@router.callback_query(BidCb.filter(F.action == "edit"))
async def edit_start(
    query: CallbackQuery,
    callback_data: BidCb,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    bid = await market.bids.check_active(actor, callback_data.bid_id)
    project = await market.projects.get(bid.project_id)
    await keep_search(state)
    await state.set_state(BidEditForm.choose)
    await state.update_data(bid_id=bid.id, title=project.title)
    fields = [
        (texts.edit_amount(), "amount"),
        (texts.edit_days(), "days"),
        (texts.edit_proposal(), "proposal"),
    ]
    row = [
        InlineKeyboardButton(text=label, callback_data=BidFieldCb(field=field).pack())
        for label, field in fields
    ]
    await bot.send_message(
        actor.telegram_id,
        texts.edit_what(),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[row, cancel_row()]),
    )


@router.callback_query(BidEditForm.choose, BidFieldCb.filter())
async def edit_field(
    query: CallbackQuery,
    callback_data: BidFieldCb,
    state: FSMContext,
    bot: Bot,
    actor: Actor,
    settings: BotSettings,
) -> None:
    asks = {
        "amount": (BidEditForm.amount, texts.ask_new_amount(settings.money)),
        "days": (BidEditForm.days, texts.ask_new_days(settings.max_delivery_days)),
        "proposal": (
            BidEditForm.proposal,
            texts.ask_new_proposal(settings.proposal_min, settings.proposal_max),
        ),
    }
    target, text = asks.get(callback_data.field, asks["amount"])
    await state.set_state(target)
    await bot.send_message(actor.telegram_id, text, reply_markup=only_cancel())


async def _edited(
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    *,
    amount: int | None = None,
    delivery_days: int | None = None,
    proposal: str | None = None,
) -> None:
    data = await state.get_data()
    bid = await market.bids.edit(
        actor, int(data["bid_id"]), amount=amount, delivery_days=delivery_days, proposal=proposal
    )
    await keep_search(state)
    await bot.send_message(
        actor.telegram_id,
        texts.bid_edited(str(data["title"])),
        reply_markup=_open_project(bid.project_id),
    )


@router.message(BidEditForm.amount, F.text & ~F.text.startswith("/"))
async def new_amount(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    amount = settings.money.parse(message.text or "")
    await _edited(state, bot, market, actor, amount=amount)


@router.message(BidEditForm.days, F.text & ~F.text.startswith("/"))
async def new_days(
    message: Message, state: FSMContext, bot: Bot, market: Marketplace, actor: Actor
) -> None:
    n_days = _parse_days(message.text or "")
    if n_days is None:
        await message.answer(texts.bad_days())
        return
    await _edited(state, bot, market, actor, delivery_days=n_days)


@router.message(BidEditForm.proposal, F.text & ~F.text.startswith("/"))
async def new_proposal(
    message: Message, state: FSMContext, bot: Bot, market: Marketplace, actor: Actor
) -> None:
    await _edited(state, bot, market, actor, proposal=message.text or "")


router.reminds(
    "edit_not_text",
    StateFilter(BidEditForm.amount, BidEditForm.days, BidEditForm.proposal),
    ~F.text,
    text=lambda: texts.not_text("new_value"),
)
