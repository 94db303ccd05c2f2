"""Small pieces the work-area wizards share: choice keyboards and delivery file refs."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import FlowCb
from bot.keyboards import cancel_row
from bot.render import button

#: Delivery files are stored as Telegram file ids; photos carry this prefix because
#: Telegram sends a photo and a document through different methods.
PHOTO_REF = "photo:"


def choices(*options: tuple[str, str], columns: int = 1) -> InlineKeyboardMarkup:
    """FlowCb buttons (label, action) and the Cancel row under them."""
    kb = InlineKeyboardBuilder()
    for label, action in options:
        kb.button(text=button(label), callback_data=FlowCb(action=action))
    kb.adjust(columns)
    kb.row(*cancel_row())
    return kb.as_markup()


def file_ref(kind: str, file_id: str) -> str:
    return f"{PHOTO_REF}{file_id}" if kind == "photo" else file_id


def parse_ref(ref: str) -> tuple[str, str]:
    """(kind, file id) of a stored delivery file: ``photo`` or ``document``."""
    if ref.startswith(PHOTO_REF):
        return "photo", ref[len(PHOTO_REF) :]
    return "document", ref
