"""Validation of ``reply_markup``: the keyboard rules Telegram enforces on send and edit.

The classic production-only failure is ``BUTTON_DATA_INVALID``: callback_data over 64 *bytes*
(non-ASCII characters count several). Button text, one action per button and URL validity
are checked too.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from emulator.errors import bad_request

JSON = dict[str, Any]

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_HTTP_URL = re.compile(
    r"^(?:https?://)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\.?"
    r"(?::\d{1,5})?(?:[/?#]\S*)?$|^(?:https?://)?\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?:[/?#]\S*)?$"
)
_TG_URL = re.compile(r"^tg://[a-z_]+(?:\?\S*)?$", re.IGNORECASE)


def is_valid_url(url: str) -> bool:
    """HTTP(S) URL with a real-looking host, or a tg:// link, as Telegram accepts in buttons."""
    return bool(_HTTP_URL.match(url) or _TG_URL.match(url))


def markup_json(markup: BaseModel | JSON | None) -> JSON | None:
    """The wire form of a validated aiogram markup model."""
    if markup is None:
        return None
    if isinstance(markup, BaseModel):
        return markup.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dict(markup)


def validate_reply_markup(
    markup: BaseModel | JSON | None, *, inline_only: bool = False
) -> JSON | None:
    """Check a reply_markup the way Telegram does; return its JSON form to store."""
    data = markup_json(markup)
    if data is None:
        return None
    if "inline_keyboard" in data:
        _validate_inline(data["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in data:
        rows = data["keyboard"]
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text", "")
                if not str(text).strip():
                    raise bad_request("keyboard button text must be non-empty")
    return data


def _validate_inline(rows: list[list[JSON]]) -> None:
    total = sum(len(row) for row in rows)
    if total > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            _validate_button(button)


def _validate_button(button: JSON) -> None:
    if not str(button.get("text", "")).strip():
        raise bad_request("inline keyboard button text must be non-empty")
    actions = [name for name in INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be "
            f"used, got {', '.join(actions)}"
        )
    action = actions[0]
    if action == "callback_data":
        size = len(str(button["callback_data"]).encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url":
        url = str(button["url"])
        if not is_valid_url(url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    elif action == "web_app":
        url = str(button["web_app"].get("url", ""))
        if not url.startswith("https://") or not is_valid_url(url):
            raise bad_request("BUTTON_URL_INVALID")
