"""aiogram's HTTP session, sending calls as JSON and parsing answers only as far as
someone reads them.

aiogram sends every call as a form: each nested object JSON-encoded, then the whole
URL-quoted through aiohttp's ``FormData``, which builds a multipart writer even for a
plain form. Under load that was a third of the CPU of a Bot API call (docs/
benchmarks.md). A call without a file to upload goes instead as one JSON body, which
the Bot API takes as it takes a form; a call with a file goes as aiogram sends it.

aiogram parses every answer as ``Response[method.__returning__]``, a pydantic generic.
pydantic caches parametrised generics weakly, so the class is built again after it is
garbage-collected: on every call, in practice, at about a tenth of the bot's CPU
under load. Holding one reference per result type makes the cache hit.

An update's replies are sent after its commit and nobody reads what Telegram answers
them, only whether it refused (``bot.replies``): while ``unread`` is set, a successful
answer is not validated into aiogram's models (a ``Message`` has a hundred-odd fields),
and a refusal is read exactly as aiogram reads it. The alert delivery reads only the
sent message's id (``sent_message_id``).
"""

from __future__ import annotations

import datetime
from contextvars import ContextVar
from enum import Enum
from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile, Message
from aiohttp import ClientError, ClientTimeout
from pydantic import BaseModel

_RESPONSE_TYPES: dict[Any, Any] = {}
_ANY_RESPONSE: type[Response[Any]] = Response[Any]
_JSON = {"Content-Type": "application/json"}

#: Set while calls whose results nobody reads are made (module docstring).
unread: ContextVar[bool] = ContextVar("bidgram_unread_answers", default=False)


async def sent_message_id(bot: Bot, method: TelegramMethod[Message]) -> int:
    """Make a call that sends a message; the id of the message sent. Only the id is
    read from Telegram's answer (the alert delivery records nothing else), so the
    answer is not validated into a ``Message``; a refusal is read as always."""
    reading = unread.set(True)
    try:
        sent: Any = await bot(method)
    finally:
        unread.reset(reading)
    return int(sent["message_id"] if isinstance(sent, dict) else sent.message_id)


class _HasFile(Exception):
    """A call carries a file: it goes as a multipart form, as aiogram sends it."""


class BotSession(AiohttpSession):
    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's)
    ) -> TelegramType:
        try:
            body = self.json_dumps(self.plain_call(bot, method))
        except _HasFile:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            seconds = self.timeout if timeout is None else timeout
            async with session.post(
                url, data=body, headers=_JSON, timeout=ClientTimeout(total=seconds)
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)

    def plain_call(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
        """The call's parameters as JSON values: what aiogram's form would carry, with
        the bot's defaults filled in and unset parameters left out."""
        params = _plain(method.model_dump(warnings=False), bot)
        return {key: value for key, value in params.items() if value != ""}

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        if unread.get() and HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED:
            try:
                answer = self.json_loads(content)
            except ValueError:
                answer = None  # aiogram says what is wrong with it
            if isinstance(answer, dict) and answer.get("ok") is True:
                return _ANY_RESPONSE.model_construct(ok=True, result=answer.get("result"))
        returning = method.__returning__
        if returning not in _RESPONSE_TYPES:
            _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)


def _plain(value: Any, bot: Bot) -> Any:
    """``value`` as JSON, the way aiogram prepares a form field (defaults resolved,
    ``None`` left out, dates as Unix time); raises :class:`_HasFile` for an upload."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dict):
        return {k: p for k, v in value.items() if (p := _plain(v, bot)) is not None}
    if isinstance(value, list | tuple):
        return [p for v in value if (p := _plain(v, bot)) is not None]
    if isinstance(value, Default):
        return _plain(bot.default[value.name], bot)
    if isinstance(value, InputFile):
        raise _HasFile
    if isinstance(value, Enum):
        return _plain(value.value, bot)
    if isinstance(value, datetime.timedelta):
        return round((datetime.datetime.now(datetime.UTC) + value).timestamp())
    if isinstance(value, datetime.datetime):
        return round(value.timestamp())
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(warnings=False), bot)
    return value
