"""/alerts: one's new-project alert settings, and the Stop / Undo buttons on each alert.

Every button acts on the presser's own subscription, re-checked by core: a Stop on an
old alert when alerts are already paused, or an Undo when they are back on, is
explained by the refusal core gives, and nothing changes.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from bot.callbacks import AlertsCb
from bot.keyboards import new_project_alert, stopped_alert
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.screens.subscriptions import _button, screen_keyboard, send_screen
from bot.settings import BotSettings
from bot.texts import bids as bid_texts
from bot.texts import projects as project_texts
from bot.texts import subscriptions as texts
from bot.ui import replace
from core.actors import Actor
from core.marketplace import Marketplace
from core.services.subscriptions import SubscriptionView

router = Area("handlers.subscriptions")


async def _redraw(
    bot: Bot, query: CallbackQuery, view: SubscriptionView, settings: BotSettings
) -> None:
    await replace(bot, query, texts.screen(view, settings.money), screen_keyboard(view))


@router.screen("alerts", AlertsCb.filter(F.action == "open"))
async def subscriptions_screen(
    bot: Bot, market: Marketplace, actor: Actor, settings: BotSettings
) -> None:
    await send_screen(bot, market, actor, settings)


@router.callback_query(AlertsCb.filter(F.action == "view"))
async def back_to_screen(
    query: CallbackQuery,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    view = await market.subscriptions.of(actor.user_id)
    await replace(bot, query, texts.screen(view, settings.money), screen_keyboard(view))


# --- pause, resume, turn off (the settings screen) ----------------------------------------------


@router.callback_query(AlertsCb.filter(F.action.in_({"pause", "resume"})))
async def pause_or_resume(
    query: CallbackQuery,
    callback_data: AlertsCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    if callback_data.action == "pause":
        view, callback_reply.text = await market.subscriptions.pause(actor), texts.paused_answer()
    else:
        view, callback_reply.text = await market.subscriptions.resume(actor), texts.resumed_answer()
    await _redraw(bot, query, view, settings)


@router.callback_query(AlertsCb.filter(F.action == "off"))
async def confirm_off(query: CallbackQuery, bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[_button(texts.turn_off_yes(), "off_yes"), _button(texts.back(), "view")]]
    )
    await replace(bot, query, texts.confirm_off(), markup)


@router.callback_query(AlertsCb.filter(F.action == "off_yes"))
async def turn_off(
    query: CallbackQuery,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    view = await market.subscriptions.unsubscribe(actor)
    callback_reply.text = texts.off_answer()
    await _redraw(bot, query, view, settings)


# --- Stop and Undo under a new-project alert ---------------------------------------------------


async def _alert_text(market: Marketplace, project_id: int, settings: BotSettings) -> str:
    view = await market.projects.view(project_id)
    return bid_texts.alert_new_project(project_texts.short_card(view, settings.money))


@router.callback_query(AlertsCb.filter(F.action == "stop"))
async def stop(
    query: CallbackQuery,
    callback_data: AlertsCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    """Pause at once, and say so on the alert itself, with Undo and the settings."""
    await market.subscriptions.pause(actor)
    pid = callback_data.project_id
    text = await _alert_text(market, pid, settings)
    callback_reply.text = texts.paused_answer()
    await replace(bot, query, f"{text}\n\n{texts.stopped_note()}", stopped_alert(pid))


@router.callback_query(AlertsCb.filter(F.action == "undo"))
async def undo(
    query: CallbackQuery,
    callback_data: AlertsCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    """Resume, and put the alert back as it came."""
    await market.subscriptions.resume(actor)
    pid = callback_data.project_id
    text = await _alert_text(market, pid, settings)
    callback_reply.text = texts.resumed_answer()
    await replace(bot, query, text, new_project_alert(pid))
