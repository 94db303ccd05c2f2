"""Alerts of awards: the offer to the freelancer, answered from the alert, and its
outcome (accepted, declined, withdrawn, lapsed) to the other side."""

from __future__ import annotations

from bot.alerts.common import keyboard, to_all
from bot.alerts.projects import about_project, employer_apart, open_project
from bot.callbacks import AwardCb, ContractCb, ProjectCb
from bot.notifier import Alert, AlertContext, renders
from bot.texts import bids as texts
from bot.texts import milestones as milestone_texts
from bot.texts.common import shown
from core.events.awards import (
    AwardAccepted,
    AwardDeclined,
    AwardEvent,
    AwardLapsed,
    AwardOffered,
    AwardWithdrawn,
)


async def _freelancer(ctx: AlertContext, event: AwardEvent) -> str:
    """The name of the freelancer the award was offered to."""
    award = await ctx.market.awards.get(event.award_id)
    return shown(await ctx.market.users.get(award.freelancer_id))


@renders(AwardOffered)
async def offered(event: AwardOffered, ctx: AlertContext) -> list[Alert]:
    """The freelancer's offer, answered right from the alert."""
    project, people = await about_project(ctx, event, event.project_id)
    award = await ctx.market.awards.get(event.award_id)
    bid = await ctx.market.bids.get(award.bid_id)
    text = texts.alert_award_offered(project.title, bid, award, ctx.settings.money)
    markup = keyboard(
        [
            (texts.accept(), AwardCb(action="accept", award_id=award.id)),
            (texts.decline_offer(), AwardCb(action="decline", award_id=award.id)),
        ],
        [open_project(project.id)],
    )
    return to_all(people, text, markup)


@renders(AwardAccepted)
async def accepted(event: AwardAccepted, ctx: AlertContext) -> list[Alert]:
    project, people = await about_project(ctx, event, event.project_id)
    contract = await ctx.market.contracts.for_project(project.id)
    name = shown(await ctx.market.users.get(contract.freelancer_id)) if contract else ""
    contract_id = event.contract_id
    markup = keyboard(  # the next step first: the first milestone, to fund
        [(milestone_texts.new_milestone(), ContractCb(action="new_ms", contract_id=contract_id))],
        [(texts.open_contract(), ContractCb(action="view", contract_id=contract_id))],
    )
    text = texts.alert_award_accepted(project.title, name)
    return to_all(people, text, markup)


@renders(AwardDeclined)
async def declined(event: AwardDeclined, ctx: AlertContext) -> list[Alert]:
    project, people = await about_project(ctx, event, event.project_id)
    name = await _freelancer(ctx, event)
    markup = keyboard([(texts.view_bids(), ProjectCb(action="bids", project_id=project.id))])
    text = texts.alert_award_declined(project.title, name)
    return to_all(people, text, markup)


@renders(AwardWithdrawn)
async def withdrawn(event: AwardWithdrawn, ctx: AlertContext) -> list[Alert]:
    project, people = await about_project(ctx, event, event.project_id)
    text = texts.alert_award_withdrawn(project.title)
    return to_all(people, text, keyboard([open_project(project.id)]))


@renders(AwardLapsed)
async def lapsed(event: AwardLapsed, ctx: AlertContext) -> list[Alert]:
    project, people = await about_project(ctx, event, event.project_id)
    name = await _freelancer(ctx, event)
    to_employer = keyboard([(texts.view_bids(), ProjectCb(action="bids", project_id=project.id))])
    return employer_apart(
        people,
        project,
        (texts.alert_award_lapsed_employer(project.title, name), to_employer),
        (texts.alert_award_lapsed_freelancer(project.title), keyboard([open_project(project.id)])),
    )
