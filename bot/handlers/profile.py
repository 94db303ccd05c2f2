"""Freelancer profiles: /profile (one's own, with Edit buttons) and the public card."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import MenuCb, ReportCb, UserCb
from bot.handlers.privacy import privacy_button
from bot.handlers.projects import send_long
from bot.keyboards import back_to_menu
from bot.settings import BotSettings
from bot.texts import profile as texts
from bot.texts import record as record_texts
from bot.texts import reports as report_texts
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency
from storage.enums import PartyRole

router = Router(name="profile")

LATEST_REVIEWS = 3


class ProfileEditCb(CallbackData, prefix="mpe"):
    """Start the profile wizard: ``all`` fields, the ``missing`` ones, or one field."""

    field: str  # all | missing | headline | bio | skills | rate | portfolio


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


async def public_profile_text(market: Marketplace, user_id: int, money: Currency) -> str:
    """Anyone's freelancer card, as an employer reviewing a bid sees it."""
    view = await market.users.profile(user_id)
    rep = await market.reputation.of(user_id, PartyRole.FREELANCER)
    reviews = await market.reputation.reviews_about(
        user_id, PartyRole.FREELANCER, limit=LATEST_REVIEWS
    )
    record = await records_text(market, user_id, money)
    return texts.public_profile(view, rep, reviews, money, record)


@router.message(Command("profile"))
async def profile_command(
    message: Message,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    await send_own_profile(bot, market, actor, settings.money)


@router.callback_query(MenuCb.filter(F.action == "profile"))
async def profile_button(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    await state.clear()
    await send_own_profile(bot, market, actor, settings.money)


async def employer_card_text(market: Marketplace, user_id: int, money: Currency) -> str:
    """Someone as an employer, as a freelancer deciding whether to bid sees them."""
    user = await market.users.get(user_id)
    rep = await market.reputation.of(user_id, PartyRole.EMPLOYER)
    reviews = await market.reputation.reviews_about(
        user_id, PartyRole.EMPLOYER, limit=LATEST_REVIEWS
    )
    record = await market.reputation.employer_record(user_id)
    full = record_texts.employer_full(record, money)
    return texts.employer_profile(user.first_name, rep, reviews, full)


@router.callback_query(UserCb.filter(F.action.in_({"profile", "employer"})))
async def public_profile(
    query: CallbackQuery,
    callback_data: UserCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    """A freelancer's public card, or (``employer``) someone's card as an employer; both
    with 🚩 Report for anyone but themselves."""
    card = employer_card_text if callback_data.action == "employer" else public_profile_text
    text = await card(market, callback_data.user_id, settings.money)
    markup = None
    if callback_data.user_id != actor.user_id:
        report = ReportCb(action="new", kind="profile", target_id=callback_data.user_id)
        button = InlineKeyboardButton(text=report_texts.REPORT, callback_data=report.pack())
        markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
    await send_long(bot, actor.telegram_id, text, markup)
