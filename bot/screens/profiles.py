"""One's own profile screen with its Edit buttons, and the track record under a card;
sent by /profile and at the end of the profile wizard."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot.callbacks import MenuCb, PrivacyCb, ProfileEditCb, UserCb
from bot.context import Ctx
from bot.keyboards import back_to_menu
from bot.texts import privacy as privacy_texts
from bot.texts import profiles as texts
from bot.texts import reputation as record_texts
from bot.ui import action_button, send_long
from core.money import Currency
from core.views.profiles import FreelancerCard


def _edit(label: str, field: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=ProfileEditCb(field=field).pack())


def own_keyboard(user_id: int, complete: bool) -> InlineKeyboardMarkup:
    first = (
        _edit(texts.edit_all(), "all") if complete else _edit(texts.complete_missing(), "missing")
    )
    public = UserCb(action="profile", user_id=user_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [first],
            [
                _edit(texts.edit_headline(), "headline"),
                _edit(texts.edit_bio(), "bio"),
                _edit(texts.edit_skills(), "skills"),
            ],
            [_edit(texts.edit_rate(), "rate"), _edit(texts.edit_portfolio(), "portfolio")],
            [InlineKeyboardButton(text=texts.public_view(), callback_data=public)],
            [action_button(texts.language(), MenuCb(action="language"))],
            privacy_button(),
            [back_to_menu()],
        ]
    )


async def send_own_profile(ctx: Ctx, header: str = "") -> None:
    actor, money = ctx.actor, ctx.settings.money
    card = await ctx.market.views.profiles.own(actor)
    text = texts.own_profile(card.profile, card.reputation, money, records_text(card, money))
    await send_long(
        ctx.bot,
        actor.telegram_id,
        f"{header}\n\n{text}" if header else text,
        own_keyboard(actor.user_id, "edit_all" in card.actions),
    )


def records_text(card: FreelancerCard, money: Currency) -> str:
    """Both records where they apply: as a freelancer always, as an employer once they
    have one."""
    parts = [record_texts.freelancer_full(card.record)]
    if not card.employer_record.empty:
        parts.append(record_texts.employer_full(card.employer_record, money))
    return "\n\n".join(parts)


def privacy_button() -> list[InlineKeyboardButton]:
    """The profile screen's row that opens /privacy."""
    return [action_button(privacy_texts.privacy(), PrivacyCb(action="open"))]
