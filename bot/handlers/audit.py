"""📜 Audit trail in the admin panel: every admin action, newest first, a page at a time,
read through an optional filter (by one admin, or about one person). Which entries an
admin may read is core's rule (``core.services.audit``); the question "whose?" is in
``bot.flows.audit``."""

from __future__ import annotations

from aiogram.types import CallbackQuery

from bot.admins import IsAdmin
from bot.callbacks import AuditCb
from bot.context import Ctx
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.screens.admin import show_page
from bot.screens.audit import send_trail
from bot.texts import common
from bot.ui import markup

router = Area("handlers.audit")


@router.callback_query(AuditCb.filter(), ~IsAdmin())
async def refuse(query: CallbackQuery, callback_reply: CallbackReply) -> None:
    callback_reply.text, callback_reply.alert = common.not_admin(), True


@router.callback_query(AuditCb.filter())
async def trail(query: CallbackQuery, callback_data: AuditCb, ctx: Ctx) -> None:
    text, rows = await send_trail(
        ctx.market,
        ctx.actor,
        ctx.settings,
        page=callback_data.page,
        admin=callback_data.admin,
        person=callback_data.person,
    )
    await show_page(query, ctx.bot, text, markup(*rows), callback_data.turn)
