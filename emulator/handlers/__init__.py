"""Bot API method handlers; importing this package registers all of them."""

from __future__ import annotations

from emulator.handlers import bot, media, messages, payments, queries
from emulator.handlers.registry import HANDLERS, Handler, handles

__all__ = ["HANDLERS", "Handler", "bot", "handles", "media", "messages", "payments", "queries"]
