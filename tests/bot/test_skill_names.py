"""Skills read and typed in the reader's words; the catalogue itself stays English."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.i18n import speaking
from bot.picker import typed_skills
from bot.texts import skills
from storage.catalogue import SKILLS


@dataclass(frozen=True)
class Found:
    slug: str
    name: str
    id: int = 0
    category: str = ""


CATALOGUE = [Found(slug, name, i, category) for i, (slug, name, category) in enumerate(SKILLS)]


@pytest.mark.parametrize(
    ("language", "telegram_bots", "category"),
    [
        ("en", "Telegram bots", "Development"),
        ("ru", "Telegram-боты", "Разработка"),
        ("es", "Bots de Telegram", "Desarrollo"),
    ],
)
def test_a_skill_and_its_category_are_read_in_the_readers_language(
    language: str, telegram_bots: str, category: str
) -> None:
    with speaking(language):
        assert skills.skill(Found("telegram-bots", "Telegram bots")) == telegram_bots
        assert skills.skill(Found("python", "Python")) == "Python"  # the same everywhere
        assert skills.category("Development") == category


def test_every_category_of_the_catalogue_is_worded() -> None:
    with speaking("ru"):
        for _slug, _name, category in SKILLS:
            assert skills.category(category) != category


def test_a_skill_may_be_typed_in_the_readers_words_or_in_english() -> None:
    with speaking("ru"):
        typed = typed_skills("python, telegram-боты, Logo design, кулинария", CATALOGUE)
    assert typed == ["python", "telegram-bots", "logo-design", "кулинария"]
