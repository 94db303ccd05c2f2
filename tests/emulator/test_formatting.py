"""Telegram's HTML / MarkdownV2 parsing and UTF-16 length rules, without a server."""

from __future__ import annotations

import pytest

from emulator import TelegramError, parse_formatted, render_html, utf16_len
from emulator.text import check_message_text


def html(text: str):
    return parse_formatted(text, "HTML", None)


def test_supported_tags_become_entities() -> None:
    result = html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        "<strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><a href="https://example.com">a</a><code>c</code>'
        "<pre>p</pre><blockquote>q</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    kinds = [e["type"] for e in result.entities]
    assert kinds == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "text_link",
        "code",
        "pre",
        "blockquote",
        "custom_emoji",
    ]
    assert result.text == "bsieunskdpqacpq👍"


def test_entities_are_decoded_and_unknown_named_entities_kept_literally() -> None:
    assert html("&lt;b&gt; &amp; &quot;x&quot; &#65;&#x42; &nbsp;").text == '<b> & "x" AB &nbsp;'


def test_pre_with_language() -> None:
    result = html('<pre><code class="language-python">print(1)</code></pre>')
    assert result.entities == ({"type": "pre", "offset": 0, "length": 8, "language": "python"},)


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("price < 5", 'Unsupported start tag "" at byte offset 6'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("é<b", "Unclosed start tag at byte offset 2"),
    ],
)
def test_malformed_html_is_rejected_like_telegram(source: str, error: str) -> None:
    with pytest.raises(TelegramError) as caught:
        html(source)
    assert caught.value.error_code == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert error in caught.value.description


def test_text_is_trimmed_and_entities_shifted() -> None:
    result = html("\n  <b> hi </b> there \n")
    assert result.text == "hi  there"
    assert result.entities == ({"type": "bold", "offset": 0, "length": 3},)


def test_length_is_counted_in_utf16_on_visible_text() -> None:
    assert utf16_len("😀") == 2
    check_message_text(html("😀" * 2048))
    with pytest.raises(TelegramError, match="message is too long"):
        check_message_text(html("😀" * 2049))
    check_message_text(html("&lt;" * 4096))
    with pytest.raises(TelegramError, match="message text is empty"):
        check_message_text(html("<b> </b>"))


def test_unknown_parse_mode() -> None:
    with pytest.raises(TelegramError, match="unsupported parse_mode"):
        parse_formatted("x", "BBCode", None)


def test_markdown_v2_requires_escaping_reserved_characters() -> None:
    with pytest.raises(TelegramError, match=r"Character '\.' is reserved"):
        parse_formatted("Done.", "MarkdownV2", None)
    result = parse_formatted(r"*Done*\. [site](https://example.com) ||s||", "MarkdownV2", None)
    assert result.text == "Done. site s"
    assert [e["type"] for e in result.entities] == ["bold", "text_link", "spoiler"]


def test_render_html_round_trips() -> None:
    source = '<b>a <i>b</i></b> &lt;c&gt; <a href="https://x.org">d</a> 😀<u>e</u>'
    parsed = html(source)
    assert render_html(parsed.text, parsed.entities) == source
