"""Posting a project: title → description → skills → budget → files → preview → publish
(or save as a draft); and the small conversation that edits one part of a project.

Every answer is checked by core (``projects.check_fields``) at its own step, so a bad
answer is re-asked right there; the project is only created at the end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import FlowCb, MenuCb, ProjectCb, SkillCb
from bot.context import Ctx
from bot.keyboards import cancel_row, only_cancel
from bot.picker import (
    always,
    picker,
    skill_step,
    slugs_of,
)
from bot.routers import Area
from bot.screens.projects import send_owner_card
from bot.texts import common
from bot.texts import profiles as profile_texts
from bot.texts import projects as texts
from bot.texts import skills as skill_names
from bot.ui import TYPED, ask, keep_search, send_long
from core.money import Currency
from core.services.projects import MAX_SKILLS, Attachment
from storage.models import Skill

router = Area("flows.projects")

_RANGE = re.compile(r"\s*(?:–|—|-|\.\.|\bto\b)\s*", re.IGNORECASE)


class PostForm(StatesGroup):
    title = State()
    description = State()
    skills = State()
    budget = State()
    budget_max = State()
    files = State()
    preview = State()


class EditForm(StatesGroup):
    choose = State()
    title = State()
    description = State()
    skills = State()
    budget = State()


class EditFieldCb(CallbackData, prefix="mpf"):
    """Which part of a project to edit: ``title``, ``description``, ``budget``, ``skills``."""

    field: str


def budget_parts(text: str) -> tuple[str, str | None] | None:
    """ "100-500", "100 – 500", "100 to 500" or "300"; None when it is neither."""
    parts = [p for p in _RANGE.split(text.strip()) if p]
    if len(parts) == 1:
        return parts[0], None
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


def _prompt(page: int, pages: int, categories: Sequence[str]) -> str:
    return texts.ask_project_skills(MAX_SKILLS, page, pages, categories)


skill_step(EditForm.skills, always(_prompt))  # Done saves the edit (edit_skills_done)


def _flow_button(label: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=FlowCb(action=action).pack())


def _done_keyboard(any_files: bool) -> InlineKeyboardMarkup:
    label = common.files_done() if any_files else common.files_skip()
    return InlineKeyboardMarkup(inline_keyboard=[[_flow_button(label, "done")], cancel_row()])


def _names(ids: Sequence[int], catalogue: Sequence[Skill]) -> list[str]:
    return [skill_names.skill(s) for s in catalogue if s.id in ids]


# --- posting ---------------------------------------------------------------------------------


async def _start(ctx: Ctx) -> None:
    await keep_search(ctx.state)
    await ask(
        ctx,
        ctx.actor.telegram_id,
        PostForm.title,
        texts.ask_title(ctx.settings.title_min, ctx.settings.title_max),
    )


@router.message(Command("post"))
@router.callback_query(MenuCb.filter(F.action == "post"))
async def post(event: Message | CallbackQuery, ctx: Ctx) -> None:
    await _start(ctx)


@router.message(PostForm.title, TYPED)
async def got_title(message: Message, ctx: Ctx) -> None:
    title = (message.text or "").strip()
    await ctx.market.projects.check_fields(title=title)
    await ctx.state.update_data(title=title)
    await ctx.state.set_state(PostForm.description)
    await message.answer(
        texts.ask_description(ctx.settings.description_min, ctx.settings.description_max),
        reply_markup=only_cancel(),
    )


@router.message(PostForm.description, TYPED)
async def got_description(message: Message, ctx: Ctx) -> None:
    description = (message.text or "").strip()
    await ctx.market.projects.check_fields(description=description)
    await ctx.state.update_data(description=description, skills=[], sk_page=0)
    await ctx.state.set_state(PostForm.skills)
    text, markup = picker(
        await ctx.market.users.skills_catalogue(), [], 0, _prompt, done=profile_texts.skills_done(0)
    )
    await message.answer(text, reply_markup=markup)


async def _take_skills(slugs: list[str], ctx: Ctx) -> None:
    await ctx.market.projects.check_fields(skills=slugs)
    catalogue = await ctx.market.users.skills_catalogue()
    await ctx.state.update_data(skills=[s.id for s in catalogue if s.slug in slugs])
    await ctx.state.set_state(PostForm.budget)
    money = ctx.settings.money
    await ctx.bot.send_message(
        ctx.actor.telegram_id,
        texts.ask_budget(money, money.format(ctx.settings.min_budget)),
        reply_markup=only_cancel(),
    )


skill_step(PostForm.skills, always(_prompt), _take_skills)


async def _ask_files(ctx: Ctx) -> None:
    await ctx.state.update_data(files=[])
    await ask(
        ctx,
        ctx.actor.telegram_id,
        PostForm.files,
        texts.ask_files(ctx.settings.max_attachments),
        _done_keyboard(False),
    )


@router.message(PostForm.budget, TYPED)
async def got_budget(message: Message, ctx: Ctx) -> None:
    parts = budget_parts(message.text or "")
    if parts is None:
        await message.answer(texts.bad_budget())
        return
    lo = ctx.settings.money.parse(parts[0])
    hi = ctx.settings.money.parse(parts[1]) if parts[1] is not None else None
    await ctx.market.projects.check_fields(budget_min=lo, budget_max=hi)
    if hi is None:
        await ctx.state.update_data(budget_min=lo)
        await ctx.state.set_state(PostForm.budget_max)
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[_flow_button(texts.fixed_price(), "fixed")], cancel_row()]
        )
        await message.answer(
            texts.ask_budget_max(ctx.settings.money.format(lo)), reply_markup=markup
        )
        return
    await ctx.state.update_data(budget_min=lo, budget_max=hi)
    await _ask_files(ctx)


@router.message(PostForm.budget_max, TYPED)
async def got_budget_max(message: Message, ctx: Ctx) -> None:
    lo = int((await ctx.state.get_data())["budget_min"])
    hi = ctx.settings.money.parse(message.text or "")
    await ctx.market.projects.check_fields(budget_min=lo, budget_max=hi)
    await ctx.state.update_data(budget_max=hi)
    await _ask_files(ctx)


@router.callback_query(PostForm.budget_max, FlowCb.filter(F.action == "fixed"))
async def fixed_price(query: CallbackQuery, ctx: Ctx) -> None:
    lo = int((await ctx.state.get_data())["budget_min"])
    await ctx.state.update_data(budget_max=lo)
    await _ask_files(ctx)


def _attachments(files: Sequence[dict[str, Any]]) -> list[Attachment]:
    return [Attachment(f["file_id"], f["kind"], f.get("file_name")) for f in files]


@router.message(PostForm.files, F.document | F.photo)
async def got_file(message: Message, ctx: Ctx) -> None:
    if message.document is not None:
        new = {
            "file_id": message.document.file_id,
            "kind": "document",
            "file_name": message.document.file_name,
        }
    else:
        assert message.photo
        new = {"file_id": message.photo[-1].file_id, "kind": "photo", "file_name": None}
    files = [*(await ctx.state.get_data()).get("files", []), new]
    await ctx.market.projects.check_fields(attachments=_attachments(files))
    await ctx.state.update_data(files=files)
    await message.answer(
        common.file_added(len(files), ctx.settings.max_attachments),
        reply_markup=_done_keyboard(True),
    )


@router.message(PostForm.files)
async def not_a_file(message: Message, state: FSMContext) -> None:
    any_files = bool((await state.get_data()).get("files"))
    await message.answer(common.files_reask(any_files), reply_markup=_done_keyboard(any_files))


def preview_text(data: dict[str, Any], catalogue: Sequence[Skill], money: Currency) -> str:
    files = len(data.get("files", []))
    return texts.card(
        str(data["title"]),
        str(data["description"]),
        _names(data["skills"], catalogue),
        int(data["budget_min"]),
        int(data["budget_max"]),
        money,
        facts=[texts.files_count(files)] if files else [],
        header=texts.preview_header() + "\n",
    )


@router.callback_query(PostForm.files, FlowCb.filter(F.action == "done"))
async def preview(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    await ctx.state.set_state(PostForm.preview)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _flow_button(texts.publish_now(), "publish"),
                _flow_button(texts.save_draft(), "draft"),
            ],
            cancel_row(),
        ]
    )
    text = preview_text(data, await ctx.market.users.skills_catalogue(), ctx.settings.money)
    await send_long(ctx.bot, ctx.actor.telegram_id, text, markup)


@router.callback_query(PostForm.preview, FlowCb.filter(F.action.in_({"publish", "draft"})))
async def create(query: CallbackQuery, callback_data: FlowCb, ctx: Ctx, bot_username: str) -> None:
    data = await ctx.state.get_data()
    catalogue = await ctx.market.users.skills_catalogue()
    project = await ctx.market.projects.create_draft(
        ctx.actor,
        title=str(data["title"]),
        description=str(data["description"]),
        skills=slugs_of(data["skills"], catalogue),
        budget_min=int(data["budget_min"]),
        budget_max=int(data["budget_max"]),
        attachments=_attachments(data.get("files", [])),
    )
    if callback_data.action == "publish":
        await ctx.market.projects.publish(ctx.actor, project.id)
        header = texts.published(project.title)
    else:
        header = texts.draft_saved(project.title)
    await keep_search(ctx.state)
    await send_owner_card(
        ctx,
        project.id,
        bot_username,
        header + "\n",
    )


@router.message(
    StateFilter(PostForm.title, PostForm.description, PostForm.budget, PostForm.budget_max),
    ~F.text,
)
async def not_text(message: Message, state: FSMContext) -> None:
    what = {
        PostForm.title.state: "title",
        PostForm.description.state: "description",
        PostForm.budget.state: "budget",
        PostForm.budget_max.state: "budget_max",
    }
    await message.answer(texts.not_text(what.get(await state.get_state() or "", "answer")))


router.reminds("skills_not_text", PostForm.skills, ~F.text, text=profile_texts.skills_as_buttons)


# --- editing one part of a project -----------------------------------------------------------


@router.callback_query(ProjectCb.filter(F.action == "edit"))
async def edit_start(query: CallbackQuery, callback_data: ProjectCb, ctx: Ctx) -> None:
    project = await ctx.market.projects.check(ctx.actor, callback_data.project_id, "edit")
    await keep_search(ctx.state)
    await ctx.state.set_state(EditForm.choose)
    await ctx.state.update_data(project_id=project.id)
    fields = [
        (texts.edit_title(), "title"),
        (texts.edit_description(), "description"),
        (texts.edit_budget(), "budget"),
        (texts.edit_skills(), "skills"),
    ]
    buttons = [
        InlineKeyboardButton(text=label, callback_data=EditFieldCb(field=field).pack())
        for label, field in fields
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=[buttons[:2], buttons[2:], cancel_row()])
    await ctx.bot.send_message(ctx.actor.telegram_id, texts.edit_what(), reply_markup=markup)


@router.callback_query(EditForm.choose, EditFieldCb.filter())
async def edit_field(query: CallbackQuery, callback_data: EditFieldCb, ctx: Ctx) -> None:
    s = ctx.settings
    chat = ctx.actor.telegram_id
    if callback_data.field == "skills":
        project_id = int((await ctx.state.get_data())["project_id"])
        view = await ctx.market.projects.view(project_id, ctx.actor)
        selected = [sk.id for sk in view.skills]
        await ctx.state.update_data(skills=selected, sk_page=0)
        await ctx.state.set_state(EditForm.skills)
        text, markup = picker(
            await ctx.market.users.skills_catalogue(),
            selected,
            0,
            _prompt,
            done=profile_texts.skills_done(len(selected)),
        )
        await ctx.bot.send_message(chat, text, reply_markup=markup)
        return
    asks = {
        "title": (EditForm.title, texts.ask_new_title(s.title_min, s.title_max)),
        "description": (
            EditForm.description,
            texts.ask_new_description(s.description_min, s.description_max),
        ),
        "budget": (EditForm.budget, texts.ask_new_budget(s.money)),
    }
    target, text = asks.get(callback_data.field, asks["title"])
    await ask(ctx, chat, target, text)


async def _save_edit(ctx: Ctx, bot_username: str, **changes: Any) -> None:
    project_id = int((await ctx.state.get_data())["project_id"])
    project = await ctx.market.projects.edit(ctx.actor, project_id, **changes)
    await keep_search(ctx.state)
    await send_owner_card(ctx, project.id, bot_username, texts.edited(project.title) + "\n")


@router.message(StateFilter(EditForm.title, EditForm.description), TYPED)
async def new_text(message: Message, ctx: Ctx, raw_state: str, bot_username: str) -> None:
    """A new title or description: the field is the one the state is named for."""
    field = raw_state.rpartition(":")[2]
    await _save_edit(
        ctx,
        bot_username,
        **{field: message.text},
    )


@router.message(EditForm.budget, TYPED)
async def new_budget(message: Message, ctx: Ctx, bot_username: str) -> None:
    parts = budget_parts(message.text or "")
    if parts is None:
        await message.answer(texts.bad_budget())
        return
    lo = ctx.settings.money.parse(parts[0])
    hi = ctx.settings.money.parse(parts[1]) if parts[1] is not None else lo
    await _save_edit(
        ctx,
        bot_username,
        budget_min=lo,
        budget_max=hi,
    )


@router.callback_query(EditForm.skills, SkillCb.filter(F.skill_id == 0))
async def edit_skills_done(query: CallbackQuery, ctx: Ctx, bot_username: str) -> None:
    selected = (await ctx.state.get_data()).get("skills", [])
    slugs = slugs_of(selected, await ctx.market.users.skills_catalogue())
    await _save_edit(ctx, bot_username, skills=slugs)


router.reminds(
    "edit_not_text",
    StateFilter(EditForm.title, EditForm.description, EditForm.budget, EditForm.skills),
    ~F.text,
    text=lambda: texts.not_text("new_value"),
)
