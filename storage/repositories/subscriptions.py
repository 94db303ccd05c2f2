"""New-project alert subscriptions, and the matching of a project to subscribers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, false, func, insert, select, update

from storage.models import AlertSubscription, AlertSubscriptionSkill, User
from storage.repositories.base import Repository, insert_ignore, table_of


class SubscriptionRepository(Repository[AlertSubscription]):
    """Keyed by user id: one subscription per person."""

    model = AlertSubscription

    async def lock(self, id_: int) -> AlertSubscription | None:
        stmt = (
            select(AlertSubscription)
            .where(AlertSubscription.user_id == id_)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def ensure(self, user_id: int, now: datetime) -> AlertSubscription:
        """Get or create (without skills, so off), locked; safe when two updates race."""
        await insert_ignore(
            self.session,
            AlertSubscription,
            {
                "user_id": user_id,
                "min_budget": 0,
                "paused": False,
                "created_at": now,
                "updated_at": now,
                "active_at": now,
            },
        )
        found = await self.lock(user_id)
        assert found is not None
        return found

    async def skill_ids(self, user_id: int) -> list[int]:
        stmt = select(AlertSubscriptionSkill.skill_id).where(
            AlertSubscriptionSkill.user_id == user_id
        )
        return list((await self.session.execute(stmt)).scalars())

    async def set_skills(
        self, sub: AlertSubscription, user: User, skill_ids: Iterable[int]
    ) -> None:
        """Follow exactly these skills, each row carrying the subscription's settings."""
        await self.session.execute(
            delete(AlertSubscriptionSkill).where(AlertSubscriptionSkill.user_id == sub.user_id)
        )
        rows = [
            {
                "user_id": sub.user_id,
                "skill_id": skill_id,
                "telegram_id": user.telegram_id,
                "min_budget": sub.min_budget,
                "active_at": sub.active_at,
                "paused": sub.paused,
                "banned": user.is_banned,
            }
            for skill_id in sorted(set(skill_ids))
        ]
        if rows:
            await self.session.execute(insert(AlertSubscriptionSkill), rows)

    async def sync(self, sub: AlertSubscription) -> None:
        """Copy the subscription's settings onto its skills after a change."""
        await self.session.execute(
            update(AlertSubscriptionSkill)
            .where(AlertSubscriptionSkill.user_id == sub.user_id)
            .values(min_budget=sub.min_budget, active_at=sub.active_at, paused=sub.paused)
            .execution_options(synchronize_session=False)
        )

    async def touch(self, user_id: int, now: datetime) -> None:
        """The subscriber was active just now (a bid): they hear first among equals."""
        for stmt in TOUCH:
            await self.session.execute(stmt, {"subscriber": user_id, "now": now})

    async def set_banned(self, user_id: int, banned: bool) -> None:
        """A ban (or its end) reaches the copies: banned people get no alerts."""
        await self.session.execute(
            update(AlertSubscriptionSkill)
            .where(AlertSubscriptionSkill.user_id == user_id)
            .values(banned=banned)
            .execution_options(synchronize_session=False)
        )

    async def matches(
        self, skill_ids: Sequence[int], budget_max: int, exclude_user_id: int
    ) -> Sequence[tuple[int, int, int]]:
        """Everyone to alert about a project with these skills and top budget, best first.

        One index-only walk of ``ix_alert_subscription_skills_match``: for each of the
        project's skills, the range of receiving subscribers whose minimum the budget
        reaches; rows counted per subscriber (the score) and sorted. No other table is
        read, and rows come back plain: a popular project reaches tens of thousands.
        """
        if not skill_ids:
            return []
        ss = AlertSubscriptionSkill
        score = func.count().label("score")
        stmt = (
            select(ss.user_id, ss.telegram_id, score)
            .where(
                ss.skill_id.in_(sorted(set(skill_ids))),
                ss.paused == false(),
                ss.banned == false(),
                ss.min_budget <= budget_max,
                ss.user_id != exclude_user_id,
            )
            .group_by(ss.user_id, ss.telegram_id, ss.active_at)
            .order_by(score.desc(), ss.active_at.desc(), ss.user_id)
        )
        return (await self.session.execute(stmt)).tuples().all()


#: A bid touches both (built once; Core updates, see ``messages.RELAYED``).
TOUCH = tuple(
    update(table)
    .where(table.c.user_id == bindparam("subscriber"))
    .values(active_at=bindparam("now"))
    for table in map(table_of, (AlertSubscription, AlertSubscriptionSkill))
)
