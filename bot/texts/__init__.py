"""Every text a user sees, in one place (ready for translation).

Functions take plain values and return HTML; anything a user typed is escaped
with ``bot.render.e`` here, never in handlers. A text that takes nothing is a
``bot.i18n.phrase``; one that takes only a project's title is :func:`titled`; the
names of a few values (a status, a kind) are :func:`labels`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

from bot.i18n import Phrase
from bot.render import clip, e

Key = TypeVar("Key", bound=Hashable)


def titled(text: Phrase, limit: int | None = None) -> Callable[[str], str]:
    """``text`` about one project, as a function of its title, which fills ``{title}``:
    escaped (a person typed it) and, given a ``limit``, clipped to fit an alert."""

    def worded(title: str) -> str:
        return text().format(title=e(title if limit is None else clip(title, limit)))

    return worded


def labels(
    names: Mapping[Key, Phrase], otherwise: Callable[[Key], str] | None = None
) -> Callable[[Key], str]:
    """A function naming each of a few values (a status, a kind): the table is made
    once, each name worded when it is asked for, in its reader's language. A value the
    table lacks is worded by ``otherwise`` (a KeyError without it)."""

    def named(key: Key) -> str:
        if otherwise is not None and key not in names:
            return otherwise(key)
        return names[key]()

    return named
