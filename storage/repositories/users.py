"""People: users and their freelancer profiles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FreelancerProfile, ProfileSkill, Skill, User
from storage.repositories.base import Repository, among, insert_ignore

#: The person behind a Telegram id, read on every update: built once (see insert_ignore).
READERS = select(
    User.telegram_id, User.blocked_bot_at, User.language, User.language_code, User.time_zone
).where(among(User.telegram_id, "ids"))


class Reader(NamedTuple):
    """How a person reads what the bot writes to them, and whether it still reaches them."""

    blocked: bool
    language: str | None  # their own choice
    client_language: str | None  # what their Telegram reports
    time_zone: str | None


BY_TELEGRAM_ID = select(User).where(User.telegram_id == bindparam("telegram_id"))
FRESH_BY_TELEGRAM_ID = BY_TELEGRAM_ID.execution_options(populate_existing=True)
#: A freelancer's skills by name, read with every profile (built once).
PROFILE_SKILLS = (
    select(Skill)
    .join(ProfileSkill, ProfileSkill.skill_id == Skill.id)
    .where(ProfileSkill.user_id == bindparam("user_id"))
    .order_by(Skill.name)
)


#: ``UserRepository.ensure``'s mark for a person not read ahead.
_UNREAD = object()


class UserRepository(Repository[User]):
    model = User

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self._ahead: dict[int, User | None] = {}

    def read_ahead(self, telegram_id: int, user: User | None) -> None:
        """The person with this Telegram id as just read with the update's claim (None:
        not registered): the next ``ensure`` of them takes it instead of a SELECT."""
        self._ahead[telegram_id] = user

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        found = await self.session.execute(BY_TELEGRAM_ID, {"telegram_id": telegram_id})
        return found.scalar_one_or_none()

    async def ensure(self, telegram_id: int, created_at: datetime) -> User:
        """Get or create by Telegram id; safe when two updates of a new user race.

        Runs on every update, so someone already known costs one SELECT, or none when
        they were read with the update's claim (``read_ahead``)."""
        params = {"telegram_id": telegram_id}
        ahead = self._ahead.pop(telegram_id, _UNREAD)
        if ahead is _UNREAD:
            ahead = (await self.session.execute(FRESH_BY_TELEGRAM_ID, params)).scalar_one_or_none()
        if isinstance(ahead, User):
            return ahead
        await insert_ignore(
            self.session,
            User,
            {"telegram_id": telegram_id, "created_at": created_at, "first_name": ""},
        )
        return (await self.session.execute(FRESH_BY_TELEGRAM_ID, params)).scalar_one()

    async def profile(self, user_id: int) -> FreelancerProfile | None:
        return await self.session.get(FreelancerProfile, user_id)

    def add_profile(self, profile: FreelancerProfile) -> FreelancerProfile:
        self.session.add(profile)
        return profile

    async def profile_skill_ids(self, user_id: int) -> list[int]:
        stmt = select(ProfileSkill.skill_id).where(ProfileSkill.user_id == user_id)
        return list((await self.session.execute(stmt)).scalars())

    async def profile_skills(self, user_id: int) -> list[Skill]:
        """The profile's skills by name, in one query (not ids, then the skills)."""
        return list((await self.session.execute(PROFILE_SKILLS, {"user_id": user_id})).scalars())

    async def set_profile_skills(self, user_id: int, skill_ids: Iterable[int]) -> None:
        await self.session.execute(delete(ProfileSkill).where(ProfileSkill.user_id == user_id))
        for skill_id in sorted(set(skill_ids)):
            self.session.add(ProfileSkill(user_id=user_id, skill_id=skill_id))
        await self.session.flush()

    async def blocked_bot(self, telegram_ids: Iterable[int]) -> set[int]:
        """Those of ``telegram_ids`` who blocked the bot (500 a query: an alert about a new
        project may go to tens of thousands)."""
        ids = sorted(set(telegram_ids))
        blocked: set[int] = set()
        for start in range(0, len(ids), 500):
            stmt = select(User.telegram_id).where(
                User.telegram_id.in_(ids[start : start + 500]), User.blocked_bot_at.is_not(None)
            )
            blocked.update((await self.session.execute(stmt)).scalars())
        return blocked

    async def readers(self, telegram_ids: Iterable[int]) -> dict[int, Reader]:
        """How each of ``telegram_ids`` reads (language, zone) and whether they blocked the
        bot, 500 a query: what alert delivery needs of the people it writes to."""
        ids = sorted(set(telegram_ids))
        found: dict[int, Reader] = {}
        for start in range(0, len(ids), 500):
            rows = await self.session.execute(READERS, {"ids": ids[start : start + 500]})
            for telegram_id, blocked_at, language, client, zone in rows:
                found[telegram_id] = Reader(blocked_at is not None, language, client, zone)
        return found

    async def count(self) -> int:
        return int((await self.session.execute(select(func.count(User.id)))).scalar_one())

    async def by_username(self, username: str) -> User | None:
        """Telegram usernames are case-insensitive; at most one user holds one at a time."""
        stmt = (
            select(User)
            .where(func.lower(User.username) == username.lower())
            .order_by(User.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()
