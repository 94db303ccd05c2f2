"""Pages of the admin panel: the page buttons, and turning a page in place."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.callbacks import AdminCb
from bot.texts import admin as texts
from bot.ui import action_button


def pager(action: str, page: int, more: bool, id_: int = 0) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(
            action_button(
                texts.previous_page(), AdminCb(action=action, id=id_, page=page - 1, turn=True)
            )
        )
    if more:
        row.append(
            action_button(
                texts.next_page(), AdminCb(action=action, id=id_, page=page + 1, turn=True)
            )
        )
    return row


async def show_page(
    query: CallbackQuery, bot: Bot, text: str, keyboard: InlineKeyboardMarkup, turn: bool
) -> None:
    """A page button turns the page in place; anything else opens a new message."""
    if turn and isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=keyboard)
        except TelegramBadRequest as error:
            if "not modified" not in error.message:  # a double tap shows the same page
                raise
        return
    await bot.send_message(query.from_user.id, text, reply_markup=keyboard)
