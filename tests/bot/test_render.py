"""Long texts are split so Telegram never rejects them, and never mid-entity or mid-emoji."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.render import MESSAGE_LIMIT, clip, e, pages, tg_len


def test_short_text_is_one_page() -> None:
    assert pages("hello") == ["hello"]


def test_emoji_count_twice_toward_the_limit() -> None:
    text = "😀" * 3000  # 3000 characters but 6000 UTF-16 units
    chunks = pages(text)
    assert len(chunks) == 2
    assert all(tg_len(c) <= MESSAGE_LIMIT for c in chunks)
    assert "".join(chunks) == text


def test_an_entity_is_never_cut() -> None:
    text = "x" * 4090 + "&amp;" + "y" * 10
    chunks = pages(text)
    assert all(not c.endswith(("&", "&a", "&am", "&amp")) for c in chunks)
    assert "".join(chunks) == text


@given(st.lists(st.text(min_size=0, max_size=900), min_size=1, max_size=12))
def test_pages_keep_every_word_and_respect_the_limit(lines: list[str]) -> None:
    text = "\n".join(e(line) for line in lines)
    chunks = pages(text, limit=1000)
    assert all(tg_len(c) <= 1000 for c in chunks)
    assert "".join(chunks).split() == text.split()


def test_clip_marks_what_it_cut() -> None:
    assert clip("a long title indeed", 7) == "a long…"
    assert clip("short", 10) == "short"
