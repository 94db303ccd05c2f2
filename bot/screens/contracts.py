"""Contract pieces sent by handlers and flows alike: the button back to a contract,
the settled prompt (end it, or ask to) and ending a contract."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ContractCb
from bot.texts import contracts as texts
from core.actors import Actor
from core.marketplace import Marketplace
from core.views.contracts import ContractHeader, ReviewsScreen
from storage.enums import ContractStatus


def contract_button(contract_id: int) -> InlineKeyboardMarkup:
    """The one button back to a contract, under what happened on it."""
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts.open_contract(), callback_data=ContractCb(action="view", contract_id=contract_id)
    )
    return kb.as_markup()


def settled_keyboard(contract_id: int, employer: bool, other: str) -> InlineKeyboardMarkup:
    """End & review in one tap (the employer), or ask for it (the freelancer)."""
    kb = InlineKeyboardBuilder()
    if employer:
        kb.button(
            text=texts.end_and_review(),
            callback_data=ContractCb(action="end_review", contract_id=contract_id),
        )
    else:
        kb.button(
            text=texts.ask_to_end(other),
            callback_data=ContractCb(action="ask_end", contract_id=contract_id),
        )
    kb.button(
        text=texts.open_contract(), callback_data=ContractCb(action="view", contract_id=contract_id)
    )
    kb.adjust(1)
    return kb.as_markup()


async def settled_prompt(
    market: Marketplace, actor: Actor, contract_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    """What a side is told once core says the contract is settled: end it, or ask to."""
    return settled_prompt_for(await market.views.contracts.header(actor, contract_id))


def settled_prompt_for(head: ContractHeader) -> tuple[str, InlineKeyboardMarkup]:
    """:func:`settled_prompt` for a contract already read."""
    return (
        texts.settled_prompt(head.project_title, head.employer, head.other_name),
        settled_keyboard(head.contract.id, head.employer, head.other_name),
    )


async def end_now(market: Marketplace, actor: Actor, contract_id: int) -> tuple[ReviewsScreen, str]:
    """End the contract (core refuses if it may not end yet): its reviews screen as this
    person sees it now, and what to say."""
    contract = await market.contracts.end(actor, contract_id)
    screen = await market.views.contracts.reviews(actor, contract.id)
    completed = contract.status is ContractStatus.COMPLETED
    title = screen.header.project_title
    return screen, texts.ended(title, completed, screen.reviews.ending)
