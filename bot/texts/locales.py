"""/language and /timezone: which language bidgram speaks to a person, and their clock.

Worded through the catalogues (``bot.i18n``), so each is read in the reader's language.
Language names are endonyms, each written in its own language whoever reads it: a
person looking for their language finds it under its own name.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import _, phrase, time_of_day, zone_label
from bot.render import e

#: Each language under its own name (never translated; see the module docstring).
ENDONYMS = {"en": "English", "ru": "Русский", "es": "Español"}


def language_ask(current: str) -> str:
    return _(
        "🌐 <b>Language</b>\n"
        "bidgram speaks to you in {language}. Pick another one below: menus, alerts and "
        "dates follow it; what other people write stays as they wrote it."
    ).format(language=e(ENDONYMS.get(current, current)))


def language_set(language: str) -> str:
    return _("✅ Language: {language}. Menus, alerts and dates follow it from now on.").format(
        language=e(ENDONYMS.get(language, language))
    )


def language_unsupported(languages: tuple[str, ...]) -> str:
    names = ", ".join(ENDONYMS.get(code, code) for code in languages)
    return _("bidgram speaks {languages}. Pick one of them.").format(languages=names)


def zone_ask(current: str | None, now: datetime, example: str) -> str:
    if current is None:
        where = _("Until you choose, dates and deadlines are shown in UTC.")
    else:
        where = _("Dates and deadlines are shown in {zone}, where it is {time} now.").format(
            zone=e(zone_label(ZoneInfo(current))), time=time_of_day(now)
        )
    ask = _(
        "Pick your time zone below, or type its name as in the time zone database, "
        "e.g. <code>{example}</code>."
    ).format(example=e(example))
    return _("🕒 <b>Time zone</b>") + "\n" + where + "\n" + ask


def zone_set(zone: str, now: datetime) -> str:
    return _("✅ Time zone: {zone}. It is {time} there now.").format(
        zone=e(zone_label(ZoneInfo(zone))), time=time_of_day(now)
    )


def zone_unknown(typed: str, example: str) -> str:
    return _(
        "“{typed}” is not a time zone name. Type one like <code>{example}</code>, "
        "or pick one below."
    ).format(typed=e(typed), example=e(example))


other_zone = phrase("⌨️ Type another")


def zone_typing(example: str) -> str:
    return _("Type the name of your time zone, e.g. <code>{example}</code>.").format(
        example=e(example)
    )
