"""The owner's project card (sent after posting and from My projects)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot import deeplinks
from bot.callbacks import AwardCb, ContractCb, MenuCb, ProjectCb
from bot.texts import projects as texts
from bot.ui import send_long
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency
from storage.enums import ProjectStatus

ENDED = (ProjectStatus.COMPLETED, ProjectStatus.CLOSED, ProjectStatus.CANCELLED)


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
