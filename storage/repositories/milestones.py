"""Milestones, their history and the reminders due on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Select, bindparam, case, func, literal, select

from storage.enums import MilestoneStatus
from storage.models import Contract, Milestone, MilestoneEvent, Project, Reminder, User
from storage.repositories.base import Repository
from storage.repositories.contracts import OTHER_SIDE

#: The milestone's deadlines a reminder schedule may count from.
_DEADLINES = {"due_at": Milestone.due_at, "auto_release_at": Milestone.auto_release_at}


#: A milestone screen's rows in one statement: the milestone, its contract, the project's
#: title and the other side's first name (built once: see storage.repositories.base).
SCREEN: Select[tuple[Milestone, Contract, str, str]] = (
    select(Milestone, Contract, Project.title, User.first_name)
    .join(Contract, Contract.id == Milestone.contract_id)
    .join(Project, Project.id == Contract.project_id)
    .join(User, User.id == OTHER_SIDE)
    .where(Milestone.id == bindparam("milestone_id"))
)

#: A milestone's history with each actor's first name (None: the platform's timers).
HISTORY_WITH_NAMES = (
    select(MilestoneEvent, User.first_name)
    .outerjoin(User, User.id == MilestoneEvent.actor_id)
    .where(MilestoneEvent.milestone_id == bindparam("milestone_id"))
    .order_by(MilestoneEvent.id)
)


#: A contract's milestones in order (every contract screen): built once.
FOR_CONTRACT = (
    select(Milestone)
    .where(Milestone.contract_id == bindparam("contract_id"))
    .order_by(Milestone.id)
)


class MilestoneRepository(Repository[Milestone]):
    model = Milestone

    async def screen(
        self, milestone_id: int, viewer_id: int
    ) -> tuple[Milestone, Contract, str, str] | None:
        """The milestone, its contract, the project's title and the other side's name."""
        params = {"milestone_id": milestone_id, "viewer": viewer_id}
        row = (await self.session.execute(SCREEN, params)).one_or_none()
        return None if row is None else (row[0], row[1], row[2], row[3])

    async def for_contract(self, contract_id: int) -> list[Milestone]:
        found = await self.session.execute(FOR_CONTRACT, {"contract_id": contract_id})
        return list(found.scalars())

    async def lock_for_contract(self, contract_id: int) -> list[Milestone]:
        stmt = select(Milestone).where(Milestone.contract_id == contract_id).order_by(Milestone.id)
        return await self.lock_many(stmt)

    async def due_to_auto_release(self, now: datetime, limit: int) -> list[int]:
        stmt = (
            select(Milestone.id)
            .where(Milestone.status == MilestoneStatus.DELIVERED, Milestone.auto_release_at <= now)
            .order_by(Milestone.auto_release_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def due_for_reminder(
        self,
        status: MilestoneStatus,
        deadline_column: Literal["due_at", "auto_release_at"],
        kind: str,
        offsets: Sequence[timedelta],
        now: datetime,
        limit: int,
        *,
        before_deadline: bool = False,
    ) -> list[int]:
        """Milestones in ``status`` whose latest reached reminder stage was not dealt with.

        Stage ``s`` of the schedule ``kind`` falls at ``deadline + offsets[s]`` (offsets
        ascending), the deadline being the milestone's ``deadline_column``. The latest
        stage reached is worked out in SQL against constants, so milestones waiting
        between stages never fill a batch; ``before_deadline`` stops the schedule at the
        deadline itself (an auto-release needs no reminder after it).
        """
        if not offsets:
            return []
        deadline = _DEADLINES[deadline_column]
        reached = case(
            *[
                (deadline <= now - offset, literal(seq))
                for seq, offset in reversed(list(enumerate(offsets)))
            ],
            else_=literal(-1),
        )
        done = (
            select(Reminder.id)
            .where(
                Reminder.subject_kind == "milestone",
                Reminder.subject_id == Milestone.id,
                Reminder.kind == kind,
                Reminder.target_at == deadline,
                Reminder.seq >= reached,
            )
            .exists()
        )
        stmt = select(Milestone.id).where(
            Milestone.status == status,
            deadline.is_not(None),
            deadline <= now - offsets[0],
            ~done,
        )
        if before_deadline:
            stmt = stmt.where(deadline > now)
        stmt = stmt.order_by(deadline, Milestone.id).limit(limit)
        return list((await self.session.execute(stmt)).scalars())

    def log(self, event: MilestoneEvent) -> None:
        self.session.add(event)

    async def history(self, milestone_id: int) -> list[MilestoneEvent]:
        stmt = (
            select(MilestoneEvent)
            .where(MilestoneEvent.milestone_id == milestone_id)
            .order_by(MilestoneEvent.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def history_with_names(
        self, milestone_id: int
    ) -> list[tuple[MilestoneEvent, str | None]]:
        """``history`` with the first name of whoever acted, in one query."""
        rows = await self.session.execute(HISTORY_WITH_NAMES, {"milestone_id": milestone_id})
        return [(event, name) for event, name in rows]

    async def total_escrow(self) -> int:
        stmt = select(
            func.coalesce(
                func.sum(
                    Milestone.funded_amount - Milestone.released_amount - Milestone.refunded_amount
                ),
                0,
            )
        )
        return int((await self.session.execute(stmt)).scalar_one())
