"""/contracts: the list, one contract with its milestones, and ending a contract."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ChatCb, ContractCb, MenuCb, MilestoneCb, PageCb
from bot.middlewares import CallbackReply
from bot.render import pages
from bot.routers import Area
from bot.screens.contracts import contract_button, end_now
from bot.settings import BotSettings
from bot.texts import contracts as texts
from bot.texts import milestones as milestone_texts
from bot.texts import reviews as review_texts
from bot.texts.common import money_badge
from bot.ui import send_screen
from core.actors import Actor
from core.clock import Clock
from core.marketplace import Marketplace
from storage.enums import ContractStatus

router = Area("handlers.contracts")
PAGE = 8
PAGE_KIND = "contracts"
#: Milestone buttons on one contract screen (newest first beyond this are in the list only).
MAX_MILESTONE_BUTTONS = 20


# --- the list ---------------------------------------------------------------------------


async def contracts_page(
    market: Marketplace, actor: Actor, settings: BotSettings, offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    found = await market.contracts.of_user(actor, limit=PAGE + 1, offset=offset)
    lines: list[texts.ContractLine] = []
    for contract in found[:PAGE]:
        project = await market.projects.get(contract.project_id)
        employer = contract.employer_id == actor.user_id
        other = await market.users.get(contract.freelancer_id if employer else contract.employer_id)
        lines.append(texts.ContractLine(contract, project.title, other.first_name, employer))
    kb = InlineKeyboardBuilder()
    for n, line in enumerate(lines, start=offset + 1):
        kb.button(
            text=texts.contract_button(n, line.project_title),
            callback_data=ContractCb(action="view", contract_id=line.contract.id),
        )
    if len(found) > PAGE:
        kb.button(
            text=texts.NEXT_PAGE, callback_data=PageCb(kind=PAGE_KIND, cursor=str(offset + PAGE))
        )
    kb.adjust(1)
    badge = money_badge(settings.gateways())
    return texts.contracts_list(lines, settings.money, offset + 1, badge), kb.as_markup()


@router.message(Command("contracts"))
async def contracts_command(
    message: Message,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    text, kb = await contracts_page(market, actor, settings, 0)
    await message.answer(text, reply_markup=kb)


@router.callback_query(MenuCb.filter(F.action == "contracts"))
async def contracts_button(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    text, kb = await contracts_page(market, actor, settings, 0)
    await bot.send_message(query.from_user.id, text, reply_markup=kb)


@router.callback_query(PageCb.filter(F.kind == PAGE_KIND))
async def contracts_more(
    query: CallbackQuery,
    callback_data: PageCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    offset = int(callback_data.cursor) if callback_data.cursor.isdigit() else 0
    text, kb = await contracts_page(market, actor, settings, offset)
    await bot.send_message(query.from_user.id, text, reply_markup=kb)


# --- one contract -----------------------------------------------------------------------


async def contract_screen(
    market: Marketplace, actor: Actor, settings: BotSettings, clock: Clock, contract_id: int
) -> tuple[list[str], InlineKeyboardMarkup]:
    contract = await market.contracts.get(actor, contract_id)
    project = await market.projects.get(contract.project_id)
    milestones = await market.milestones.for_contract(actor, contract.id)
    employer = contract.employer_id == actor.user_id
    other = await market.users.get(contract.freelancer_id if employer else contract.employer_id)
    badge = money_badge(settings.gateways())
    text = texts.contract_view(
        contract,
        project.title,
        employer,
        other.first_name,
        milestones,
        settings.money,
        clock.now(),
        badge,
    )
    kb = InlineKeyboardBuilder()
    for m in milestones[-MAX_MILESTONE_BUTTONS:]:
        kb.button(
            text=milestone_texts.milestone_button(m, settings.money),
            callback_data=MilestoneCb(action="view", milestone_id=m.id),
        )
    active = contract.status is ContractStatus.ACTIVE
    if active:
        kb.button(
            text=milestone_texts.NEW_MILESTONE if employer else milestone_texts.REQUEST_MILESTONE,
            callback_data=ContractCb(
                action="new_ms" if employer else "request_ms", contract_id=contract.id
            ),
        )
    kb.button(
        text=texts.message_other(other.first_name),
        callback_data=ChatCb(project_id=contract.project_id, user_id=other.id),
    )
    if active:
        kb.button(
            text=texts.END_CONTRACT, callback_data=ContractCb(action="end", contract_id=contract.id)
        )
    if not active and (await market.reviews.for_contract(actor, contract.id)).ending:
        kb.button(  # every ending with money at stake is reviewed, refunds included
            text=review_texts.REVIEWS,
            callback_data=ContractCb(action="review", contract_id=contract.id),
        )
    kb.button(text=texts.BACK_TO_CONTRACTS, callback_data=MenuCb(action="contracts"))
    kb.adjust(1)
    return pages(text), kb.as_markup()


@router.callback_query(ContractCb.filter(F.action == "view"))
async def open_contract(
    query: CallbackQuery,
    callback_data: ContractCb,
    bot: Bot,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    clock: Clock,
) -> None:
    await state.clear()
    parts, kb = await contract_screen(market, actor, settings, clock, callback_data.contract_id)
    await send_screen(bot, query.from_user.id, parts, kb)


# --- ending -----------------------------------------------------------------------------


@router.callback_query(ContractCb.filter(F.action == "ask_end"))
async def ask_to_end(
    query: CallbackQuery,
    callback_data: ContractCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    """The freelancer asks the employer to end a settled contract (once per button)."""
    contract = await market.contracts.ask_to_end(actor, callback_data.contract_id)
    employer = await market.users.get(contract.employer_id)
    callback_reply.text = "🏁"
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=contract_button(contract.id))
    await bot.send_message(query.from_user.id, texts.asked_to_end(employer.first_name))


@router.callback_query(ContractCb.filter(F.action == "end"))
async def end_prompt(
    query: CallbackQuery, callback_data: ContractCb, bot: Bot, market: Marketplace, actor: Actor
) -> None:
    # core says no at the first press (not a party, ended, money still held)
    contract = await market.contracts.check(actor, callback_data.contract_id, "end")
    project = await market.projects.get(contract.project_id)
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts.CONFIRM_END, callback_data=ContractCb(action="end_ok", contract_id=contract.id)
    )
    kb.button(
        text=texts.BACK_TO_CONTRACT,
        callback_data=ContractCb(action="view", contract_id=contract.id),
    )
    kb.adjust(1)
    await bot.send_message(
        query.from_user.id, texts.end_confirm(project.title), reply_markup=kb.as_markup()
    )


@router.callback_query(ContractCb.filter(F.action == "end_ok"))
async def end_contract(
    query: CallbackQuery,
    callback_data: ContractCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    contract, reviews, text = await end_now(market, actor, callback_data.contract_id)
    kb = InlineKeyboardBuilder()
    if reviews.can_write:
        kb.button(
            text=review_texts.REVIEW,
            callback_data=ContractCb(action="review", contract_id=contract.id),
        )
    kb.button(
        text=texts.OPEN_CONTRACT, callback_data=ContractCb(action="view", contract_id=contract.id)
    )
    kb.adjust(1)
    callback_reply.text = "🏁"
    if query.message is not None and isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=kb.as_markup())
    else:
        await bot.send_message(query.from_user.id, text, reply_markup=kb.as_markup())
