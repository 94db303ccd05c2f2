"""The timed rules in two processes at once (PostgreSQL): every effect happens once.

Two sweeps start together on two connections over many due items of every timed
rule: projects whose bidding ends (with and without bids), projects whose award
decision window ends, milestones due (at every reminder stage), deliveries about
to release themselves, review windows closing. Between them the two sweeps must
send each reminder once, record each stage once, move each project once and
publish each contract's reviews once. Rounds alternate a gate (a side session
holds a due milestone's row until both sweeps wait on a lock) and a free start.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.clock import FrozenClock
from core.events import Event
from core.marketplace import Marketplace
from core.services.timers import SweepReport
from core.settings import Settings
from storage.db import Database
from storage.enums import ProjectStatus
from storage.models import Contract, Project, Reminder
from tests.core.test_concurrency import MILESTONE_GATE, Race, books, gated
from tests.harness import Harness

pytestmark = pytest.mark.postgres

ROUNDS = 4
MINUTE = timedelta(minutes=1)


@pytest.fixture
def race(db: Database, settings: Settings, clock: FrozenClock) -> Race:
    return Race(db, settings, clock)


async def sweep_with_events(m: Marketplace) -> tuple[SweepReport, list[Event]]:
    report = await m.timers.sweep()
    return report, list(m.ctx.events)


async def test_two_sweeps_at_once_do_each_timed_thing_once(h: Harness, race: Race) -> None:
    employer, freelancer, contract = await h.hire()
    bidder = await h.freelancer("Bea")
    for round_ in range(ROUNDS):
        # a completed contract with one review; its window closes before the sweep
        reviewed = await completed_contract(h, round_)
        h.clock.advance(minutes=2)
        t0 = h.clock.now()
        at = t0 + h.settings.bidding_window + h.settings.award_decision_window - MINUTE
        with_bids = [await h.open_project(employer) for _ in range(2)]
        for pid in with_bids:
            await h.bid(bidder, pid)
        lonely = await h.open_project(employer)
        # due dates around the sweep's moment: every stage is the latest for one of them
        due = []
        for hours in (20, 0, -30, -54, -80):
            async with h.tx() as m:
                ms = await m.milestones.create(
                    employer,
                    contract.id,
                    description="A part",
                    amount=1_000,
                    due_at=at + timedelta(hours=hours),
                )
            async with h.tx() as m:
                await m.milestones.start_funding(employer, ms.id, "sandbox")
            due.append(ms.id)
        # deliveries 30 h and 3 h from releasing themselves at the sweep's moment
        delivering = []
        for left in (30, 3):
            ms = await h.milestone(employer, contract.id, 1_000)
            h.clock.set(at - h.settings.delivery_review_window + timedelta(hours=left))
            async with h.tx() as m:
                await m.milestones.deliver(freelancer, ms.id, "Done, have a look")
            delivering.append(ms.id)
        h.clock.set(at)

        results = await race(
            [sweep_with_events, sweep_with_events],
            gate=MILESTONE_GATE if gated(round_) else None,
            params={"id": due[0]},
        )
        assert all(r.ok for r in results), results
        reports = [r.value[0] for r in results]
        assert all(not r.failures for r in reports), reports
        events = [e for r in results for e in r.value[1]]
        told = Counter((e.kind, *sorted(e.to_payload().items())) for e in events)
        assert max(told.values()) == 1, told  # nobody is told anything twice
        kinds = Counter(e.kind for e in events)
        assert kinds == {
            "project.bidding_ended": 2,
            "project.closed": 1,
            "milestone.due_soon": 1,
            "milestone.due_now": 1,
            "milestone.overdue": 3,
            "milestone.auto_release_soon": 2,
            "reviews.published": 1,
        }, kinds
        names = [k for k in vars(reports[0]) if k != "failures"]
        total = {k: sum(getattr(r, k) for r in reports) for k in names}
        assert {k: v for k, v in total.items() if v} == {
            "bidding_ended": 2,
            "projects_closed": 1,
            "due_reminders": 5,
            "auto_release_reminders": 2,
            "reviews_published": 1,
        }
        for pid in with_bids:
            assert await status(h, pid) is ProjectStatus.BIDDING_ENDED
        assert await status(h, lonely) is ProjectStatus.CLOSED
        assert await reminder_rows(h, due + delivering) == 7
        assert await published(h, reviewed) == at
        await books(h.db)

        # later, everything due settles in one (unraced) sweep: a clean slate for the next
        h.clock.advance(days=30)
        [drain] = await race([sweep_with_events])
        assert drain.ok and not drain.value[0].failures
        [again] = await race([sweep_with_events])
        assert again.ok and again.value[0].total == 0, again.value[0]


async def completed_contract(h: Harness, round_: int) -> int:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 1_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    async with h.tx() as m:
        await m.reviews.write(freelancer, contract.id, 4 if round_ % 2 else 5, "Clear brief.")
    return contract.id


async def status(h: Harness, pid: int) -> ProjectStatus:
    async with h.db.uow() as uow:
        project = await uow.session.get(Project, pid)
        assert project is not None
        return project.status


async def reminder_rows(h: Harness, milestone_ids: list[int]) -> int:
    async with h.db.uow() as uow:
        stmt = select(func.count(Reminder.id)).where(Reminder.subject_id.in_(milestone_ids))
        return int((await uow.session.execute(stmt)).scalar_one())


async def published(h: Harness, contract_id: int) -> Any:
    async with h.db.uow() as uow:
        contract = await uow.session.get(Contract, contract_id)
        assert contract is not None
        return contract.reviews_published_at


async def test_two_sweeps_racing_over_the_same_reminders_send_each_once(
    h: Harness, race: Race
) -> None:
    """Only reminders are due: both sweeps find the same milestones and meet at their
    row locks (no earlier lock orders them), so the re-check and the unique key decide."""
    employer, _freelancer, contract = await h.hire()
    for round_ in range(ROUNDS):
        at = h.clock.now() + timedelta(days=5)
        due = []
        for hours in (20, 0, -30, -54, -80, 10, -5, -60):
            async with h.tx() as m:
                ms = await m.milestones.create(
                    employer,
                    contract.id,
                    description="A part",
                    amount=1_000,
                    due_at=at + timedelta(hours=hours),
                )
            async with h.tx() as m:
                await m.milestones.start_funding(employer, ms.id, "sandbox")
            due.append(ms.id)
        h.clock.set(at)
        results = await race(
            [sweep_with_events, sweep_with_events],
            gate=MILESTONE_GATE if gated(round_) else None,
            params={"id": due[0]},
        )
        assert all(r.ok for r in results), results
        reports = [r.value[0] for r in results]
        assert all(not r.failures for r in reports), reports
        assert sum(r.due_reminders for r in reports) == len(due)
        sent = Counter(e.to_payload()["milestone_id"] for r in results for e in r.value[1])
        assert sent == dict.fromkeys(due, 1), sent
        assert await reminder_rows(h, due) == len(due)
        h.clock.advance(days=10)  # the rest of the schedules, once, out of the race
        [drain] = await race([sweep_with_events])
        assert drain.ok and not drain.value[0].failures
        await books(h.db)
