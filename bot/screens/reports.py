"""A decided report, as the admin sees it once the decision is made."""

from __future__ import annotations

from bot.callbacks import AdminCb
from bot.context import Ctx
from bot.texts import reports as texts
from bot.ui import action_button, markup


async def send_decided(ctx: Ctx, report_id: int) -> None:
    """Tell the admin what was decided, with the way back to the queue."""
    report = await ctx.market.reports.get(ctx.actor, report_id)
    reporter = await ctx.market.users.get(report.reporter_id)
    keyboard = markup([action_button(texts.back_to_queue(), AdminCb(action="rq"))])
    await ctx.bot.send_message(
        ctx.actor.telegram_id, texts.decided(report, reporter), reply_markup=keyboard
    )
