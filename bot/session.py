"""aiogram's HTTP session, with the parsed-response model of each method kept alive.

aiogram parses every answer as ``Response[method.__returning__]``, a pydantic generic.
pydantic caches parametrised generics weakly, so the class is built again after it is
garbage-collected: on every call, in practice, at about a tenth of the bot's CPU
under load (docs/benchmarks.md). Holding one reference per result type makes the
cache hit.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod

_RESPONSE_TYPES: dict[Any, Any] = {}


class BotSession(AiohttpSession):
    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        returning = method.__returning__
        if returning not in _RESPONSE_TYPES:
            _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)
