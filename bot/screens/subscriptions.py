"""The subscriptions screen (new-project alert settings), sent by /alerts and at the end
of its wizards."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import AlertsCb
from bot.keyboards import back_to_menu
from bot.settings import BotSettings
from bot.texts import subscriptions as texts
from core.actors import Actor
from core.marketplace import Marketplace
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


async def send_screen(
    bot: Bot, market: Marketplace, actor: Actor, settings: BotSettings, header: str = ""
) -> None:
    view = await market.subscriptions.of(actor.user_id)
    await bot.send_message(
        actor.telegram_id,
        texts.screen(view, settings.money, header),
        reply_markup=screen_keyboard(view),
    )
