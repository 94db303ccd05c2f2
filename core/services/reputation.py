"""Reputation and the record: what people did, computed from history, never typed in.

The rules, once:

- **Lost** disputes: decided against that side by an admin or by the timer. A refund
  verdict goes against the freelancer, a release verdict against the employer, and a
  timer's default against the side that stayed silent (the respondent). A split and an
  agreement go against nobody: a compromise is not a verdict. Opening a dispute is on the
  filer's record whatever the outcome.
- **Completion** counts only what this side did: of the contracts that ended, those that
  completed without a dispute lost by them, against those they cancelled (ended unpaid
  themselves, or gave the funded money back) or lost. A contract the other side
  cancelled, or a refund the other side lost, is not held against them.
- **On time** is measured by each milestone's *first* delivery against its due date (the
  contract's deadline when it has none), so asking for changes never makes a freelancer
  look late.
- **Days to release**: from the first delivery a release pays for, to that release, so
  rounds of changes count as waiting for the money.
- **Reply time** in the relay: how long the other side waited, from their first message
  not yet answered to this person's next message in the same conversation.
- **Hire rate**: projects that hired somebody, of those that got a bid and were decided
  (in progress, completed, closed or cancelled).

Cost: computed on read, no cache and no counters to keep in step. ``RecordRepository``
answers the figures of a group of people in one indexed UNION ALL, so a page of project
cards reads its employers' records in two queries (the figures, and the milestone events
that release waits are medians of), and a bid's alert its bidder's in two (the figures,
and the messages that reply times are medians of). Whatever is a median reads the latest
``RECENT`` items only. Figures are therefore always current in every process.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.context import Service
from storage.enums import DisputeResolution, DisputeStatus, PartyRole
from storage.models import Dispute, Review
from storage.repositories import LostRule

#: Ledger and milestone-event kinds the record is read from (core.services.escrow and
#: core.services.milestones write them).
FUND_KIND = "fund"  # money into a milestone's escrow
RETURN_KIND = "refund"  # the freelancer cancelled a funded milestone: money back
DELIVERED = "delivered"
RELEASED = "released"

#: Verdicts that go against each side: (resolution, the filer's side it needs, if any).
LOST: dict[PartyRole, LostRule] = {
    PartyRole.FREELANCER: (
        (DisputeResolution.REFUND, None),
        (DisputeResolution.DEFAULT, PartyRole.EMPLOYER),
    ),
    PartyRole.EMPLOYER: (
        (DisputeResolution.RELEASE, None),
        (DisputeResolution.DEFAULT, PartyRole.FREELANCER),
    ),
}

#: How many of the latest deliveries and messages a median is taken over.
RECENT = 100


def lost_by(dispute: Dispute) -> PartyRole | None:
    """The side a settled dispute went against, if any (see ``LOST``)."""
    if dispute.status is not DisputeStatus.RESOLVED:
        return None
    for role, rules in LOST.items():
        for resolution, filer in rules:
            if dispute.resolution is resolution and filer in (None, dispute.filer_role):
                return role
    return None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median(samples: Sequence[timedelta]) -> timedelta | None:
    if not samples:
        return None
    return timedelta(seconds=statistics.median(s.total_seconds() for s in samples))


@dataclass(frozen=True)
class Reputation:
    role: PartyRole
    rating: float | None  # average stars of visible reviews, None with no reviews
    reviews: int
    completed: int
    cancelled: int
    failed: int  # ended contracts this side cancelled or lost (see the module's rules)
    finished: int  # completed, with no dispute lost by this side
    active: int
    delivered: int  # milestones delivered on this side's contracts
    on_time: int  # of those, first delivered by their due date
    on_budget: int
    paid: int  # minor units released on completed contracts

    @property
    def completion_rate(self) -> float | None:
        """Contracts finished, out of those finished or cancelled or lost by this side."""
        return _rate(self.finished, self.finished + self.failed)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.delivered)

    @property
    def on_budget_rate(self) -> float | None:
        return _rate(self.on_budget, self.completed)


@dataclass(frozen=True)
class EmployerRecord:
    """How an employer behaves with money and disputes, shown where freelancers decide."""

    funded: int  # milestones funded (ledger)
    funded_amount: int
    released: int  # milestones with money released to the freelancer (ledger)
    released_amount: int  # gross, fee included
    release_wait: timedelta | None  # median, first delivery to release
    disputes_opened: int
    disputes_lost: int
    decided: int  # projects that got a bid and were decided
    hired: int

    @property
    def hire_rate(self) -> float | None:
        return _rate(self.hired, self.decided)

    @property
    def empty(self) -> bool:
        """Nothing on the record yet: a new employer."""
        return not (self.funded or self.decided or self.disputes_opened)


@dataclass(frozen=True)
class FreelancerRecord:
    """How a freelancer behaves with deadlines, messages and disputes."""

    delivered: int  # milestones delivered
    on_time: int  # of those, first delivered by their due date
    reply_time: timedelta | None  # median, in the relay
    replies: int  # replies the median is taken over
    disputes_lost: int

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.delivered)

    @property
    def empty(self) -> bool:
        return not (self.delivered or self.replies or self.disputes_lost)


def release_waits(events: Sequence[tuple[int, str, datetime]]) -> list[timedelta]:
    """From (milestone, kind, when) in order: for each release, the time since the first
    delivery it pays for. A release with no delivery before it (paid up front) has none."""
    since: dict[int, datetime] = {}
    waits = []
    for milestone_id, kind, at in events:
        if kind == DELIVERED:
            since.setdefault(milestone_id, at)
        elif kind == RELEASED and milestone_id in since:
            waits.append(at - since.pop(milestone_id))
    return waits


def reply_times(
    user_id: int, messages: Sequence[tuple[int, int, int, datetime]]
) -> list[timedelta]:
    """From (project, sender, recipient, when) in order: for each message of ``user_id``
    answering the other side, how long the other side had been waiting."""
    waiting: dict[tuple[int, int], datetime] = {}
    times = []
    for project_id, sender, recipient, at in messages:
        if sender == user_id:
            started = waiting.pop((project_id, recipient), None)
            if started is not None:
                times.append(at - started)
        else:
            waiting.setdefault((project_id, sender), at)
    return times


#: The parts of an employer's record (``RecordRepository.figures``).
EMPLOYER_RECORD = ("money", "disputes", "hiring")


def _reputation(
    user_id: int, role: PartyRole, figures: dict[str, dict[int, tuple[int, ...]]]
) -> Reputation:
    """A :class:`Reputation` from its figures: deliveries, rating and contracts."""
    delivered, on_time = figures["deliveries"][user_id]
    stars, reviews = figures["rating"][user_id]
    completed, cancelled, failed, finished, on_budget, active, paid = figures["contracts"][user_id]
    return Reputation(
        role=role,
        rating=stars / reviews if reviews else None,
        reviews=reviews,
        completed=completed,
        cancelled=cancelled,
        failed=failed,
        finished=finished,
        active=active,
        delivered=delivered,
        on_time=on_time,
        on_budget=on_budget,
        paid=paid,
    )


class ReputationService(Service):
    def _cutoff(self) -> datetime:
        return self.now() - self.settings.review_window

    async def of(self, user_id: int, role: PartyRole) -> Reputation:
        figures = await self._figures(user_id, role, ())
        return _reputation(user_id, role, figures)

    async def _figures(
        self, user_id: int, role: PartyRole, more: tuple[str, ...]
    ) -> dict[str, dict[int, tuple[int, ...]]]:
        """The figures of :class:`Reputation` and ``more`` parts, in one query."""
        return await self.uow.records.figures(
            [user_id],
            role,
            ("deliveries", "rating", "contracts", *more),
            lost=LOST[role],
            fund_kind=FUND_KIND if "money" in more else None,
            delivered_kind=DELIVERED,
            cutoff=self._cutoff(),
            returned_kind=RETURN_KIND if role is PartyRole.FREELANCER else None,
        )

    async def reviews_about(
        self, user_id: int, role: PartyRole, limit: int = 5, offset: int = 0
    ) -> list[Review]:
        return await self.uow.reviews.visible_about(user_id, role, self._cutoff(), limit, offset)

    async def employer_records(self, user_ids: Sequence[int]) -> dict[int, EmployerRecord]:
        """The records of several employers (a page of project cards) at once."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        figures = await self.uow.records.figures(
            ids,
            PartyRole.EMPLOYER,
            EMPLOYER_RECORD,
            lost=LOST[PartyRole.EMPLOYER],
            fund_kind=FUND_KIND,
        )
        return await self._employer_records(ids, figures)

    async def _employer_records(
        self, ids: Sequence[int], figures: dict[str, dict[int, tuple[int, ...]]]
    ) -> dict[int, EmployerRecord]:
        money, disputes, hiring = figures["money"], figures["disputes"], figures["hiring"]
        events = await self.uow.records.milestone_events(ids, (DELIVERED, RELEASED), RECENT)
        return {
            i: EmployerRecord(
                funded=money[i][0],
                funded_amount=money[i][1],
                released=money[i][2],
                released_amount=money[i][3],
                release_wait=_median(release_waits(events[i])),
                disputes_opened=disputes[i][0],
                disputes_lost=disputes[i][1],
                decided=hiring[i][0],
                hired=hiring[i][1],
            )
            for i in ids
        }

    async def employer_record(self, user_id: int) -> EmployerRecord:
        return (await self.employer_records([user_id]))[user_id]

    async def employer(self, user_id: int) -> tuple[Reputation, EmployerRecord]:
        """``of(user_id, EMPLOYER)`` and ``employer_record(user_id)`` together, in two
        queries (a project card shows both)."""
        role = PartyRole.EMPLOYER
        figures = await self._figures(user_id, role, EMPLOYER_RECORD)
        reputation = _reputation(user_id, role, figures)
        return reputation, (await self._employer_records([user_id], figures))[user_id]

    async def freelancer(self, user_id: int) -> tuple[Reputation, FreelancerRecord]:
        """``of(user_id, FREELANCER)`` and ``freelancer_record(user_id)`` together, in two
        queries (a bid's alert and a freelancer's card show both)."""
        role = PartyRole.FREELANCER
        figures = await self._figures(user_id, role, ("disputes",))
        reputation = _reputation(user_id, role, figures)
        return reputation, await self._freelancer_record(user_id, figures)

    async def freelancer_record(self, user_id: int) -> FreelancerRecord:
        role = PartyRole.FREELANCER
        figures = await self.uow.records.figures(
            [user_id],
            role,
            ("deliveries", "disputes"),
            lost=LOST[role],
            delivered_kind=DELIVERED,
        )
        return await self._freelancer_record(user_id, figures)

    async def _freelancer_record(
        self, user_id: int, figures: dict[str, dict[int, tuple[int, ...]]]
    ) -> FreelancerRecord:
        """:meth:`freelancer_record` from its figures (deliveries and disputes)."""
        deliveries, disputes = figures["deliveries"][user_id], figures["disputes"][user_id]
        messages = await self.uow.records.conversations(user_id, RECENT)
        replies = reply_times(user_id, messages)
        return FreelancerRecord(
            delivered=deliveries[0],
            on_time=deliveries[1],
            reply_time=_median(replies),
            replies=len(replies),
            disputes_lost=disputes[1],
        )
