"""Alerts of bids: a bid placed, edited or retracted (the employer, with quick replies),
or declined (the bidder)."""

from __future__ import annotations

from bot.alerts.common import Recipient, keyboard, to_all
from bot.alerts.projects import about_project, find_work
from bot.callbacks import BidCb, ChatCb, ProjectCb
from bot.notifier import Alert, AlertContext, renders
from bot.texts import bids as texts
from bot.texts import reputation as record_texts
from bot.texts.common import shown
from bot.texts.profiles import reputation_line
from core.events.bids import BidDeclined, BidEdited, BidEvent, BidPlaced, BidRetracted
from storage.models import Bid, Project, User


async def _bid(ctx: AlertContext, event: BidEvent) -> tuple[Project, list[Recipient], Bid, User]:
    """The project, who hears of it, the bid and its bidder."""
    project, people = await about_project(ctx, event, event.project_id)
    bid = await ctx.market.bids.get(event.bid_id)
    return project, people, bid, await ctx.market.users.get(bid.freelancer_id)


@renders(BidPlaced)
async def placed(event: BidPlaced, ctx: AlertContext) -> list[Alert]:
    """The employer gets the bid with quick replies: view it, message the bidder, award."""
    project, people, bid, bidder = await _bid(ctx, event)
    rep, record = await ctx.market.reputation.freelancer(bidder.id)
    reputation = f"{reputation_line(rep)}\n{record_texts.freelancer_line(record)}"
    text = texts.alert_bid_placed(project.title, shown(bidder), reputation, bid, ctx.settings.money)
    markup = keyboard(
        [
            (texts.view_bid(), BidCb(action="view", bid_id=bid.id)),
            (texts.message(), ChatCb(project_id=project.id, user_id=bidder.id)),
        ],
        [(texts.award(), BidCb(action="award", bid_id=bid.id))],
    )
    return to_all(people, text, markup)


@renders(BidEdited)
async def edited(event: BidEdited, ctx: AlertContext) -> list[Alert]:
    project, people, bid, bidder = await _bid(ctx, event)
    text = texts.alert_bid_edited(project.title, shown(bidder), bid, ctx.settings.money)
    markup = keyboard([(texts.view_bid(), BidCb(action="view", bid_id=bid.id))])
    return to_all(people, text, markup)


@renders(BidRetracted)
async def retracted(event: BidRetracted, ctx: AlertContext) -> list[Alert]:
    project, people, _, bidder = await _bid(ctx, event)
    text = texts.alert_bid_retracted(project.title, shown(bidder))
    markup = keyboard([(texts.view_bids(), ProjectCb(action="bids", project_id=project.id))])
    return to_all(people, text, markup)


@renders(BidDeclined)
async def declined(event: BidDeclined, ctx: AlertContext) -> list[Alert]:
    project, people = await about_project(ctx, event, event.project_id)
    text = texts.alert_bid_declined(project.title)
    return to_all(people, text, keyboard(find_work()))
