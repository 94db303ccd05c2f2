"""/contracts: the list, one contract with its milestones, and ending a contract."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ChatCb, ContractCb, MenuCb, MilestoneCb
from bot.context import Ctx
from bot.render import pages
from bot.routers import Area
from bot.screens.contracts import contract_button, end_now
from bot.settings import BotSettings
from bot.texts import contracts as texts
from bot.texts import milestones as milestone_texts
from bot.texts import reviews as review_texts
from bot.texts.common import money_badge
from bot.ui import page_row, send_or_replace, send_screen, yes_or_not
from core.actors import Actor
from core.clock import Clock
from core.marketplace import Marketplace

router = Area("handlers.contracts")
PAGE = 8
PAGE_KIND = "contracts"
#: Milestone buttons on one contract screen (newest first beyond this are in the list only).
MAX_MILESTONE_BUTTONS = 20


# --- the list ---------------------------------------------------------------------------


async def contracts_page(
    market: Marketplace, actor: Actor, settings: BotSettings, offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    page = await market.views.contracts.page(actor, PAGE, offset)
    lines = [
        texts.ContractLine(c.contract, c.project_title, c.other_name, c.employer)
        for c in page.items
    ]
    kb = InlineKeyboardBuilder()
    for n, line in enumerate(lines, start=offset + 1):
        kb.button(
            text=texts.contract_button(n, line.project_title),
            callback_data=ContractCb(action="view", contract_id=line.contract.id),
        )
    kb.adjust(1)
    nav = page_row(PAGE_KIND, offset, PAGE, page.more, texts.prev_page(), texts.next_page())
    if nav:
        kb.row(*nav)
    badge = money_badge(settings.gateways())
    return texts.contracts_list(lines, settings.money, offset + 1, badge), kb.as_markup()


@router.screen("contracts")
@router.pages(PAGE_KIND)
async def my_contracts(ctx: Ctx, offset: int = 0, query: CallbackQuery | None = None) -> None:
    """The list is sent anew from the command or menu; its page buttons turn it in place."""
    text, kb = await contracts_page(ctx.market, ctx.actor, ctx.settings, offset)
    await send_or_replace(ctx.bot, ctx.actor.telegram_id, query, text, kb)


# --- one contract -----------------------------------------------------------------------


async def contract_screen(
    market: Marketplace, actor: Actor, settings: BotSettings, clock: Clock, contract_id: int
) -> tuple[list[str], InlineKeyboardMarkup]:
    screen = await market.views.contracts.screen(actor, contract_id)
    head, actions = screen.header, screen.actions
    contract, milestones = head.contract, list(screen.milestones)
    badge = money_badge(settings.gateways())
    text = texts.contract_view(
        contract,
        head.project_title,
        head.employer,
        head.other_name,
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
    if "new_milestone" in actions:
        kb.button(
            text=milestone_texts.new_milestone(),
            callback_data=ContractCb(action="new_ms", contract_id=contract.id),
        )
    if "request_milestone" in actions:
        kb.button(
            text=milestone_texts.request_milestone(),
            callback_data=ContractCb(action="request_ms", contract_id=contract.id),
        )
    if "message" in actions:
        kb.button(
            text=texts.message_other(head.other_name),
            callback_data=ChatCb(project_id=contract.project_id, user_id=head.other_id),
        )
    if "end" in actions:
        kb.button(
            text=texts.end_contract(),
            callback_data=ContractCb(action="end", contract_id=contract.id),
        )
    if "reviews" in actions:  # every ending with money at stake is reviewed, refunds included
        kb.button(
            text=review_texts.reviews(),
            callback_data=ContractCb(action="review", contract_id=contract.id),
        )
    kb.button(text=texts.back_to_contracts(), callback_data=MenuCb(action="contracts"))
    kb.adjust(1)
    return pages(text), kb.as_markup()


@router.callback_query(ContractCb.filter(F.action == "view"))
async def open_contract(
    query: CallbackQuery, callback_data: ContractCb, ctx: Ctx, clock: Clock
) -> None:
    await ctx.state.clear()
    parts, kb = await contract_screen(
        ctx.market, ctx.actor, ctx.settings, clock, callback_data.contract_id
    )
    await send_screen(ctx.bot, query.from_user.id, parts, kb)


# --- ending -----------------------------------------------------------------------------


@router.callback_query(ContractCb.filter(F.action == "ask_end"))
async def ask_to_end(query: CallbackQuery, callback_data: ContractCb, ctx: Ctx) -> None:
    """The freelancer asks the employer to end a settled contract (once per button)."""
    contract = await ctx.market.contracts.ask_to_end(ctx.actor, callback_data.contract_id)
    head = await ctx.market.views.contracts.header(ctx.actor, contract.id)  # the freelancer's
    ctx.callback_reply.text = "🏁"
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=contract_button(contract.id))
    await ctx.bot.send_message(query.from_user.id, texts.asked_to_end(head.other_name))


@router.callback_query(ContractCb.filter(F.action == "end"))
async def end_prompt(query: CallbackQuery, callback_data: ContractCb, ctx: Ctx) -> None:
    contract = await ctx.market.contracts.check(ctx.actor, callback_data.contract_id, "end")
    project = await ctx.market.projects.get(contract.project_id)
    keyboard = yes_or_not(
        texts.confirm_end(),
        ContractCb(action="end_ok", contract_id=contract.id),
        texts.back_to_contract(),
        ContractCb(action="view", contract_id=contract.id),
    )
    await ctx.bot.send_message(
        query.from_user.id, texts.end_confirm(project.title), reply_markup=keyboard
    )


@router.callback_query(ContractCb.filter(F.action == "end_ok"))
async def end_contract(query: CallbackQuery, callback_data: ContractCb, ctx: Ctx) -> None:
    screen, text = await end_now(ctx.market, ctx.actor, callback_data.contract_id)
    contract = screen.header.contract
    kb = InlineKeyboardBuilder()
    if "write" in screen.actions:
        kb.button(
            text=review_texts.review(),
            callback_data=ContractCb(action="review", contract_id=contract.id),
        )
    kb.button(
        text=texts.open_contract(), callback_data=ContractCb(action="view", contract_id=contract.id)
    )
    kb.adjust(1)
    ctx.callback_reply.text = "🏁"
    if query.message is not None and isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=kb.as_markup())
    else:
        await ctx.bot.send_message(query.from_user.id, text, reply_markup=kb.as_markup())
