"""Alerts of the marketplace front: new projects for their subscribers (and the
projects channel), changes to projects, bids, and offers, each with quick replies."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import deeplinks
from bot.callbacks import AlertsCb, AwardCb, BidCb, ChatCb, ContractCb, MenuCb, ProjectCb
from bot.keyboards import new_project_alert
from bot.notifier import Alert, AlertContext, digest, renders
from bot.settings import BotSettings
from bot.texts import bids as texts
from bot.texts import contracts as contract_texts
from bot.texts import projects as project_texts
from bot.texts import reputation as record_texts
from bot.texts import subscriptions as alert_texts
from bot.texts.profiles import reputation_line
from core.events import Event
from storage.enums import PartyRole, ProjectStatus
from storage.models import Project

log = logging.getLogger("bidgram.alerts.market")


def _keyboard(*rows: list[tuple[str, CallbackData]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data.pack()) for label, data in row]
            for row in rows
        ]
    )


def _open(project_id: int) -> tuple[str, CallbackData]:
    return texts.OPEN_PROJECT, ProjectCb(action="view", project_id=project_id)


async def _chat_of(ctx: AlertContext, user_id: int) -> int | None:
    """The Telegram chat of a user, or None for a suspended one (they do nothing here)."""
    user = await ctx.market.users.get(user_id)
    return None if user.is_banned else user.telegram_id


async def _project(ctx: AlertContext, event: Event) -> Project:
    return await ctx.market.projects.get(int(event.data["project_id"] or 0))


async def _to_all(
    ctx: AlertContext, event: Event, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> list[Alert]:
    alerts = []
    for user_id in event.recipients:
        chat = await _chat_of(ctx, user_id)
        if chat is not None:
            alerts.append(Alert(chat, text, keyboard))
    return alerts


# --- projects ---------------------------------------------------------------------------------


@renders("project.published")
async def project_published(event: Event, ctx: AlertContext) -> list[Alert]:
    """Every subscriber the project matches, best match first (never the employer, nor
    the paused or banned), each with a one-tap Stop; then the projects channel."""
    settings = ctx.settings
    project_id = int(event.data["project_id"] or 0)
    view = await ctx.market.projects.view(project_id)
    card = project_texts.short_card(view, settings.money)
    record = await ctx.market.reputation.employer_record(view.project.employer_id)
    text = texts.alert_new_project(f"{card}\n\n{record_texts.employer_line(record)}")
    keyboard = new_project_alert(project_id)
    recipients = await ctx.market.subscriptions.recipients_for_project(project_id)
    alerts = [
        Alert(r.telegram_id, text, keyboard, digest=NEW_PROJECT, ref_id=project_id)
        for r in recipients
    ]
    channel = settings.projects_channel if isinstance(settings, BotSettings) else None
    if channel:
        username = ctx.bot_username or None
        link = (
            InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        InlineKeyboardButton(
                            text=project_texts.VIEW_AND_BID,
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


NEW_PROJECT = "new_project"


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
        return texts.DIGEST_ALL_CLOSED, _keyboard([(texts.FIND_WORK, MenuCb(action="find"))])
    first = shown[: texts.DIGEST_SHOWN]
    lines = [
        texts.digest_line(p.title, project_texts.budget(p.budget_min, p.budget_max, money))
        for p in first
    ]
    rows: list[list[tuple[str, CallbackData]]] = [
        [(project_texts.list_button(n, p), ProjectCb(action="view", project_id=p.id))]
        for n, p in enumerate(first, 1)
    ]
    rows.append([(texts.FIND_WORK, MenuCb(action="find"))])
    rows.append([(alert_texts.STOP, AlertsCb(action="stop", project_id=first[0].id))])
    return texts.digest_new_projects(lines, len(shown) - len(first)), _keyboard(*rows)


@renders("project.edited")
async def project_edited(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    return await _to_all(
        ctx, event, texts.alert_project_edited(project.title), _keyboard([_open(project.id)])
    )


@renders("project.cancelled")
async def project_cancelled(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    return await _to_all(ctx, event, texts.alert_project_cancelled(project.title))


@renders("project.bidding_ended")
async def bidding_ended(event: Event, ctx: AlertContext) -> list[Alert]:
    """The employer: bidding is over, award one of the bids before the decision window ends."""
    project = await _project(ctx, event)
    if project.status is not ProjectStatus.BIDDING_ENDED or project.award_by is None:
        return []  # awarded, cancelled or closed since: nothing left to ask
    bids = int(event.data.get("bids") or 0)
    text = texts.alert_bidding_ended(project.title, bids, project.award_by)
    keyboard = _keyboard(
        [(f"{texts.VIEW_BIDS} ({bids})", ProjectCb(action="bids", project_id=project.id))],
        [_open(project.id)],
    )
    return await _to_all(ctx, event, text, keyboard)


@renders("project.closed")
async def project_closed(event: Event, ctx: AlertContext) -> list[Alert]:
    """Closed with no bids or none left (the employer, with a way forward), or with
    nobody awarded in time (the employer and every bidder)."""
    project = await _project(ctx, event)
    reason = str(event.data.get("reason") or "not_awarded")
    alerts = []
    for user_id in event.recipients:
        chat = await _chat_of(ctx, user_id)
        if chat is None:
            continue
        if user_id == project.employer_id:
            keyboard = _keyboard(
                [(texts.POST_AGAIN, MenuCb(action="post"))],
                [(project_texts.MY_PROJECTS, MenuCb(action="projects"))],
            )
            text = texts.alert_project_closed_employer(project.title, reason)
            alerts.append(Alert(chat, text, keyboard))
        else:
            keyboard = _keyboard([(texts.FIND_WORK, MenuCb(action="find"))])
            alerts.append(Alert(chat, texts.alert_project_closed_bidder(project.title), keyboard))
    return alerts


@renders("project.awarded_to_other")
async def awarded_to_other(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    keyboard = _keyboard([(texts.FIND_WORK, MenuCb(action="find"))])
    return await _to_all(ctx, event, texts.alert_awarded_to_other(project.title), keyboard)


# --- bids -------------------------------------------------------------------------------------


@renders("bid.placed")
async def bid_placed(event: Event, ctx: AlertContext) -> list[Alert]:
    """The employer gets the bid with quick replies: view it, message the bidder, award."""
    project = await _project(ctx, event)
    bid = await ctx.market.bids.get(int(event.data["bid_id"] or 0))
    bidder = await ctx.market.users.get(bid.freelancer_id)
    rep = await ctx.market.reputation.of(bidder.id, PartyRole.FREELANCER)
    record = await ctx.market.reputation.freelancer_record(bidder.id)
    reputation = f"{reputation_line(rep)}\n{record_texts.freelancer_line(record)}"
    text = texts.alert_bid_placed(
        project.title, bidder.first_name, reputation, bid, ctx.settings.money
    )
    keyboard = _keyboard(
        [
            (texts.VIEW_BID, BidCb(action="view", bid_id=bid.id)),
            (texts.MESSAGE, ChatCb(project_id=project.id, user_id=bidder.id)),
        ],
        [(texts.AWARD, BidCb(action="award", bid_id=bid.id))],
    )
    return await _to_all(ctx, event, text, keyboard)


@renders("bid.edited")
async def bid_edited(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    bid = await ctx.market.bids.get(int(event.data["bid_id"] or 0))
    bidder = await ctx.market.users.get(bid.freelancer_id)
    text = texts.alert_bid_edited(project.title, bidder.first_name, bid, ctx.settings.money)
    keyboard = _keyboard([(texts.VIEW_BID, BidCb(action="view", bid_id=bid.id))])
    return await _to_all(ctx, event, text, keyboard)


@renders("bid.retracted")
async def bid_retracted(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    bid = await ctx.market.bids.get(int(event.data["bid_id"] or 0))
    bidder = await ctx.market.users.get(bid.freelancer_id)
    keyboard = _keyboard([(texts.VIEW_BIDS, ProjectCb(action="bids", project_id=project.id))])
    return await _to_all(
        ctx, event, texts.alert_bid_retracted(project.title, bidder.first_name), keyboard
    )


@renders("bid.declined")
async def bid_declined(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    keyboard = _keyboard([(texts.FIND_WORK, MenuCb(action="find"))])
    return await _to_all(ctx, event, texts.alert_bid_declined(project.title), keyboard)


# --- offers -----------------------------------------------------------------------------------


@renders("award.offered")
async def award_offered(event: Event, ctx: AlertContext) -> list[Alert]:
    """The freelancer's offer, answered right from the alert."""
    project = await _project(ctx, event)
    award = await ctx.market.awards.get(int(event.data["award_id"] or 0))
    bid = await ctx.market.bids.get(award.bid_id)
    text = texts.alert_award_offered(project.title, bid, award, ctx.settings.money)
    keyboard = _keyboard(
        [
            (texts.ACCEPT, AwardCb(action="accept", award_id=award.id)),
            (texts.DECLINE_OFFER, AwardCb(action="decline", award_id=award.id)),
        ],
        [_open(project.id)],
    )
    return await _to_all(ctx, event, text, keyboard)


@renders("award.accepted")
async def award_accepted(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    contract_id = int(event.data["contract_id"] or 0)
    contract = await ctx.market.contracts.for_project(project.id)
    name = (await ctx.market.users.get(contract.freelancer_id)).first_name if contract else ""
    keyboard = _keyboard(  # the next step first: the first milestone, to fund
        [(contract_texts.NEW_MILESTONE, ContractCb(action="new_ms", contract_id=contract_id))],
        [(texts.OPEN_CONTRACT, ContractCb(action="view", contract_id=contract_id))],
    )
    return await _to_all(ctx, event, texts.alert_award_accepted(project.title, name), keyboard)


@renders("award.declined")
async def award_declined(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    award = await ctx.market.awards.get(int(event.data["award_id"] or 0))
    name = (await ctx.market.users.get(award.freelancer_id)).first_name
    keyboard = _keyboard([(texts.VIEW_BIDS, ProjectCb(action="bids", project_id=project.id))])
    return await _to_all(ctx, event, texts.alert_award_declined(project.title, name), keyboard)


@renders("award.withdrawn")
async def award_withdrawn(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    return await _to_all(
        ctx, event, texts.alert_award_withdrawn(project.title), _keyboard([_open(project.id)])
    )


@renders("award.lapsed")
async def award_lapsed(event: Event, ctx: AlertContext) -> list[Alert]:
    project = await _project(ctx, event)
    award = await ctx.market.awards.get(int(event.data["award_id"] or 0))
    name = (await ctx.market.users.get(award.freelancer_id)).first_name
    alerts = []
    for user_id in event.recipients:
        chat = await _chat_of(ctx, user_id)
        if chat is None:
            continue
        if user_id == project.employer_id:
            text = texts.alert_award_lapsed_employer(project.title, name)
            keyboard = _keyboard(
                [(texts.VIEW_BIDS, ProjectCb(action="bids", project_id=project.id))]
            )
        else:
            text = texts.alert_award_lapsed_freelancer(project.title)
            keyboard = _keyboard([_open(project.id)])
        alerts.append(Alert(chat, text, keyboard))
    return alerts
