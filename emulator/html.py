"""Telegram's HTML parse mode, parsed the way the Bot API (tdlib) parses it.

Telegram's dialect is not browser HTML: only a fixed set of tags exists, every ``<`` starts a
tag, only four named entities are decoded, and a mistake rejects the whole message with
``can't parse entities: ...`` and a UTF-8 byte offset. A bot whose markup a browser would
forgive must still fail here, so this mirrors tdlib's rules and error texts.
"""

from __future__ import annotations

import re

from emulator.errors import TelegramError, bad_request
from emulator.text import Entity, FormattedText, sort_entities, utf16_len

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_USER_LINK = re.compile(r"^tg://user\?id=(\d+)$")
_URL = re.compile(r"^(?:(?:https?|tg|ton)://\S+|[\w-]+(?:\.[\w-]+)+(?:[/:?#]\S*)?)$", re.IGNORECASE)
_SPACES = " \t\n\r\x0b\x0c"


def _entity_error(message: str) -> TelegramError:
    return bad_request(f"can't parse entities: {message}")


def decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity starting at ``text[pos] == '&'``; ``None`` leaves '&' literal."""
    end = text.find(";", pos + 1)
    if end == -1 or end - pos > 12:
        return None
    body = text[pos + 1 : end]
    if body.startswith("#"):
        digits = body[1:]
        try:
            code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits, 10)
        except ValueError:
            return None
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), end + 1
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end + 1
    return None


class _OpenTag:
    __slots__ = ("argument", "name", "offset", "text_start")

    def __init__(self, name: str, argument: str, offset: int, text_start: int) -> None:
        self.name = name
        self.argument = argument
        self.offset = offset
        self.text_start = text_start


class _HtmlParser:
    """A single-use cursor over one HTML string; ``run`` returns the formatted text."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # characters in self.out, for <a> without href
        self.offset = 0  # UTF-16 units emitted so far
        self.open: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def char(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else "\0"

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8", "surrogatepass"))

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.out_len += len(chars)
        self.offset += utf16_len(chars)

    def run(self) -> FormattedText:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "&" and (decoded := decode_entity(src, self.pos)) is not None:
                self.emit(decoded[0])
                self.pos = decoded[1]
            elif ch != "<":
                self.emit(ch)
                self.pos += 1
            elif self.char(self.pos + 1) == "/":
                self.close_tag()
            else:
                self.open_tag()
        if self.open:
            raise _entity_error(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"'
            )
        return FormattedText("".join(self.out), tuple(sort_entities(self.entities)))

    def open_tag(self) -> None:
        begin = self.pos
        i = begin + 1
        while self.char(i) not in _SPACES and self.char(i) not in ">\0":
            i += 1
        if self.char(i) == "\0":
            raise _entity_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.src[begin + 1 : i].lower()
        if tag not in SUPPORTED_TAGS:
            raise _entity_error(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        attributes, i = self.read_attributes(tag, begin, i)
        argument = ""
        if tag == "a":
            argument = attributes.get("href", "")
        elif tag == "code" and attributes.get("class", "").startswith("language-"):
            argument = attributes["class"][len("language-") :]
        elif tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise _entity_error(
                    'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
        elif tag == "tg-emoji":
            argument = attributes.get("emoji-id", "")
        elif tag == "blockquote" and "expandable" in attributes:
            argument = "expandable"
        elif tag == "tg-time":
            argument = f"{attributes.get('unix', '')}|{attributes.get('format', '')}"
        self.open.append(_OpenTag(tag, argument, self.offset, self.out_len))
        self.pos = i + 1

    def read_attributes(self, tag: str, begin: int, i: int) -> tuple[dict[str, str], int]:
        attributes: dict[str, str] = {}
        while self.char(i) != ">":
            while self.char(i) in _SPACES and self.char(i) != "\0":
                i += 1
            if self.char(i) == ">":
                break
            name_start = i
            while self.char(i) not in _SPACES and self.char(i) not in "=>\0":
                i += 1
            name = self.src[name_start:i].lower()
            if not name:
                raise _entity_error(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            while self.char(i) in _SPACES and self.char(i) != "\0":
                i += 1
            if self.char(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    attributes[name] = ""
                    continue
                if self.char(i) == "\0":
                    raise _entity_error(
                        f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
                    )
                raise _entity_error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self.byte_offset(begin)}'
                )
            i += 1
            while self.char(i) in _SPACES and self.char(i) != "\0":
                i += 1
            if self.char(i) == "\0":
                raise _entity_error(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            value, i = self.read_value(i)
            if self.char(i) == "\0":
                raise _entity_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            attributes[name] = value
        return attributes, i

    def read_value(self, i: int) -> tuple[str, int]:
        quote = self.char(i)
        if quote not in "'\"":
            start = i
            while self.char(i).isalnum() or self.char(i) in ".-":
                i += 1
            if self.char(i) not in _SPACES and self.char(i) != ">":
                raise _entity_error(
                    f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
                )
            return self.src[start:i].lower(), i
        i += 1
        value: list[str] = []
        while self.char(i) not in (quote, "\0"):
            if self.char(i) == "&" and (decoded := decode_entity(self.src, i)) is not None:
                value.append(decoded[0])
                i = decoded[1]
                continue
            value.append(self.src[i])
            i += 1
        if self.char(i) == quote:
            i += 1
        return "".join(value), i

    def close_tag(self) -> None:
        begin = self.pos
        if not self.open:
            raise _entity_error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while self.char(i) not in _SPACES and self.char(i) not in ">\0":
            i += 1
        name = self.src[begin + 2 : i].lower()
        while self.char(i) in _SPACES and self.char(i) != "\0":
            i += 1
        if self.char(i) != ">":
            raise _entity_error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.open.pop()
        if name and name != tag.name:
            raise _entity_error(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self.pos = i + 1
        if self.offset > tag.offset:
            self.add_entity(tag, begin)

    def add_entity(self, tag: _OpenTag, begin: int) -> None:
        offset, length = tag.offset, self.offset - tag.offset
        base: Entity = {"offset": offset, "length": length}
        if tag.name in _SIMPLE_TAGS:
            self.entities.append({"type": _SIMPLE_TAGS[tag.name], **base})
        elif tag.name == "a":
            url = tag.argument or "".join(self.out)[tag.text_start :]
            if (user := _USER_LINK.match(url)) is not None:
                self.entities.append(
                    {"type": "text_mention", **base, "user": {"id": int(user.group(1))}}
                )
            elif _URL.match(url):
                self.entities.append({"type": "text_link", **base, "url": url})
        elif tag.name == "code":
            code: Entity = {"type": "code", **base}
            if tag.argument:
                code["language"] = tag.argument
            self.entities.append(code)
        elif tag.name == "pre":
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] == "code"
                and (last["offset"], last["length"]) == (offset, length)
            ):
                self.entities.pop()
                language = last.get("language")
                pre: Entity = {"type": "pre", **base}
                if language:
                    pre["language"] = language
                self.entities.append(pre)
            else:
                self.entities.append({"type": "pre", **base})
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append({"type": kind, **base})
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise _entity_error("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **base, "custom_emoji_id": tag.argument})
        elif tag.name == "tg-time":
            unix, _, fmt = tag.argument.partition("|")
            if not unix.isdigit():
                raise _entity_error(
                    f"Invalid Unix time specified at byte offset {self.byte_offset(begin)}"
                )
            time_entity: Entity = {"type": "date_time", **base, "unix_time": int(unix)}
            if fmt:
                time_entity["date_time_format"] = fmt
            self.entities.append(time_entity)


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML into visible text and entities (untrimmed)."""
    return _HtmlParser(source).run()


def escape(text: str) -> str:
    """Escape text for Telegram HTML (the three characters that matter)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _open_tag(entity: Entity) -> tuple[str, str]:
    kind = entity["type"]
    simple = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s"}
    if kind in simple:
        return f"<{simple[kind]}>", f"</{simple[kind]}>"
    if kind == "spoiler":
        return "<tg-spoiler>", "</tg-spoiler>"
    if kind == "text_link":
        return f'<a href="{escape(entity["url"])}">', "</a>"
    if kind == "text_mention":
        return f'<a href="tg://user?id={entity["user"]["id"]}">', "</a>"
    if kind == "code":
        return "<code>", "</code>"
    if kind == "pre":
        if entity.get("language"):
            return f'<pre><code class="language-{entity["language"]}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind in ("blockquote", "expandable_blockquote"):
        extra = " expandable" if kind == "expandable_blockquote" else ""
        return f"<blockquote{extra}>", "</blockquote>"
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{entity["custom_emoji_id"]}">', "</tg-emoji>"
    if kind == "date_time":
        fmt = f' format="{entity["date_time_format"]}"' if entity.get("date_time_format") else ""
        return f'<tg-time unix="{entity["unix_time"]}"{fmt}>', "</tg-time>"
    return "", ""  # url, mention, hashtag...: plain text in HTML


def render_html(text: str, entities: tuple[Entity, ...] | list[Entity] | None) -> str:
    """Canonical Telegram HTML for visible text + entities (assumes properly nested ones)."""
    if not entities:
        return escape(text)
    ordered = sort_entities(list(entities))
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for entity in ordered:
        start_tag, end_tag = _open_tag(entity)
        opens.setdefault(entity["offset"], []).append(start_tag)
        closes.setdefault(entity["offset"] + entity["length"], []).insert(0, end_tag)
    parts: list[str] = []
    position = 0
    for ch in text:
        parts.extend(closes.get(position, []))
        parts.extend(opens.get(position, []))
        parts.append(escape(ch))
        position += 2 if ord(ch) > 0xFFFF else 1
    parts.extend(closes.get(position, []))
    return "".join(parts)
