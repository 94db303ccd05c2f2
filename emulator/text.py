"""Formatted text as Telegram sees it: visible text plus entities measured in UTF-16.

Telegram counts every limit (4096 for messages, 1024 for captions, entity offsets) in UTF-16
code units of the text *after* markup parsing and trimming, so a bot that counts Python
``len()`` of its HTML source can pass a naive check and still be rejected. Everything here
works on that same basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from emulator.errors import bad_request

Entity = dict[str, Any]
"""A MessageEntity in its JSON form (``type``, ``offset``, ``length`` and optional extras)."""

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
_TRIMMED = " \t\r\n"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram text limit."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass(frozen=True)
class FormattedText:
    """Visible text and its entities, the result of parsing ``text`` + ``parse_mode``."""

    text: str
    entities: tuple[Entity, ...] = field(default=())

    def entity_list(self) -> list[Entity] | None:
        """Entities as the JSON list a Message carries (``None`` when there are none)."""
        return [dict(e) for e in self.entities] or None


def parse_formatted(
    text: str,
    parse_mode: str | None,
    entities: Sequence[Entity] | None,
) -> FormattedText:
    """Parse ``text`` the way the Bot API does: ``parse_mode`` wins over explicit ``entities``.

    Raises ``Bad Request: can't parse entities: ...`` for malformed markup and
    ``Bad Request: unsupported parse_mode`` for an unknown mode.
    """
    from emulator.html import parse_html
    from emulator.markdown import parse_markdown, parse_markdown_v2

    mode = (parse_mode or "").lower()
    if text and mode and mode != "none":
        if mode == "html":
            result = parse_html(text)
        elif mode == "markdownv2":
            result = parse_markdown_v2(text)
        elif mode == "markdown":
            result = parse_markdown(text)
        else:
            raise bad_request("unsupported parse_mode")
    else:
        result = FormattedText(text, tuple(_check_entities(text, entities or ())))
    return trim(result)


def _check_entities(text: str, entities: Sequence[Entity]) -> list[Entity]:
    """Keep explicit entities that fit the text, as Telegram silently drops the rest."""
    size = utf16_len(text)
    kept = []
    for entity in entities:
        offset, length = int(entity.get("offset", -1)), int(entity.get("length", 0))
        if offset >= 0 and length > 0 and offset + length <= size:
            kept.append({k: v for k, v in entity.items() if v is not None})
    return sort_entities(kept)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Telegram's order: by offset, outer (longer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def trim(formatted: FormattedText) -> FormattedText:
    """Strip surrounding whitespace like Telegram does, shifting and clipping entities."""
    text = formatted.text
    stripped_left = text.lstrip(_TRIMMED)
    lead = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip(_TRIMMED)
    size = utf16_len(result)
    if lead == 0 and size == utf16_len(text):
        return formatted
    entities: list[Entity] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(result, tuple(sort_entities(entities)))


def check_message_text(formatted: FormattedText) -> None:
    """The 1..4096 rule for message text, counted on the visible text."""
    if not formatted.text:
        raise bad_request("message text is empty")
    if utf16_len(formatted.text) > MAX_MESSAGE_LENGTH:
        raise bad_request("message is too long")


def check_caption(formatted: FormattedText) -> None:
    """Captions may be empty but not longer than 1024 visible characters."""
    if utf16_len(formatted.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
