"""Keyboards shared by several areas."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import FlowCb, MenuCb

MENU_ITEMS: tuple[tuple[str, str], ...] = (
    ("post", "📝 Post a project"),
    ("find", "🔎 Find work"),
    ("projects", "📂 My projects"),
    ("bids", "💼 My bids"),
    ("contracts", "🤝 Contracts"),
    ("profile", "👤 Profile"),
    ("balance", "💰 Balance"),
    ("help", "❓ Help"),
)


def main_menu(admin: bool = False) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for action, label in MENU_ITEMS:
        kb.button(text=label, callback_data=MenuCb(action=action))
    if admin:
        kb.button(text="🛡 Admin", callback_data=MenuCb(action="admin"))
    kb.adjust(2)
    return kb.as_markup()


def back_to_menu() -> InlineKeyboardButton:
    return InlineKeyboardButton(text="« Menu", callback_data=MenuCb(action="menu").pack())


def cancel_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text="✖ Cancel", callback_data=FlowCb(action="cancel").pack())]


def only_cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[cancel_row()])
