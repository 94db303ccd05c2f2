"""The table from Bot API method name to the coroutine that emulates it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiogram.methods.base import TelegramMethod

from emulator.state import EmulatorState

Handler = Callable[[EmulatorState, Any], Awaitable[Any]]
H = TypeVar("H", bound=Handler)

HANDLERS: dict[str, Handler] = {}
"""Lower-cased API method name -> handler; filled by the ``handles`` decorator on import."""


def handles(*models: type[TelegramMethod[Any]]) -> Callable[[H], H]:
    """Register a handler for one or more aiogram method models.

    The handler receives the validated model instance, so it works with typed fields.
    """

    def register(handler: H) -> H:
        for model in models:
            HANDLERS[model.__api_method__.lower()] = handler
        return handler

    return register
