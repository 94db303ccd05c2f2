"""The translation catalogues: complete, in step with the sources, and safe to send.

Every text marked in ``bot/`` is in the template; every language translates every one of
them (no empty or fuzzy entry), keeps its placeholders and HTML tags, and gives every
plural form its language has.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, KEYWORDS, LOCALES, _, counted, languages, phrase, speaking

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in languages() if language != "en"]

PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
TAG = re.compile(r"</?([a-z-]+)[^>]*>")


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {_id(message.id) for message in catalog if message.id}


def _id(found: object) -> str | tuple[str, ...]:
    """A message id as one type: the text, or (singular, plural)."""
    return found if isinstance(found, str) else tuple(str(part) for part in found)  # type: ignore[attr-defined]


def _forms(message: Message) -> list[str]:
    string = message.string
    return [string] if isinstance(string, str) else [str(form) for form in string or ()]


def _sources(message: Message) -> list[str]:
    found = _id(message.id)
    return [found] if isinstance(found, str) else list(found)


def _shape(text: str) -> tuple[Counter[str], Counter[str]]:
    return Counter(PLACEHOLDER.findall(text)), Counter(TAG.findall(text))


def test_russian_and_spanish_have_catalogues() -> None:
    assert {"ru", "es"} <= set(TRANSLATED)


def test_the_template_holds_every_marked_text_and_nothing_else() -> None:
    """`make messages` was run after the texts last changed."""
    extracted = {
        _id(found[2])
        for found in extract_from_dir(
            str(ROOT / "bot"), keywords=parse_keywords(list(KEYWORDS)), comment_tags=()
        )
    }
    template = _ids(_read(LOCALES / f"{DOMAIN}.pot"))
    assert extracted - template == set(), "not in the template: run `make messages`"
    assert template - extracted == set(), "no longer in the sources: run `make messages`"


def test_the_makefile_extracts_with_the_same_keywords() -> None:
    recipe = (ROOT / "Makefile").read_text()
    for keyword in KEYWORDS:
        assert f"-k {keyword}" in recipe


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    template = _ids(_read(LOCALES / f"{DOMAIN}.pot"))
    catalog = _read(LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)
    assert _ids(catalog) == template, "run `make messages`, then translate what is new"
    untranslated = [m.id for m in catalog if m.id and not all(_forms(m))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders_and_html_tags(language: str) -> None:
    catalog = _read(LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)
    for message in catalog:
        if not message.id:
            continue
        sources = _sources(message)
        for index, form in enumerate(_forms(message)):
            # The singular form of a plural may drop the count ("один отклик").
            source = sources[0] if index == 0 and len(sources) == 1 else sources[-1]
            placeholders, tags = _shape(form)
            wanted_placeholders, wanted_tags = _shape(source)
            assert tags == wanted_tags, (language, message.id, form)
            assert set(placeholders) <= set(wanted_placeholders), (language, message.id, form)
            if len(sources) == 1:
                assert placeholders == wanted_placeholders, (language, message.id, form)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_plural_has_each_form_its_language_has(language: str) -> None:
    catalog = _read(LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)
    expected = Catalog(locale=language).num_plurals
    assert catalog.num_plurals == expected
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(_forms(message)) == expected and all(_forms(message)), message.id


def test_a_text_is_read_in_the_language_it_is_spoken_in() -> None:
    title = "🕒 <b>Time zone</b>"
    with speaking("ru"):
        assert _(title) == "🕒 <b>Часовой пояс</b>"
    with speaking("es"):
        assert _(title) == "🕒 <b>Zona horaria</b>"
    assert _(title) == title  # English, the source, when nobody is being spoken to


def test_a_phrase_is_worded_when_it_is_read_not_when_it_is_made() -> None:
    title = phrase("🕒 <b>Time zone</b>")
    with speaking("ru"):
        assert title() == "🕒 <b>Часовой пояс</b>"
    with speaking("es"):
        assert title() == "🕒 <b>Zona horaria</b>"
    assert title() == "🕒 <b>Time zone</b>"


def test_a_counted_text_takes_the_form_for_its_number() -> None:
    files = counted("📎 {count} file", "📎 {count} files")
    with speaking("ru"):
        assert [files(n) for n in (1, 3, 5)] == ["📎 1 файл", "📎 3 файла", "📎 5 файлов"]
    assert [files(n) for n in (1, 3)] == ["📎 1 file", "📎 3 files"]
