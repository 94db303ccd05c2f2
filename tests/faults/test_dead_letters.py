"""A bug is not an outage: the update is kept as a dead letter, the person is told,
everyone behind it goes on, and an operator replays it once the bug is fixed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import replay
from bot.cli import _dead_letters
from bot.updates import Outcome
from core.clock import FrozenClock
from core.services.payouts import PayoutService
from storage.db import Database
from storage.models import AdminAction
from storage.repositories.users import UserRepository
from tests.faults.conftest import MODES, World, eventually, running_world

MENU = "What would you like to do?"
SORRY = "nothing was changed"


@pytest.fixture(params=MODES)
async def world(db: Database, clock: FrozenClock, request: pytest.FixtureRequest) -> World:
    async with running_world(db, clock, request.param) as w:
        yield w  # type: ignore[misc]
        w.emu.assert_clean()


async def test_a_bug_is_dead_lettered_and_nobody_waits_behind_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    erin, frank = world.person("Erin"), world.person("Frank")
    await erin.send_text("/start")
    await erin.wait_for_message(MENU)

    async def planted(*_: object, **__: object) -> None:
        raise RuntimeError("planted bug in the balance screen")

    monkeypatch.setattr(PayoutService, "balance", planted)
    await erin.send_text("/balance")
    await erin.wait_for_message(SORRY)
    await frank.send_text("/start")  # the update behind it is not held up
    await frank.wait_for_message(MENU)
    [letter] = await world.dead_letters()
    assert "planted bug" in letter.error and letter.attempts == 1
    if world.mode == "webhook":
        assert set(world.statuses()) == {200}  # acknowledged: never delivered again
    report = await _dead_letters(world.settings)
    assert f"#{letter.id}" in report and "planted bug" in report

    # Telegram delivering it again changes nothing and apologises no more.
    [update] = [u for u in world.emu.updates if u.get("update_id") == letter.update_id]
    if world.mode == "webhook":
        await world.emu.deliver_again(update)
    assert sum(SORRY in m.text for m in erin.messages) == 1

    monkeypatch.undo()  # the bug is fixed
    assert world.processor is not None
    assert await world.processor.replay(letter.id) is Outcome.HANDLED
    await erin.wait_for_message("Your balance")
    assert await world.dead_letters() == []
    assert await world.processor.replay(letter.id) is Outcome.DROPPED  # once is enough
    assert sum("Your balance" in m.text for m in erin.messages) == 1


async def test_the_apology_is_in_the_senders_language(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Olga's client speaks Russian and she chose Spanish: a bug's apology is in Spanish;
    with the database away as well, in her client's Russian."""
    olga = world.emu.user("Olga", username="olga", language_code="ru", started=True)
    await olga.send_text("/language")
    screen = await olga.wait_for_message("🌐 Язык")
    await olga.click(screen, "Español")

    async def planted(*_: object, **__: object) -> None:
        raise RuntimeError("planted bug in the balance screen")

    monkeypatch.setattr(PayoutService, "balance", planted)
    await olga.send_text("/balance")
    await olga.wait_for_message("no se cambió nada")

    async def no_database(*_: object, **__: object) -> None:
        raise ConnectionRefusedError("the database is away")

    monkeypatch.setattr(UserRepository, "readers", no_database)
    await olga.send_text("/balance")
    await olga.wait_for_message("ничего не изменилось")


async def test_a_replayed_letter_that_fails_again_stays_a_letter(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each replay that did something is on the admins' audit trail as the operator's,
    with its outcome; the person it concerns is whoever the update came from, once known."""
    erin = world.person("Erin")

    async def planted(*_: object, **__: object) -> None:
        raise RuntimeError("still broken")

    monkeypatch.setattr(PayoutService, "balance", planted)
    await erin.send_text("/balance")
    await erin.wait_for_message(SORRY)
    [letter] = await world.dead_letters()
    assert world.processor is not None
    assert await world.processor.replay(letter.id) is Outcome.DEAD
    [again] = await world.dead_letters()
    assert again.id == letter.id and again.attempts == 2

    monkeypatch.undo()
    assert await world.processor.replay(letter.id, "fixed in 1.4.2") is Outcome.HANDLED
    assert await world.processor.replay(letter.id) is Outcome.DROPPED  # nothing done: no entry
    async with world.db.uow() as uow:
        erins = await uow.users.by_telegram_id(erin.id)  # her first update made her known
        assert erins is not None
        entries = (await uow.session.execute(select(AdminAction))).scalars().all()
        found = [
            (e.actor_id, e.by, e.action, e.subject_id, e.user_id, e.details["outcome"], e.reason)
            for e in entries
        ]
        erins_id = erins.id
    assert found == [
        (None, "operator", "dead_letter.replay", letter.id, None, "dead", None),
        (None, "operator", "dead_letter.replay", letter.id, erins_id, "handled", "fixed in 1.4.2"),
    ]


@pytest.mark.parametrize("world", ["polling"], indirect=True)
async def test_bidgram_replay_answers_the_person_from_a_process_of_its_own(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    erin = world.person("Erin")
    with monkeypatch.context() as patch:

        async def planted(*_: object, **__: object) -> None:
            raise RuntimeError("planted")

        patch.setattr(PayoutService, "balance", planted)
        await erin.send_text("/balance")
        await erin.wait_for_message(SORRY)
    [letter] = await world.dead_letters()
    outcomes = await replay(world.settings, [])  # `bidgram replay`: every waiting letter
    assert outcomes == {letter.id: "handled"}
    await erin.wait_for_message("Your balance")

    async def gone() -> bool:
        return await world.dead_letters() == []

    await eventually(gone, what="the letter marked replayed")
