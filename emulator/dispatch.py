"""From (method name, raw parameters) to a result or a Telegram error.

Order matters and mirrors Telegram: unknown method (404) before parameter validation (400)
before the method's own checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.errors import UnsupportedMethod, not_found
from emulator.handlers import HANDLERS
from emulator.records import Violation, ViolationKind
from emulator.state import EmulatorState
from emulator.validation import decode_call, method_models


def canonical_name(method: str) -> str | None:
    """The official spelling of a method name (Telegram matches case-insensitively)."""
    model = method_models().get(method.lower())
    return model.__api_method__ if model is not None else None


def is_supported(method: str) -> bool:
    return method.lower() in HANDLERS


async def execute(state: EmulatorState, method: str, raw: Mapping[str, Any]) -> Any:
    """Run one Bot API call against the emulated state; raise ``TelegramError`` on refusal."""
    model = method_models().get(method.lower())
    if model is None:
        raise not_found()
    call = decode_call(model, raw, strict=state.config.strict)
    handler = HANDLERS.get(method.lower())
    if handler is None:
        state.log.add_violation(
            Violation(
                ViolationKind.UNSUPPORTED_METHOD,
                f"{model.__api_method__} is a real Bot API method the emulator does not implement",
                method=model.__api_method__,
            )
        )
        raise UnsupportedMethod(model.__api_method__)
    return await handler(state, call)
