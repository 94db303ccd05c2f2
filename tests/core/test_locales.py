"""Each person's language and time zone: chosen, kept, and refused when it is no such thing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from core.errors import ValidationFailed
from core.locales import (
    check_language,
    check_time_zone,
    language_of,
    likely_zones,
    primary,
    zone_of,
)
from core.settings import ConfigurationError, load_settings
from tests.harness import Harness

_telegram_ids = itertools.count(888_000_001)


async def newcomer(h: Harness, client: str | None) -> int:
    """A person whose Telegram client reports ``client``; their user id."""
    async with h.tx() as m:
        user = await m.users.register(next(_telegram_ids), "Lena", language_code=client)
        return user.id


async def language(h: Harness, user_id: int) -> str:
    async with h.tx() as m:
        return m.users.language(await m.users.get(user_id))


# --- language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client", "spoken"),
    [("ru", "ru"), ("es-419", "es"), ("en-GB", "en"), ("pt-br", "en"), (None, "en"), ("", "en")],
)
async def test_a_newcomer_is_spoken_to_in_their_clients_language_when_bidgram_speaks_it(
    h: Harness, client: str | None, spoken: str
) -> None:
    assert await language(h, await newcomer(h, client)) == spoken


async def test_an_unsupported_client_language_falls_back_to_the_configured_default(
    h: Harness,
) -> None:
    h.settings = h.settings.model_copy(update={"default_language": "es"})
    assert await language(h, await newcomer(h, "de")) == "es"


async def test_a_chosen_language_wins_over_the_clients_and_survives_a_new_update(
    h: Harness,
) -> None:
    async with h.tx() as m:
        user = await m.users.register(next(_telegram_ids), "Pablo", language_code="es")
        actor = m.users.actor(user)
        assert await m.users.set_language(actor, "RU") == "ru"
    async with h.tx() as m:  # the next update registers the client's code again
        again = await m.users.register(actor.telegram_id, "Pablo", language_code="es")
        assert again.language_code == "es"
        assert m.users.language(again) == "ru"


async def test_a_language_bidgram_does_not_speak_is_refused_and_nothing_changes(
    h: Harness,
) -> None:
    user_id = await newcomer(h, "ru")
    async with h.tx() as m:
        actor = m.users.actor(await m.users.get(user_id))
        with pytest.raises(ValidationFailed) as refused:
            await m.users.set_language(actor, "klingon")
    assert refused.value.code == "language.unsupported"
    assert refused.value.details["languages"] == ("en", "ru", "es")
    assert await language(h, user_id) == "ru"


def test_the_default_language_must_be_one_bidgram_speaks() -> None:
    with pytest.raises(ConfigurationError, match="DEFAULT_LANGUAGE: bidgram speaks en, ru, es"):
        load_settings(default_language="de")


def test_language_rules_in_short() -> None:
    assert primary("zh_Hant_TW") == "zh"
    assert language_of("es", "ru", default="en") == "es"
    assert language_of("xx", "ru", default="en") == "ru"  # a stale choice never sticks
    assert check_language("es-MX") == "es"


# --- time zone -----------------------------------------------------------------------


async def test_times_are_utc_until_a_person_chooses_a_zone(h: Harness) -> None:
    user_id = await newcomer(h, "ru")
    async with h.tx() as m:
        user = await m.users.get(user_id)
        assert user.time_zone is None
        assert zone_of(user.time_zone).key == "UTC"


async def test_a_typed_zone_is_stored_as_iana_spells_it(h: Harness) -> None:
    user_id = await newcomer(h, "ru")
    async with h.tx() as m:
        actor = m.users.actor(await m.users.get(user_id))
        assert await m.users.set_time_zone(actor, "  asia/almaty ") == "Asia/Almaty"
        assert await m.users.set_time_zone(actor, "America/Argentina/Buenos Aires") == (
            "America/Argentina/Buenos_Aires"
        )
    async with h.tx() as m:
        zone = zone_of((await m.users.get(user_id)).time_zone)
    noon = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert noon.astimezone(zone).hour == 9  # Buenos Aires is UTC-3


@pytest.mark.parametrize(
    "typed",
    ["Mars/Olympus", "MSK", "", "   ", "../../etc/passwd", "/etc/localtime", "UTC+3", "x" * 300],
)
async def test_a_zone_that_is_no_iana_name_is_refused_and_the_old_one_kept(
    h: Harness, typed: str
) -> None:
    user_id = await newcomer(h, "es")
    async with h.tx() as m:
        actor = m.users.actor(await m.users.get(user_id))
        await m.users.set_time_zone(actor, "Europe/Madrid")
    async with h.tx() as m:
        with pytest.raises(ValidationFailed) as refused:
            await m.users.set_time_zone(actor, typed)
    assert refused.value.code == "time_zone.unknown"
    assert len(str(refused.value.details["time_zone"])) <= 64
    async with h.tx() as m:
        assert (await m.users.get(user_id)).time_zone == "Europe/Madrid"


def test_each_language_offers_its_likely_zones_and_utc() -> None:
    assert likely_zones("ru")[0] == "Europe/Moscow"
    assert likely_zones("es")[0] == "Europe/Madrid"
    assert likely_zones("de") == likely_zones("en")
    for language in ("en", "ru", "es"):
        zones = likely_zones(language)
        assert zones[-1] == "UTC"
        assert all(check_time_zone(zone) == zone for zone in zones)
