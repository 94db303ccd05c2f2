"""Every text a user sees, in one place (ready for translation).

Functions take plain values and return HTML; anything a user typed is escaped
with ``bot.render.e`` here, never in handlers. A text that takes nothing is a
``bot.i18n.phrase``; one that takes only a project's title is :func:`titled`.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import Phrase
from bot.render import clip, e


def titled(text: Phrase, limit: int | None = None) -> Callable[[str], str]:
    """``text`` about one project, as a function of its title, which fills ``{title}``:
    escaped (a person typed it) and, given a ``limit``, clipped to fit an alert."""

    def worded(title: str) -> str:
        return text().format(title=e(title if limit is None else clip(title, limit)))

    return worded
