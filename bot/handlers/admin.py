"""The admin panel: platform figures, the disputes and payouts queues, a dispute's record.

Admins are the Telegram ids in ``settings.admin_ids``; everyone else gets
``common.not_admin()``, and core checks admin rights again on every call. The
conversations behind the buttons (verdicts, payouts, bans) are in bot.flows.admin.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.types import (
    CallbackQuery,
)

from bot.admins import IsAdmin
from bot.callbacks import AdminCb, AuditCb, MenuCb
from bot.context import Ctx
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.screens.admin import pager, show_page
from bot.screens.disputes import load_view
from bot.settings import BotSettings
from bot.texts import admin as texts
from bot.texts import audit as audit_texts
from bot.texts import common
from bot.texts import reports as report_texts
from bot.texts.common import shown
from bot.texts.disputes import messages, when
from bot.ui import action_button, markup, parse_ref
from core.services.disputes import DisputeRecord
from storage.models import User

router = Area("handlers.admin")

PAGE = 5  # queue entries per page
FILES_PER_PRESS = 5  # files per press of Files: Telegram allows about 1 message/s per chat
RECORD_PAGE = 3800  # characters of record per message, leaving room for its page line


# --- everyone else -----------------------------------------------------------------------


router.reminds("not_admin_command", Command("admin"), ~IsAdmin(), text=common.not_admin)


@router.callback_query(MenuCb.filter(F.action == "admin"), ~IsAdmin())
@router.callback_query(AdminCb.filter(), ~IsAdmin())
async def refuse_button(query: CallbackQuery, callback_reply: CallbackReply) -> None:
    callback_reply.text = common.not_admin()
    callback_reply.alert = True


# --- the panel ---------------------------------------------------------------------------


async def send_panel(chat_id: int, ctx: Ctx, s: BotSettings) -> None:
    figures = await ctx.market.admin.figures(ctx.actor)
    reports = report_texts.queue_button(await ctx.market.reports.count_open(ctx.actor))
    keyboard = markup(
        [action_button(texts.disputes_queue_button(), AdminCb(action="dq"))],
        [action_button(texts.payouts_queue_button(), AdminCb(action="pq"))],
        [action_button(texts.ban_unban(), AdminCb(action="who"))],
        [action_button(reports, AdminCb(action="rq"))],
        [action_button(audit_texts.audit_button(), AuditCb())],
        [action_button(texts.refresh(), AdminCb(action="home"))],
    )
    await ctx.bot.send_message(chat_id, texts.panel(figures, s.money), reply_markup=keyboard)


@router.screen("admin", AdminCb.filter(F.action == "home"))
async def admin_panel(ctx: Ctx) -> None:
    await send_panel(ctx.actor.telegram_id, ctx, ctx.settings)


# --- disputes ------------------------------------------------------------------------------


@router.callback_query(AdminCb.filter(F.action == "dq"))
async def disputes_queue(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    page = max(callback_data.page, 0)
    found = await ctx.market.disputes.queue(ctx.actor, PAGE + 1, page * PAGE)
    rows = []
    for dispute in found[:PAGE]:
        milestone = await ctx.market.milestones.get(dispute.milestone_id)
        contract = await ctx.market.contracts.get(ctx.actor, dispute.contract_id)
        project = await ctx.market.projects.get(contract.project_id)
        rows.append((dispute, project, milestone.escrow))
    keyboard = markup(
        *[
            [action_button(texts.dispute_button(d, p.title), AdminCb(action="rec", id=d.id))]
            for d, p, _ in rows
        ],
        pager("dq", page, len(found) > PAGE),
        [action_button(texts.panel_button(), AdminCb(action="home"))],
    )
    text = texts.disputes_queue(rows, page, ctx.settings.money)
    await show_page(query, ctx.bot, text, keyboard, callback_data.turn)


async def _record(ctx: Ctx, dispute_id: int) -> tuple[DisputeRecord, dict[int, User]]:
    rec = await ctx.market.disputes.record(ctx.actor, dispute_id)
    ids = {rec.contract.employer_id, rec.contract.freelancer_id}
    ids |= {ev.actor_id for ev in rec.history if ev.actor_id is not None}
    ids |= {o.by_user_id for o in rec.offers}
    ids |= {x.author_id for x in rec.evidence}
    ids |= {x.filed_by_id for x in rec.earlier}
    people = {uid: await ctx.market.users.get(uid) for uid in sorted(ids)}
    return rec, people


#: Where a file of the record comes from, and how its caption says so.
SOURCES = {
    "delivery": texts.delivery_file,
    "evidence": texts.evidence_file,
    "message": texts.message_file,
}


def _files(rec: DisputeRecord) -> list[tuple[str, str, int | None, str, str]]:
    """Every file in the record: (kind, file id, sender, when, source of SOURCES)."""
    found = [
        (*parse_ref(ref), ev.actor_id, when(ev.created_at), "delivery")
        for ev in rec.history
        for ref in ev.file_ids
    ]
    found += [
        (x.file_kind, x.file_id, x.author_id, when(x.created_at), "evidence") for x in rec.evidence
    ]
    found += [
        (msg.file_kind or "document", msg.file_id, msg.sender_id, when(msg.created_at), "message")
        for msg in rec.messages
        if msg.file_id
    ]
    return found


@router.callback_query(AdminCb.filter(F.action == "rec"))
async def record(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    """A dispute's whole record, a page at a time, with the verdict buttons while it is open."""
    rec, people = await _record(ctx, callback_data.id)
    view = await load_view(ctx.market, ctx.actor, callback_data.id)
    text = texts.record(rec, view, people, ctx.settings.money, ctx.settings.platform_fee_bps)
    chunks = messages(text, RECORD_PAGE)
    page = min(max(callback_data.page, 0), len(chunks) - 1)
    did = rec.dispute.id
    files = _files(rec)
    verdicts = (
        [
            action_button(texts.release_all(), AdminCb(action="release", id=did)),
            action_button(texts.refund_all(), AdminCb(action="refund", id=did)),
            action_button(texts.split_button(), AdminCb(action="split", id=did)),
        ]
        if view.is_open
        else []
    )
    keyboard = markup(
        pager("rec", page, page < len(chunks) - 1, did),
        [action_button(texts.files_button(len(files)), AdminCb(action="files", id=did))]
        if files
        else [],
        verdicts,
        [action_button(texts.queue_button(), AdminCb(action="dq"))],
    )
    body = texts.record_page(did, page, len(chunks), chunks[page])
    await show_page(query, ctx.bot, body, keyboard, callback_data.turn)


@router.callback_query(AdminCb.filter(F.action == "files"))
async def record_files(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    """Send the record's files (deliveries, evidence, messages) a few at a time."""
    rec, people = await _record(ctx, callback_data.id)
    files = _files(rec)
    start = max(callback_data.page, 0) * FILES_PER_PRESS
    if start >= len(files):
        ctx.callback_reply.text = texts.no_files()
        return
    chat_id = query.from_user.id
    for kind, file_id, sender_id, at, source in files[start : start + FILES_PER_PRESS]:
        sender = shown(people[sender_id]) if sender_id in people else "bidgram"
        caption = SOURCES[source](sender, at)
        await _send_file(ctx.bot, chat_id, file_id, kind, caption)
    left = len(files) - start - FILES_PER_PRESS
    if left > 0:
        more = AdminCb(action="files", id=rec.dispute.id, page=callback_data.page + 1)
        await ctx.bot.send_message(
            chat_id,
            texts.more_files(left),
            reply_markup=markup([action_button(texts.more_files_button(), more)]),
        )


async def _send_file(bot: Bot, chat_id: int, file_id: str, kind: str, caption: str) -> None:
    if kind == "photo":
        await bot.send_photo(chat_id, file_id, caption=caption)
    elif kind == "video":
        await bot.send_video(chat_id, file_id, caption=caption)
    elif kind == "voice":
        await bot.send_voice(chat_id, file_id, caption=caption)
    elif kind == "audio":
        await bot.send_audio(chat_id, file_id, caption=caption)
    else:
        await bot.send_document(chat_id, file_id, caption=caption)


# --- payouts -------------------------------------------------------------------------------


@router.callback_query(AdminCb.filter(F.action == "pq"))
async def payouts_queue(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    page = max(callback_data.page, 0)
    found = await ctx.market.payouts.queue(ctx.actor, PAGE + 1, page * PAGE)
    rows = [(p, await ctx.market.users.get(p.user_id)) for p in found[:PAGE]]
    keyboard = markup(
        *[
            [
                action_button(texts.paid_button(p.id), AdminCb(action="paid", id=p.id)),
                action_button(texts.reject_button(p.id), AdminCb(action="reject", id=p.id)),
            ]
            for p, _ in rows
        ],
        pager("pq", page, len(found) > PAGE),
        [action_button(texts.panel_button(), AdminCb(action="home"))],
    )
    text = texts.payouts_queue(rows, page, ctx.settings.money)
    await show_page(query, ctx.bot, text, keyboard, callback_data.turn)
