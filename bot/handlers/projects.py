"""My projects: the employer's list and project card, publishing drafts, cancelling.

Also the small sending helpers the marketplace screens share (long texts in pages,
pagination that edits the pressed message in place).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import deeplinks
from bot.callbacks import AwardCb, ContractCb, MenuCb, PageCb, ProjectCb
from bot.keyboards import back_to_menu
from bot.middlewares import CallbackReply
from bot.render import MESSAGE_LIMIT, pages
from bot.settings import BotSettings
from bot.texts import projects as texts
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency
from storage.enums import ProjectStatus

router = Router(name="projects")

PAGE = 8
ENDED = (ProjectStatus.COMPLETED, ProjectStatus.CLOSED, ProjectStatus.CANCELLED)


# --- sending helpers -------------------------------------------------------------------------


async def send_long(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send a text of any length as several messages; the keyboard goes on the last one."""
    chunks = pages(text)
    for n, chunk in enumerate(chunks, 1):
        await bot.send_message(chat_id, chunk, reply_markup=markup if n == len(chunks) else None)


async def replace(
    bot: Bot, query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Show ``text`` in place of the pressed message (pagination, filters, toggles), or
    send it anew when that message cannot be edited (too old, a photo, too long a text)."""
    message = query.message
    if isinstance(message, Message) and message.text is not None and len(text) <= MESSAGE_LIMIT:
        try:
            await bot.edit_message_text(
                text, chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
            )
            return
        except TelegramBadRequest as error:
            if "not modified" in error.message:
                return  # the same page pressed twice: nothing to change
    await send_long(bot, query.from_user.id, text, markup)


# --- the owner's project card ----------------------------------------------------------------


def _owner_keyboard(
    project_id: int,
    status: ProjectStatus,
    bid_count: int,
    award_id: int | None,
    contract_id: int | None,
) -> InlineKeyboardMarkup:
    def cb(label: str, action: str) -> InlineKeyboardButton:
        data = ProjectCb(action=action, project_id=project_id).pack()
        return InlineKeyboardButton(text=label, callback_data=data)

    bids = cb(f"{texts.VIEW_BIDS} ({bid_count})", "bids")
    rows: list[list[InlineKeyboardButton]] = []
    if status is ProjectStatus.DRAFT:
        rows.append([cb(texts.PUBLISH, "publish"), cb(texts.EDIT, "edit")])
    elif status is ProjectStatus.OPEN:
        rows.append([bids, cb(texts.EDIT, "edit")])
        rows.append([InlineKeyboardButton(text=texts.SHARE, switch_inline_query=f"p_{project_id}")])
    elif status is ProjectStatus.BIDDING_ENDED:
        rows.append([bids])  # bidding is over: award one of them (or let it close)
    elif status is ProjectStatus.AWARDED:
        rows.append([bids])
        if award_id is not None:
            data = AwardCb(action="withdraw", award_id=award_id).pack()
            rows.append([InlineKeyboardButton(text=texts.WITHDRAW_OFFER, callback_data=data)])
    else:
        if contract_id is not None:
            data = ContractCb(action="view", contract_id=contract_id).pack()
            rows.append([InlineKeyboardButton(text=texts.OPEN_CONTRACT, callback_data=data)])
        if bid_count:
            rows.append([bids])
    if status not in ENDED:
        rows.append([cb(texts.CANCEL_PROJECT, "cancel")])
    rows.append(
        [InlineKeyboardButton(text=texts.BACK, callback_data=MenuCb(action="projects").pack())]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def send_owner_card(
    bot: Bot,
    chat_id: int,
    market: Marketplace,
    actor: Actor,
    project_id: int,
    money: Currency,
    bot_username: str | None,
    header: str = "",
) -> None:
    """The employer's own project: status, bids, pending offer, and what they can do now."""
    view = await market.projects.view(project_id, actor)
    status = view.project.status
    pending = (
        await market.awards.pending_for_project(actor, project_id)
        if status is ProjectStatus.AWARDED
        else None
    )
    contract = (
        await market.contracts.for_project(project_id)
        if status in (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)
        else None
    )
    link = deeplinks.link(bot_username, "p", project_id) if bot_username else None
    text = texts.project_card(
        view, money, owner=True, pending=pending, share_link=link, header=header
    )
    markup = _owner_keyboard(
        project_id,
        status,
        view.bid_count,
        pending.id if pending else None,
        contract.id if contract else None,
    )
    await send_long(bot, chat_id, text, markup)


# --- my projects -----------------------------------------------------------------------------


async def _send_my_projects(
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    money: Currency,
    offset: int,
    query: CallbackQuery | None = None,
) -> None:
    found = await market.projects.of_employer(actor, limit=PAGE + 1, offset=offset)
    kb = InlineKeyboardBuilder()
    if not found:
        kb.button(text=texts.POST_ONE, callback_data=MenuCb(action="post"))
        kb.row(back_to_menu())
        await bot.send_message(actor.telegram_id, texts.NO_PROJECTS, reply_markup=kb.as_markup())
        return
    shown = found[:PAGE]
    views = await market.projects.views(shown, actor)
    for n, project in enumerate(shown, offset + 1):
        kb.row(
            InlineKeyboardButton(
                text=f"{texts.STATUS_ICON[project.status]} {texts.list_button(n, project)}",
                callback_data=ProjectCb(action="view", project_id=project.id).pack(),
            )
        )
    nav = []
    if offset > 0:
        nav.append(
            InlineKeyboardButton(
                text="‹ Prev",
                callback_data=PageCb(kind="myp", cursor=str(max(0, offset - PAGE))).pack(),
            )
        )
    if len(found) > PAGE:
        nav.append(
            InlineKeyboardButton(
                text="Next ›", callback_data=PageCb(kind="myp", cursor=str(offset + PAGE)).pack()
            )
        )
    if nav:
        kb.row(*nav)
    kb.row(back_to_menu())
    text = texts.my_projects(views, money, offset + 1)
    if query is not None:
        await replace(bot, query, text, kb.as_markup())
    else:
        await bot.send_message(actor.telegram_id, text, reply_markup=kb.as_markup())


@router.message(Command("projects"))
async def projects_command(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    await _send_my_projects(bot, market, actor, settings.money, 0)


@router.callback_query(MenuCb.filter(F.action == "projects"))
async def projects_button(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    await _send_my_projects(bot, market, actor, settings.money, 0)


@router.callback_query(PageCb.filter(F.kind == "myp"))
async def projects_page(
    query: CallbackQuery,
    callback_data: PageCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    offset = int(callback_data.cursor) if callback_data.cursor.isdigit() else 0
    await _send_my_projects(bot, market, actor, settings.money, offset, query)


# --- publish, cancel -------------------------------------------------------------------------


@router.callback_query(ProjectCb.filter(F.action == "publish"))
async def publish(
    query: CallbackQuery,
    callback_data: ProjectCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    bot_username: str,
) -> None:
    project = await market.projects.publish(actor, callback_data.project_id)
    await send_owner_card(
        bot,
        actor.telegram_id,
        market,
        actor,
        project.id,
        settings.money,
        bot_username,
        texts.published(project.title) + "\n",
    )


@router.callback_query(ProjectCb.filter(F.action == "cancel"))
async def cancel_ask(
    query: CallbackQuery,
    callback_data: ProjectCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    # core says no at the first press (someone else's project, ended, money held)
    project = await market.projects.check(actor, callback_data.project_id, "cancel")
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts.YES_CANCEL, callback_data=ProjectCb(action="cancel_ok", project_id=project.id)
    )
    kb.button(text=texts.NO_KEEP, callback_data=ProjectCb(action="view", project_id=project.id))
    await bot.send_message(
        actor.telegram_id, texts.confirm_cancel(project.title), reply_markup=kb.as_markup()
    )


@router.callback_query(ProjectCb.filter(F.action == "cancel_ok"))
async def cancel_confirmed(
    query: CallbackQuery,
    callback_data: ProjectCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
) -> None:
    project = await market.projects.cancel(actor, callback_data.project_id)
    await replace(bot, query, texts.cancelled(project.title), None)
