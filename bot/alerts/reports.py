"""Alerts of reports and safety: the safety note after a red-flagged relayed message, a
new report to the admins, the outcome to the reporter, a warning to the reported person."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import ReportCb
from bot.flows.dispute import action_button
from bot.handlers.admin import AdminCb, admin_users, markup
from bot.notifier import Alert, AlertContext, renders
from bot.texts import reports as texts
from core.events import Event
from core.marketplace import Marketplace
from storage.models import Report, User


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


async def _told(market: Marketplace, event: Event) -> tuple[User, Report] | None:
    """The person an event tells and the report it is about (None if they are suspended)."""
    person = await market.users.get(event.recipients[0])
    if person.is_banned:
        return None
    report = await market.reports.get(market.users.actor(person), int(event.data["report_id"] or 0))
    return person, report


@renders("report.decided")
async def decided(event: Event, ctx: AlertContext) -> list[Alert]:
    found = await _told(ctx.market, event)
    if found is None:
        return []
    reporter, report = found
    subject = await ctx.market.users.get(report.subject_id)
    return [Alert(reporter.telegram_id, texts.outcome_for_reporter(report, subject.first_name))]


@renders("report.warned")
async def warned(event: Event, ctx: AlertContext) -> list[Alert]:
    found = await _told(ctx.market, event)
    if found is None:
        return []
    subject, report = found
    return [Alert(subject.telegram_id, texts.warning(report, report.decision_note))]
