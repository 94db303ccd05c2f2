"""A decided report, as the admin sees it once the decision is made."""

from __future__ import annotations

from aiogram import Bot

from bot.callbacks import AdminCb
from bot.texts import reports as texts
from bot.ui import action_button, markup
from core.actors import Actor
from core.marketplace import Marketplace


async def send_decided(bot: Bot, market: Marketplace, actor: Actor, report_id: int) -> None:
    """Tell the admin what was decided, with the way back to the queue."""
    report = await market.reports.get(actor, report_id)
    reporter = await market.users.get(report.reporter_id)
    keyboard = markup([action_button(texts.back_to_queue(), AdminCb(action="rq"))])
    await bot.send_message(
        actor.telegram_id, texts.decided(report, reporter), reply_markup=keyboard
    )
