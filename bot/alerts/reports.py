"""Alerts of reports and safety: the safety note after a red-flagged relayed message, a
new report to the admins, the outcome to the reporter, a warning to the reported person."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.admins import admin_users
from bot.callbacks import AdminCb, ReportCb
from bot.notifier import Alert, AlertContext, renders
from bot.texts import reports as texts
from bot.ui import action_button, markup
from core.events import Event


@renders("message.safety_note")
async def safety_note(event: Event, ctx: AlertContext) -> list[Alert]:
    """Right after the flagged message: the note, and a way to report that message."""
    recipient = await ctx.market.users.get(event.recipients[0])
    report = ReportCb(action="new", kind="message", target_id=int(event.data["message_id"] or 0))
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=texts.REPORT, callback_data=report.pack())]]
    )
    return [Alert(recipient.telegram_id, texts.SAFETY_NOTE, keyboard)]


@renders("report.filed")
async def filed(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for admin in await admin_users(ctx.market, ctx.settings):
        actor = ctx.market.users.actor(admin)
        view = await ctx.market.reports.view(actor, int(event.data["report_id"] or 0))
        title = view.project.title if view.project is not None else None
        text = texts.alert_filed(view.report, view.subject, view.reporter, title)
        keyboard = markup(
            [action_button(texts.OPEN, AdminCb(action="rv", id=view.report.id))],
            [action_button(texts.QUEUE, AdminCb(action="rq"))],
        )
        alerts.append(Alert(admin.telegram_id, text, keyboard))
    return alerts


@renders("report.decided", "report.warned")
async def outcome(event: Event, ctx: AlertContext) -> list[Alert]:
    """The outcome to the reporter (``decided``), or the warning to the person reported."""
    person = await ctx.market.users.get(event.recipients[0])
    if person.is_banned:
        return []
    actor = ctx.market.users.actor(person)
    report = await ctx.market.reports.get(actor, int(event.data["report_id"] or 0))
    if event.kind == "report.warned":
        return [Alert(person.telegram_id, texts.warning(report, report.decision_note))]
    subject = await ctx.market.users.get(report.subject_id)
    return [Alert(person.telegram_id, texts.outcome_for_reporter(report, subject.first_name))]
