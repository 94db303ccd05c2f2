"""Logs: plain text for a terminal, or one JSON object per line (``LOG_FORMAT=json``) for a
log shipper; in both, every line logged while an update is handled carries its ids.

* ``UpdateContext`` lives in a contextvar that ``bot.updates`` sets for each update and
  ``HandlerName`` (an inner middleware) completes with the handler that took it. aiogram
  runs the whole update in the task that set it, so nothing has to pass it along.
* ``Redactor`` replaces the bot token, the webhook secret and the passwords in
  ``DATABASE_URL`` / ``REDIS_URL`` in every record, exception text included: aiogram puts
  the request URL, token and all, into some network errors.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.types import TelegramObject

from bot.settings import BotSettings

if TYPE_CHECKING:
    from bot.middlewares import Handler
from storage.db import url_password

#: What stands in for a secret in a log line.
HIDDEN = "***"
#: Secrets shorter than this are not redacted: hiding a few common characters everywhere
#: would garble every line (and a secret that short protects nothing anyway).
SHORTEST_SECRET = 8
#: Fields of a JSON line besides the five every line has, in this order when present.
CONTEXT_FIELDS = ("update_id", "person_id", "handler", "duration_ms", "outcome")


@dataclass
class UpdateContext:
    """The update being handled in this task, as far as it is known yet."""

    update_id: int
    person_id: int | None = None
    handler: str | None = None


_update: ContextVar[UpdateContext | None] = ContextVar("bidgram_update", default=None)


@contextmanager
def handling(context: UpdateContext) -> Iterator[UpdateContext]:
    """Log lines in this block (and what it awaits) carry ``context``'s ids."""
    token = _update.set(context)
    try:
        yield context
    finally:
        _update.reset(token)


def current_update() -> UpdateContext | None:
    return _update.get()


class HandlerName(BaseMiddleware):
    """Records which handler took the update (registered as an inner middleware, which
    aiogram calls only once a handler's filters matched)."""

    async def __call__(
        self,
        handler: Handler,
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        context = _update.get()
        chosen = data.get("handler")
        if context is not None and isinstance(chosen, HandlerObject):
            callback = chosen.callback
            module = getattr(callback, "__module__", "").removeprefix("bot.handlers.")
            context.handler = f"{module}.{getattr(callback, '__qualname__', '?')}"
        return await handler(event, data)


class Redactor(logging.Filter):
    """Replaces secrets in a record's message and exception text (both formats)."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        found = {s for s in secrets if s and len(s) >= SHORTEST_SECRET}
        self.secrets = sorted(found, key=len, reverse=True)  # a secret inside another

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it, without the arguments
            record.args = None
            message = str(record.msg)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class WithUpdate(logging.Filter):
    """Puts the current update's ids on the record (``record.update_id`` ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _update.get()
        if context is not None:
            for name in ("update_id", "person_id", "handler"):
                value = getattr(context, name)
                if value is not None and getattr(record, name, None) is None:
                    setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then what is known of
    the update (``CONTEXT_FIELDS``) and the exception, if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The usual text line, with the update's ids after the message when known."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        text = super().formatMessage(record)
        known = [
            f"{name}={value}"
            for name in CONTEXT_FIELDS
            if (value := getattr(record, name, None)) is not None
        ]
        return f"{text} [{' '.join(known)}]" if known else text


def secrets_of(settings: BotSettings) -> list[str | None]:
    """What must never be logged: the token (its secret half too), the webhook secret and
    the passwords in the database and Redis URLs."""
    found: list[str | None] = []
    token = settings.bot_token.get_secret_value().strip() if settings.bot_token else None
    if token:
        found += [token, token.partition(":")[2]]
    if settings.webhook_secret is not None:
        found.append(settings.webhook_secret.get_secret_value())
    if settings.payment_provider_token is not None:
        found.append(settings.payment_provider_token.get_secret_value())
    for url in (settings.database_url, settings.redis_url):
        if url:
            try:
                password = url_password(url)
            except Exception:  # not a URL SQLAlchemy reads: nothing to take from it
                continue
            found.append(password)
    return found


def configure(settings: BotSettings, stream: Any = None) -> logging.Handler:
    """Send every log line to ``stream`` (stderr) in ``settings.log_format``, redacted;
    return the handler (tests remove it again)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(WithUpdate())
    handler.addFilter(Redactor(secrets_of(settings)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # aiogram logs each update's end; ours (bot.updates) adds its outcome and person.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    return handler
