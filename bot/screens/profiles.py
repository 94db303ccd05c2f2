"""One's own profile screen with its Edit buttons, and the track record under a card;
sent by /profile and at the end of the profile wizard."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot.callbacks import PrivacyCb, ProfileEditCb, UserCb
from bot.keyboards import back_to_menu
from bot.texts import privacy as privacy_texts
from bot.texts import profiles as texts
from bot.texts import reputation as record_texts
from bot.ui import action_button, send_long
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency
from storage.enums import PartyRole


def _edit(label: str, field: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=ProfileEditCb(field=field).pack())


def own_keyboard(user_id: int, complete: bool) -> InlineKeyboardMarkup:
    first = _edit(texts.EDIT_ALL, "all") if complete else _edit(texts.COMPLETE_MISSING, "missing")
    public = UserCb(action="profile", user_id=user_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [first],
            [
                _edit(texts.EDIT_HEADLINE, "headline"),
                _edit(texts.EDIT_BIO, "bio"),
                _edit(texts.EDIT_SKILLS, "skills"),
            ],
            [_edit(texts.EDIT_RATE, "rate"), _edit(texts.EDIT_PORTFOLIO, "portfolio")],
            [InlineKeyboardButton(text=texts.PUBLIC_VIEW, callback_data=public)],
            privacy_button(),
            [back_to_menu()],
        ]
    )


async def send_own_profile(
    bot: Bot, market: Marketplace, actor: Actor, money: Currency, header: str = ""
) -> None:
    view = await market.users.profile(actor.user_id)
    rep = await market.reputation.of(actor.user_id, PartyRole.FREELANCER)
    text = texts.own_profile(view, rep, money, await records_text(market, actor.user_id, money))
    await send_long(
        bot,
        actor.telegram_id,
        f"{header}\n\n{text}" if header else text,
        own_keyboard(actor.user_id, view.complete),
    )


async def records_text(market: Marketplace, user_id: int, money: Currency) -> str:
    """Both records where they apply: as a freelancer always, as an employer once they
    have one."""
    parts = [record_texts.freelancer_full(await market.reputation.freelancer_record(user_id))]
    employer = await market.reputation.employer_record(user_id)
    if not employer.empty:
        parts.append(record_texts.employer_full(employer, money))
    return "\n\n".join(parts)


def privacy_button() -> list[InlineKeyboardButton]:
    """The profile screen's row that opens /privacy."""
    return [action_button(privacy_texts.PRIVACY, PrivacyCb(action="open"))]
