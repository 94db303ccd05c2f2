"""The skills catalogue in the reader's language: each skill's and category's name.

The catalogue (``storage/catalogue.py``) names skills in English, once, for core and the
database. Names that are the same in every language (Python, SEO, Excel) are shown as
they are; the others are worded here, by slug, so a Russian freelancer picks «Telegram-
боты» and a Spanish employer reads «Bots de Telegram» on the same project. Typed skills
are read in the reader's words as well as in English (``bot.picker.typed_skills``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from bot.i18n import _
from bot.render import e


class Named(Protocol):
    @property
    def slug(self) -> str: ...

    @property
    def name(self) -> str: ...


def _worded() -> dict[str, str]:
    return {
        "swift": _("Swift / iOS"),
        "sql": _("SQL / Databases"),
        "telegram-bots": _("Telegram bots"),
        "web-scraping": _("Web scraping"),
        "data-science": _("Data science"),
        "machine-learning": _("Machine learning"),
        "data-entry": _("Data entry"),
        "graphic-design": _("Graphic design"),
        "logo-design": _("Logo design"),
        "ui-ux": _("UI / UX design"),
        "illustration": _("Illustration"),
        "video-editing": _("Video editing"),
        "animation": _("Animation"),
        "photography": _("Photography"),
        "voice-over": _("Voice over"),
        "copywriting": _("Copywriting"),
        "content-writing": _("Content writing"),
        "translation": _("Translation"),
        "proofreading": _("Proofreading"),
        "social-media": _("Social media marketing"),
        "smm-telegram": _("Telegram channel growth"),
        "accounting": _("Accounting"),
        "virtual-assistant": _("Virtual assistant"),
    }


def skill(found: Named) -> str:
    """A skill's name as the reader reads it (not escaped)."""
    return _worded().get(found.slug, found.name)


def skills(found: Iterable[Named]) -> str:
    """Skills in a sentence, escaped: "Python, Telegram bots"."""
    return ", ".join(e(skill(s)) for s in found)


def names(found: Iterable[Named]) -> dict[str, str]:
    """Each skill's slug by every name a reader may type for it: the catalogue's English
    name and the reader's own (casefolded)."""
    worded = _worded()
    typed: dict[str, str] = {}
    for s in found:
        typed[s.name.casefold()] = s.slug
        typed[worded.get(s.slug, s.name).casefold()] = s.slug
    return typed


def category(name: str) -> str:
    """A category of the catalogue, as the reader reads it."""
    worded = {
        "development": _("Development"),
        "data": _("Data"),
        "design": _("Design"),
        "media": _("Media"),
        "writing": _("Writing"),
        "marketing": _("Marketing"),
        "business": _("Business"),
    }
    return worded.get(name.casefold(), name)
