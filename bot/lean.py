"""aiogram's validators, built when first used instead of at import.

Importing aiogram builds a pydantic-core validator for each of its ~600 models (types
and methods), and each validator holds its own copy of every model nested in it: about
47 MiB of a bot process's memory, most of it for models a bot never validates on their
own (a ``Message`` is validated inside ``Update``'s validator, not with its own).
:func:`defer_aiogram_validators` swaps each of them for a :class:`LazyValidator` that
remembers how to build it (the pickle recipe of pydantic-core: schema and config, the
same objects the model already holds) and builds it on first use. docs/benchmarks.md
has the figures.

Freed memory goes back to the C allocator, not to the system: glibc keeps it in the
heap until asked, so :func:`release_freed_memory` asks (``malloc_trim``) after the
validators are dropped and again once start-up is over.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator


class LazyValidator:
    """Stands in for a model's ``SchemaValidator`` until something calls it."""

    __slots__ = ("_args", "_model", "_real")

    def __init__(self, model: type[BaseModel], validator: SchemaValidator) -> None:
        recipe: Any = validator.__reduce__()
        builder, args = recipe
        if builder is not SchemaValidator:  # a plugin's validator: leave it alone
            raise TypeError(f"{model.__name__} has a {builder!r}")
        self._model = model
        self._args: tuple[Any, ...] = tuple(args)
        self._real: SchemaValidator | None = None

    def build(self) -> SchemaValidator:
        """The real validator, built once and put back on the model."""
        if self._real is None:
            self._real = SchemaValidator(*self._args)
            self._model.__pydantic_validator__ = self._real
        return self._real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.build(), name)


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    found, todo = [], [root]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def defer_aiogram_validators() -> int:
    """Free the validators of aiogram's models until they are used; how many were freed."""
    deferred = 0
    for model in _models(BaseModel):
        if not model.__module__.startswith("aiogram."):
            continue
        validator = model.__dict__.get("__pydantic_validator__")
        if type(validator) is SchemaValidator:
            model.__pydantic_validator__ = LazyValidator(model, validator)  # type: ignore[assignment]
            deferred += 1
    return deferred


def release_freed_memory() -> bool:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``); whether
    it could (other C libraries have no such call, and then nothing happens)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is None:
        return False
    trim(0)
    return True
