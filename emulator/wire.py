"""Conversion of validated aiogram models back to the JSON Telegram would store and echo.

aiogram models may hold client-side sentinels (``Default("parse_mode")``) and Python values
(datetimes, enums) that must not leak into stored messages or responses.
"""

from __future__ import annotations

import datetime
from enum import Enum
from typing import Any

from aiogram.client.default import Default
from aiogram.types import InputFile
from pydantic import BaseModel


def to_wire(value: Any) -> Any:
    """JSON-ready form of a model/list/dict, dropping ``None`` and client-side defaults."""
    if isinstance(value, BaseModel):
        value = {
            (info.alias or name): getattr(value, name)
            for name, info in type(value).model_fields.items()
        } | dict(value.model_extra or {})
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            converted = to_wire(item)
            if converted is not None:
                out[key] = converted
        return out
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value if item is not None]
    if isinstance(value, Default):
        return None
    if isinstance(value, datetime.datetime):
        return int(value.timestamp())
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, InputFile):
        return f"<upload {value.filename}>"
    return value


def optional(value: Any) -> Any:
    """``None`` for an unset aiogram ``Default`` sentinel, the value otherwise."""
    return None if isinstance(value, Default) else value
