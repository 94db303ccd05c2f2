"""My projects: the employer's list and project card, publishing drafts, cancelling.
The card itself is in ``bot.screens.projects`` (the post wizard sends it too)."""

from __future__ import annotations

from aiogram import F
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, ProjectCb
from bot.context import Ctx
from bot.keyboards import back_to_menu
from bot.routers import Area
from bot.screens.projects import send_owner_card
from bot.texts import projects as texts
from bot.ui import page_row, replace, send_or_replace

router = Area("handlers.projects")

PAGE = 8


# --- sending helpers -------------------------------------------------------------------------


# --- the owner's project card ----------------------------------------------------------------


# --- my projects -----------------------------------------------------------------------------


@router.screen("projects")
@router.pages("myp")
async def my_projects(ctx: Ctx, offset: int = 0, query: CallbackQuery | None = None) -> None:
    found = await ctx.market.projects.of_employer(ctx.actor, limit=PAGE + 1, offset=offset)
    kb = InlineKeyboardBuilder()
    if not found:
        kb.button(text=texts.post_one(), callback_data=MenuCb(action="post"))
        kb.row(back_to_menu())
        markup = kb.as_markup()
        await ctx.bot.send_message(ctx.actor.telegram_id, texts.no_projects(), reply_markup=markup)
        return
    shown = found[:PAGE]
    views = await ctx.market.projects.listings(shown, ctx.actor)
    for n, project in enumerate(shown, offset + 1):
        kb.row(
            InlineKeyboardButton(
                text=f"{texts.STATUS_ICON[project.status]} {texts.list_button(n, project)}",
                callback_data=ProjectCb(action="view", project_id=project.id).pack(),
            )
        )
    more = len(found) > PAGE
    nav = page_row("myp", offset, PAGE, more, texts.prev_page(), texts.next_page())
    if nav:
        kb.row(*nav)
    kb.row(back_to_menu())
    text = texts.my_projects(views, ctx.settings.money, offset + 1)
    await send_or_replace(ctx.bot, ctx.actor.telegram_id, query, text, kb.as_markup())


# --- publish, cancel -------------------------------------------------------------------------


@router.callback_query(ProjectCb.filter(F.action == "publish"))
async def publish(
    query: CallbackQuery, callback_data: ProjectCb, ctx: Ctx, bot_username: str
) -> None:
    project = await ctx.market.projects.publish(ctx.actor, callback_data.project_id)
    await send_owner_card(
        ctx,
        project.id,
        bot_username,
        texts.published(project.title) + "\n",
    )


@router.callback_query(ProjectCb.filter(F.action == "cancel"))
async def cancel_ask(query: CallbackQuery, callback_data: ProjectCb, ctx: Ctx) -> None:
    project = await ctx.market.projects.check(ctx.actor, callback_data.project_id, "cancel")
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts.yes_cancel(), callback_data=ProjectCb(action="cancel_ok", project_id=project.id)
    )
    kb.button(text=texts.no_keep(), callback_data=ProjectCb(action="view", project_id=project.id))
    await ctx.bot.send_message(
        ctx.actor.telegram_id, texts.confirm_cancel(project.title), reply_markup=kb.as_markup()
    )


@router.callback_query(ProjectCb.filter(F.action == "cancel_ok"))
async def cancel_confirmed(query: CallbackQuery, callback_data: ProjectCb, ctx: Ctx) -> None:
    project = await ctx.market.projects.cancel(ctx.actor, callback_data.project_id)
    await replace(ctx.bot, query, texts.cancelled(project.title), None)
