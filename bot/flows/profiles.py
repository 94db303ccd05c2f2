"""The profile wizard: headline → bio → skills → hourly rate → portfolio links.

Each step saves through ``market.users.update_profile`` as soon as it is valid, so the
core rules judge every answer and a refusal leaves the person on the same step. The
wizard can walk every field, only the missing ones, or a single field (Edit buttons).

The skill picker it shows is ``bot.picker``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import FlowCb, ProfileEditCb
from bot.context import Ctx
from bot.keyboards import cancel_row, only_cancel
from bot.picker import (
    PROFILE_MAX_SKILLS,
    Prompt,
    picker,
    skill_step,
)
from bot.routers import Area
from bot.screens.profiles import send_own_profile
from bot.texts import common
from bot.texts import profiles as texts
from bot.ui import TYPED

router = Area("flows.profiles")

# --- the skill picker -----------------------------------------------------------------------


# --- the wizard ------------------------------------------------------------------------------


class ProfileForm(StatesGroup):
    headline = State()
    bio = State()
    skills = State()
    rate = State()
    portfolio = State()


STEPS = ("headline", "bio", "skills", "rate", "portfolio")
STATE_OF = {
    "headline": ProfileForm.headline,
    "bio": ProfileForm.bio,
    "skills": ProfileForm.skills,
    "rate": ProfileForm.rate,
    "portfolio": ProfileForm.portfolio,
}
STEP_OF_MISSING = {"headline": "headline", "bio": "bio", "skills": "skills", "hourly_rate": "rate"}


def _step(data: dict[str, Any]) -> str:
    """ "Step n of total" of the wizard's current step ("" for a single field)."""
    return texts.step(int(data["total"]) - len(data["steps"]) + 1, int(data["total"]))


async def _skills_prompt(state: FSMContext) -> Prompt:
    """The skills step's prompt, its step line kept on every page and toggle."""
    head = _step(await state.get_data())

    def prompt(page: int, pages: int, categories: Sequence[str]) -> str:
        return head + texts.ask_skills(PROFILE_MAX_SKILLS, page, pages, categories)

    return prompt


def _keep_keyboard(step: str, has_value: bool) -> InlineKeyboardMarkup:
    """Cancel, and Keep (this step's answer as it is) when there is one; Keep names its
    step so an old Keep button of an earlier step cannot skip the current one."""
    if not has_value:
        return only_cancel()
    data = FlowCb(action=f"keep_{step}").pack()
    keep = InlineKeyboardButton(text=texts.keep(), callback_data=data)
    return InlineKeyboardMarkup(inline_keyboard=[[keep], cancel_row()])


def _portfolio_keyboard(has_links: bool) -> InlineKeyboardMarkup:
    done = texts.done() if has_links else texts.skip()
    rows = [[InlineKeyboardButton(text=done, callback_data=FlowCb(action="done").pack())]]
    if has_links:
        data = FlowCb(action="clear").pack()
        rows.append([InlineKeyboardButton(text=texts.clear_links(), callback_data=data)])
    rows.append(cancel_row())
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _ask(ctx: Ctx) -> None:
    """Ask the current step (the first of ``steps`` in FSM data), showing today's value."""
    data = await ctx.state.get_data()
    step = data["steps"][0]
    prefix = _step(data)
    view = await ctx.market.users.profile(ctx.actor.user_id)
    profile = view.profile
    await ctx.state.set_state(STATE_OF[step])
    chat = ctx.actor.telegram_id
    if step == "headline":
        current = profile.headline if profile else ""
        markup = _keep_keyboard(step, bool(current))
        await ctx.bot.send_message(chat, prefix + texts.ask_headline(current), reply_markup=markup)
    elif step == "bio":
        current = profile.bio if profile else ""
        text = texts.ask_bio(ctx.settings.bio_min, ctx.settings.bio_max, current)
        await ctx.bot.send_message(
            chat, prefix + text, reply_markup=_keep_keyboard(step, bool(current))
        )
    elif step == "skills":
        selected = [s.id for s in view.skills]
        await ctx.state.update_data(skills=selected, sk_page=0)
        text, markup = picker(
            await ctx.market.users.skills_catalogue(),
            selected,
            0,
            await _skills_prompt(ctx.state),
            done=texts.skills_done(len(selected)),
        )
        await ctx.bot.send_message(chat, text, reply_markup=markup)
    elif step == "rate":
        rate = profile.hourly_rate if profile else None
        shown = ctx.settings.money.format(rate) if rate else None
        text = texts.ask_rate(ctx.settings.money, shown)
        await ctx.bot.send_message(
            chat, prefix + text, reply_markup=_keep_keyboard(step, bool(rate))
        )
    else:
        links = list(profile.portfolio) if profile else []
        text = texts.ask_portfolio(links, ctx.settings.portfolio_max_links)
        await ctx.bot.send_message(
            chat, prefix + text, reply_markup=_portfolio_keyboard(bool(links))
        )


async def _advance(ctx: Ctx) -> None:
    """The current step is done: ask the next one, or show the saved profile."""
    data = await ctx.state.get_data()
    done, *rest = data["steps"]
    if rest:
        await ctx.state.update_data(steps=rest)
        await _ask(ctx)
        return
    await ctx.state.clear()
    header = texts.profile_saved() if int(data["total"]) > 1 else texts.field_saved(done)
    await send_own_profile(ctx, header)


@router.callback_query(ProfileEditCb.filter())
async def start(query: CallbackQuery, callback_data: ProfileEditCb, ctx: Ctx) -> None:
    field = callback_data.field
    if field == "missing":
        missing = (await ctx.market.users.profile(ctx.actor.user_id)).missing
        steps = [STEP_OF_MISSING[m] for m in missing if m in STEP_OF_MISSING] or list(STEPS)
    elif field in STEPS:
        steps = [field]
    else:
        steps = list(STEPS)
    await ctx.state.clear()
    await ctx.state.update_data(steps=steps, total=len(steps))
    await _ask(ctx)


@router.callback_query(StateFilter(ProfileForm), FlowCb.filter(F.action.startswith("keep_")))
async def keep(query: CallbackQuery, callback_data: FlowCb, ctx: Ctx) -> None:
    steps = (await ctx.state.get_data()).get("steps") or [""]
    if callback_data.action != f"keep_{steps[0]}":
        ctx.callback_reply.text, ctx.callback_reply.alert = common.stale_button(), True
        return
    await _advance(ctx)


@router.callback_query(ProfileForm.portfolio, FlowCb.filter(F.action == "done"))
async def portfolio_done(query: CallbackQuery, ctx: Ctx) -> None:
    await _advance(ctx)


# headline and bio


@router.message(StateFilter(ProfileForm.headline, ProfileForm.bio), TYPED)
async def got_text(message: Message, ctx: Ctx, raw_state: str) -> None:
    """A headline or a bio: the field is the one the state is named for."""
    if raw_state == ProfileForm.headline.state:
        await ctx.market.users.update_profile(ctx.actor, headline=message.text)
    else:
        await ctx.market.users.update_profile(ctx.actor, bio=message.text)
    await _advance(ctx)


# skills


# hourly rate


@router.message(ProfileForm.rate, TYPED)
async def got_rate(message: Message, ctx: Ctx) -> None:
    amount = ctx.settings.money.parse(message.text or "")
    await ctx.market.users.update_profile(ctx.actor, hourly_rate=amount)
    await _advance(ctx)


# portfolio


@router.message(ProfileForm.portfolio, TYPED)
async def got_link(message: Message, ctx: Ctx) -> None:
    view = await ctx.market.users.profile(ctx.actor.user_id)
    links = list(view.profile.portfolio) if view.profile else []
    saved = await ctx.market.users.update_profile(ctx.actor, portfolio=[*links, message.text or ""])
    count = len(saved.profile.portfolio) if saved.profile else 0
    await message.answer(
        texts.portfolio_added(count, ctx.settings.portfolio_max_links),
        reply_markup=_portfolio_keyboard(True),
    )


@router.callback_query(ProfileForm.portfolio, FlowCb.filter(F.action == "clear"))
async def clear_links(query: CallbackQuery, ctx: Ctx) -> None:
    await ctx.market.users.update_profile(ctx.actor, portfolio=[])
    await ctx.bot.send_message(
        ctx.actor.telegram_id, texts.portfolio_cleared(), reply_markup=_portfolio_keyboard(False)
    )


# anything but text where text is asked


router.reminds(
    "link_not_text",
    ProfileForm.portfolio,
    ~F.text,
    text=texts.not_a_link_message,
    reply_markup=lambda: _portfolio_keyboard(False),
)


async def _take_skills(slugs: list[str], ctx: Ctx) -> None:
    await ctx.market.users.update_profile(ctx.actor, skills=slugs)
    await _advance(ctx)


skill_step(ProfileForm.skills, _skills_prompt, _take_skills)


router.reminds("skills_not_text", ProfileForm.skills, ~F.text, text=texts.skills_as_buttons)


for step, field in (
    (ProfileForm.headline, "headline"),
    (ProfileForm.bio, "bio"),
    (ProfileForm.rate, "rate"),
):
    router.reminds("not_text", step, ~F.text, text=partial(texts.not_text, field))
