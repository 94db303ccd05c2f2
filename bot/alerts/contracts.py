"""Alerts of contracts: nothing left but ending it (end it, or ask to), asked to end,
and ended (with the way to review)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.alerts.common import Recipient, column, each, recipients, renders_with
from bot.alerts.milestones import open_contract
from bot.callbacks import ContractCb
from bot.notifier import Alert, AlertContext, renders
from bot.screens.contracts import settled_keyboard, settled_prompt
from bot.texts import contracts as texts
from bot.texts import reviews as review_texts
from bot.texts.common import shown
from core.events.contracts import (
    ContractCancelled,
    ContractCompleted,
    ContractEnded,
    ContractEndRequested,
    ContractEvent,
    ContractSettled,
)
from storage.enums import ContractStatus
from storage.models import Contract, Project


@dataclass(frozen=True)
class Deal:
    """What every recipient of a contract's event shares, loaded once."""

    people: list[Recipient]
    contract: Contract
    project: Project


async def deal_of(ctx: AlertContext, event: ContractEvent) -> Deal | None:
    """The recipients and the contract with its project (None when nobody is left to tell);
    every recipient is a party, so the first one's view is everyone's."""
    people = await recipients(ctx, event)
    if not people:
        return None
    contract = await ctx.market.contracts.get(people[0].actor, event.contract_id)
    project = await ctx.market.projects.get(contract.project_id)
    return Deal(people, contract, project)


def review_keyboard(contract_id: int, can_review: bool) -> InlineKeyboardMarkup:
    buttons: list[tuple[str, CallbackData]] = []
    if can_review:
        buttons.append(
            (review_texts.review(), ContractCb(action="review", contract_id=contract_id))
        )
    buttons.append(open_contract(contract_id))
    return column(*buttons)


@renders_with(deal_of, ContractCompleted, ContractCancelled)
async def ended(event: ContractEnded, ctx: AlertContext, d: Deal) -> list[Alert]:
    completed = d.contract.status is ContractStatus.COMPLETED

    async def alert(person: Recipient) -> list[Alert]:
        reviews = await ctx.market.reviews.for_contract(person.actor, d.contract.id)
        text = texts.alert_contract_ended(
            d.project.title, completed, reviews.can_write, reviews.ending
        )
        return [Alert(person.chat, text, review_keyboard(d.contract.id, reviews.can_write))]

    return await each(d.people, alert)


@renders(ContractSettled)
async def settled(event: ContractSettled, ctx: AlertContext) -> list[Alert]:
    """Nothing is held or pending: end it and review (the employer), or ask (the
    freelancer). Not if it ended meanwhile."""

    async def alert(person: Recipient) -> list[Alert]:
        if not await ctx.market.contracts.ready_to_end(person.actor, event.contract_id):
            return []
        text, keyboard = await settled_prompt(ctx.market, person.actor, event.contract_id)
        return [Alert(person.chat, text, keyboard)]

    return await each(await recipients(ctx, event), alert)


@renders_with(deal_of, ContractEndRequested)
async def end_requested(event: ContractEndRequested, ctx: AlertContext, d: Deal) -> list[Alert]:
    freelancer = await ctx.market.users.get(d.contract.freelancer_id)
    text = texts.end_requested(shown(freelancer), d.project.title)
    keyboard = settled_keyboard(d.contract.id, True, shown(freelancer))

    async def alert(person: Recipient) -> list[Alert]:
        if not await ctx.market.contracts.ready_to_end(person.actor, d.contract.id):
            return []  # ended (or reopened with new work) since
        return [Alert(person.chat, text, keyboard)]

    return await each(d.people, alert)
