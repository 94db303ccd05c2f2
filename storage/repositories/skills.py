"""The skills catalogue."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from storage.models import Skill
from storage.repositories.base import Repository


class SkillRepository(Repository[Skill]):
    model = Skill

    async def all(self) -> list[Skill]:
        return await self._all(select(Skill).order_by(Skill.category, Skill.name))

    async def by_slugs(self, slugs: Iterable[str]) -> list[Skill]:
        wanted = list(slugs)
        if not wanted:
            return []
        return await self._all(select(Skill).where(Skill.slug.in_(wanted)))

    async def by_ids(self, ids: Iterable[int]) -> list[Skill]:
        wanted = list(ids)
        if not wanted:
            return []
        return await self._all(select(Skill).where(Skill.id.in_(wanted)).order_by(Skill.name))
