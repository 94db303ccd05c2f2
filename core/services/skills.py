"""The skills catalogue, and skills named by slug: the same for a freelancer's profile
(``users``), a project (``projects``) and new-project alerts (``subscriptions``)."""

from __future__ import annotations

from collections.abc import Sequence

from core.context import Service
from core.errors import ValidationFailed
from storage.models import Skill


class SkillService(Service):
    async def catalogue(self) -> list[Skill]:
        return await self.uow.skills.all()

    async def resolve(self, slugs: Sequence[str], maximum: int) -> list[Skill]:
        """Skills by slug; unknown ones and too many are refused by name."""
        wanted = list(dict.fromkeys(s.strip().lower() for s in slugs if s.strip()))
        if len(wanted) > maximum:
            raise ValidationFailed(
                "skills.too_many", f"Pick at most {maximum} skills.", maximum=maximum
            )
        found = await self.uow.skills.by_slugs(wanted)
        unknown = sorted(set(wanted) - {s.slug for s in found})
        if unknown:
            raise ValidationFailed(
                "skills.unknown", f"Unknown skill: {', '.join(unknown)}.", unknown=",".join(unknown)
            )
        return found
