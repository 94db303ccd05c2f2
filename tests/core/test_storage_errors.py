"""Storage says "a unique key refused this" in its own words (``storage.errors``), on SQLite
and PostgreSQL alike, wherever the write happens; other integrity errors stay bugs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from storage.errors import StorageError, UniqueViolation
from storage.models import Reminder, Skill
from tests.harness import Harness

NOW = datetime(2026, 1, 5, tzinfo=UTC)


async def test_a_flush_a_unique_key_refuses_raises_unique_violation(h: Harness) -> None:
    async with h.db.uow() as uow:
        python = (await uow.skills.by_slugs(["python"]))[0]
        uow.skills.add(Skill(slug=python.slug, name="Python again", category="Development"))
        with pytest.raises(UniqueViolation) as refused:
            await uow.flush()
    assert isinstance(refused.value, StorageError)
    assert isinstance(refused.value, IntegrityError)  # what it was, for code that knows SQLAlchemy
    assert refused.value.orig is not None


async def test_the_autoflush_before_a_query_raises_it_too(h: Harness) -> None:
    async with h.db.uow() as uow:
        python = (await uow.skills.by_slugs(["python"]))[0]
        uow.skills.add(Skill(slug=python.slug, name="Python again", category="Development"))
        with pytest.raises(UniqueViolation):
            await uow.skills.all()


async def test_so_does_a_savepoint_left_with_the_write_pending(h: Harness) -> None:
    async with h.db.uow() as uow:
        python = (await uow.skills.by_slugs(["python"]))[0]
        with pytest.raises(UniqueViolation):
            async with uow.savepoint():
                uow.skills.add(Skill(slug=python.slug, name="Python again", category="Dev"))
        assert [s.slug for s in await uow.skills.by_slugs(["python"])] == ["python"]


def _reminder() -> Reminder:
    return Reminder(
        subject_kind="milestone",
        subject_id=1,
        kind="due",
        target_at=NOW,
        seq=0,
        announced=True,
        created_at=NOW,
    )


async def test_a_commit_raises_it_for_a_write_left_to_the_commit(h: Harness) -> None:
    async with h.db.uow() as uow:
        uow.reminders.add(_reminder())
        await uow.commit()
    async with h.db.uow() as uow:
        uow.reminders.add(_reminder())
        with pytest.raises(UniqueViolation):
            await uow.commit()


async def test_a_foreign_key_refusal_stays_a_plain_integrity_error(h: Harness) -> None:
    frank = await h.freelancer()
    async with h.db.uow() as uow:
        with pytest.raises(IntegrityError) as refused:
            await uow.users.set_profile_skills(frank.user_id, [987_654])
    assert not isinstance(refused.value, StorageError)
