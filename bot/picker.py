"""The skill picker: a paged toggle keyboard over the skill catalogue, shared by the
profile and project wizards, alert subscriptions and the skill filter of Find work.

Its toggle and page buttons are handled here, once, for every wizard step that declares
itself with ``skill_step``; each wizard keeps only what Done (or typed skills) does."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from itertools import groupby

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)

from bot.callbacks import PageCb, SkillCb
from bot.context import Ctx
from bot.keyboards import cancel_row
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.texts import profiles as texts
from bot.texts import projects as project_texts
from bot.texts import skills as skill_names
from bot.ui import TYPED, replace
from core.marketplace import Marketplace
from storage.models import Skill

PICKER_PAGE = 14
PROFILE_MAX_SKILLS = 10  # what users.update_profile accepts; core refuses more on Done
_SEPARATORS = re.compile(r"[,;\n]+")

Prompt = Callable[[int, int, Sequence[str]], str]  # (page, pages, categories) -> text
PromptOf = Callable[[FSMContext], Awaitable[Prompt]]  # a step's prompt, from its FSM data

#: What a skills step does with the skills chosen (Done) or typed: the wizard's next step.
Take = Callable[[list[str], Ctx], Awaitable[None]]

router = Area("picker")
_steps: dict[str, PromptOf] = {}
_takes: dict[str, Take] = {}


def skill_step(state: State, prompt_of: PromptOf, take: Take | None = None) -> None:
    """Let the picker's toggle and page buttons work in ``state`` (a wizard's skills
    step), worded by the prompt ``prompt_of`` gives for the wizard's data; and, with
    ``take``, Done and skills typed as words too, handing the skills to ``take``."""
    _steps[str(state.state)] = prompt_of
    if take is not None:
        _takes[str(state.state)] = take


def always(prompt: Prompt) -> PromptOf:
    """A step whose prompt does not depend on the wizard's data."""

    async def prompt_of(_: FSMContext) -> Prompt:
        return prompt

    return prompt_of


def _in_skill_step(_: TelegramObject, raw_state: str | None = None) -> bool:
    return raw_state in _steps


def _takes_skills(_: TelegramObject, raw_state: str | None = None) -> bool:
    return raw_state in _takes


@router.callback_query(_in_skill_step, SkillCb.filter(F.skill_id != 0))
async def toggle(query: CallbackQuery, callback_data: SkillCb, ctx: Ctx, raw_state: str) -> None:
    prompt = await _steps[raw_state](ctx.state)
    await picker_toggle(
        query, callback_data.skill_id, ctx.state, ctx.bot, ctx.market, ctx.callback_reply, prompt
    )


@router.callback_query(_in_skill_step, PageCb.filter(F.kind == "sk"))
async def turn(query: CallbackQuery, callback_data: PageCb, ctx: Ctx, raw_state: str) -> None:
    prompt = await _steps[raw_state](ctx.state)
    await picker_turn(query, callback_data.cursor, ctx.state, ctx.bot, ctx.market, prompt)


@router.callback_query(_takes_skills, SkillCb.filter(F.skill_id == 0))
@router.message(_takes_skills, TYPED)
async def take(event: CallbackQuery | Message, ctx: Ctx, raw_state: str) -> None:
    """Done (the skills chosen) or skills typed as words: on to the wizard's next step."""
    catalogue = await ctx.market.users.skills_catalogue()
    if isinstance(event, Message):
        slugs = typed_skills(event.text or "", catalogue)
    else:
        slugs = slugs_of((await ctx.state.get_data()).get("skills", []), catalogue)
    await _takes[raw_state](slugs, ctx)


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
        nav.append(InlineKeyboardButton(text=project_texts.prev_page(), callback_data=data))
    if page < len(pages) - 1:
        data = PageCb(kind="sk", cursor=str(page + 1)).pack()
        nav.append(InlineKeyboardButton(text=project_texts.next_page(), callback_data=data))
    if nav:
        rows.append(nav)
    if done is not None:
        rows.append([InlineKeyboardButton(text=done, callback_data=SkillCb(skill_id=0).pack())])
    if any_label is not None:
        data = SkillCb(skill_id=0).pack()
        rows.append([InlineKeyboardButton(text=any_label, callback_data=data)])
    rows.append(cancel_row())
    categories = list(dict.fromkeys(skill_names.category(s.category) for s in shown))
    return prompt(page, len(pages), categories), InlineKeyboardMarkup(inline_keyboard=rows)


def typed_skills(text: str, catalogue: Sequence[Skill]) -> list[str]:
    """Skills typed as words ("Python, logo design"): matched by slug or name; anything
    unmatched is passed on as typed, for core to refuse by name."""
    by_key = {s.slug.casefold(): s.slug for s in catalogue}
    by_key.update(skill_names.names(catalogue))
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
        callback_reply.text, callback_reply.alert = texts.unknown_skill_button(), True
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
