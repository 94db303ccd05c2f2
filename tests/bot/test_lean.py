"""aiogram's validators are built on first use (bot/lean.py) and behave exactly as before."""

from __future__ import annotations

import platform

import pytest
from aiogram.types import Message, Update
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import SchemaValidator

import bot.app  # noqa: F401 - importing the bot defers the validators
from bot.lean import LazyValidator, _models, release_freed_memory


class Sample(BaseModel):
    amount: int


def test_a_deferred_validator_validates_and_refuses_like_the_real_one() -> None:
    Sample.__pydantic_validator__ = LazyValidator(Sample, Sample.__pydantic_validator__)  # type: ignore[assignment]
    assert Sample(amount="12").amount == 12  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        Sample(amount="twelve")  # type: ignore[arg-type]
    assert refused.value.title == "Sample"
    assert type(Sample.__dict__["__pydantic_validator__"]) is SchemaValidator


def test_a_deferred_validator_is_built_once_even_where_the_stand_in_was_kept() -> None:
    class Kept(BaseModel):
        amount: int

    lazy = LazyValidator(Kept, Kept.__pydantic_validator__)
    Kept.__pydantic_validator__ = lazy  # type: ignore[assignment]
    adapter = TypeAdapter(Kept)  # holds on to the stand-in
    first = adapter.validate_python({"amount": 1})
    built = Kept.__dict__["__pydantic_validator__"]
    assert adapter.validate_python({"amount": 2}).amount == 2
    assert lazy.build() is built and first.amount == 1


def test_every_aiogram_model_builds_its_deferred_validator() -> None:
    deferred = [
        model.__dict__["__pydantic_validator__"]
        for model in _models(BaseModel)
        if isinstance(model.__dict__.get("__pydantic_validator__"), LazyValidator)
    ]
    assert len(deferred) > 300  # the types and methods nobody has used yet in this run
    for lazy in deferred:
        assert lazy.build().title == lazy._model.__name__


def test_updates_still_parse_with_nested_objects_and_unknown_fields() -> None:
    update = Update.model_validate(
        {
            "update_id": 7,
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 5, "is_bot": False, "first_name": "Ann"},
                "text": "/start",
                "a_field_from_a_newer_bot_api": True,
            },
        }
    )
    assert isinstance(update.message, Message)
    assert update.message.from_user is not None and update.message.from_user.first_name == "Ann"
    with pytest.raises(ValidationError):
        Update.model_validate({"update_id": "seven"})


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_memory_is_handed_back_on_glibc() -> None:
    assert release_freed_memory() is True
