"""/alerts: one's new-project alert settings, and the Stop / Undo buttons on each alert.

Every button acts on the presser's own subscription, re-checked by core: a Stop on an
old alert when alerts are already paused, or an Undo when they are back on, is
explained by the refusal core gives, and nothing changes.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from bot.callbacks import AlertsCb
from bot.context import Ctx
from bot.keyboards import new_project_alert, stopped_alert
from bot.routers import Area
from bot.screens.subscriptions import _button, screen_keyboard, send_screen
from bot.texts import bids as bid_texts
from bot.texts import projects as project_texts
from bot.texts import subscriptions as texts
from bot.ui import replace
from core.services.subscriptions import SubscriptionView

router = Area("handlers.subscriptions")


async def _redraw(ctx: Ctx, query: CallbackQuery, view: SubscriptionView) -> None:
    await replace(ctx.bot, query, texts.screen(view, ctx.settings.money), screen_keyboard(view))


@router.screen("alerts", AlertsCb.filter(F.action == "open"))
async def subscriptions_screen(ctx: Ctx) -> None:
    await send_screen(ctx)


@router.callback_query(AlertsCb.filter(F.action == "view"))
async def back_to_screen(query: CallbackQuery, ctx: Ctx) -> None:
    view = await ctx.market.subscriptions.of(ctx.actor.user_id)
    await replace(ctx.bot, query, texts.screen(view, ctx.settings.money), screen_keyboard(view))


# --- pause, resume, turn off (the settings screen) ----------------------------------------------


@router.callback_query(AlertsCb.filter(F.action.in_({"pause", "resume"})))
async def pause_or_resume(query: CallbackQuery, callback_data: AlertsCb, ctx: Ctx) -> None:
    if callback_data.action == "pause":
        view, ctx.callback_reply.text = (
            await ctx.market.subscriptions.pause(ctx.actor),
            texts.paused_answer(),
        )
    else:
        view, ctx.callback_reply.text = (
            await ctx.market.subscriptions.resume(ctx.actor),
            texts.resumed_answer(),
        )
    await _redraw(ctx, query, view)


@router.callback_query(AlertsCb.filter(F.action == "off"))
async def confirm_off(query: CallbackQuery, bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[_button(texts.turn_off_yes(), "off_yes"), _button(texts.back(), "view")]]
    )
    await replace(bot, query, texts.confirm_off(), markup)


@router.callback_query(AlertsCb.filter(F.action == "off_yes"))
async def turn_off(query: CallbackQuery, ctx: Ctx) -> None:
    view = await ctx.market.subscriptions.unsubscribe(ctx.actor)
    ctx.callback_reply.text = texts.off_answer()
    await _redraw(ctx, query, view)


# --- Stop and Undo under a new-project alert ---------------------------------------------------


async def _alert_text(ctx: Ctx, project_id: int) -> str:
    view = await ctx.market.projects.view(project_id)
    return bid_texts.alert_new_project(project_texts.short_card(view, ctx.settings.money))


@router.callback_query(AlertsCb.filter(F.action == "stop"))
async def stop(query: CallbackQuery, callback_data: AlertsCb, ctx: Ctx) -> None:
    """Pause at once, and say so on the alert itself, with Undo and the settings."""
    await ctx.market.subscriptions.pause(ctx.actor)
    pid = callback_data.project_id
    text = await _alert_text(ctx, pid)
    ctx.callback_reply.text = texts.paused_answer()
    await replace(ctx.bot, query, f"{text}\n\n{texts.stopped_note()}", stopped_alert(pid))


@router.callback_query(AlertsCb.filter(F.action == "undo"))
async def undo(query: CallbackQuery, callback_data: AlertsCb, ctx: Ctx) -> None:
    """Resume, and put the alert back as it came."""
    await ctx.market.subscriptions.resume(ctx.actor)
    pid = callback_data.project_id
    text = await _alert_text(ctx, pid)
    ctx.callback_reply.text = texts.resumed_answer()
    await replace(ctx.bot, query, text, new_project_alert(pid))
