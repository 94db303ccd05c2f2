"""My projects: the employer's list and project card, publishing drafts, cancelling.
The card itself is in ``bot.screens.projects`` (the post wizard sends it too)."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuCb, PageCb, ProjectCb
from bot.keyboards import back_to_menu
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.screens.projects import send_owner_card
from bot.settings import BotSettings
from bot.texts import projects as texts
from bot.ui import replace
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency

router = Area("handlers.projects")

PAGE = 8


# --- sending helpers -------------------------------------------------------------------------


# --- the owner's project card ----------------------------------------------------------------


# --- my projects -----------------------------------------------------------------------------


async def _send_my_projects(
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    money: Currency,
    offset: int,
    query: CallbackQuery | None = None,
) -> None:
    found = await market.projects.of_employer(actor, limit=PAGE + 1, offset=offset)
    kb = InlineKeyboardBuilder()
    if not found:
        kb.button(text=texts.post_one(), callback_data=MenuCb(action="post"))
        kb.row(back_to_menu())
        await bot.send_message(actor.telegram_id, texts.no_projects(), reply_markup=kb.as_markup())
        return
    shown = found[:PAGE]
    views = await market.projects.views(shown, actor)
    for n, project in enumerate(shown, offset + 1):
        kb.row(
            InlineKeyboardButton(
                text=f"{texts.STATUS_ICON[project.status]} {texts.list_button(n, project)}",
                callback_data=ProjectCb(action="view", project_id=project.id).pack(),
            )
        )
    nav = []
    if offset > 0:
        nav.append(
            InlineKeyboardButton(
                text=texts.prev_page(),
                callback_data=PageCb(kind="myp", cursor=str(max(0, offset - PAGE))).pack(),
            )
        )
    if len(found) > PAGE:
        nav.append(
            InlineKeyboardButton(
                text=texts.next_page(),
                callback_data=PageCb(kind="myp", cursor=str(offset + PAGE)).pack(),
            )
        )
    if nav:
        kb.row(*nav)
    kb.row(back_to_menu())
    text = texts.my_projects(views, money, offset + 1)
    if query is not None:
        await replace(bot, query, text, kb.as_markup())
    else:
        await bot.send_message(actor.telegram_id, text, reply_markup=kb.as_markup())


@router.screen("projects")
@router.pages("myp")
async def my_projects(
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    offset: int = 0,
    query: CallbackQuery | None = None,
) -> None:
    await _send_my_projects(bot, market, actor, settings.money, offset, query)


# --- publish, cancel -------------------------------------------------------------------------


@router.callback_query(ProjectCb.filter(F.action == "publish"))
async def publish(
    query: CallbackQuery,
    callback_data: ProjectCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    bot_username: str,
) -> None:
    project = await market.projects.publish(actor, callback_data.project_id)
    await send_owner_card(
        bot,
        actor.telegram_id,
        market,
        actor,
        project.id,
        settings.money,
        bot_username,
        texts.published(project.title) + "\n",
    )


@router.callback_query(ProjectCb.filter(F.action == "cancel"))
async def cancel_ask(
    query: CallbackQuery,
    callback_data: ProjectCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    # core says no at the first press (someone else's project, ended, money held)
    project = await market.projects.check(actor, callback_data.project_id, "cancel")
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts.yes_cancel(), callback_data=ProjectCb(action="cancel_ok", project_id=project.id)
    )
    kb.button(text=texts.no_keep(), callback_data=ProjectCb(action="view", project_id=project.id))
    await bot.send_message(
        actor.telegram_id, texts.confirm_cancel(project.title), reply_markup=kb.as_markup()
    )


@router.callback_query(ProjectCb.filter(F.action == "cancel_ok"))
async def cancel_confirmed(
    query: CallbackQuery,
    callback_data: ProjectCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
) -> None:
    project = await market.projects.cancel(actor, callback_data.project_id)
    await replace(bot, query, texts.cancelled(project.title), None)
