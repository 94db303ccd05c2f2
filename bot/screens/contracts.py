"""Contract pieces sent by handlers and flows alike: the button back to a contract,
the settled prompt (end it, or ask to) and ending a contract."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ContractCb
from bot.texts import contracts as texts
from core.actors import Actor
from core.marketplace import Marketplace
from core.services.reviews import ContractReviews
from storage.enums import ContractStatus
from storage.models import Contract


def contract_button(contract_id: int) -> InlineKeyboardMarkup:
    """The one button back to a contract, under what happened on it."""
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts.OPEN_CONTRACT, callback_data=ContractCb(action="view", contract_id=contract_id)
    )
    return kb.as_markup()


def settled_keyboard(contract_id: int, employer: bool, other: str) -> InlineKeyboardMarkup:
    """End & review in one tap (the employer), or ask for it (the freelancer)."""
    kb = InlineKeyboardBuilder()
    if employer:
        kb.button(
            text=texts.END_AND_REVIEW,
            callback_data=ContractCb(action="end_review", contract_id=contract_id),
        )
    else:
        kb.button(
            text=texts.ask_to_end(other),
            callback_data=ContractCb(action="ask_end", contract_id=contract_id),
        )
    kb.button(
        text=texts.OPEN_CONTRACT, callback_data=ContractCb(action="view", contract_id=contract_id)
    )
    kb.adjust(1)
    return kb.as_markup()


async def settled_prompt(
    market: Marketplace, actor: Actor, contract_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    """What a side is told once core says the contract is settled: end it, or ask to."""
    contract = await market.contracts.get(actor, contract_id)
    project = await market.projects.get(contract.project_id)
    employer = contract.employer_id == actor.user_id
    other = await market.users.get(contract.freelancer_id if employer else contract.employer_id)
    return (
        texts.settled_prompt(project.title, employer, other.first_name),
        settled_keyboard(contract.id, employer, other.first_name),
    )


async def end_now(
    market: Marketplace, actor: Actor, contract_id: int
) -> tuple[Contract, ContractReviews, str]:
    """End the contract (core refuses if it may not end yet): it, its reviews as this
    person may write them, and what to say."""
    contract = await market.contracts.end(actor, contract_id)
    project = await market.projects.get(contract.project_id)
    reviews = await market.reviews.for_contract(actor, contract.id)
    completed = contract.status is ContractStatus.COMPLETED
    return contract, reviews, texts.ended(project.title, completed, reviews.ending)
