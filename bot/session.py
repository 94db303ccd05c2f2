"""aiogram's HTTP session, parsing answers only as far as someone reads them.

aiogram parses every answer as ``Response[method.__returning__]``, a pydantic generic.
pydantic caches parametrised generics weakly, so the class is built again after it is
garbage-collected: on every call, in practice, at about a tenth of the bot's CPU
under load (docs/benchmarks.md). Holding one reference per result type makes the
cache hit.

An update's replies are sent after its commit and nobody reads what Telegram answers
them, only whether it refused (``bot.replies``): while ``unread`` is set, a successful
answer is not validated into aiogram's models (a ``Message`` has a hundred-odd fields),
and a refusal is read exactly as aiogram reads it.
"""

from __future__ import annotations

from contextvars import ContextVar
from http import HTTPStatus
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod

_RESPONSE_TYPES: dict[Any, Any] = {}

#: Set while calls whose results nobody reads are made (module docstring).
unread: ContextVar[bool] = ContextVar("bidgram_unread_answers", default=False)


class BotSession(AiohttpSession):
    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        if unread.get() and HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED:
            try:
                answer = self.json_loads(content)
            except ValueError:
                answer = None  # aiogram says what is wrong with it
            if isinstance(answer, dict) and answer.get("ok") is True:
                return Response[Any].model_construct(ok=True, result=answer.get("result"))
        returning = method.__returning__
        if returning not in _RESPONSE_TYPES:
            _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)
