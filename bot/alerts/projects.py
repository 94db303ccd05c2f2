"""Alerts of projects: a new one to its subscribers (and the projects channel), then
its changes, the end of bidding and its closing, each with a way forward."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import deeplinks
from bot.alerts.common import Recipient, keyboard, recipients, to_all
from bot.callbacks import AlertsCb, MenuCb, ProjectCb
from bot.keyboards import new_project_alert
from bot.notifier import Alert, AlertContext, digest, renders
from bot.settings import BotSettings
from bot.texts import bids as texts
from bot.texts import projects as project_texts
from bot.texts import reputation as record_texts
from bot.texts import subscriptions as alert_texts
from core.events import Event
from core.events.projects import (
    AwardedToOther,
    BiddingEnded,
    ProjectCancelled,
    ProjectClosed,
    ProjectEdited,
    ProjectPublished,
)
from storage.enums import ProjectStatus
from storage.models import Project

NEW_PROJECT = "new_project"


def open_project(project_id: int) -> tuple[str, CallbackData]:
    return texts.open_project(), ProjectCb(action="view", project_id=project_id)


async def about_project(
    ctx: AlertContext, event: Event, project_id: int
) -> tuple[Project, list[Recipient]]:
    """The project an alert is about, and who hears it (not the suspended: these alerts
    invite a step they may not take)."""
    project = await ctx.market.projects.get(project_id)
    return project, await recipients(ctx, event, banned=False)


Told = tuple[str, InlineKeyboardMarkup]


def employer_apart(
    people: Sequence[Recipient], project: Project, employer: Told, others: Told
) -> list[Alert]:
    """One alert to the project's employer, another to everyone else."""
    return [
        Alert(p.chat, *(employer if p.user.id == project.employer_id else others)) for p in people
    ]


def find_work() -> list[tuple[str, CallbackData]]:
    return [(texts.find_work(), MenuCb(action="find"))]


@renders(ProjectPublished, fan_out=True)
async def published(event: ProjectPublished, ctx: AlertContext) -> list[Alert]:
    """Every subscriber the project matches, best match first (never the employer, nor
    the paused or banned), each with a one-tap Stop; then the projects channel."""
    settings = ctx.settings
    project_id = event.project_id
    view = await ctx.market.projects.view(project_id)
    card = project_texts.short_card(view, settings.money)
    record = await ctx.market.reputation.employer_record(view.project.employer_id)
    text = texts.alert_new_project(f"{card}\n\n{record_texts.employer_line(record)}")
    markup = new_project_alert(project_id)
    subscribers = await ctx.market.subscriptions.recipients_for_project(project_id)
    alerts = [
        Alert(r.telegram_id, text, markup, digest=NEW_PROJECT, ref_id=project_id)
        for r in subscribers
    ]
    channel = settings.projects_channel if isinstance(settings, BotSettings) else None
    if channel:
        username = ctx.bot_username or None
        link = (
            InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        InlineKeyboardButton(
                            text=project_texts.view_and_bid(),
                            url=deeplinks.link(username, "p", view.project.id),
                        )
                    ]
                ]
            )
            if username
            else None
        )
        alerts.append(Alert(channel, card, link))
    return alerts


@digest(NEW_PROJECT)
async def new_projects_digest(
    project_ids: Sequence[int], ctx: AlertContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Several new-project alerts held for one person, as one message with a button each."""
    money = ctx.settings.money
    shown: list[Project] = []
    for project_id in dict.fromkeys(project_ids):
        project = await ctx.market.projects.get(project_id)
        if project.status is ProjectStatus.OPEN:
            shown.append(project)
    if not shown:
        return texts.digest_all_closed(), keyboard(find_work())
    first = shown[: texts.DIGEST_SHOWN]
    lines = [
        texts.digest_line(p.title, project_texts.budget(p.budget_min, p.budget_max, money))
        for p in first
    ]
    rows: list[list[tuple[str, CallbackData]]] = [
        [(project_texts.list_button(n, p), ProjectCb(action="view", project_id=p.id))]
        for n, p in enumerate(first, 1)
    ]
    rows.append(find_work())
    rows.append([(alert_texts.stop(), AlertsCb(action="stop", project_id=first[0].id))])
    return texts.digest_new_projects(lines, len(shown) - len(first)), keyboard(*rows)


@renders(ProjectEdited)
async def edited(event: ProjectEdited, ctx: AlertContext) -> list[Alert]:
    project, people = await about_project(ctx, event, event.project_id)
    text = texts.alert_project_edited(project.title)
    return to_all(people, text, keyboard([open_project(project.id)]))


@renders(ProjectCancelled)
async def cancelled(event: ProjectCancelled, ctx: AlertContext) -> list[Alert]:
    project, people = await about_project(ctx, event, event.project_id)
    return to_all(people, texts.alert_project_cancelled(project.title))


@renders(BiddingEnded)
async def bidding_ended(event: BiddingEnded, ctx: AlertContext) -> list[Alert]:
    """The employer: bidding is over, award one of the bids before the decision window ends."""
    project, people = await about_project(ctx, event, event.project_id)
    if project.status is not ProjectStatus.BIDDING_ENDED or project.award_by is None:
        return []  # awarded, cancelled or closed since: nothing left to ask
    text = texts.alert_bidding_ended(project.title, event.bids, project.award_by)
    markup = keyboard(
        [(texts.view_bids_count(event.bids), ProjectCb(action="bids", project_id=project.id))],
        [open_project(project.id)],
    )
    return to_all(people, text, markup)


@renders(ProjectClosed)
async def closed(event: ProjectClosed, ctx: AlertContext) -> list[Alert]:
    """Closed with no bids or none left (the employer, with a way forward), or with
    nobody awarded in time (the employer and every bidder)."""
    project, people = await about_project(ctx, event, event.project_id)
    to_employer = keyboard(
        [(texts.post_again(), MenuCb(action="post"))],
        [(project_texts.my_projects_button(), MenuCb(action="projects"))],
    )
    return employer_apart(
        people,
        project,
        (texts.alert_project_closed_employer(project.title, event.reason), to_employer),
        (texts.alert_project_closed_bidder(project.title), keyboard(find_work())),
    )


@renders(AwardedToOther)
async def awarded_to_other(event: AwardedToOther, ctx: AlertContext) -> list[Alert]:
    project, people = await about_project(ctx, event, event.project_id)
    text = texts.alert_awarded_to_other(project.title)
    return to_all(people, text, keyboard(find_work()))
