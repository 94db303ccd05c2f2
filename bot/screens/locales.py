"""The /language and /timezone screens, sent by their commands and by the time-zone
conversation when it asks again."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import LanguageCb, TimeZoneCb
from bot.i18n import city
from bot.keyboards import back_to_menu
from bot.texts import locales as texts
from core.locales import LANGUAGES, likely_zones, zone_of


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=("✓ " if code == current else "") + texts.ENDONYMS[code],
            callback_data=LanguageCb(code=code).pack(),
        )
        for code in LANGUAGES
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons, [back_to_menu()]])


def zone_keyboard(language: str, current: str | None) -> InlineKeyboardMarkup:
    """The likely zones for this language, two a row, then Type another."""
    buttons = [
        InlineKeyboardButton(
            text=("✓ " if zone == current else "") + city(zone),
            callback_data=TimeZoneCb(action="pick", language=language, index=index).pack(),
        )
        for index, zone in enumerate(likely_zones(language))
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    typing = TimeZoneCb(action="type", language=language).pack()
    rows.append([InlineKeyboardButton(text=texts.other_zone(), callback_data=typing)])
    rows.append([back_to_menu()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def zone_screen(
    language: str, current: str | None, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    example = likely_zones(language)[0]
    text = texts.zone_ask(current, now.astimezone(zone_of(current)), example)
    return text, zone_keyboard(language, current)
