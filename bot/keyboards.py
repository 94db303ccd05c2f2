"""Keyboards shared by several areas."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import AlertsCb, FlowCb, MenuCb, ProjectCb
from bot.i18n import _
from bot.texts import projects as project_texts
from bot.texts import subscriptions as alert_texts


def menu_items() -> tuple[tuple[str, str], ...]:
    """The main menu's buttons: (action, label in the reader's language)."""
    return (
        ("post", _("📝 Post a project")),
        ("find", _("🔎 Find work")),
        ("projects", _("📂 My projects")),
        ("bids", _("💼 My bids")),
        ("contracts", _("🤝 Contracts")),
        ("profile", _("👤 Profile")),
        ("alerts", _("🔔 Alerts")),
        ("balance", _("💰 Balance")),
        ("help", _("❓ Help")),
    )


def main_menu(admin: bool = False) -> InlineKeyboardMarkup:
    """Two buttons a row. Built as rows rather than with aiogram's builder, which deep-copies
    every button it holds on each button added: the menu is the most sent keyboard, and
    that copying was 6% of the bot's CPU under load."""
    buttons = [
        InlineKeyboardButton(text=label, callback_data=MenuCb(action=action).pack())
        for action, label in menu_items()
    ]
    if admin:
        buttons.append(
            InlineKeyboardButton(text=_("🛡 Admin"), callback_data=MenuCb(action="admin").pack())
        )
    return InlineKeyboardMarkup(
        inline_keyboard=[buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    )


def back_to_menu() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("« Menu"), callback_data=MenuCb(action="menu").pack())


def cancel_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=_("✖ Cancel"), callback_data=FlowCb(action="cancel").pack())]


def only_cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[cancel_row()])


def new_project_alert(project_id: int) -> InlineKeyboardMarkup:
    """Under a new-project alert: open it, or stop such alerts in one tap."""
    view = ProjectCb(action="view", project_id=project_id).pack()
    stop = AlertsCb(action="stop", project_id=project_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=project_texts.view_and_bid(), callback_data=view)],
            [InlineKeyboardButton(text=alert_texts.stop(), callback_data=stop)],
        ]
    )


def stopped_alert(project_id: int) -> InlineKeyboardMarkup:
    """Under an alert whose Stop was pressed: take it back, or open the settings."""
    view = ProjectCb(action="view", project_id=project_id).pack()
    undo = AlertsCb(action="undo", project_id=project_id).pack()
    settings = AlertsCb(action="open").pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=project_texts.view_and_bid(), callback_data=view)],
            [
                InlineKeyboardButton(text=alert_texts.undo(), callback_data=undo),
                InlineKeyboardButton(text=alert_texts.settings(), callback_data=settings),
            ],
        ]
    )
