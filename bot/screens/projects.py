"""The owner's project card (sent after posting and from My projects): one core view,
its buttons exactly the view's ``actions``."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot import deeplinks
from bot.callbacks import AwardCb, ContractCb, MenuCb, ProjectCb
from bot.context import Ctx
from bot.texts import projects as texts
from bot.ui import send_long
from core.money import Currency
from core.views.projects import ProjectCard


def _owner_keyboard(card: ProjectCard) -> InlineKeyboardMarkup:
    """The employer's buttons: exactly the card's ``actions``."""
    project_id, actions = card.view.project.id, card.actions

    def cb(label: str, action: str) -> InlineKeyboardButton:
        data = ProjectCb(action=action, project_id=project_id).pack()
        return InlineKeyboardButton(text=label, callback_data=data)

    rows: list[list[InlineKeyboardButton]] = []
    if "open_contract" in actions and card.contract_id is not None:
        data = ContractCb(action="view", contract_id=card.contract_id).pack()
        rows.append([InlineKeyboardButton(text=texts.open_contract(), callback_data=data)])
    first = []
    if "publish" in actions:
        first.append(cb(texts.publish(), "publish"))
    if "bids" in actions:
        first.append(cb(f"{texts.view_bids()} ({card.view.bid_count})", "bids"))
    if "edit" in actions:
        first.append(cb(texts.edit(), "edit"))
    if first:
        rows.append(first)
    if "share" in actions:
        rows.append(
            [InlineKeyboardButton(text=texts.share(), switch_inline_query=f"p_{project_id}")]
        )
    if "withdraw_offer" in actions and card.offer is not None:
        data = AwardCb(action="withdraw", award_id=card.offer.id).pack()
        rows.append([InlineKeyboardButton(text=texts.withdraw_offer(), callback_data=data)])
    if "cancel" in actions:
        rows.append([cb(texts.cancel_project(), "cancel")])
    rows.append(
        [InlineKeyboardButton(text=texts.back(), callback_data=MenuCb(action="projects").pack())]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def owner_card(
    card: ProjectCard, money: Currency, bot_username: str | None, header: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """The employer's own project: status, bids, pending offer, and what they can do now."""
    project_id = card.view.project.id
    link = deeplinks.link(bot_username, "p", project_id) if bot_username else None
    text = texts.project_card(
        card.view, money, owner=True, pending=card.offer, share_link=link, header=header
    )
    return text, _owner_keyboard(card)


async def send_owner_card(
    ctx: Ctx, project_id: int, bot_username: str | None, header: str = ""
) -> None:
    """:func:`owner_card`, read and sent to its owner."""
    card = await ctx.market.views.projects.card(ctx.actor, project_id)
    money = ctx.settings.money
    await send_long(ctx.bot, ctx.actor.telegram_id, *owner_card(card, money, bot_username, header))
