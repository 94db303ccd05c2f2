"""Whose language and whose clock: the rules behind every text and time a person reads.

A person's language is their own choice when they made one (``/language``); until then
it follows the language their Telegram client reports, when bidgram speaks it, and
otherwise the platform's default. A person's time zone is an IANA name they chose;
until they answer, times are shown in UTC. Storage and timers stay UTC either way:
a zone only changes how a time is written for its reader.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable

from core.errors import ValidationFailed

#: The languages bidgram speaks (the bot's catalogues); English is the source language.
LANGUAGES: tuple[str, ...] = ("en", "ru", "es")

#: Zones offered first when asking someone's time zone, most likely first for speakers
#: of each language; any other IANA name may be typed.
LIKELY_ZONES: dict[str, tuple[str, ...]] = {
    "en": (
        "Europe/London",
        "America/New_York",
        "America/Chicago",
        "America/Los_Angeles",
        "Asia/Kolkata",
        "Australia/Sydney",
    ),
    "ru": (
        "Europe/Moscow",
        "Asia/Almaty",
        "Asia/Yekaterinburg",
        "Asia/Novosibirsk",
        "Europe/Minsk",
        "Asia/Tashkent",
    ),
    "es": (
        "Europe/Madrid",
        "America/Mexico_City",
        "America/Bogota",
        "America/Argentina/Buenos_Aires",
        "America/Lima",
        "America/Santiago",
    ),
}

UTC = "UTC"
ZONE_NAME_MAX = 64


def primary(code: str | None) -> str | None:
    """The language of a Telegram ``language_code`` (``pt-br`` → ``pt``), lower case."""
    if not code:
        return None
    return code.replace("_", "-").split("-", 1)[0].strip().lower() or None


def language_of(
    chosen: str | None,
    client: str | None,
    *,
    default: str,
    supported: Iterable[str] = LANGUAGES,
) -> str:
    """The language to speak to someone: their choice, else their client's, else ``default``."""
    speaks = tuple(supported)
    for candidate in (chosen, primary(client)):
        if candidate in speaks:
            return candidate
    return default


def check_language(code: str, supported: Iterable[str] = LANGUAGES) -> str:
    """``code`` as stored, or refused with the languages there are."""
    speaks = tuple(supported)
    language = primary(code)
    if language not in speaks:
        raise ValidationFailed(
            "language.unsupported",
            f"bidgram speaks {', '.join(speaks)}.",
            language=code,
            languages=speaks,
        )
    return language


@functools.cache
def _zones_by_folded_name() -> dict[str, str]:
    """Every IANA zone this machine knows, by its case-folded name."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def check_time_zone(name: str) -> str:
    """The IANA zone ``name`` stands for (case and spaces forgiven), or refused.

    Only names of the IANA database count: no file paths, no POSIX TZ strings, no
    abbreviations (``EST`` is a zone, ``MSK`` is not), nothing a typo could turn
    into another zone.
    """
    typed = "_".join(name.strip().split())
    found = _zones_by_folded_name().get(typed.casefold()) if len(typed) <= ZONE_NAME_MAX else None
    if found is None:
        raise ValidationFailed(
            "time_zone.unknown",
            "That is not a time zone name, e.g. Europe/Madrid or Asia/Almaty.",
            time_zone=name[:ZONE_NAME_MAX],
        )
    return found


def zone_of(chosen: str | None) -> zoneinfo.ZoneInfo:
    """The zone a person's times are written in (UTC until they chose one)."""
    return zoneinfo.ZoneInfo(chosen or UTC)


def likely_zones(language: str) -> tuple[str, ...]:
    """The zones to offer a speaker of ``language`` first (UTC always among them)."""
    return (*LIKELY_ZONES.get(language, LIKELY_ZONES["en"]), UTC)
