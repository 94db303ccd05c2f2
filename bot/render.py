"""Turning things into Telegram messages within Telegram's limits, safely escaped."""

from __future__ import annotations

import html
from collections.abc import Iterator

from bot.i18n import _, decimal

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTON_TEXT_LIMIT = 60


def e(value: object) -> str:
    """Escape anything a user typed before it goes into an HTML message."""
    return html.escape(str(value), quote=False)


def clip(value: str, limit: int) -> str:
    """Shorten plain text to ``limit`` characters with an ellipsis (escape after clipping)."""
    value = " ".join(value.split()) if "\n" not in value else value
    return value if len(value) <= limit else value[: max(0, limit - 1)].rstrip() + "…"


def button(value: str) -> str:
    """Button labels are plain text; keep them short and on one line."""
    return clip(" ".join(value.split()), BUTTON_TEXT_LIMIT)


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji often counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def pages(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a long HTML text into messages Telegram accepts.

    Splits between lines (paragraphs first); a single line longer than the limit
    is split between words. Callers keep tags within one line, so no tag is cut.
    Lengths are counted in UTF-16 units on the raw HTML, which is never shorter
    than what Telegram counts after parsing the markup.
    """
    if tg_len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in _lines(text, limit):
        candidate = f"{current}\n{line}" if current else line
        if tg_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = line
    if current:
        chunks.append(current)
    return chunks


def _fits(line: str, limit: int) -> int:
    """The longest prefix length (in characters) of ``line`` within ``limit`` UTF-16 units."""
    cut = min(len(line), limit)
    while tg_len(line[:cut]) > limit:
        cut -= max(1, (tg_len(line[:cut]) - limit) // 2)
    return cut


def _lines(text: str, limit: int) -> Iterator[str]:
    for line in text.split("\n"):
        while tg_len(line) > limit:
            most = _fits(line, limit)
            cut = line.rfind(" ", 0, most)
            if cut <= 0:
                cut = most
                # never cut inside an HTML entity such as &amp;
                amp = line.rfind("&", max(0, cut - 8), cut)
                if amp > 0 and ";" not in line[amp:cut]:
                    cut = amp
            yield line[:cut]
            line = line[cut:].lstrip(" ")
        yield line


def stars(rating: float | None) -> str:
    if rating is None:
        return _("no ratings yet")
    full = round(rating)
    return "★" * full + "☆" * (5 - full) + f" {decimal(rating)}"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"
