"""One page of the audit trail, sent by the admin buttons and the audit wizard."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton

from bot.callbacks import AdminCb, AuditCb
from bot.settings import BotSettings
from bot.texts import admin as admin_texts
from bot.texts import audit as texts
from bot.ui import action_button
from core.actors import Actor
from core.marketplace import Marketplace

PAGE = 8  # entries per page: one message, well within Telegram's 4096 characters


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
        pager.append(action_button(admin_texts.previous_page(), back))
    if found.more:
        on = AuditCb(page=page + 1, admin=admin, person=person, turn=True)
        pager.append(action_button(admin_texts.next_page(), on))
    filters = [
        action_button(texts.by_admin(), AdminCb(action="aud_by")),
        action_button(texts.about_person(), AdminCb(action="aud_about")),
    ]
    rows = [pager, filters]
    if admin or person:
        rows.append([action_button(texts.everything(), AuditCb())])
    rows.append([action_button(admin_texts.panel_button(), AdminCb(action="home"))])
    return text, rows
