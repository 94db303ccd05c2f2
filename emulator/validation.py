"""Turn raw request parameters into validated aiogram method models.

Which methods exist and which parameters each takes is Bot API 10.1's list
(:mod:`emulator.bot_api_10_1`): aiogram's models keep parameters Telegram removed (a bot
sending ``disable_web_page_preview`` would pass) and add some of later versions. The types
come from aiogram's generated method models (``aiogram.methods.*``), so decoding never drifts
from the client the bot uses. Those models accept unknown fields (``extra='allow'``), so
unknown parameters are detected here, before the model sees them.

Parameters arrive in three encodings and all are normalised to what the model expects:
JSON bodies carry native values; form-urlencoded and multipart bodies carry strings, with
nested objects JSON-encoded (aiogram does this) and uploads as multipart parts, referenced
either by the parameter name or by ``attach://<part>`` strings (possibly inside JSON).
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import aiogram.methods
from aiogram.methods.base import TelegramMethod
from aiogram.types import BufferedInputFile, InputFile
from pydantic import BaseModel, ValidationError

from emulator.bot_api_10_1 import PARAMETERS
from emulator.errors import bad_request

Method = TelegramMethod[Any]

_ATTACH = re.compile(r"attach://([A-Za-z0-9_\-.]+)")
_INTEGER = re.compile(r"^-?\d+$")
_MISSING_TEXTS = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "callback_query_id": "query_id is empty",
    "inline_query_id": "query_id is empty",
    "pre_checkout_query_id": "query_id is empty",
    "user_id": "user not found",
}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    content: bytes
    filename: str | None = None
    content_type: str | None = None

    def as_input_file(self, fallback_name: str) -> BufferedInputFile:
        return BufferedInputFile(self.content, filename=self.filename or fallback_name)


@cache
def method_models() -> dict[str, type[Method]]:
    """Every Bot API 10.1 method with aiogram's model, keyed by lower-cased name (Telegram
    ignores case); aiogram's methods of later versions are unknown, as to Telegram 10.1."""
    models: dict[str, type[Method]] = {}
    for value in vars(aiogram.methods).values():
        if (
            inspect.isclass(value)
            and issubclass(value, TelegramMethod)
            and isinstance(getattr(value, "__api_method__", None), str)
            and value.__api_method__.lower() in PARAMETERS
        ):
            models[value.__api_method__.lower()] = value
    return models


def _members(annotation: Any) -> list[Any]:
    """Flatten ``X | Y | None`` and ``Annotated[...]`` into the concrete member types."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


@dataclass(frozen=True)
class _FieldShape:
    """What kind of raw value a parameter needs, derived from the model annotation."""

    takes_file: bool
    structured: bool
    int_or_str: bool
    plain_str: bool
    accepts_str: bool


def _is_subclass(member: Any, base: type) -> bool:
    return inspect.isclass(member) and issubclass(member, base)


@cache
def _shapes(model: type[Method]) -> dict[str, _FieldShape]:
    shapes: dict[str, _FieldShape] = {}
    for name, info in model.model_fields.items():
        members = _members(info.annotation)
        origins = [typing.get_origin(m) or m for m in members]
        structured = any(
            o in (list, dict, tuple)
            or (_is_subclass(o, BaseModel) and not _is_subclass(o, InputFile))
            for o in origins
        )
        shape = _FieldShape(
            takes_file=any(_is_subclass(m, InputFile) for m in members),
            structured=structured,
            int_or_str=int in members and str in members,
            plain_str=str in members and not structured and int not in members,
            accepts_str=str in members,
        )
        shapes[name] = shape
        if info.alias:
            shapes[info.alias] = shape
    return shapes


def _field_names(model: type[Method]) -> dict[str, str]:
    names = {name: name for name in model.model_fields}
    names.update({info.alias: name for name, info in model.model_fields.items() if info.alias})
    return names


def _attachment_names(raw: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for value in raw.values():
        if isinstance(value, str):
            names.update(_ATTACH.findall(value))
        elif not isinstance(value, Upload):
            names.update(_ATTACH.findall(json.dumps(value, default=str)))
    return names


def _resolve_attachments(value: Any, uploads: Mapping[str, Upload]) -> Any:
    """Replace ``attach://name`` strings inside a decoded structure by the uploaded files."""
    if isinstance(value, str) and (match := _ATTACH.fullmatch(value)) is not None:
        upload = uploads.get(match.group(1))
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return upload.as_input_file(match.group(1))
    if isinstance(value, list):
        return [_resolve_attachments(item, uploads) for item in value]
    if isinstance(value, dict):
        return {key: _resolve_attachments(item, uploads) for key, item in value.items()}
    return value


def _coerce(name: str, value: Any, shape: _FieldShape, uploads: Mapping[str, Upload]) -> Any:
    if isinstance(value, Upload):
        if not shape.takes_file:
            raise bad_request(f'parameter "{name}" can\'t be a file')
        return value.as_input_file(name)
    if isinstance(value, str):
        if shape.takes_file:
            return _resolve_attachments(value, uploads)
        if shape.plain_str:
            return value
        if shape.structured:
            try:
                value = json.loads(value)
            except ValueError:
                if shape.accepts_str:
                    return value
                raise bad_request(f"can't parse {name} JSON object") from None
        elif shape.int_or_str and _INTEGER.match(value.strip()):
            return int(value)
    if shape.structured:
        return _resolve_attachments(value, uploads)
    return value


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "parameters"
    if first["type"] == "missing" and len(first["loc"]) == 1:
        return _MISSING_TEXTS.get(field, f'parameter "{field}" is required')
    where = ".".join(str(part) for part in first["loc"])
    return f'invalid parameter "{where}": {first["msg"]}'


def decode_call(model: type[Method], raw: Mapping[str, Any], *, strict: bool) -> Method:
    """Validate raw parameters against ``model``; raise ``Bad Request: ...`` on any problem.

    ``strict`` rejects parameters Bot API 10.1 does not have (unknown, or removed like
    ``disable_web_page_preview``); the real Bot API silently ignores them, but a typo in a
    parameter name, or one Telegram no longer reads, is almost always a bug the test should see.
    """
    attachments = _attachment_names(raw)
    uploads = {k: v for k, v in raw.items() if isinstance(v, Upload)}
    known = PARAMETERS.get(model.__api_method__.lower(), frozenset())
    names = _field_names(model)
    shapes = _shapes(model)
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known or key not in names:
            if isinstance(value, Upload) and key in attachments:
                continue
            if strict:
                raise bad_request(f'unknown parameter "{key}" for method {model.__api_method__}')
            continue
        shape = shapes[key]
        if value is None or (value == "" and not shape.plain_str):
            continue
        params[key] = _coerce(key, value, shape, uploads)
    try:
        return model.model_validate(params)
    except ValidationError as error:
        raise bad_request(_describe(error)) from None
