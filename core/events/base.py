"""What happened, for whom: services record events; the bot turns them into alerts.

Events are collected in the unit of work's context and only delivered after the
commit, so nobody is told about something that was rolled back. Each kind is a
frozen dataclass (``class BidPlaced(Event, kind="bid.placed")``) whose fields are what
its alert needs and core already knows; in the outbox it is the kind, the recipients
and :meth:`Event.to_payload`, a small JSON dict (the row's schema predates the classes,
and rows queued before them still load: :meth:`Event.from_payload`).
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self

Value = int | str | None
"""What a payload holds: JSON scalars (the outbox stores ``data`` as JSON)."""
Payload = dict[str, Value]

#: kind -> its class; filled as the classes are defined (``core.events`` imports them all).
KINDS: dict[str, type[Event]] = {}


@dataclass(frozen=True, kw_only=True)
class Event:
    """One thing that happened. ``kind`` is the stable name metrics, logs and outbox
    rows use; ``recipients`` the user ids core decided to tell (none: the renderer
    knows its audience, e.g. the admins)."""

    kind: ClassVar[str]
    recipients: tuple[int, ...] = ()

    def __init_subclass__(cls, kind: str | None = None, **kwargs: Any) -> None:
        """A subclass with a ``kind`` is an event kind; without one, a shared base."""
        super().__init_subclass__(**kwargs)
        if kind is None:
            return
        if kind in KINDS:
            raise RuntimeError(f"two event classes of kind {kind}")
        cls.kind = kind
        KINDS[kind] = cls

    def to_payload(self) -> Payload:
        """Every field but the recipients (a column of their own), JSON-safe."""
        return {
            f.name: _encode(getattr(self, f.name)) for f in fields(self) if f.name != "recipients"
        }

    @classmethod
    def from_payload(cls, recipients: Sequence[int], data: Mapping[str, object]) -> Self:
        """The event an outbox row holds. Keys it does not know are ignored and missing
        ones take their defaults (rows written by an older version); a missing required
        field or a value of the wrong type raises, as a renderer once did on reading it."""
        data = cls.upgrade(dict(data))
        hints = _hints(cls)
        values = {
            f.name: _decode(hints[f.name], data[f.name], f"{cls.kind}.{f.name}")
            for f in fields(cls)
            if f.name != "recipients" and f.name in data
        }
        return cls(recipients=tuple(int(r) for r in recipients), **values)

    @classmethod
    def upgrade(cls, data: dict[str, object]) -> dict[str, object]:
        """An old row's payload in today's shape (fields added since derived from the
        ones it has); today's rows pass through."""
        return data


def from_payload(kind: str, recipients: Sequence[int], data: Mapping[str, object]) -> Event | None:
    """The event of an outbox row, or None for a kind this version does not know (nobody
    is told, as before the classes: such a row had no renderer)."""
    cls = KINDS.get(kind)
    return None if cls is None else cls.from_payload(recipients, data)


def _encode(value: object) -> Value:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, int | str):
        return value
    raise TypeError(f"{value!r} does not go into an outbox payload")


_HINTS: dict[type[Event], dict[str, Any]] = {}


def _hints(cls: type[Event]) -> dict[str, Any]:
    """The fields' types, resolved once per class (annotations are strings here)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _decode(hint: Any, value: object, where: str) -> object:
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    for option in typing.get_args(hint) if union else (hint,):
        if option is type(None) and value is None:
            return None
        if isinstance(option, type) and issubclass(option, enum.Enum):
            try:
                return option(value)
            except ValueError:
                continue
        if option in (int, str, bool) and type(value) is option:
            return value
    raise TypeError(f"{where}: {value!r} is not a {hint}")
