"""The happy path in English, Russian and Spanish, and one journey that mixes them.

An employer posts, a freelancer bids, is hired, delivers and is paid, and both review,
each in their own language: the path is walked by the buttons' callback data, never by
their words, so the same walk runs in every language; then everything each person read
(every message and every edit of it, every button, every answer to a press) is checked
for English that is bidgram's and not something a person typed, and every button label
for a length a phone shows whole. The emulator holds every message to Telegram's limits
(4096 characters, 1024 a caption, 64 bytes of callback data) on the way.

The mixed journey is the issue's own case: a Spanish employer in Madrid and a Russian
freelancer in Almaty on the same project, each reading only their own language, dates
in their own zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.i18n import speaking
from bot.texts import skills
from emulator import ChatMessage, SimulatedUser
from emulator.people import CallbackAnswer
from storage.catalogue import SKILLS
from storage.enums import ContractStatus, MilestoneStatus
from storage.models import Contract, Milestone, Skill
from tests.e2e.conftest import App
from tests.e2e.work_support import market, settled

#: Latin words a Russian reader may meet from bidgram: names of things, not English
#: (the skills named alike in every language among them: Python, Excel, UI / UX).
NAMES = {"bidgram", "Telegram", "USD", "UTC"}
with speaking("ru"):
    NAMES |= {
        word
        for slug, name, _category in SKILLS
        for word in re.findall(r"[A-Za-z]{2,}", skills.skill(Skill(slug=slug, name=name)))
    }
#: English words no Spanish (or Russian) sentence uses: one of them is English left over.
ENGLISH = re.compile(
    r"\b(the|you|your|this|that|with|and|of|to|for|is|are|was|were|will|not|from|it|be|"
    r"been|here|there|what|when|which|they|their|only|now|yet|has been|have)\b",
    re.IGNORECASE,
)
#: The longest button label a phone shows whole on a row of its own.
LABEL_MOST = 40
#: What is not bidgram's words: zone names to type, commands, mentions, links, ids.
NOT_WORDS = re.compile(r"[A-Z][a-z]+/[A-Za-z_/]+|/[a-z_]+|@\w+|https?://\S+|t\.me/\S+|#\d+")


@dataclass(frozen=True)
class Speech:
    """What a person types in their language on the happy path."""

    title: str
    description: str
    skills: str
    headline: str
    about: str
    proposal: str
    milestone: str
    delivery: str
    review: str


SPEECH = {
    "en": Speech(
        "Telegram bot for my bakery shop",
        "Orders, payments and a daily summary for the staff.",
        "Python, Telegram bots",
        "Python developer for Telegram bots",
        "I build Telegram bots, payment flows and shop backends.",
        "I have built three shop bots with payments; ten days.",
        "Bot with orders and payments",
        "The bot is live.",
        "Fast, clear and friendly.",
    ),
    "ru": Speech(
        "Бот для моей пекарни",
        "Заказы, оплата и ежедневная сводка для сотрудников.",
        "Python, Telegram-боты",
        "Разработчик Telegram-ботов на Python",
        "Делаю ботов, приём платежей и бэкенды магазинов.",
        "Сделал три бота для магазинов с оплатой; десять дней.",
        "Бот с заказами и оплатой",
        "Бот запущен.",
        "Быстро, понятно и приятно.",
    ),
    "es": Speech(
        "Bot para mi panadería",
        "Pedidos, pagos y un resumen diario para el personal.",
        "Python, Bots de Telegram",
        "Desarrolladora de bots en Python",
        "Hago bots, cobros y sistemas para tiendas.",
        "Hice tres bots de tiendas con pagos; diez días.",
        "Bot con pedidos y pagos",
        "El bot está en marcha.",
        "Rápida, clara y amable.",
    ),
}


@dataclass
class Speaker:
    """A person who walks by callback data, keeping what the bot answered their presses."""

    person: SimulatedUser
    language: str
    answers: list[CallbackAnswer] = field(default_factory=list)

    async def say(self, text: str) -> ChatMessage:
        await self.person.send_text(text)
        return await self.person.wait_for_message()

    async def offered(self, data: str) -> ChatMessage:
        """The next message with a button whose callback data starts with ``data``."""
        return await self.person.wait_for_message(lambda m: _button(m, data) is not None)

    async def press(self, message: ChatMessage, data: str) -> None:
        found = _button(message, data)
        assert found is not None, f"no {data!r} button on {message.text[:80]!r}"
        self.answers.append(await self.person.click(message, callback_data=found))

    async def tap(self, data: str) -> None:
        """Press the ``data`` button of the next message that has one."""
        message = await self.offered(data)
        await self.press(message, data)


def _button(message: ChatMessage, prefix: str) -> str | None:
    for row in message.buttons:
        for button in row:
            if button.callback_data and button.callback_data.startswith(prefix):
                return button.callback_data
    return None


def heard(speaker: Speaker) -> list[str]:
    """Every text and label the bot showed this person, and every answer to a press."""
    said = []
    for event in speaker.person.history:
        said.append(event.message.text)
        said += event.message.button_texts
    said += [a.text for a in speaker.answers if a.text]
    return said


def too_long(speaker: Speaker) -> list[str]:
    """The button labels this person was shown that a phone would cut."""
    labels = {label for event in speaker.person.history for label in event.message.button_texts}
    return sorted(label for label in labels if len(label) > LABEL_MOST)


def english_in(speaker: Speaker, typed: Sequence[str]) -> list[str]:
    """What this person read that is English and bidgram's (nothing, for English)."""
    if speaker.language == "en":
        return []
    found = []
    for text in heard(speaker):
        for words in sorted(typed, key=len, reverse=True):
            text = text.replace(words, " ")
        text = NOT_WORDS.sub(" ", text)
        english = ENGLISH.findall(text)
        latin = [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in NAMES]
        if english or (speaker.language == "ru" and latin):
            found.append(text.strip()[:160])
    return found


async def happy_path(app: App, employer: Speaker, freelancer: Speaker) -> None:
    """Post, bid, award, accept, fund, deliver, release, end and review, both ways."""
    hires, works = SPEECH[employer.language], SPEECH[freelancer.language]
    boss, frank = employer, freelancer
    await boss.say("/start")
    await frank.say("/start")

    await frank.person.send_text("/profile")
    await frank.tap("mpe:missing")
    for answer in (works.headline, works.about, works.skills, "25"):
        await frank.say(answer)

    for answer in ("/post", hires.title, hires.description, hires.skills):
        await boss.say(answer)
    await boss.person.send_text("200-500")
    await boss.tap("f:done")
    await boss.tap("f:publish")

    await frank.tap("p:view:")
    await frank.tap("p:bid:")
    await frank.say("400")
    await frank.say("10")
    await frank.person.send_text(works.proposal)
    await frank.tap("f:confirm")

    await boss.tap("b:award:")
    await boss.tap("f:aw_ok")
    await frank.tap("a:accept:")

    await boss.tap("c:new_ms:")
    await boss.say(hires.milestone)
    await boss.person.send_text("400")
    await boss.tap("f:ms_skip")
    await boss.tap("f:ms_ok")
    await boss.tap("ms:fund:")

    await frank.tap("ms:deliver:")
    await frank.person.send_text(works.delivery)
    await frank.tap("f:dl_skip")
    await frank.tap("f:dl_ok")

    await boss.tap("ms:release:")
    await boss.tap("wk:release:")
    await boss.tap("c:end_review:")
    await boss.tap("f:rv_5")
    await boss.person.send_text(hires.review)
    await boss.tap("f:rv_ok")

    await frank.tap("c:review:")
    await frank.tap("f:rv_4")
    await frank.person.send_text(works.review)
    await frank.tap("f:rv_ok")
    await frank.person.wait_for_message(hires.review)  # both written: both are shown
    await settled(app)

    async with app.db.uow() as uow:
        [contract] = (await uow.session.execute(select(Contract))).scalars().all()
        assert contract.status is ContractStatus.COMPLETED
        [milestone] = (await uow.session.execute(select(Milestone))).scalars().all()
        assert milestone.status is MilestoneStatus.RELEASED


def typed_by(*speakers: Speaker) -> list[str]:
    """Everything the people typed and are called: read as written, in any language."""
    typed = [s.person.first_name for s in speakers]
    for s in speakers:
        speech = SPEECH[s.language]
        typed += [getattr(speech, name) for name in speech.__dataclass_fields__]
        typed += [part.strip() for part in speech.skills.split(",")]
    return typed


def speaker(app: App, name: str, language: str) -> Speaker:
    person = app.emu.user(name, username=name.lower(), language_code=language, started=True)
    return Speaker(person, language)


@pytest.mark.parametrize("language", ["en", "ru", "es"])
async def test_the_happy_path_in_each_language(app: App, language: str) -> None:
    erin, frank = speaker(app, "Erin", language), speaker(app, "Frank", language)
    await happy_path(app, erin, frank)
    typed = typed_by(erin, frank)
    assert english_in(erin, typed) == []
    assert english_in(frank, typed) == []
    assert too_long(erin) == too_long(frank) == []


async def test_a_spanish_employer_and_a_russian_freelancer_each_read_their_own(
    app: App,
) -> None:
    lucia, dima = speaker(app, "Lucia", "es"), speaker(app, "Dima", "ru")
    await lucia.say("/start")
    await dima.say("/start")
    async with market(app) as m:
        for who, zone in ((lucia, "Europe/Madrid"), (dima, "Asia/Almaty")):
            user = await m.users.by_telegram_id(who.person.id)
            assert user is not None
            await m.users.set_time_zone(m.users.actor(user), zone)
    await happy_path(app, lucia, dima)
    typed = typed_by(lucia, dima)
    assert english_in(lucia, typed) == []
    assert english_in(dima, typed) == []
    assert too_long(lucia) == too_long(dima) == []
    # Dates in each reader's own zone, named in their language; never the other's.
    lucia_read, dima_read = "\n".join(heard(lucia)), "\n".join(heard(dima))
    assert "(Madrid)" in lucia_read and "(Алматы)" not in lucia_read
    assert "(Алматы)" in dima_read and "(Madrid)" not in dima_read and "(Мадрид)" not in dima_read
    # Neither reads the other's language: no Cyrillic from bidgram reaches Lucía.
    cyrillic = re.compile("[а-яА-ЯёЁ]")
    for text in heard(lucia):
        for words in typed:
            text = text.replace(words, " ")
        assert not cyrillic.search(text), text
    assert any("¡" in t or "á" in t or "ó" in t for t in heard(lucia))
