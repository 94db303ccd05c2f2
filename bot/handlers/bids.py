"""Bids and awards outside the bid conversation: My bids, the employer's review of bids
(sort, open one, message, award, decline), retracting, and answering or withdrawing offers.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import (
    AwardCb,
    BidCb,
    BidSortCb,
    ChatCb,
    ContractCb,
    MenuCb,
    PageCb,
    ProjectCb,
)
from bot.handlers.profiles import public_profile_text
from bot.handlers.reports import safety_row
from bot.keyboards import back_to_menu
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import bids as texts
from bot.ui import replace, send_long
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency
from core.services.bids import BidOrder
from storage.enums import BidStatus

router = Area("handlers.bids")

PAGE = 8
ORDERS: tuple[BidOrder, ...] = ("newest", "lowest", "rating")


def _button(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=data.pack())


# --- my bids ----------------------------------------------------------------------------------


async def _send_my_bids(
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    money: Currency,
    offset: int,
    query: CallbackQuery | None = None,
) -> None:
    found = await market.bids.of_freelancer(actor, limit=PAGE + 1, offset=offset)
    if not found:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[_button(texts.FIND_WORK, MenuCb(action="find"))], [back_to_menu()]]
        )
        await bot.send_message(actor.telegram_id, texts.NO_BIDS, reply_markup=markup)
        return
    shown = found[:PAGE]
    items = [(bid, await market.projects.get(bid.project_id)) for bid in shown]
    rows = [
        [_button(texts.my_bid_button(n, project), ProjectCb(action="view", project_id=project.id))]
        for n, (_, project) in enumerate(items, offset + 1)
    ]
    nav = []
    if offset > 0:
        nav.append(_button(texts.PREV, PageCb(kind="myb", cursor=str(max(0, offset - PAGE)))))
    if len(found) > PAGE:
        nav.append(_button(texts.NEXT, PageCb(kind="myb", cursor=str(offset + PAGE))))
    if nav:
        rows.append(nav)
    rows.append([back_to_menu()])
    text = texts.my_bids(items, money, offset + 1)
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    if query is not None:
        await replace(bot, query, text, markup)
    else:
        await bot.send_message(actor.telegram_id, text, reply_markup=markup)


@router.message(Command("bids"))
async def bids_command(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    await _send_my_bids(bot, market, actor, settings.money, 0)


@router.callback_query(MenuCb.filter(F.action == "bids"))
async def bids_button(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    await _send_my_bids(bot, market, actor, settings.money, 0)


@router.callback_query(PageCb.filter(F.kind == "myb"))
async def bids_page(
    query: CallbackQuery,
    callback_data: PageCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    offset = int(callback_data.cursor) if callback_data.cursor.isdigit() else 0
    await _send_my_bids(bot, market, actor, settings.money, offset, query)


# --- the employer's review --------------------------------------------------------------------


async def _send_bid_list(
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    money: Currency,
    project_id: int,
    order: BidOrder,
    offset: int,
    query: CallbackQuery | None = None,
) -> None:
    views = await market.bids.for_employer(actor, project_id, order)
    project = await market.projects.get(project_id)
    shown = views[offset : offset + PAGE]
    rows = [
        [_button(texts.bid_button(n, v, money), BidCb(action="view", bid_id=v.bid.id))]
        for n, v in enumerate(shown, offset + 1)
    ]
    nav = []
    if offset > 0:
        back = BidSortCb(project_id=project_id, order=order, offset=max(0, offset - PAGE))
        nav.append(_button(texts.PREV, back))
    if offset + PAGE < len(views):
        ahead = BidSortCb(project_id=project_id, order=order, offset=offset + PAGE)
        nav.append(_button(texts.NEXT, ahead))
    if nav:
        rows.append(nav)
    if len(views) > 1:
        rows.append(
            [
                _button(texts.sort_label(o, order), BidSortCb(project_id=project_id, order=o))
                for o in ORDERS
            ]
        )
    rows.append([_button(texts.OPEN_PROJECT, ProjectCb(action="view", project_id=project_id))])
    text = texts.bid_list(project, shown, money, offset + 1)
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    if query is not None:
        await replace(bot, query, text, markup)
    else:
        await send_long(bot, actor.telegram_id, text, markup)


@router.callback_query(ProjectCb.filter(F.action == "bids"))
async def project_bids(
    query: CallbackQuery,
    callback_data: ProjectCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await _send_bid_list(bot, market, actor, settings.money, callback_data.project_id, "newest", 0)


@router.callback_query(BidSortCb.filter())
async def sorted_bids(
    query: CallbackQuery,
    callback_data: BidSortCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    order: BidOrder = next((o for o in ORDERS if o == callback_data.order), "newest")
    await _send_bid_list(
        bot,
        market,
        actor,
        settings.money,
        callback_data.project_id,
        order,
        max(0, callback_data.offset),
        query,
    )


@router.callback_query(BidCb.filter(F.action == "view"))
async def view_bid(
    query: CallbackQuery,
    callback_data: BidCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    """The bidder's profile card and the full proposal, with Message / Award / Decline."""
    view = await market.bids.view_for_employer(actor, callback_data.bid_id)
    bid = view.bid
    project = await market.projects.get(bid.project_id)
    card = await public_profile_text(market, bid.freelancer_id, settings.money)
    rows = [[_button(texts.MESSAGE, ChatCb(project_id=project.id, user_id=bid.freelancer_id))]]
    if bid.status is BidStatus.ACTIVE:
        rows[0].append(_button(texts.AWARD, BidCb(action="award", bid_id=bid.id)))
        rows[0].append(_button(texts.DECLINE, BidCb(action="decline", bid_id=bid.id)))
    rows.append(safety_row(bid.id, view.muted))
    rows.append([_button(texts.BACK_TO_BIDS, ProjectCb(action="bids", project_id=project.id))])
    text = f"{card}\n\n{texts.bid_detail(project, bid, settings.money)}"
    await send_long(bot, actor.telegram_id, text, InlineKeyboardMarkup(inline_keyboard=rows))


@router.callback_query(BidCb.filter(F.action == "decline"))
async def decline_bid(
    query: CallbackQuery,
    callback_data: BidCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
) -> None:
    bid = await market.bids.decline(actor, callback_data.bid_id)
    freelancer = await market.users.get(bid.freelancer_id)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(texts.BACK_TO_BIDS, ProjectCb(action="bids", project_id=bid.project_id))]
        ]
    )
    await bot.send_message(
        actor.telegram_id, texts.bid_declined(freelancer.first_name), reply_markup=markup
    )


# --- the freelancer retracts ------------------------------------------------------------------


@router.callback_query(BidCb.filter(F.action == "retract"))
async def retract_ask(
    query: CallbackQuery,
    callback_data: BidCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    bid = await market.bids.check_active(actor, callback_data.bid_id)
    project = await market.projects.get(bid.project_id)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(texts.YES_RETRACT, BidCb(action="retract_ok", bid_id=bid.id)),
                _button(texts.NO_KEEP, ProjectCb(action="view", project_id=project.id)),
            ]
        ]
    )
    await bot.send_message(
        actor.telegram_id, texts.confirm_retract(project.title), reply_markup=markup
    )


@router.callback_query(BidCb.filter(F.action == "retract_ok"))
async def retract(
    query: CallbackQuery,
    callback_data: BidCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
) -> None:
    bid = await market.bids.retract(actor, callback_data.bid_id)
    project = await market.projects.get(bid.project_id)
    await replace(bot, query, texts.retracted(project.title), None)


# --- offers: accept, decline, withdraw --------------------------------------------------------


@router.callback_query(AwardCb.filter(F.action == "accept"))
async def accept_offer(
    query: CallbackQuery,
    callback_data: AwardCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
) -> None:
    contract = await market.awards.accept(actor, callback_data.award_id)
    project = await market.projects.get(contract.project_id)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(texts.OPEN_CONTRACT, ContractCb(action="view", contract_id=contract.id))]
        ]
    )
    await bot.send_message(actor.telegram_id, texts.hired(project.title), reply_markup=markup)


async def _confirm_offer_step(
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    award_id: int,
    action: str,
    question: str,
    yes: str,
) -> None:
    """Ask before declining or withdrawing an offer that is still pending."""
    offer = await market.awards.check(actor, award_id, question)
    project = await market.projects.get(offer.project_id)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(yes, AwardCb(action=action, award_id=offer.id)),
                _button(texts.NO_KEEP, ProjectCb(action="view", project_id=project.id)),
            ]
        ]
    )
    text = (
        texts.confirm_decline_offer(project.title)
        if question == "decline"
        else texts.confirm_withdraw(project.title)
    )
    await bot.send_message(actor.telegram_id, text, reply_markup=markup)


@router.callback_query(AwardCb.filter(F.action == "decline"))
async def decline_offer_ask(
    query: CallbackQuery,
    callback_data: AwardCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    await _confirm_offer_step(
        bot,
        market,
        actor,
        callback_data.award_id,
        "decline_ok",
        "decline",
        texts.YES_DECLINE,
    )


@router.callback_query(AwardCb.filter(F.action == "decline_ok"))
async def decline_offer(
    query: CallbackQuery,
    callback_data: AwardCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
) -> None:
    offer = await market.awards.decline(actor, callback_data.award_id)
    project = await market.projects.get(offer.project_id)
    await replace(bot, query, texts.offer_declined(project.title), None)


@router.callback_query(AwardCb.filter(F.action == "withdraw"))
async def withdraw_ask(
    query: CallbackQuery,
    callback_data: AwardCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    await _confirm_offer_step(
        bot,
        market,
        actor,
        callback_data.award_id,
        "withdraw_ok",
        "withdraw",
        texts.YES_WITHDRAW,
    )


@router.callback_query(AwardCb.filter(F.action == "withdraw_ok"))
async def withdraw_offer(
    query: CallbackQuery,
    callback_data: AwardCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
) -> None:
    offer = await market.awards.withdraw(actor, callback_data.award_id)
    project = await market.projects.get(offer.project_id)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(texts.VIEW_BIDS, ProjectCb(action="bids", project_id=project.id))]
        ]
    )
    await replace(bot, query, texts.withdrawn(project.title), markup)
