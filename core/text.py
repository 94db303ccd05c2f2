"""Checks on text people type: trimmed, non-empty, within the configured limits."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, get_args

from core.errors import ValidationFailed

_CONTROL = {"Cc", "Cf"}

#: Every field whose text is checked here. A refusal's code is ``<field>.<kind>``
#: (``project.title.too_long``), so the codes are known in advance and the bot words each.
Field = Literal[
    "ban.reason",
    "bid.proposal",
    "dispute.reason",
    "dispute.response",
    "milestone.changes",
    "milestone.description",
    "milestone.note",
    "payout.destination",
    "payout.note",
    "profile.bio",
    "profile.headline",
    "report.note",
    "review.text",
    "project.description",
    "project.title",
]
#: The fields that hold a web link.
LinkField = Literal["profile.portfolio"]
TEXT_FIELDS: tuple[str, ...] = get_args(Field)
LINK_FIELDS: tuple[str, ...] = get_args(LinkField)


def clean(text: str | None) -> str:
    """Trim and drop control characters (keeping newlines and tabs)."""
    if text is None:
        return ""
    kept = [
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in _CONTROL or ch == "\u200d"
    ]
    return "".join(kept).strip()


def bounded(text: str | None, field: Field, minimum: int, maximum: int) -> str:
    """Return the cleaned text or refuse it, naming the field (``field`` in the details)
    and the limit (``minimum``/``maximum``, and the ``length`` sent when too long)."""
    value = clean(text)
    if len(value) < max(minimum, 1):
        if minimum <= 1:
            raise ValidationFailed(f"{field}.empty", f"{field} cannot be empty.", field=field)
        raise ValidationFailed(
            f"{field}.too_short",
            f"{field} needs at least {minimum} characters.",
            field=field,
            minimum=minimum,
        )
    if len(value) > maximum:
        raise ValidationFailed(
            f"{field}.too_long",
            f"{field} can be at most {maximum} characters (got {len(value)}).",
            field=field,
            maximum=maximum,
            length=len(value),
        )
    return value


def parts(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut between paragraphs, else
    between lines, else between words (inside a word only when one is longer)."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        for separator in ("\n\n", "\n", " "):
            cut = rest.rfind(separator, 1, limit + len(separator))
            if cut > 0:
                pieces.append(rest[:cut].rstrip())
                rest = rest[cut + len(separator) :].lstrip()
                break
        else:
            pieces.append(rest[:limit])
            rest = rest[limit:]
    return [*pieces, rest] if rest else pieces


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]{2,}$", re.IGNORECASE)


def url(text: str, field: LinkField) -> str:
    value = clean(text)
    if len(value) > 300 or not _URL.match(value):
        raise ValidationFailed(
            f"{field}.bad_url",
            f"{value[:60]!r} is not a web link (https://...).",
            field=field,
            link=value[:60],
        )
    return value


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def terms(*texts: str, limit: int = 200) -> list[str]:
    """Search terms of a text: lower-cased words, 2 to 40 characters, unique."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(unicodedata.normalize("NFKC", text).casefold()):
            if 2 <= len(word) <= 40:
                seen.setdefault(word, None)
                if len(seen) >= limit:
                    return list(seen)
    return list(seen)
