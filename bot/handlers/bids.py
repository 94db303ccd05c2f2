"""Bids and awards outside the bid conversation: My bids, the employer's review of bids
(sort, open one, message, award, decline), retracting, and answering or withdrawing offers.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

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
from bot.texts.common import shown
from bot.ui import replace, send_long
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency
from core.services.bids import BidOrder

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
    page = await market.views.bids.mine(actor, PAGE, offset)
    if not page.items:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[_button(texts.find_work(), MenuCb(action="find"))], [back_to_menu()]]
        )
        await bot.send_message(actor.telegram_id, texts.no_bids(), reply_markup=markup)
        return
    items = list(page.items)
    rows = [
        [_button(texts.my_bid_button(n, project), ProjectCb(action="view", project_id=project.id))]
        for n, (_, project) in enumerate(items, offset + 1)
    ]
    nav = []
    if offset > 0:
        nav.append(
            _button(texts.prev_page(), PageCb(kind="myb", cursor=str(max(0, offset - PAGE))))
        )
    if page.more:
        nav.append(_button(texts.next_page(), PageCb(kind="myb", cursor=str(offset + PAGE))))
    if nav:
        rows.append(nav)
    rows.append([back_to_menu()])
    text = texts.my_bids(items, money, offset + 1)
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    if query is not None:
        await replace(bot, query, text, markup)
    else:
        await bot.send_message(actor.telegram_id, text, reply_markup=markup)


@router.screen("bids")
@router.pages("myb")
async def my_bids(
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    offset: int = 0,
    query: CallbackQuery | None = None,
) -> None:
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
    review = await market.views.bids.review(actor, project_id, order)
    project, views = review.project, review.bids
    shown = views[offset : offset + PAGE]
    rows = [
        [_button(texts.bid_button(n, v, money), BidCb(action="view", bid_id=v.bid.id))]
        for n, v in enumerate(shown, offset + 1)
    ]
    nav = []
    if offset > 0:
        back = BidSortCb(project_id=project_id, order=order, offset=max(0, offset - PAGE))
        nav.append(_button(texts.prev_page(), back))
    if offset + PAGE < len(views):
        ahead = BidSortCb(project_id=project_id, order=order, offset=offset + PAGE)
        nav.append(_button(texts.next_page(), ahead))
    if nav:
        rows.append(nav)
    if len(views) > 1:
        rows.append(
            [
                _button(texts.sort_label(o, order), BidSortCb(project_id=project_id, order=o))
                for o in ORDERS
            ]
        )
    rows.append([_button(texts.open_project(), ProjectCb(action="view", project_id=project_id))])
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
    screen = await market.views.bids.bid(actor, callback_data.bid_id)
    bid, project = screen.view.bid, screen.project
    card = await public_profile_text(market, actor, bid.freelancer_id, settings.money)
    rows: list[list[InlineKeyboardButton]] = [[]]
    if "message" in screen.actions:
        rows[0].append(
            _button(texts.message(), ChatCb(project_id=project.id, user_id=bid.freelancer_id))
        )
    if "award" in screen.actions:
        rows[0].append(_button(texts.award(), BidCb(action="award", bid_id=bid.id)))
    if "decline" in screen.actions:
        rows[0].append(_button(texts.decline(), BidCb(action="decline", bid_id=bid.id)))
    rows.append(safety_row(bid.id, screen.view.muted))
    rows.append([_button(texts.back_to_bids(), ProjectCb(action="bids", project_id=project.id))])
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
            [_button(texts.back_to_bids(), ProjectCb(action="bids", project_id=bid.project_id))]
        ]
    )
    await bot.send_message(
        actor.telegram_id, texts.bid_declined(shown(freelancer)), reply_markup=markup
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
                _button(texts.yes_retract(), BidCb(action="retract_ok", bid_id=bid.id)),
                _button(texts.no_keep(), ProjectCb(action="view", project_id=project.id)),
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
            [_button(texts.open_contract(), ContractCb(action="view", contract_id=contract.id))]
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
                _button(texts.no_keep(), ProjectCb(action="view", project_id=project.id)),
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
        texts.yes_decline(),
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
        texts.yes_withdraw(),
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
            [_button(texts.view_bids(), ProjectCb(action="bids", project_id=project.id))]
        ]
    )
    await replace(bot, query, texts.withdrawn(project.title), markup)
