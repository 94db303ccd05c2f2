"""Dates are written for their reader: in the reader's zone, named, in their language's
words; English readers in UTC read exactly what they always did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import city, speaking
from bot.texts import common, projects

NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LATE = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "zone", "when", "deadline", "day"),
    [
        ("en", "UTC", "06 Dec 2026, 12:00 UTC", "Sun 06 Dec, 12:00 UTC", "06 Dec 2026"),
        (
            "en",
            "Asia/Almaty",
            "06 Dec 2026, 17:00 Asia/Almaty",
            "Sun 06 Dec, 17:00 Asia/Almaty",
            "07 Dec 2026",
        ),
        (
            "ru",
            "Europe/Moscow",
            "6 дек. 2026, 15:00 (Москва)",
            "вс 6 дек., 15:00 (Москва)",
            "7 дек. 2026",
        ),
        (
            "es",
            "America/Mexico_City",
            "6 dic 2026, 06:00 (Ciudad de México)",
            "dom 6 dic, 06:00 (Ciudad de México)",
            "6 dic 2026",
        ),
    ],
)
def test_a_moment_is_written_in_the_readers_zone_and_language(
    language: str, zone: str, when: str, deadline: str, day: str
) -> None:
    with speaking(language, ZoneInfo(zone)):
        assert common.when(NOON) == when
        assert projects.when(NOON) == deadline
        assert common.day(LATE) == day  # the reader's calendar day, not UTC's


def test_outside_any_reader_times_are_english_and_utc() -> None:
    with speaking("ru", ZoneInfo("Asia/Almaty")):
        pass
    assert common.when(NOON) == "06 Dec 2026, 12:00 UTC"


@pytest.mark.parametrize(
    ("language", "zone", "deadline"),
    [
        ("en", "UTC", "Tue 08 Dec, 12:00 UTC, in 2 days"),
        ("ru", "Europe/Moscow", "вт 8 дек., 15:00 (Москва), через 2 дня"),
        ("es", "Europe/Madrid", "mar 8 dic, 13:00 (Madrid), dentro de 2 días"),
    ],
)
def test_a_deadline_says_how_far_off_it_is(language: str, zone: str, deadline: str) -> None:
    with speaking(language, ZoneInfo(zone), now=NOON):
        assert projects.when(NOON + timedelta(days=2)) == deadline
        assert "," not in projects.when(NOON - timedelta(days=2)).split(":")[-1]  # past: no "ago"


def test_without_a_moment_of_reading_a_deadline_is_only_a_date() -> None:
    with speaking("en"):
        assert projects.when(NOON) == "Sun 06 Dec, 12:00 UTC"


def test_a_zone_is_named_by_its_city_in_the_readers_language() -> None:
    with speaking("ru"):
        assert city("Asia/Almaty") == "Алматы"
        assert city("Etc/GMT+5") == "Etc/GMT+5"  # not CLDR's "GMT+5": it is UTC−5
    with speaking("es"):
        assert city("America/Mexico_City") == "Ciudad de México"
