"""Every word in its reader's language: gettext catalogues, read through aiogram's i18n.

English is the source language. Texts are written in English and marked with ``_``
(``_(singular, plural, n)`` for counts), ``__`` where the reader is known only later
(a module-level label), or ``phrase`` and ``counted`` (a fixed text, or one that says
how many, worded each time it is called); ``make messages`` extracts them into
``bot/locales/bidgram.pot`` and merges that into each language's catalogue,
``bot/locales/<language>/LC_MESSAGES/bidgram.po``, where translators work. The
catalogues are compiled when the process starts, so what runs always matches the
sources, and no build step can be forgotten. ``tests/bot/test_catalogues.py`` fails
when a message is left out of the template, is untranslated or fuzzy, or its
placeholders, HTML tags or plural forms differ from the source's.

Whose language: ``core.locales.language_of`` (the person's choice, else their client's,
else ``DEFAULT_LANGUAGE``); ``speaking`` makes it (and the reader's time zone) the
current one for the texts read inside it. ``written`` writes a moment in the reader's
zone, with the zone's name, and in their language's words for months and days;
``ReaderMoney`` writes and reads amounts as the reader does.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from babel.dates import format_datetime, format_time, format_timedelta, get_timezone_location
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    get_currency_symbol,
    get_decimal_symbol,
    parse_decimal,
)
from babel.support import LazyProxy

from core.errors import ValidationFailed
from core.money import STAR, STARS, Currency

#: How texts are marked, as ``pybabel extract -k`` takes it (the Makefile passes the same):
#: ``_``/``__`` with one argument, or singular, plural and count; each also with the
#: trailing comma ruff's formatter adds to a call it splits (Babel counts it as an argument);
#: ``phrase`` with its one text, ``counted`` with its singular and plural.
KEYWORDS = (
    *(f"{mark}:{spec}" for mark in ("_", "__") for spec in ("1,1t", "1,2t", "1,2,3t", "1,2,4t")),
    "phrase:1",
    "counted:1,2",
)

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "bidgram"
SOURCE_LANGUAGE = "en"


class Catalogues(I18n):
    """aiogram's ``I18n``, compiling each language's ``.po`` in memory (Babel) instead of
    reading a ``.mo`` that may be older than its source."""

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        found: dict[str, gettext.GNUTranslations] = {}
        for po in sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.po")):
            language = po.parts[-3]
            with po.open("rb") as source:
                catalog = read_po(source, locale=language, domain=self.domain)
            compiled = io.BytesIO()
            write_mo(compiled, catalog)  # fuzzy entries stay out, as `pybabel compile` does
            compiled.seek(0)
            found[language] = gettext.GNUTranslations(compiled)
        return found


i18n = Catalogues(path=LOCALES, default_locale=SOURCE_LANGUAGE, domain=DOMAIN)
UTC = ZoneInfo("UTC")
_zone: ContextVar[ZoneInfo] = ContextVar("bidgram_reader_zone", default=UTC)
_now: ContextVar[datetime | None] = ContextVar("bidgram_reader_now", default=None)


def _(singular: str, plural: str | None = None, n: int = 1) -> str:
    """``singular`` (or ``plural`` for ``n``) in the current reader's language."""
    return i18n.gettext(singular, plural, n)


def __(singular: str, plural: str | None = None, n: int = 1) -> LazyProxy:
    """``_`` put off until the text is read (module-level labels)."""
    return i18n.lazy_gettext(singular, plural, n)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A fixed text, worded each time it is called: ``cancelled()`` is in the language of
    whoever reads it then. Made by :func:`phrase`."""

    message: str

    def __call__(self) -> str:
        return i18n.gettext(self.message)


def phrase(message: str) -> Phrase:
    """A text that takes nothing, as a module-level name: ``cancelled = phrase("Cancelled.")``
    reads like a constant, yet translates when called, never at import (as ``_`` would).
    ``message`` must be a literal, for ``make messages`` to find it."""
    return Phrase(message)


@dataclass(frozen=True, slots=True)
class Counted:
    """A text that says how many, worded each time it is called: ``files(3)`` is the
    form the reader's language has for 3, its ``{count}`` filled with 3 (other
    placeholders from ``values``). Made by :func:`counted`."""

    singular: str
    plural: str

    def __call__(self, n: int, **values: object) -> str:
        return i18n.gettext(self.singular, self.plural, n).format_map({"count": n, **values})


def counted(singular: str, plural: str) -> Counted:
    """:func:`phrase` for a text with a number in it: ``files = counted("{count} file",
    "{count} files")``. Both must be literals, for ``make messages`` to find them."""
    return Counted(singular, plural)


@contextmanager
def speaking(language: str, zone: ZoneInfo = UTC, *, now: datetime | None = None) -> Iterator[None]:
    """Texts read inside are in ``language``, times in ``zone`` (an alert is worded for its
    recipient); ``now``, when given, is the moment they are read at (see :func:`until`),
    else the enclosing one's."""
    token = _zone.set(zone)
    at = _now.set(now if now is not None else _now.get())
    try:
        with i18n.use_locale(language):
            yield
    finally:
        _now.reset(at)
        _zone.reset(token)


def read_by(language: str, zone: ZoneInfo) -> None:
    """From here on (inside the current ``speaking``), texts are for this reader."""
    i18n.current_locale = language
    _zone.set(zone)


def written(moment: datetime, english: str, pattern: str, *, zone_name: bool = True) -> str:
    """``moment`` in the reader's zone: strftime's ``english`` for English, the CLDR
    ``pattern`` (Babel) for other languages, then the zone's name (``UTC``,
    ``Asia/Almaty``, ``(Алматы)``: see :func:`zone_label`) unless ``zone_name`` is off
    (a bare date)."""
    zone = _zone.get()
    local = moment.astimezone(zone)
    language = i18n.current_locale
    text = (
        local.strftime(english)
        if language == SOURCE_LANGUAGE
        else str(format_datetime(local, pattern, locale=language))
    )
    if not zone_name:
        return text
    if language == SOURCE_LANGUAGE or zone.key == "UTC":
        return f"{text} {zone.key}"
    return f"{text} ({zone_label(zone)})"


def until(moment: datetime) -> str:
    """How far off ``moment`` is, as the reader says it ("in 2 days", "через 2 дня"), or
    "" when it is past or the moment of reading is unknown (outside an update or alert)."""
    now = _now.get()
    if now is None or moment <= now:
        return ""
    return str(format_timedelta(moment - now, add_direction=True, locale=i18n.current_locale))


def zone_label(zone: ZoneInfo) -> str:
    """A zone as its reader names it: the IANA name in English (what they would type),
    else its city in their language (Москва, Ciudad de México); UTC is UTC everywhere."""
    language = i18n.current_locale
    if language == SOURCE_LANGUAGE or zone.key == "UTC":
        return zone.key
    return city(zone.key)


def city(zone: str) -> str:
    """The city a zone is named after, in the current reader's language (``Almaty``,
    ``Алматы``), for the zone buttons and the other languages' dates. The ``Etc/``
    zones keep their names: CLDR calls ``Etc/GMT+5`` "GMT+5", which is UTC−5."""
    if zone.startswith("Etc/"):
        return zone
    return str(get_timezone_location(zone, locale=i18n.current_locale, return_city=True))


def decimal(value: float, digits: int = 1) -> str:
    """A number with ``digits`` decimals as the reader writes it (4.5, 4,5)."""
    language = i18n.current_locale
    if language == SOURCE_LANGUAGE:
        return f"{value:.{digits}f}"
    pattern = "0." + "0" * digits if digits else "0"
    return str(format_decimal(round(value, digits), format=pattern, locale=language))


def languages() -> tuple[str, ...]:
    """The languages with a catalogue, and the source language."""
    return (SOURCE_LANGUAGE, *sorted(i18n.available_locales))


def time_of_day(moment: datetime) -> str:
    """``moment``'s time as the current reader writes it (``2:05 PM``, ``14:05``)."""
    return str(format_time(moment, "short", locale=i18n.current_locale))


#: What a typed amount may hold once currency signs are gone: digits, separators, spaces.
_NUMERAL = re.compile(r"^[\d.,\s\u00a0\u202f']+$")


@dataclass(frozen=True)
class ReaderMoney(Currency):
    """A currency written and read as the current reader does.

    English keeps core's one way ("1,234.56 USD", "⭐ 1,234"). Other languages get their
    own through Babel ("1 234,56 $" in Russian, "1.234,56 US$" in Spanish, "⭐ 1 234"),
    and an amount they type is read with their decimal separator first ("1.234,5" is
    1234.50 to a Spanish reader), then as English writes it ("150.50" still works).
    The settings hand this to the bot, so every screen and alert that writes an amount
    follows its reader without knowing it.
    """

    @property
    def unit(self) -> str:
        """What the currency is called after "in" ("in USD", "in Stars"), in the reader's
        language: the code, or Telegram's name for Stars."""
        if self.code == STARS and i18n.current_locale != SOURCE_LANGUAGE:
            return _("Stars")
        return super().unit

    @property
    def examples(self) -> tuple[str, ...]:
        """Amounts as the reader may type them: ("150",), or ("150", "150.50") with the
        reader's decimal separator when the currency has decimals."""
        if self.exponent == 0:
            return ("150",)
        language = i18n.current_locale
        point = "." if language == SOURCE_LANGUAGE else get_decimal_symbol(locale=language)
        return ("150", f"150{point}{'5'.ljust(self.exponent, '0')}")

    @property
    def example(self) -> str:
        """The :attr:`examples` in a phrase: "150", or "150 or 150.50"."""
        found = self.examples
        if len(found) == 1:
            return found[0]
        return _("{whole} or {fraction}").format(whole=found[0], fraction=found[1])

    def format(self, minor: int) -> str:
        language = i18n.current_locale
        if language == SOURCE_LANGUAGE:
            return super().format(minor)
        if self.code == STARS:
            return f"{STAR} {format_decimal(minor, locale=language)}"
        value = Decimal(minor).scaleb(-self.exponent)
        # The currency's own digits, and never fewer than the amount has: nothing rounded.
        return str(format_currency(value, self.code, locale=language, decimal_quantization=False))

    def parse(self, text: str) -> int:
        language = i18n.current_locale
        cleaned = text.strip()
        own = get_currency_symbol(self.code, locale=language)  # "US$" before "$"
        for symbol in (own, "$", "€", "£", STAR, "\ufe0f", self.code, self.code.lower()):
            cleaned = cleaned.replace(symbol, "")
        cleaned = cleaned.strip()
        if language == SOURCE_LANGUAGE or not _NUMERAL.match(cleaned):
            return super().parse(text)
        try:
            value = parse_decimal(cleaned.replace(" ", "\u00a0"), locale=language, strict=True)
        except (NumberFormatError, InvalidOperation):
            return super().parse(text)  # as English writes it
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.exponent:
            raise ValidationFailed(
                "money.precision",
                f"Use at most {self.exponent} digits after the decimal separator.",
                currency=self.code,
                digits=self.exponent,
            )
        minor = int(value.scaleb(self.exponent))
        if minor < 0:
            raise ValidationFailed(
                "money.format",
                f"Send an amount like {self.example}.",
                currency=self.code,
                digits=self.exponent,
            )
        return minor
