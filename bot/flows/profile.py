"""The profile wizard: headline → bio → skills → hourly rate → portfolio links.

Each step saves through ``market.users.update_profile`` as soon as it is valid, so the
core rules judge every answer and a refusal leaves the person on the same step. The
wizard can walk every field, only the missing ones, or a single field (Edit buttons).

Also home of the skill picker (a paged toggle keyboard over the catalogue) that the
project conversations and the skill filter of Find work reuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from itertools import groupby
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import FlowCb, PageCb, SkillCb
from bot.handlers.profile import ProfileEditCb, send_own_profile
from bot.handlers.projects import replace
from bot.keyboards import cancel_row, only_cancel
from bot.middlewares import CallbackReply
from bot.settings import BotSettings
from bot.texts import common
from bot.texts import profile as texts
from core.actors import Actor
from core.marketplace import Marketplace
from storage.models import Skill

router = Router(name="profile_flow")

# --- the skill picker -----------------------------------------------------------------------

PICKER_PAGE = 14
PROFILE_MAX_SKILLS = 10  # what users.update_profile accepts; core refuses more on Done
_SEPARATORS = re.compile(r"[,;\n]+")

Prompt = Callable[[int, int, Sequence[str]], str]  # (page, pages, categories) -> text


def skill_pages(catalogue: Sequence[Skill]) -> list[list[Skill]]:
    """The catalogue (ordered by category) in pages of whole categories where they fit."""
    pages: list[list[Skill]] = []
    current: list[Skill] = []
    for _, group in groupby(catalogue, key=lambda s: s.category):
        items = list(group)
        if current and len(current) + len(items) > PICKER_PAGE:
            pages.append(current)
            current = []
        while len(items) > PICKER_PAGE:
            pages.append(items[:PICKER_PAGE])
            items = items[PICKER_PAGE:]
        current += items
    if current:
        pages.append(current)
    return pages or [[]]


def picker(
    catalogue: Sequence[Skill],
    selected: Collection[int],
    page: int,
    prompt: Prompt,
    *,
    done: str | None,
    any_label: str | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the picker: skills two a row (✅ when chosen), ‹ › between pages, then
    Done (``SkillCb(0)``) or, for a filter, "any skill"."""
    pages = skill_pages(catalogue)
    page = min(max(page, 0), len(pages) - 1)
    shown = pages[page]
    buttons = [
        InlineKeyboardButton(
            text=texts.skill_label(s, s.id in selected),
            callback_data=SkillCb(skill_id=s.id).pack(),
        )
        for s in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    nav = []
    if page > 0:
        data = PageCb(kind="sk", cursor=str(page - 1)).pack()
        nav.append(InlineKeyboardButton(text=texts.PREV, callback_data=data))
    if page < len(pages) - 1:
        data = PageCb(kind="sk", cursor=str(page + 1)).pack()
        nav.append(InlineKeyboardButton(text=texts.NEXT, callback_data=data))
    if nav:
        rows.append(nav)
    if done is not None:
        rows.append([InlineKeyboardButton(text=done, callback_data=SkillCb(skill_id=0).pack())])
    if any_label is not None:
        data = SkillCb(skill_id=0).pack()
        rows.append([InlineKeyboardButton(text=any_label, callback_data=data)])
    rows.append(cancel_row())
    categories = list(dict.fromkeys(s.category for s in shown))
    return prompt(page, len(pages), categories), InlineKeyboardMarkup(inline_keyboard=rows)


def typed_skills(text: str, catalogue: Sequence[Skill]) -> list[str]:
    """Skills typed as words ("Python, logo design"): matched by slug or name; anything
    unmatched is passed on as typed, for core to refuse by name."""
    by_key = {s.slug.casefold(): s.slug for s in catalogue}
    by_key.update({s.name.casefold(): s.slug for s in catalogue})
    parts = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
    return [by_key.get(p.casefold(), p) for p in parts]


def slugs_of(ids: Collection[int], catalogue: Sequence[Skill]) -> list[str]:
    return [s.slug for s in catalogue if s.id in ids]


async def picker_toggle(
    query: CallbackQuery,
    skill_id: int,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    callback_reply: CallbackReply,
    prompt: Prompt,
) -> None:
    """Toggle one skill of the selection kept in FSM data (``skills``) and redraw."""
    catalogue = await market.users.skills_catalogue()
    if skill_id not in {s.id for s in catalogue}:
        callback_reply.text, callback_reply.alert = texts.UNKNOWN_SKILL_BUTTON, True
        return
    data = await state.get_data()
    selected = [i for i in data.get("skills", []) if i != skill_id]
    if len(selected) == len(data.get("skills", [])):
        selected.append(skill_id)
    await state.update_data(skills=selected)
    text, markup = picker(
        catalogue,
        selected,
        int(data.get("sk_page", 0)),
        prompt,
        done=texts.skills_done(len(selected)),
    )
    await replace(bot, query, text, markup)


async def picker_turn(
    query: CallbackQuery,
    cursor: str,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    prompt: Prompt,
    *,
    multi: bool = True,
    any_label: str | None = None,
) -> None:
    """Show another page of the picker."""
    page = int(cursor) if cursor.isdigit() else 0
    await state.update_data(sk_page=page)
    selected = (await state.get_data()).get("skills", [])
    text, markup = picker(
        await market.users.skills_catalogue(),
        selected,
        page,
        prompt,
        done=texts.skills_done(len(selected)) if multi else None,
        any_label=any_label,
    )
    await replace(bot, query, text, markup)


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
    keep = InlineKeyboardButton(text=texts.KEEP, callback_data=data)
    return InlineKeyboardMarkup(inline_keyboard=[[keep], cancel_row()])


def _portfolio_keyboard(has_links: bool) -> InlineKeyboardMarkup:
    done = texts.DONE if has_links else texts.SKIP
    rows = [[InlineKeyboardButton(text=done, callback_data=FlowCb(action="done").pack())]]
    if has_links:
        data = FlowCb(action="clear").pack()
        rows.append([InlineKeyboardButton(text=texts.CLEAR_LINKS, callback_data=data)])
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
    header = texts.PROFILE_SAVED if int(data["total"]) > 1 else texts.field_saved(done)
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
        callback_reply.text, callback_reply.alert = common.STALE_BUTTON, True
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


@router.message(ProfileForm.headline, F.text & ~F.text.startswith("/"))
async def got_headline(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await market.users.update_profile(actor, headline=message.text)
    await _advance(bot, market, actor, settings, state)


@router.message(ProfileForm.bio, F.text & ~F.text.startswith("/"))
async def got_bio(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await market.users.update_profile(actor, bio=message.text)
    await _advance(bot, market, actor, settings, state)


# skills


@router.callback_query(ProfileForm.skills, SkillCb.filter(F.skill_id != 0))
async def toggle_skill(
    query: CallbackQuery,
    callback_data: SkillCb,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    callback_reply: CallbackReply,
) -> None:
    prompt = await _skills_prompt(state)
    await picker_toggle(query, callback_data.skill_id, state, bot, market, callback_reply, prompt)


@router.callback_query(ProfileForm.skills, PageCb.filter(F.kind == "sk"))
async def skills_page(
    query: CallbackQuery,
    callback_data: PageCb,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
) -> None:
    await picker_turn(query, callback_data.cursor, state, bot, market, await _skills_prompt(state))


@router.callback_query(ProfileForm.skills, SkillCb.filter(F.skill_id == 0))
async def skills_done(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    selected = (await state.get_data()).get("skills", [])
    slugs = slugs_of(selected, await market.users.skills_catalogue())
    await market.users.update_profile(actor, skills=slugs)
    await _advance(bot, market, actor, settings, state)


@router.message(ProfileForm.skills, F.text & ~F.text.startswith("/"))
async def typed_skills_step(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    slugs = typed_skills(message.text or "", await market.users.skills_catalogue())
    await market.users.update_profile(actor, skills=slugs)
    await _advance(bot, market, actor, settings, state)


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
        actor.telegram_id, texts.PORTFOLIO_CLEARED, reply_markup=_portfolio_keyboard(False)
    )


# anything but text where text is asked


@router.message(ProfileForm.portfolio, ~F.text)
async def link_not_text(message: Message) -> None:
    await message.answer(texts.NOT_A_LINK_MESSAGE, reply_markup=_portfolio_keyboard(False))


@router.message(ProfileForm.skills, ~F.text)
async def skills_not_text(message: Message) -> None:
    await message.answer(texts.SKILLS_AS_BUTTONS)


@router.message(StateFilter(ProfileForm.headline, ProfileForm.bio, ProfileForm.rate), ~F.text)
async def not_text(message: Message, state: FSMContext) -> None:
    what = {
        ProfileForm.headline.state: "headline",
        ProfileForm.bio.state: "bio",
        ProfileForm.rate.state: "hourly rate",
    }
    await message.answer(texts.not_text(what.get(await state.get_state() or "", "answer")))
