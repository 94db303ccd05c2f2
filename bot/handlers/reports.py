"""Reports and mutes outside a conversation: an admin's queue of reports, a report's
screen with its context and Dismiss / Warn / Ban, and an employer's Mute on a bid card.

Dismiss, Warn and Ban ask for a note first: those conversations are in
``bot.flows.reports``, as is the reporter's own (reason, then an optional note).
"""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, InlineKeyboardButton

from bot.callbacks import AdminCb, BidCb, ProjectCb, ReportCb
from bot.context import Ctx
from bot.routers import Area
from bot.screens.admin import pager, show_page
from bot.texts import admin as admin_texts
from bot.texts import bids as bid_texts
from bot.texts import reports as texts
from bot.texts.common import shown
from bot.ui import action_button, markup, send_long
from storage.enums import ReportStatus

router = Area("handlers.reports")

PAGE = 5  # reports per page of the queue


def safety_row(bid_id: int, muted: bool) -> list[InlineKeyboardButton]:
    """Under a bid the employer reads: mute (or unmute) the bidder, report the bid."""
    mute = (
        action_button(texts.unmute(), BidCb(action="unmute", bid_id=bid_id))
        if muted
        else action_button(texts.mute(), BidCb(action="mute", bid_id=bid_id))
    )
    return [
        mute,
        action_button(texts.report(), ReportCb(action="new", kind="bid", target_id=bid_id)),
    ]


# --- mutes ------------------------------------------------------------------------------


@router.callback_query(BidCb.filter(F.action.in_({"mute", "unmute"})))
async def mute(query: CallbackQuery, callback_data: BidCb, ctx: Ctx) -> None:
    muting = callback_data.action == "mute"
    service = ctx.market.safety
    bid = await (service.mute if muting else service.unmute)(ctx.actor, callback_data.bid_id)
    bidder = await ctx.market.users.get(bid.freelancer_id)
    keyboard = markup(
        safety_row(bid.id, muting),
        [
            action_button(
                bid_texts.back_to_bids(), ProjectCb(action="bids", project_id=bid.project_id)
            )
        ],
    )
    text = (texts.muted if muting else texts.unmuted)(shown(bidder))
    await ctx.bot.send_message(ctx.actor.telegram_id, text, reply_markup=keyboard)


# --- the admins' queue --------------------------------------------------------------------


@router.callback_query(AdminCb.filter(F.action == "rq"))
async def queue(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    page = max(callback_data.page, 0)
    found = await ctx.market.reports.queue(ctx.actor, PAGE + 1, page * PAGE)
    rows = [(r, await ctx.market.users.get(r.subject_id)) for r in found[:PAGE]]
    keyboard = markup(
        *[
            [action_button(texts.queue_entry(r, subject), AdminCb(action="rv", id=r.id))]
            for r, subject in rows
        ],
        pager("rq", page, len(found) > PAGE),
        [action_button(admin_texts.panel_button(), AdminCb(action="home"))],
    )
    await show_page(query, ctx.bot, texts.queue(rows, page), keyboard, callback_data.turn)


@router.callback_query(AdminCb.filter(F.action == "rv"))
async def report_screen(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    """What was reported, about whom, by whom and why, with the decision buttons."""
    view = await ctx.market.reports.view(ctx.actor, callback_data.id)
    rid = view.report.id
    decide = (
        [
            action_button(texts.dismiss(), AdminCb(action="rdis", id=rid)),
            action_button(texts.warn(), AdminCb(action="rwarn", id=rid)),
            action_button(texts.ban(), AdminCb(action="rban", id=rid)),
        ]
        if view.report.status is ReportStatus.OPEN
        else []
    )
    keyboard = markup(decide, [action_button(texts.back_to_queue(), AdminCb(action="rq"))])
    await send_long(ctx.bot, ctx.actor.telegram_id, texts.screen(view), keyboard)
