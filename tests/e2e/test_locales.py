"""/language and /timezone through the real bot: a person's language and clock, chosen,
kept, and a wrong zone name asked again; the command menu and description per language."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.app import describe, make_bot, set_commands
from core.locales import likely_zones
from emulator import SimulatedUser
from emulator.chats import ChatMessage
from tests.e2e.conftest import App
from tests.e2e.work_support import bidding, market, publish, settled


def speaker(app: App, name: str, language_code: str) -> SimulatedUser:
    return app.emu.user(name, username=name.lower(), language_code=language_code, started=True)


async def edited(person: SimulatedUser, message: ChatMessage, text: str) -> ChatMessage:
    """``message`` once the bot's edit put ``text`` in it (edits follow the press answer)."""
    for _ in range(100):
        current = person.message(message.message_id)
        if current is not None and text in current.text:
            return current
        await asyncio.sleep(0.02)
    raise AssertionError(f"{text!r} never appeared in message {message.message_id}")


async def stored(app: App, person: SimulatedUser) -> tuple[str | None, str | None]:
    async with app.db.uow() as uow:
        user = await uow.users.by_telegram_id(person.id)
        assert user is not None
        return user.language, user.time_zone


async def test_a_russian_client_is_spoken_to_in_russian_and_may_choose_spanish(app: App) -> None:
    olga = speaker(app, "Olga", "ru")
    await olga.send_text("/language")
    screen = await olga.wait_for_message("🌐 Язык")
    assert "Русский" in screen.text and "✓ Русский" in screen.button_texts
    assert "« Меню" in screen.button_texts

    await olga.click(screen, "Español")
    chosen = await edited(olga, screen, "✅ Idioma: Español")
    assert "✓ Español" in chosen.button_texts and "« Menú" in chosen.button_texts
    assert await stored(app, olga) == ("es", None)

    # The choice wins over the client's language from now on.
    await olga.send_text("/timezone")
    zones = await olga.wait_for_message("🕒 Zona horaria")
    assert "se muestran en UTC" in zones.text
    assert zones.button_texts[0] == "Madrid"


async def test_a_language_button_bidgram_no_longer_speaks_explains_itself(app: App) -> None:
    olga = speaker(app, "Olga", "ru")
    await olga.send_text("/language")
    screen = await olga.wait_for_message("🌐 Язык")
    answer = await olga.forge_click(screen, "lg:de")
    assert answer.show_alert
    assert (
        answer.text
        == "bidgram говорит на этих языках: English, Русский, Español. Выберите один из них."
    )
    assert await stored(app, olga) == (None, None)


async def test_a_zone_is_picked_from_the_likely_ones_and_dates_follow_it(app: App) -> None:
    app.clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    dima = speaker(app, "Dima", "ru")
    await dima.send_text("/timezone")
    screen = await dima.wait_for_message("🕒 Часовой пояс")
    assert "по UTC" in screen.text
    assert screen.button_texts[: len(likely_zones("ru"))] == [
        "Москва",
        "Алматы",
        "Екатеринбург",
        "Новосибирск",
        "Минск",
        "Ташкент",
        "UTC",
    ]
    await dima.click(screen, "Алматы")
    await edited(dima, screen, "✅ Часовой пояс: Алматы. Там сейчас 17:00.")
    assert await stored(app, dima) == (None, "Asia/Almaty")


async def test_a_typed_zone_that_does_not_exist_is_asked_again_and_a_real_one_kept(
    app: App,
) -> None:
    app.clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    pablo = speaker(app, "Pablo", "es-AR")
    await pablo.send_text("/timezone")
    screen = await pablo.wait_for_message("🕒 Zona horaria")
    await pablo.click(screen, "⌨️ Escribir otra")
    await edited(pablo, screen, "Escribe el nombre de tu zona horaria")

    await pablo.send_text("Mars/Olympus_Mons")
    again = await pablo.wait_for_message("«Mars/Olympus_Mons» no es el nombre")
    assert "Madrid" in again.button_texts  # the likely zones stay at hand
    assert await stored(app, pablo) == (None, None)

    await pablo.send_text("america/argentina/buenos aires")
    await pablo.wait_for_message("✅ Zona horaria: Buenos Aires. Allí son las 9:00.")
    assert await stored(app, pablo) == (None, "America/Argentina/Buenos_Aires")


async def test_the_command_menu_and_description_are_in_each_language(app: App) -> None:
    bot = make_bot(app.settings)
    try:
        await set_commands(bot, app.settings)
        await describe(bot, app.settings.default_language)
    finally:
        await bot.session.close()
    menus = {code: app.emu.my_commands(language_code=code) for code in ("", "en", "ru", "es")}
    assert menus[""] == menus["en"]
    assert {"command": "language", "description": "Язык"} in menus["ru"]
    assert {"command": "timezone", "description": "Zona horaria de fechas y plazos"} in menus["es"]
    assert [c["command"] for c in menus["ru"]] == [c["command"] for c in menus[""]]
    assert app.emu.my_description(short=True, language_code="ru").startswith("Публикуйте")
    assert app.emu.my_description(language_code="es").startswith("bidgram es un mercado")
    assert app.emu.my_description().startswith("bidgram is a freelance marketplace")


async def test_a_project_card_shows_its_deadline_in_the_readers_zone(app: App) -> None:
    app.clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    deal = await bidding(app)
    frank = deal.freelancer
    await frank.send_text(f"/start p_{deal.project_id}")
    card = await frank.wait_for_message(deal.project_title)
    assert "Bidding ends Sun 13 Dec, 12:00 UTC" in card.text

    await frank.send_text("/timezone")
    screen = await frank.wait_for_message("🕒 Time zone")
    await frank.click(screen, "Kolkata")
    await edited(frank, screen, "Asia/Kolkata")
    await frank.send_text(f"/start p_{deal.project_id}")
    card = await frank.wait_for_message(deal.project_title)
    assert "Bidding ends Sun 13 Dec, 17:30 Asia/Kolkata" in card.text


async def test_an_alert_is_worded_for_its_reader_not_its_sender(app: App) -> None:
    """The same bid, told to a Spanish employer and to an English one: each reads it in
    their language, the amount as they write it."""
    deal = await bidding(app, amount=123_450)
    async with market(app) as m:
        await m.users.set_language(deal.boss, "es")
    await publish(app, deal.events)
    await settled(app)
    alert = await deal.employer.wait_for_message("Nueva propuesta para")
    assert "💰 1.234,50\u00a0US$" in alert.text

    other = await bidding(app, employer="Ed", freelancer="Fay", amount=123_450)
    await publish(app, other.events)
    await settled(app)
    english = await other.employer.wait_for_message("New bid on")
    assert "💰 1,234.50 USD" in english.text


async def test_the_profile_screen_opens_the_language_screen(app: App) -> None:
    olga = speaker(app, "Olga", "ru")
    await olga.send_text("/profile")
    profile = await olga.wait_for_message(lambda m: "m:language" in str(m.payload))
    await olga.click(profile, callback_data="m:language")
    screen = await olga.wait_for_message("🌐 Язык")
    assert "✓ Русский" in screen.button_texts
