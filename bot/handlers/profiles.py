"""Freelancer profiles: /profile (one's own, with Edit buttons) and the public card."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import MenuCb, ReportCb, UserCb
from bot.routers import Area
from bot.screens.profiles import records_text, send_own_profile
from bot.settings import BotSettings
from bot.texts import profiles as texts
from bot.texts import reports as report_texts
from bot.texts import reputation as record_texts
from bot.ui import send_long
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency
from storage.enums import PartyRole

router = Area("handlers.profiles")

LATEST_REVIEWS = 3


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
