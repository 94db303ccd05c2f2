"""The subscriptions screen (new-project alert settings), sent by /alerts and at the end
of its wizards."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import AlertsCb
from bot.context import Ctx
from bot.keyboards import back_to_menu
from bot.texts import subscriptions as texts
from core.services.subscriptions import SubscriptionView


def _button(label: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=AlertsCb(action=action).pack())


def screen_keyboard(view: SubscriptionView | None) -> InlineKeyboardMarkup:
    rows = [[_button(texts.choose_skills(), "skills"), _button(texts.min_budget(), "budget")]]
    if view is not None and not view.off:
        toggle = (
            _button(texts.resume(), "resume") if view.paused else _button(texts.pause(), "pause")
        )
        rows.append([toggle, _button(texts.turn_off(), "off")])
    rows.append([back_to_menu()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def send_screen(ctx: Ctx, header: str = "") -> None:
    view = await ctx.market.subscriptions.of(ctx.actor.user_id)
    await ctx.bot.send_message(
        ctx.actor.telegram_id,
        texts.screen(view, ctx.settings.money, header),
        reply_markup=screen_keyboard(view),
    )
