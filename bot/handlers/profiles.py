"""Freelancer profiles: /profile (one's own, with Edit buttons) and the public card."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import ReportCb, UserCb
from bot.context import Ctx
from bot.routers import Area
from bot.screens.profiles import records_text, send_own_profile
from bot.texts import profiles as texts
from bot.texts import reports as report_texts
from bot.texts import reputation as record_texts
from bot.ui import send_long
from core.actors import Actor
from core.marketplace import Marketplace
from core.money import Currency
from core.views.profiles import EmployerCard, FreelancerCard

router = Area("handlers.profiles")

LATEST_REVIEWS = 3


def freelancer_text(card: FreelancerCard, money: Currency) -> str:
    """Anyone's freelancer card, as an employer reviewing a bid sees it."""
    record = records_text(card, money)
    return texts.public_profile(card.profile, card.reputation, list(card.reviews), money, record)


async def public_profile_text(
    market: Marketplace, actor: Actor, user_id: int, money: Currency
) -> str:
    """:func:`freelancer_text`, read."""
    card = await market.views.profiles.freelancer(actor, user_id, LATEST_REVIEWS)
    return freelancer_text(card, money)


@router.screen("profile")
async def own_profile(ctx: Ctx) -> None:
    await send_own_profile(ctx)


def employer_text(card: EmployerCard, money: Currency) -> str:
    """Someone as an employer, as a freelancer deciding whether to bid sees them."""
    full = record_texts.employer_full(card.record, money)
    return texts.employer_profile(card.name, card.reputation, list(card.reviews), full)


@router.callback_query(UserCb.filter(F.action.in_({"profile", "employer"})))
async def public_profile(query: CallbackQuery, callback_data: UserCb, ctx: Ctx) -> None:
    """A freelancer's public card, or (``employer``) someone's card as an employer; both
    with 🚩 Report for anyone but themselves."""
    views, money, user_id = ctx.market.views.profiles, ctx.settings.money, callback_data.user_id
    if callback_data.action == "employer":
        employer = await views.employer(ctx.actor, user_id, LATEST_REVIEWS)
        text, actions = employer_text(employer, money), employer.actions
    else:
        freelancer = await views.freelancer(ctx.actor, user_id, LATEST_REVIEWS)
        text, actions = freelancer_text(freelancer, money), freelancer.actions
    markup = None
    if "report" in actions:
        report = ReportCb(action="new", kind="profile", target_id=callback_data.user_id)
        button = InlineKeyboardButton(text=report_texts.report(), callback_data=report.pack())
        markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
    await send_long(ctx.bot, ctx.actor.telegram_id, text, markup)
