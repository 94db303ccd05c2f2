"""Bids and awards outside the bid conversation: My bids, the employer's review of bids
(sort, open one, message, award, decline), retracting, and answering or withdrawing offers.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram import F
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    AwardCb,
    BidCb,
    BidSortCb,
    ChatCb,
    ContractCb,
    MenuCb,
    ProjectCb,
)
from bot.context import Ctx
from bot.handlers.profiles import public_profile_text
from bot.handlers.reports import safety_row
from bot.keyboards import back_to_menu
from bot.routers import Area
from bot.texts import bids as texts
from bot.texts.common import shown
from bot.ui import markup, page_row, replace, send_long, send_or_replace
from core.money import Currency
from core.services.bids import BidOrder

router = Area("handlers.bids")

PAGE = 8
ORDERS: tuple[BidOrder, ...] = ("newest", "lowest", "rating")


def _button(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=data.pack())


# --- my bids ----------------------------------------------------------------------------------


@router.screen("bids")
@router.pages("myb")
async def my_bids(ctx: Ctx, offset: int = 0, query: CallbackQuery | None = None) -> None:
    page = await ctx.market.views.bids.mine(ctx.actor, PAGE, offset)
    if not page.items:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[_button(texts.find_work(), MenuCb(action="find"))], [back_to_menu()]]
        )
        await ctx.bot.send_message(ctx.actor.telegram_id, texts.no_bids(), reply_markup=markup)
        return
    items = list(page.items)
    rows = [
        [_button(texts.my_bid_button(n, project), ProjectCb(action="view", project_id=project.id))]
        for n, (_, project) in enumerate(items, offset + 1)
    ]
    nav = page_row("myb", offset, PAGE, page.more, texts.prev_page(), texts.next_page())
    if nav:
        rows.append(nav)
    rows.append([back_to_menu()])
    text = texts.my_bids(items, ctx.settings.money, offset + 1)
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    await send_or_replace(ctx.bot, ctx.actor.telegram_id, query, text, markup)


# --- the employer's review --------------------------------------------------------------------


async def _send_bid_list(
    ctx: Ctx,
    money: Currency,
    project_id: int,
    order: BidOrder,
    offset: int,
    query: CallbackQuery | None = None,
) -> None:
    review = await ctx.market.views.bids.review(ctx.actor, project_id, order)
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
        await replace(ctx.bot, query, text, markup)
    else:
        await send_long(ctx.bot, ctx.actor.telegram_id, text, markup)


@router.callback_query(ProjectCb.filter(F.action == "bids"))
async def project_bids(query: CallbackQuery, callback_data: ProjectCb, ctx: Ctx) -> None:
    await _send_bid_list(ctx, ctx.settings.money, callback_data.project_id, "newest", 0)


@router.callback_query(BidSortCb.filter())
async def sorted_bids(query: CallbackQuery, callback_data: BidSortCb, ctx: Ctx) -> None:
    order: BidOrder = next((o for o in ORDERS if o == callback_data.order), "newest")
    await _send_bid_list(
        ctx,
        ctx.settings.money,
        callback_data.project_id,
        order,
        max(0, callback_data.offset),
        query,
    )


@router.callback_query(BidCb.filter(F.action == "view"))
async def view_bid(query: CallbackQuery, callback_data: BidCb, ctx: Ctx) -> None:
    """The bidder's profile card and the full proposal, with Message / Award / Decline."""
    screen = await ctx.market.views.bids.bid(ctx.actor, callback_data.bid_id)
    bid, project = screen.view.bid, screen.project
    card = await public_profile_text(ctx.market, ctx.actor, bid.freelancer_id, ctx.settings.money)
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
    text = f"{card}\n\n{texts.bid_detail(project, bid, ctx.settings.money)}"
    await send_long(
        ctx.bot, ctx.actor.telegram_id, text, InlineKeyboardMarkup(inline_keyboard=rows)
    )


@router.callback_query(BidCb.filter(F.action == "decline"))
async def decline_bid(query: CallbackQuery, callback_data: BidCb, ctx: Ctx) -> None:
    bid = await ctx.market.bids.decline(ctx.actor, callback_data.bid_id)
    freelancer = await ctx.market.users.get(bid.freelancer_id)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(texts.back_to_bids(), ProjectCb(action="bids", project_id=bid.project_id))]
        ]
    )
    await ctx.bot.send_message(
        ctx.actor.telegram_id, texts.bid_declined(shown(freelancer)), reply_markup=markup
    )


# --- the freelancer retracts ------------------------------------------------------------------


async def _ask_first(
    ctx: Ctx, project_id: int, question: Callable[[str], str], yes: str, go: CallbackData
) -> None:
    """Ask before a bid is retracted or an offer declined or withdrawn: yes (``go``), or
    keep it and go back to the project, both in one row."""
    project = await ctx.market.projects.get(project_id)
    keep = _button(texts.no_keep(), ProjectCb(action="view", project_id=project.id))
    markup = InlineKeyboardMarkup(inline_keyboard=[[_button(yes, go), keep]])
    await ctx.bot.send_message(ctx.actor.telegram_id, question(project.title), reply_markup=markup)


async def _done(
    query: CallbackQuery,
    ctx: Ctx,
    project_id: int,
    said: Callable[[str], str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """The confirmation pressed and done: it turns into what was done to the project."""
    project = await ctx.market.projects.get(project_id)
    await replace(ctx.bot, query, said(project.title), markup)


@router.callback_query(BidCb.filter(F.action == "retract"))
async def retract_ask(query: CallbackQuery, callback_data: BidCb, ctx: Ctx) -> None:
    bid = await ctx.market.bids.check_active(ctx.actor, callback_data.bid_id)
    go = BidCb(action="retract_ok", bid_id=bid.id)
    await _ask_first(ctx, bid.project_id, texts.confirm_retract, texts.yes_retract(), go)


@router.callback_query(BidCb.filter(F.action == "retract_ok"))
async def retract(query: CallbackQuery, callback_data: BidCb, ctx: Ctx) -> None:
    bid = await ctx.market.bids.retract(ctx.actor, callback_data.bid_id)
    await _done(query, ctx, bid.project_id, texts.retracted)


# --- offers: accept, decline, withdraw --------------------------------------------------------


@router.callback_query(AwardCb.filter(F.action == "accept"))
async def accept_offer(query: CallbackQuery, callback_data: AwardCb, ctx: Ctx) -> None:
    contract = await ctx.market.awards.accept(ctx.actor, callback_data.award_id)
    project = await ctx.market.projects.get(contract.project_id)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(texts.open_contract(), ContractCb(action="view", contract_id=contract.id))]
        ]
    )
    await ctx.bot.send_message(
        ctx.actor.telegram_id, texts.hired(project.title), reply_markup=markup
    )


#: An offer still pending may be declined (the freelancer) or withdrawn (the employer),
#: each after a question: its words and its yes.
_OFFER_QUESTIONS = {
    "decline": (texts.confirm_decline_offer, texts.yes_decline),
    "withdraw": (texts.confirm_withdraw, texts.yes_withdraw),
}


@router.callback_query(AwardCb.filter(F.action.in_(_OFFER_QUESTIONS)))
async def offer_ask(query: CallbackQuery, callback_data: AwardCb, ctx: Ctx) -> None:
    action = callback_data.action
    offer = await ctx.market.awards.check(ctx.actor, callback_data.award_id, action)
    question, yes = _OFFER_QUESTIONS[action]
    go = AwardCb(action=f"{action}_ok", award_id=offer.id)
    await _ask_first(ctx, offer.project_id, question, yes(), go)


@router.callback_query(AwardCb.filter(F.action == "decline_ok"))
async def decline_offer(query: CallbackQuery, callback_data: AwardCb, ctx: Ctx) -> None:
    offer = await ctx.market.awards.decline(ctx.actor, callback_data.award_id)
    await _done(query, ctx, offer.project_id, texts.offer_declined)


@router.callback_query(AwardCb.filter(F.action == "withdraw_ok"))
async def withdraw_offer(query: CallbackQuery, callback_data: AwardCb, ctx: Ctx) -> None:
    offer = await ctx.market.awards.withdraw(ctx.actor, callback_data.award_id)
    bids = _button(texts.view_bids(), ProjectCb(action="bids", project_id=offer.project_id))
    await _done(query, ctx, offer.project_id, texts.withdrawn, markup([bids]))
