"""The profile wizard: headline → bio → skills → hourly rate → portfolio links.

Each step saves through ``market.users.update_profile`` as soon as it is valid, so the
core rules judge every answer and a refusal leaves the person on the same step. The
wizard can walk every field, only the missing ones, or a single field (Edit buttons).

The skill picker it shows is ``bot.picker``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram import Bot, F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import FlowCb, ProfileEditCb
from bot.keyboards import cancel_row, only_cancel
from bot.middlewares import CallbackReply
from bot.picker import (
    PROFILE_MAX_SKILLS,
    Prompt,
    picker,
    skill_step,
)
from bot.routers import Area
from bot.screens.profiles import send_own_profile
from bot.settings import BotSettings
from bot.texts import common
from bot.texts import profiles as texts
from core.actors import Actor
from core.marketplace import Marketplace

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


async def _ask(
    bot: Bot, market: Marketplace, actor: Actor, settings: BotSettings, state: FSMContext
) -> None:
    """Ask the current step (the first of ``steps`` in FSM data), showing today's value."""
    data = await state.get_data()
    step = data["steps"][0]
    prefix = _step(data)
    view = await market.users.profile(actor.user_id)
    profile = view.profile
    await state.set_state(STATE_OF[step])
    chat = actor.telegram_id
    if step == "headline":
        current = profile.headline if profile else ""
        markup = _keep_keyboard(step, bool(current))
        await bot.send_message(chat, prefix + texts.ask_headline(current), reply_markup=markup)
    elif step == "bio":
        current = profile.bio if profile else ""
        text = texts.ask_bio(settings.bio_min, settings.bio_max, current)
        await bot.send_message(
            chat, prefix + text, reply_markup=_keep_keyboard(step, bool(current))
        )
    elif step == "skills":
        selected = [s.id for s in view.skills]
        await state.update_data(skills=selected, sk_page=0)
        text, markup = picker(
            await market.users.skills_catalogue(),
            selected,
            0,
            await _skills_prompt(state),
            done=texts.skills_done(len(selected)),
        )
        await bot.send_message(chat, text, reply_markup=markup)
    elif step == "rate":
        rate = profile.hourly_rate if profile else None
        shown = settings.money.format(rate) if rate else None
        text = texts.ask_rate(settings.money, shown)
        await bot.send_message(chat, prefix + text, reply_markup=_keep_keyboard(step, bool(rate)))
    else:
        links = list(profile.portfolio) if profile else []
        text = texts.ask_portfolio(links, settings.portfolio_max_links)
        await bot.send_message(chat, prefix + text, reply_markup=_portfolio_keyboard(bool(links)))


async def _advance(
    bot: Bot, market: Marketplace, actor: Actor, settings: BotSettings, state: FSMContext
) -> None:
    """The current step is done: ask the next one, or show the saved profile."""
    data = await state.get_data()
    done, *rest = data["steps"]
    if rest:
        await state.update_data(steps=rest)
        await _ask(bot, market, actor, settings, state)
        return
    await state.clear()
    header = texts.profile_saved() if int(data["total"]) > 1 else texts.field_saved(done)
    await send_own_profile(bot, market, actor, settings.money, header)


@router.callback_query(ProfileEditCb.filter())
async def start(
    query: CallbackQuery,
    callback_data: ProfileEditCb,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    field = callback_data.field
    if field == "missing":
        missing = (await market.users.profile(actor.user_id)).missing
        steps = [STEP_OF_MISSING[m] for m in missing if m in STEP_OF_MISSING] or list(STEPS)
    elif field in STEPS:
        steps = [field]
    else:
        steps = list(STEPS)
    await state.clear()
    await state.update_data(steps=steps, total=len(steps))
    await _ask(bot, market, actor, settings, state)


@router.callback_query(StateFilter(ProfileForm), FlowCb.filter(F.action.startswith("keep_")))
async def keep(
    query: CallbackQuery,
    callback_data: FlowCb,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    steps = (await state.get_data()).get("steps") or [""]
    if callback_data.action != f"keep_{steps[0]}":
        callback_reply.text, callback_reply.alert = common.stale_button(), True
        return
    await _advance(bot, market, actor, settings, state)


@router.callback_query(ProfileForm.portfolio, FlowCb.filter(F.action == "done"))
async def portfolio_done(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await _advance(bot, market, actor, settings, state)


# headline and bio


@router.message(
    StateFilter(ProfileForm.headline, ProfileForm.bio), F.text & ~F.text.startswith("/")
)
async def got_text(
    message: Message,
    state: FSMContext,
    raw_state: str,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    """A headline or a bio: the field is the one the state is named for."""
    if raw_state == ProfileForm.headline.state:
        await market.users.update_profile(actor, headline=message.text)
    else:
        await market.users.update_profile(actor, bio=message.text)
    await _advance(bot, market, actor, settings, state)


# skills


# hourly rate


@router.message(ProfileForm.rate, F.text & ~F.text.startswith("/"))
async def got_rate(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    amount = settings.money.parse(message.text or "")
    await market.users.update_profile(actor, hourly_rate=amount)
    await _advance(bot, market, actor, settings, state)


# portfolio


@router.message(ProfileForm.portfolio, F.text & ~F.text.startswith("/"))
async def got_link(
    message: Message,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    view = await market.users.profile(actor.user_id)
    links = list(view.profile.portfolio) if view.profile else []
    saved = await market.users.update_profile(actor, portfolio=[*links, message.text or ""])
    count = len(saved.profile.portfolio) if saved.profile else 0
    await message.answer(
        texts.portfolio_added(count, settings.portfolio_max_links),
        reply_markup=_portfolio_keyboard(True),
    )


@router.callback_query(ProfileForm.portfolio, FlowCb.filter(F.action == "clear"))
async def clear_links(query: CallbackQuery, bot: Bot, market: Marketplace, actor: Actor) -> None:
    await market.users.update_profile(actor, portfolio=[])
    await bot.send_message(
        actor.telegram_id, texts.portfolio_cleared(), reply_markup=_portfolio_keyboard(False)
    )


# anything but text where text is asked


router.reminds(
    "link_not_text",
    ProfileForm.portfolio,
    ~F.text,
    text=texts.not_a_link_message,
    reply_markup=lambda: _portfolio_keyboard(False),
)


async def _take_skills(
    slugs: list[str],
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await market.users.update_profile(actor, skills=slugs)
    await _advance(bot, market, actor, settings, state)


skill_step(ProfileForm.skills, _skills_prompt, _take_skills)


router.reminds("skills_not_text", ProfileForm.skills, ~F.text, text=texts.skills_as_buttons)


@router.message(StateFilter(ProfileForm.headline, ProfileForm.bio, ProfileForm.rate), ~F.text)
async def not_text(message: Message, state: FSMContext) -> None:
    field = {
        ProfileForm.headline.state: "headline",
        ProfileForm.bio.state: "bio",
        ProfileForm.rate.state: "rate",
    }
    await message.answer(texts.not_text(field.get(await state.get_state() or "", "")))
