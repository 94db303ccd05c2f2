"""Telegram's MarkdownV2 and legacy Markdown parse modes, following tdlib's parsers.

MarkdownV2's famous trap is that every reserved character outside an entity must be
escaped (``.`` and ``-`` included), and Telegram rejects the message otherwise. Block
quotations are supported in their basic ``>`` form only.
"""

from __future__ import annotations

import re

from emulator.errors import TelegramError, bad_request
from emulator.text import Entity, FormattedText, sort_entities, utf16_len

RESERVED_V2 = "_*[]()~`>#+-=|{}.!"
_USER_LINK = re.compile(r"^tg://user\?id=(\d+)$")
_URL = re.compile(r"^(?:(?:https?|tg|ton)://\S+|[\w-]+(?:\.[\w-]+)+(?:[/:?#]\S*)?)$", re.IGNORECASE)
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _error(message: str) -> TelegramError:
    return bad_request(f"can't parse entities: {message}")


def _link_entity(url: str, offset: int, length: int) -> Entity | None:
    if (user := _USER_LINK.match(url)) is not None:
        return {
            "type": "text_mention",
            "offset": offset,
            "length": length,
            "user": {"id": int(user.group(1))},
        }
    if _URL.match(url):
        return {"type": "text_link", "offset": offset, "length": length, "url": url}
    return None


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _at(text: str, index: int) -> str:
    return text[index] if index < len(text) else "\0"


def _skip_pre_header(text: str, i: int) -> tuple[str, int]:
    """After an opening ```: read an optional language and skip one leading newline."""
    end = i
    while _at(text, end) not in " \t\r\n`\0":
        end += 1
    language = ""
    if end != i and end < len(text) and text[end] != "`":
        language, i = text[i:end], end
    if _at(text, i) in "\r\n":
        pair = _at(text, i + 1) in "\r\n" and text[i] != _at(text, i + 1)
        i += 2 if pair else 1
    return language, i


class _Open:
    __slots__ = ("argument", "byte_offset", "kind", "offset", "out_start")

    def __init__(self, kind: str, argument: str, offset: int, byte_offset: int, out_start: int):
        self.kind = kind
        self.argument = argument
        self.offset = offset
        self.byte_offset = byte_offset
        self.out_start = out_start


def parse_markdown_v2(text: str) -> FormattedText:
    """Parse MarkdownV2 into visible text and entities (untrimmed)."""
    out: list[str] = []
    offset = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    quote_start: int | None = None
    i = 0

    def emit(chars: str) -> None:
        nonlocal offset
        out.append(chars)
        offset += utf16_len(chars)

    while i < len(text):
        c = text[i]
        line_start = i == 0 or text[i - 1] == "\n"
        if c == "\\" and 0 < ord(_at(text, i + 1)) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        in_code = bool(stack) and stack[-1].kind in ("code", "pre")
        if c == ">" and line_start and not in_code:
            if quote_start is None:
                quote_start = offset
            i += 1
            continue
        if c == "\n" and quote_start is not None and _at(text, i + 1) != ">":
            if offset > quote_start:
                entities.append(
                    {"type": "blockquote", "offset": quote_start, "length": offset - quote_start}
                )
            quote_start = None
        reserved = "`" if in_code else RESERVED_V2
        if c not in reserved:
            emit(c)
            i += 1
            continue
        top = stack[-1].kind if stack else None
        closes = (
            (top == "bold" and c == "*")
            or (top == "italic" and c == "_" and _at(text, i + 1) != "_")
            or (top == "underline" and c == "_" and _at(text, i + 1) == "_")
            or (top == "strikethrough" and c == "~")
            or (top == "spoiler" and c == "|" and _at(text, i + 1) == "|")
            or (top == "code" and c == "`")
            or (top == "pre" and text[i : i + 3] == "```")
            or (top in ("text_link", "custom_emoji") and c == "]")
        )
        if not closes:
            begin = i
            argument = ""
            if c == "_" and _at(text, i + 1) == "_":
                kind, i = "underline", i + 2
            elif c == "|" and _at(text, i + 1) == "|":
                kind, i = "spoiler", i + 2
            elif c in "_*~[":
                kind = {"_": "italic", "*": "bold", "~": "strikethrough", "[": "text_link"}[c]
                i += 1
            elif c == "`" and text[i : i + 3] == "```":
                kind = "pre"
                argument, i = _skip_pre_header(text, i + 3)
            elif c == "`":
                kind, i = "code", i + 1
            elif c == "!" and _at(text, i + 1) == "[":
                kind, i = "custom_emoji", i + 2
            else:
                raise _error(
                    f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
                )
            stack.append(_Open(kind, argument, offset, _byte_offset(text, begin), len(out)))
            continue
        entity = stack.pop()
        length = offset - entity.offset
        i += 2 if entity.kind in ("underline", "spoiler") else 3 if entity.kind == "pre" else 1
        new: Entity | None = {"type": entity.kind, "offset": entity.offset, "length": length}
        if entity.kind in ("text_link", "custom_emoji"):
            target = ""
            if _at(text, i) == "(":
                i += 1
                url_begin = i
                chars: list[str] = []
                while i < len(text) and text[i] != ")":
                    if text[i] == "\\" and 0 < ord(_at(text, i + 1)) <= 126:
                        chars.append(text[i + 1])
                        i += 2
                        continue
                    chars.append(text[i])
                    i += 1
                if _at(text, i) != ")":
                    raise _error(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, url_begin)}"
                    )
                i += 1
                target = "".join(chars)
            elif entity.kind == "custom_emoji":
                raise _error("Custom emoji entity must contain a tg://emoji URL")
            else:
                target = "".join(out[entity.out_start :])
            if entity.kind == "text_link":
                new = _link_entity(target, entity.offset, length)
            else:
                emoji = re.fullmatch(r"tg://emoji\?id=(\d+)", target)
                if emoji is None:
                    raise _error("Custom emoji URL must have an emoji identifier")
                new = {**(new or {}), "custom_emoji_id": emoji.group(1)}
        elif entity.kind == "pre" and entity.argument and new is not None:
            new["language"] = entity.argument
        if new is not None and length > 0:
            entities.append(new)
    if stack:
        name = _V2_NAMES.get(stack[-1].kind, stack[-1].kind)
        raise _error(f"Can't find end of {name} entity at byte offset {stack[-1].byte_offset}")
    if quote_start is not None and offset > quote_start:
        entities.append(
            {"type": "blockquote", "offset": quote_start, "length": offset - quote_start}
        )
    return FormattedText("".join(out), tuple(sort_entities(entities)))


def parse_markdown(text: str) -> FormattedText:
    """Parse legacy Markdown (``_italic_``, ``*bold*``, ```code```, ``[text](url)``)."""
    out: list[str] = []
    offset = 0
    entities: list[Entity] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and _at(text, i + 1) in "_*`[":
            out.append(text[i + 1])
            offset += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            offset += utf16_len(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        i += 1
        is_pre = False
        language = ""
        if c == "`" and text[i : i + 2] == "``":
            is_pre = True
            language, i = _skip_pre_header(text, i + 2)
        start_offset, start_out = offset, len(out)
        while i < len(text) and (text[i] != end_char or (is_pre and text[i : i + 3] != "```")):
            out.append(text[i])
            offset += utf16_len(text[i])
            i += 1
        if i >= len(text):
            raise _error(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        length = offset - start_offset
        if c == "[":
            url = "".join(out[start_out:])
            if _at(text, i + 1) == "(":
                close = text.find(")", i + 2)
                if close == -1:
                    close = len(text)
                url, i = text[i + 2 : close], close
            link = _link_entity(url, start_offset, length)
            if link is not None and length > 0:
                entities.append(link)
        elif length > 0:
            kind = {"_": "italic", "*": "bold"}.get(c, "pre" if is_pre else "code")
            new: Entity = {"type": kind, "offset": start_offset, "length": length}
            if is_pre and language:
                new["language"] = language
            entities.append(new)
        i += 3 if is_pre else 1
    return FormattedText("".join(out), tuple(sort_entities(entities)))
