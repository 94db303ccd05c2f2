"""Find work: newest open projects, word search, skill and budget filters, keyset pages,
the public project card (with its files), and the ``p`` deep link that opens it.

The filters of the current search live in FSM data under ``find`` with a search id
(``sid``); page buttons carry that id and core's keyset cursor, so a page button from an
older search says it expired instead of paging with someone else's filters. A small
trail of the cursors shown so far gives the ‹ Prev button its cursor.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import deeplinks
from bot.callbacks import (
    AwardCb,
    BidCb,
    FindCb,
    MenuCb,
    PageCb,
    ProjectCb,
    ReportCb,
    SkillCb,
    UserCb,
)
from bot.context import Ctx
from bot.keyboards import back_to_menu, only_cancel
from bot.picker import picker, picker_turn
from bot.routers import Area
from bot.screens.projects import owner_card
from bot.texts import awards as award_texts
from bot.texts import bids as bid_texts
from bot.texts import projects as texts
from bot.texts import reports as report_texts
from bot.texts import reputation as record_texts
from bot.texts import skills as skill_names
from bot.ui import TYPED, replace, send_long
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency
from core.views.projects import ProjectCard

router = Area("handlers.projects_browse")

PAGE = 5
# Budget filters in whole currency units: (at least, at most); None is open-ended.
BANDS: tuple[tuple[int | None, int | None], ...] = (
    (None, 100),
    (100, 500),
    (500, 2000),
    (2000, None),
)


class FindForm(StatesGroup):
    words = State()
    skill = State()


# --- the search kept in FSM data --------------------------------------------------------------


def _new_search() -> dict[str, Any]:
    return {"sid": secrets.randbelow(10**6), "q": "", "skill": None, "band": 0, "trail": []}


async def _search_of(state: FSMContext) -> dict[str, Any]:
    found = (await state.get_data()).get("find")
    return dict(found) if isinstance(found, dict) else _new_search()


def _band(index: int, money: Currency) -> tuple[int | None, int | None]:
    if not 1 <= index <= len(BANDS):
        return None, None
    scale: int = 10**money.exponent
    lo, hi = BANDS[index - 1]
    return (lo * scale if lo is not None else None, hi * scale if hi is not None else None)


def _band_label(index: int, money: Currency) -> str:
    return texts.budget_band(*_band(index, money), money)


async def _results(
    market: Marketplace, money: Currency, search: dict[str, Any], cursor: str
) -> tuple[str, InlineKeyboardMarkup, dict[str, Any]]:
    """One page of results and the search updated with its place in the trail."""
    lo, hi = _band(int(search["band"]), money)
    page = await market.projects.search(
        search["q"],
        skills=[search["skill"]] if search["skill"] else (),
        budget_at_least=lo,
        budget_at_most=hi,
        cursor=cursor or None,
        limit=PAGE,
    )
    trail: list[str] = list(search["trail"])
    if cursor in trail:
        trail = trail[: trail.index(cursor) + 1]
    else:
        trail.append(cursor)
    search = {**search, "trail": trail}
    views = await market.projects.listings(page.items)
    records = await market.reputation.employer_records([v.project.employer_id for v in views])
    skill_name = None
    if search["skill"]:
        found = [s for s in await market.users.skills_catalogue() if s.slug == search["skill"]]
        skill_name = skill_names.skill(found[0]) if found else search["skill"]
    band = _band_label(int(search["band"]), money) if search["band"] else None
    text = texts.results(
        views,
        money,
        words=search["q"],
        skill=skill_name,
        band=band,
        page=len(trail),
        size=PAGE,
        records=[record_texts.employer_line(records[v.project.employer_id]) for v in views],
    )
    rows = [
        [
            InlineKeyboardButton(
                text=texts.list_button(n, v.project),
                callback_data=ProjectCb(action="view", project_id=v.project.id).pack(),
            )
        ]
        for n, v in enumerate(views, (len(trail) - 1) * PAGE + 1)
    ]
    kind = f"mf{search['sid']}"
    nav = []
    if len(trail) > 1:
        data = PageCb(kind=kind, cursor=trail[-2]).pack()
        nav.append(InlineKeyboardButton(text=texts.prev_page(), callback_data=data))
    if page.next_cursor:
        data = PageCb(kind=kind, cursor=page.next_cursor).pack()
        nav.append(InlineKeyboardButton(text=texts.next_page(), callback_data=data))
    if nav:
        rows.append(nav)

    def f(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=label, callback_data=FindCb(action=action).pack())

    rows.append([f(texts.find_words(), "words"), f(texts.find_skill(), "skill")])
    rows.append([f(texts.find_budget(), "budget")])
    if search["q"] or search["skill"] or search["band"]:
        rows[-1].append(f(texts.find_clear(), "clear"))
    rows.append([back_to_menu()])
    return text, InlineKeyboardMarkup(inline_keyboard=rows), search


async def _show(
    ctx: Ctx,
    money: Currency,
    search: dict[str, Any],
    cursor: str = "",
    query: CallbackQuery | None = None,
) -> None:
    text, markup, search = await _results(ctx.market, money, search, cursor)
    await ctx.state.update_data(find=search)
    if query is not None:
        await replace(ctx.bot, query, text, markup)
    else:
        await ctx.bot.send_message(ctx.actor.telegram_id, text, reply_markup=markup)


@router.message(Command("find"))
@router.callback_query(MenuCb.filter(F.action == "find"))
async def find_work(event: Message | CallbackQuery, ctx: Ctx) -> None:
    await ctx.state.clear()
    await _show(ctx, ctx.settings.money, _new_search())


@router.callback_query(PageCb.filter(F.kind.startswith("mf")))
async def find_page(query: CallbackQuery, callback_data: PageCb, ctx: Ctx) -> None:
    search = (await ctx.state.get_data()).get("find")
    if not isinstance(search, dict) or callback_data.kind != f"mf{search['sid']}":
        ctx.callback_reply.text, ctx.callback_reply.alert = texts.search_expired(), True
        return
    await _show(ctx, ctx.settings.money, search, callback_data.cursor, query)


# --- filters ----------------------------------------------------------------------------------


@router.callback_query(FindCb.filter(F.action == "words"))
async def ask_words(query: CallbackQuery, ctx: Ctx) -> None:
    await ctx.state.update_data(find=await _search_of(ctx.state))
    await ctx.state.set_state(FindForm.words)
    await ctx.bot.send_message(ctx.actor.telegram_id, texts.ask_words(), reply_markup=only_cancel())


@router.message(FindForm.words, TYPED)
async def got_words(message: Message, ctx: Ctx) -> None:
    search = {**await _search_of(ctx.state), "q": (message.text or "").strip()[:100], "trail": []}
    await ctx.state.set_state(None)
    await _show(ctx, ctx.settings.money, search)


router.reminds("words_not_text", FindForm.words, ~F.text, text=texts.words_as_text)


def _filter_prompt(page: int, pages: int, categories: Sequence[str]) -> str:
    return texts.ask_filter_skill()


@router.callback_query(FindCb.filter(F.action == "skill"))
async def ask_skill(query: CallbackQuery, ctx: Ctx) -> None:
    await ctx.state.update_data(find=await _search_of(ctx.state), skills=[], sk_page=0)
    await ctx.state.set_state(FindForm.skill)
    text, markup = picker(
        await ctx.market.users.skills_catalogue(),
        [],
        0,
        _filter_prompt,
        done=None,
        any_label=texts.any_skill(),
    )
    await replace(ctx.bot, query, text, markup)


@router.callback_query(FindForm.skill, PageCb.filter(F.kind == "sk"))
async def skill_page(query: CallbackQuery, callback_data: PageCb, ctx: Ctx) -> None:
    await picker_turn(
        query,
        callback_data.cursor,
        ctx.state,
        ctx.bot,
        ctx.market,
        _filter_prompt,
        multi=False,
        any_label=texts.any_skill(),
    )


@router.callback_query(FindForm.skill, SkillCb.filter())
async def got_skill(query: CallbackQuery, callback_data: SkillCb, ctx: Ctx) -> None:
    catalogue = await ctx.market.users.skills_catalogue()
    slug = next((s.slug for s in catalogue if s.id == callback_data.skill_id), None)
    search = {**await _search_of(ctx.state), "skill": slug, "trail": []}
    await ctx.state.set_state(None)
    await _show(ctx, ctx.settings.money, search, query=query)


@router.callback_query(FindCb.filter(F.action == "budget"))
async def ask_budget(query: CallbackQuery, ctx: Ctx) -> None:
    await ctx.state.update_data(find=await _search_of(ctx.state))
    rows = [
        [
            InlineKeyboardButton(
                text=_band_label(n, ctx.settings.money),
                callback_data=FindCb(action="band", value=n).pack(),
            )
        ]
        for n in range(1, len(BANDS) + 1)
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=texts.any_budget(), callback_data=FindCb(action="band", value=0).pack()
            )
        ]
    )
    await replace(
        ctx.bot, query, texts.ask_filter_budget(), InlineKeyboardMarkup(inline_keyboard=rows)
    )


@router.callback_query(FindCb.filter(F.action == "band"))
async def got_budget(query: CallbackQuery, callback_data: FindCb, ctx: Ctx) -> None:
    band = callback_data.value if 0 <= callback_data.value <= len(BANDS) else 0
    search = {**await _search_of(ctx.state), "band": band, "trail": []}
    await _show(ctx, ctx.settings.money, search, query=query)


@router.callback_query(FindCb.filter(F.action == "clear"))
async def clear_filters(query: CallbackQuery, ctx: Ctx) -> None:
    search = {**await _search_of(ctx.state), "q": "", "skill": None, "band": 0, "trail": []}
    await _show(ctx, ctx.settings.money, search, query=query)


# --- the project card -------------------------------------------------------------------------


def _public_keyboard(card: ProjectCard) -> InlineKeyboardMarkup:
    """Everyone else's buttons: exactly the card's ``actions``."""
    project_id, actions = card.view.project.id, card.actions
    rows: list[list[InlineKeyboardButton]] = []
    mine = card.my_bid
    if mine is not None and ("edit_bid" in actions or "retract" in actions):
        row = []
        if "edit_bid" in actions:
            data = BidCb(action="edit", bid_id=mine.id).pack()
            row.append(InlineKeyboardButton(text=bid_texts.edit_bid(), callback_data=data))
        if "retract" in actions:
            data = BidCb(action="retract", bid_id=mine.id).pack()
            row.append(InlineKeyboardButton(text=bid_texts.retract(), callback_data=data))
        rows.append(row)
    if card.offer is not None and "accept_offer" in actions:
        accept = AwardCb(action="accept", award_id=card.offer.id).pack()
        decline = AwardCb(action="decline", award_id=card.offer.id).pack()
        rows.append(
            [
                InlineKeyboardButton(text=bid_texts.accept(), callback_data=accept),
                InlineKeyboardButton(text=bid_texts.decline_offer(), callback_data=decline),
            ]
        )
    if "bid" in actions:
        data = ProjectCb(action="bid", project_id=project_id).pack()
        rows.append([InlineKeyboardButton(text=bid_texts.bid_on_this(), callback_data=data)])
    if "files" in actions:
        data = ProjectCb(action="files", project_id=project_id).pack()
        rows.append([InlineKeyboardButton(text=texts.files(), callback_data=data)])
    employer = UserCb(action="employer", user_id=card.view.project.employer_id).pack()
    report = ReportCb(action="new", kind="project", target_id=project_id).pack()
    rows.append(
        [
            InlineKeyboardButton(text=texts.employer(), callback_data=employer),
            InlineKeyboardButton(text=report_texts.report(), callback_data=report),
        ]
    )
    rows.append([back_to_menu()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def send_project(
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    project_id: int,
    money: Currency,
    bot_username: str | None,
    header: str = "",
) -> None:
    """A project as the person asking should see it: the owner's card for its employer,
    the public card (with Bid, or one's own bid and offer) for everyone else."""
    card = await market.views.projects.card(actor, project_id)
    if card.owner:
        await send_long(bot, actor.telegram_id, *owner_card(card, money, bot_username, header))
        return
    mine, offer = card.my_bid, card.offer
    assert card.record is not None
    text = texts.project_card(
        card.view,
        money,
        employer=card.employer,
        record=record_texts.employer_line(card.record),
        my_bid=bid_texts.my_bid_line(mine, money) if mine is not None else None,
        header=header,
    )
    if offer is not None:  # "Accept offer and terms" below: the terms, to accept
        text += "\n\n" + award_texts.terms(offer.deliverables, offer.revision_rounds, offer.due_at)
    await send_long(bot, actor.telegram_id, text, _public_keyboard(card))


@router.callback_query(ProjectCb.filter(F.action == "view"))
async def view_project(
    query: CallbackQuery, callback_data: ProjectCb, ctx: Ctx, bot_username: str
) -> None:
    await send_project(
        ctx.bot, ctx.market, ctx.actor, callback_data.project_id, ctx.settings.money, bot_username
    )


@router.callback_query(ProjectCb.filter(F.action == "files"))
async def project_files(query: CallbackQuery, callback_data: ProjectCb, ctx: Ctx) -> None:
    view = await ctx.market.projects.view(callback_data.project_id, ctx.actor)
    if not view.attachments:
        ctx.callback_reply.text = texts.no_files()
        return
    for file in view.attachments:
        if file.kind == "photo":
            await ctx.bot.send_photo(ctx.actor.telegram_id, file.file_id)
        else:
            await ctx.bot.send_document(ctx.actor.telegram_id, file.file_id)


@deeplinks.opens("p")
async def open_from_link(
    message: Message, project_id: int, market: Marketplace, actor: Actor
) -> None:
    """t.me/<bot>?start=p_<id>: the project card (the owner's card for its employer)."""
    bot = message.bot
    assert bot is not None
    me = await bot.me()
    await send_project(
        bot, market, actor, project_id, market.ctx.settings.money, me.username or None
    )
