"""``bidgram sandbox --demo``: one story, played through the real bot, that every chat and
the database agree on.

The demo is built by its six people pressing and typing in their chats (the bot heard
from nobody else, and ``sandbox/demo.py`` imports nothing that writes); then what the
database holds is checked against what each of them sees. Two of them do not speak
English: Lucía's Telegram is in Spanish, Дмитрий's in Russian, and the bot answers each
in that language.
"""

from __future__ import annotations

import ast
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from emulator import ChatMessage, SimulatedUser
from sandbox import demo
from sandbox.cli import GATEWAYS
from sandbox.views import commands, message_json
from sandbox.world import Feed, Sandbox
from storage.enums import (
    DisputeStatus,
    MilestoneStatus,
    PayoutStatus,
    ProjectStatus,
    ReportStatus,
    ReportTarget,
)
from storage.models import (
    Award,
    Bid,
    Contract,
    Dispute,
    FreelancerProfile,
    Milestone,
    MilestoneEvent,
    Payment,
    Payout,
    Project,
    Report,
    User,
)


@dataclass
class Story:
    sandbox: Sandbox
    people: dict[str, SimulatedUser]
    users: dict[str, int]  # each person's id in the database


@pytest.fixture(params=["sandbox", "stars"])
async def story(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Story]:
    sandbox = Sandbox(
        f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}",
        Feed(),
        demo=demo.seed,
        overrides=GATEWAYS[request.param],
    )
    await sandbox.start()
    try:
        people = {p.first_name: p for p in sandbox.people()}
        async with sandbox.world.db.uow() as uow:
            users = {u.first_name: u.id for u in (await uow.session.scalars(select(User))).all()}
        yield Story(sandbox, people, users)
    finally:
        await sandbox.stop()


def buttons(message: ChatMessage) -> list[str]:
    return [b.callback_data for row in message.buttons for b in row if b.callback_data]


def with_button(person: SimulatedUser, data: str) -> list[ChatMessage]:
    return [m for m in person.messages if data in buttons(m)]


def test_the_demo_acts_through_the_bot_and_never_writes_itself() -> None:
    source = Path(demo.__file__).read_text()
    imported = {
        name
        for node in ast.walk(ast.parse(source))
        for name in (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
    }
    assert not {m for m in imported if m.split(".")[0] in ("core", "storage", "bot")}, imported


async def test_every_update_came_from_a_person_in_their_own_chat(story: Story) -> None:
    ids = {p.id for p in story.people.values()}
    created = story.sandbox.world.emu.state.updates.created
    assert created
    for update in created:
        kind = next(key for key in update if key != "update_id")
        assert update[kind]["from"]["id"] in ids, update
    for name, person in story.people.items():
        own = [m for m in person.chat.all_messages() if not m.from_bot]
        assert own and own[0].text == "/start", name


async def test_the_database_holds_the_story(story: Story) -> None:
    users = story.users
    async with story.sandbox.world.db.uow() as uow:
        session = uow.session
        projects = {p.title: p for p in (await session.scalars(select(Project))).all()}
        milestones = {m.description: m for m in (await session.scalars(select(Milestone))).all()}
        (dispute,) = (await session.scalars(select(Dispute))).all()
        (payout,) = (await session.scalars(select(Payout))).all()
        (report,) = (await session.scalars(select(Report))).all()
        bakery_bids = (
            await session.scalars(
                select(Bid).where(Bid.project_id == projects["Telegram bot for my bakery shop"].id)
            )
        ).all()
        form = milestones["Booking form"]
        deliveries = (
            await session.scalars(
                select(MilestoneEvent).where(
                    MilestoneEvent.milestone_id == form.id, MilestoneEvent.kind == "delivered"
                )
            )
        ).all()
        gateways = set((await session.scalars(select(Payment.gateway))).all())

        assert projects["Landing page for a yoga studio"].status is ProjectStatus.IN_PROGRESS
        assert projects["Logo for a coffee roastery"].status is ProjectStatus.IN_PROGRESS
        assert projects["Telegram bot for my bakery shop"].status is ProjectStatus.OPEN
        hostel = projects["Bot de Telegram para las reservas de mi hostal"]
        assert hostel.status is ProjectStatus.IN_PROGRESS
        assert hostel.employer_id == users["Lucía"]
        assert {b.freelancer_id for b in bakery_bids} == {users["Frank"], users["Fiona"]}

        assert milestones["Timetable and prices page"].status is MilestoneStatus.RELEASED
        assert form.status is MilestoneStatus.DELIVERED
        (delivery,) = deliveries
        assert delivery.protected and len(delivery.file_ids) == 1
        assert milestones["Logo and brand files"].status is MilestoneStatus.DISPUTED
        assert gateways == {story.sandbox.world.settings.funding_gateway}

        assert dispute.status is DisputeStatus.ARBITRATION
        assert (dispute.filed_by_id, dispute.respondent_id) == (users["Erin"], users["Fiona"])
        assert dispute.deliverables == [
            "Source files (SVG and PDF)",
            "One page with the brand colours",
        ]
        assert (payout.user_id, payout.status) == (users["Frank"], PayoutStatus.REQUESTED)
        assert (report.reporter_id, report.subject_id) == (users["Erin"], users["Fiona"])
        assert (report.target_kind, report.status) == (ReportTarget.MESSAGE, ReportStatus.OPEN)


async def test_each_chat_shows_what_the_database_says_about_that_person(story: Story) -> None:
    erin, frank, ada = (story.people[n] for n in ("Erin", "Frank", "Ada"))
    async with story.sandbox.world.db.uow() as uow:
        session = uow.session
        awards = (await session.scalars(select(Award))).all()
        employers = {p.id: p.employer_id for p in (await session.scalars(select(Project))).all()}
        form = (
            await session.scalars(select(Milestone).where(Milestone.description == "Booking form"))
        ).one()
        (dispute,) = (await session.scalars(select(Dispute))).all()
        (payout,) = (await session.scalars(select(Payout))).all()
        (report,) = (await session.scalars(select(Report))).all()

        # Every offer a freelancer was made is one the employer (Erin, or Lucía) made in
        # their chat, and the database's.
        freelancers = ("Frank", "Fiona", "Дмитрий")
        offered = {
            name: {d for m in person.messages for d in buttons(m) if d.startswith("a:accept:")}
            for name, person in ((n, story.people[n]) for n in freelancers)
        }
        assert offered == {
            name: {f"a:accept:{a.id}" for a in awards if a.freelancer_id == story.users[name]}
            for name in freelancers
        }
        chat_of = {story.users[n]: story.people[n] for n in ("Erin", "Lucía")}
        for award in awards:
            employer = chat_of[employers[award.project_id]]
            assert with_button(employer, f"a:withdraw:{award.id}"), award.id

        # Frank delivered the booking form: Erin has it as a protected preview, with its file,
        # and can release it; Frank's last word on it is his delivery, with no Deliver button.
        (alert,) = with_button(erin, f"ms:release:{form.id}")
        assert alert.protected
        assert message_json(alert)["protected"] is True  # the page marks it
        after = erin.messages[erin.messages.index(alert) + 1]
        assert (
            after.protected and after.document and after.document["file_name"] == "booking-form.zip"
        )
        about = [m for m in frank.messages if "Booking form" in m.text]
        assert f"ms:deliver:{form.id}" not in buttons(about[-1])
        assert not about[-1].protected
        assert "protected" not in message_json(about[-1])

        # Ada was told of each case that waits for her.
        assert with_button(ada, f"adm:rec:{dispute.id}:0:0")
        assert with_button(ada, f"adm:paid:{payout.id}:0:0")
        assert with_button(ada, f"adm:rv:{report.id}:0:0")
        # Fiona's reported message reached Erin with its Report button.
        assert with_button(erin, f"rp:new:message:{report.target_id}")


CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
SPANISH = re.compile(r"[áéíóúñ¿¡]|\b(para|mi|el|los|las|de)\b", re.IGNORECASE)


async def test_lucia_and_dmitry_speak_spanish_and_russian(story: Story) -> None:
    """Their Telegram clients are set to Spanish and Russian; what they typed is written in
    it; the bot speaks to them in it (its command menu, /language, the flows' buttons)."""
    lucia, dmitry = story.people["Lucía"], story.people["Дмитрий"]
    assert (lucia.profile.language_code, dmitry.profile.language_code) == ("es", "ru")
    assert (lucia.username, dmitry.username) == ("lucia", "dmitry")
    async with story.sandbox.world.db.uow() as uow:
        session = uow.session
        clients = {
            u.first_name: u.language_code for u in (await session.scalars(select(User))).all()
        }
        assert clients["Lucía"] == "es" and clients["Дмитрий"] == "ru"
        assert {clients[n] for n in ("Erin", "Frank", "Fiona", "Ada")} == {"en"}
        hostel = (
            await session.scalars(
                select(Project).where(Project.employer_id == story.users["Lucía"])
            )
        ).one()
        (bid,) = (await session.scalars(select(Bid).where(Bid.project_id == hostel.id))).all()
        contract = (
            await session.scalars(select(Contract).where(Contract.project_id == hostel.id))
        ).one()
        profile = await session.get(FreelancerProfile, story.users["Дмитрий"])
        assert profile is not None

        # What each typed is in their language: her project, his profile and his proposal.
        assert SPANISH.search(hostel.title) and SPANISH.search(hostel.description)
        assert bid.freelancer_id == story.users["Дмитрий"] and CYRILLIC.search(bid.proposal)
        assert contract.freelancer_id == story.users["Дмитрий"]
        assert CYRILLIC.search(profile.headline) and CYRILLIC.search(profile.bio)
        # Frank heard of the same project, in English.
        assert with_button(story.people["Frank"], f"p:view:{hostel.id}")

    # The bot's words for them are in their language: the flows' buttons ...
    labels = {
        name: {b.text for m in person.messages for row in m.buttons for b in row}
        for name, person in (
            ("Lucía", lucia),
            ("Дмитрий", dmitry),
            ("Frank", story.people["Frank"]),
        )
    }
    assert "✖ Cancelar" in labels["Lucía"] and "✖ Cancel" not in labels["Lucía"]
    assert "✖ Отмена" in labels["Дмитрий"] and "✖ Cancel" not in labels["Дмитрий"]
    assert "✖ Cancel" in labels["Frank"]
    # ... the command menu their Telegram shows them ...
    state = story.sandbox.world.emu.state
    assert {"command": "language", "description": "Язык"} in commands(state, dmitry.id, "ru")
    assert {"command": "language", "description": "Idioma"} in commands(state, lucia.id, "es")
    # ... and the screens they open.
    for person, says in (
        (dmitry, "Сейчас bidgram говорит с вами на языке: Русский"),
        (lucia, "Ahora bidgram te habla en Español"),
    ):
        await person.send_text("/language")
        await person.wait_for_message(says, timeout=20)
