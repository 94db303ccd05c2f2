"""Alert settings conversations: the skills to follow (the catalogue's paged toggle
keyboard) and the minimum budget (typed or picked). Each saves through
``market.subscriptions``, so core judges every answer; a refusal leaves the person on
the same question, which they may answer again."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import F
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import AlertsCb, Count
from bot.context import Ctx
from bot.keyboards import cancel_row
from bot.picker import (
    always,
    picker,
    skill_pages,
    skill_step,
)
from bot.routers import Area
from bot.screens.subscriptions import send_screen
from bot.settings import BotSettings
from bot.texts import profiles as profile_texts
from bot.texts import subscriptions as texts
from bot.ui import TYPED, ask
from core.services.subscriptions import MAX_SKILLS

router = Area("flows.subscriptions")

BUDGET_PICKS = (100, 500, 1_000, 5_000)  # whole currency units


class AlertBudgetCb(CallbackData, prefix="alb"):
    """A suggested minimum budget, in minor units (0: any budget)."""

    value: Count


class AlertsForm(StatesGroup):
    skills = State()
    min_budget = State()


def _prompt(page: int, pages: int, categories: Sequence[str]) -> str:
    return texts.ask_skills(MAX_SKILLS, page, pages, categories)


async def _saved(ctx: Ctx) -> None:
    await ctx.state.clear()
    await send_screen(ctx, texts.saved())


# --- skills ----------------------------------------------------------------------------------


@router.callback_query(AlertsCb.filter(F.action == "skills"))
async def start_skills(query: CallbackQuery, ctx: Ctx) -> None:
    """The picker, showing what is followed now (or, the first time, the profile's
    skills as a suggestion), opened at the page of the first of them."""
    view = await ctx.market.subscriptions.of(ctx.actor.user_id)
    if view is not None and not view.off:
        selected = [s.id for s in view.skills]
    else:
        selected = [s.id for s in (await ctx.market.users.profile(ctx.actor.user_id)).skills]
    catalogue = await ctx.market.users.skills_catalogue()
    pages = skill_pages(catalogue)
    page = next((n for n, p in enumerate(pages) if any(s.id in selected for s in p)), 0)
    await ctx.state.clear()
    await ctx.state.set_state(AlertsForm.skills)
    await ctx.state.update_data(skills=selected, sk_page=page)
    text, markup = picker(
        catalogue, selected, page, _prompt, done=profile_texts.skills_done(len(selected))
    )
    await ctx.bot.send_message(ctx.actor.telegram_id, text, reply_markup=markup)


async def _take_skills(slugs: list[str], ctx: Ctx) -> None:
    await ctx.market.subscriptions.set_skills(ctx.actor, slugs)
    await _saved(ctx)


skill_step(AlertsForm.skills, always(_prompt), _take_skills)


router.reminds("skills_not_text", AlertsForm.skills, ~F.text, text=texts.skills_as_buttons)


# --- minimum budget --------------------------------------------------------------------------


def _budget_keyboard(settings: BotSettings) -> InlineKeyboardMarkup:
    money = settings.money
    scale: int = 10**money.exponent
    picks = [
        InlineKeyboardButton(
            text=money.format(amount), callback_data=AlertBudgetCb(value=amount).pack()
        )
        for amount in (units * scale for units in BUDGET_PICKS)
    ]
    any_budget = InlineKeyboardButton(
        text=texts.any_budget(), callback_data=AlertBudgetCb(value=0).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[[any_budget], picks[:2], picks[2:], cancel_row()])


@router.callback_query(AlertsCb.filter(F.action == "budget"))
async def start_budget(query: CallbackQuery, ctx: Ctx) -> None:
    view = await ctx.market.subscriptions.of(ctx.actor.user_id)
    current = view.min_budget if view is not None else 0
    await ctx.state.clear()
    await ask(
        ctx,
        ctx.actor.telegram_id,
        AlertsForm.min_budget,
        texts.ask_min_budget(current, ctx.settings.money),
        _budget_keyboard(ctx.settings),
    )


@router.callback_query(AlertsForm.min_budget, AlertBudgetCb.filter())
async def picked_budget(query: CallbackQuery, callback_data: AlertBudgetCb, ctx: Ctx) -> None:
    await ctx.market.subscriptions.set_min_budget(ctx.actor, callback_data.value)
    await _saved(ctx)


@router.message(AlertsForm.min_budget, TYPED)
async def typed_budget(message: Message, ctx: Ctx) -> None:
    text = (message.text or "").strip()
    any_budget = {"any", texts.budget_text(0, ctx.settings.money).casefold()}
    amount = 0 if text.casefold() in any_budget else ctx.settings.money.parse(text)
    await ctx.market.subscriptions.set_min_budget(ctx.actor, amount)
    await _saved(ctx)


@router.message(AlertsForm.min_budget, ~F.text)
async def budget_not_text(message: Message, settings: BotSettings) -> None:
    await message.answer(texts.budget_not_text(), reply_markup=_budget_keyboard(settings))
