"""📜 Audit trail in the admin panel: every admin action, newest first, a page at a time,
read through an optional filter (by one admin, or about one person). Which entries an
admin may read is core's rule (``core.services.audit``); the question "whose?" is in
``bot.flows.audit``."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton

from bot.callbacks import AuditCb
from bot.flows.dispute import action_button
from bot.handlers.admin import AdminCb, IsAdmin, _show, markup
from bot.middlewares import CallbackReply
from bot.settings import BotSettings
from bot.texts import admin as admin_texts
from bot.texts import audit as texts
from bot.texts import common
from core.actors import Actor
from core.marketplace import Marketplace

router = Router(name="audit")

PAGE = 8  # entries per page: one message, well within Telegram's 4096 characters


@router.callback_query(AuditCb.filter(), ~IsAdmin())
async def refuse(query: CallbackQuery, callback_reply: CallbackReply) -> None:
    callback_reply.text, callback_reply.alert = common.NOT_ADMIN, True


async def send_trail(
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    *,
    page: int = 0,
    admin: int = 0,
    person: int = 0,
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The page's text and buttons (the pages, the filters, the way back)."""
    found = await market.audit.trail(
        actor,
        by_admin=admin or None,
        about=person or None,
        limit=PAGE,
        offset=page * PAGE,
    )
    by = await market.users.get(admin) if admin else None
    about = await market.users.get(person) if person else None
    text = texts.trail(found, page, by, about, settings.money)
    pager = []
    if page > 0:
        back = AuditCb(page=page - 1, admin=admin, person=person, turn=True)
        pager.append(action_button(admin_texts.PREVIOUS, back))
    if found.more:
        on = AuditCb(page=page + 1, admin=admin, person=person, turn=True)
        pager.append(action_button(admin_texts.NEXT, on))
    filters = [
        action_button(texts.BY_ADMIN, AdminCb(action="aud_by")),
        action_button(texts.ABOUT_PERSON, AdminCb(action="aud_about")),
    ]
    rows = [pager, filters]
    if admin or person:
        rows.append([action_button(texts.EVERYTHING, AuditCb())])
    rows.append([action_button(admin_texts.PANEL, AdminCb(action="home"))])
    return text, rows


@router.callback_query(AuditCb.filter())
async def trail(
    query: CallbackQuery,
    callback_data: AuditCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    text, rows = await send_trail(
        market,
        actor,
        settings,
        page=callback_data.page,
        admin=callback_data.admin,
        person=callback_data.person,
    )
    await _show(query, bot, text, markup(*rows), callback_data.turn)
