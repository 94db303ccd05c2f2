"""Alerts of reports: a new report to the admins, the outcome to the reporter, a warning
to the reported person."""

from __future__ import annotations

from bot.alerts.common import Recipient, admins, each, recipients, to_all
from bot.callbacks import AdminCb
from bot.notifier import Alert, AlertContext, renders
from bot.texts import reports as texts
from bot.texts.common import shown
from bot.ui import action_button, markup
from core.events.reports import ReportDecided, ReportEvent, ReportFiled, ReportWarned


@renders(ReportFiled)
async def filed(event: ReportFiled, ctx: AlertContext) -> list[Alert]:
    people = await admins(ctx)
    if not people:
        return []
    view = await ctx.market.reports.view(people[0].actor, event.report_id)
    title = view.project.title if view.project is not None else None
    text = texts.alert_filed(view.report, view.subject, view.reporter, title)
    keyboard = markup(
        [action_button(texts.open_report(), AdminCb(action="rv", id=view.report.id))],
        [action_button(texts.back_to_queue(), AdminCb(action="rq"))],
    )
    return to_all(people, text, keyboard)


@renders(ReportDecided, ReportWarned)
async def outcome(event: ReportEvent, ctx: AlertContext) -> list[Alert]:
    """The outcome to the reporter (``decided``), or the warning to the person reported."""

    async def alert(person: Recipient) -> list[Alert]:
        report = await ctx.market.reports.get(person.actor, event.report_id)
        if isinstance(event, ReportWarned):
            return [Alert(person.chat, texts.warning(report, report.decision_note))]
        subject = await ctx.market.users.get(report.subject_id)
        return [Alert(person.chat, texts.outcome_for_reporter(report, shown(subject)))]

    return await each(await recipients(ctx, event, banned=False), alert)
