"""Hypothesis drives the marketplace through random lives; the rules hold after every step.

A :class:`RuleBasedStateMachine` plays a small world: two employers, three
freelancers with complete profiles, a stranger (registered, no profile), a banned
freelancer and an admin. Every rule is one service call (or one short flow, like
draft + publish) in its own unit of work, committed on success, exactly as one
Telegram update is handled. A :class:`DomainError` is an allowed answer; anything
else fails. Rules mostly pick targets for which the action makes sense, and
sometimes anything at all, so both the happy paths and the refusals get exercised.

Where the product rules decide the outcome, the machine predicts it from the state
before the step (an oracle): e.g. a release of at most the escrow of a funded
milestone by its employer must succeed, and the employer cancelling a funded
milestone must be refused. A refusal must change nothing: the snapshot of the
machine's world (and every table's row count) after a refused step equals the
one before.

After every step (the invariant):

* the books: postings sum to zero, every transaction balances, no internal
  account below zero, every milestone's escrow account equals funded - released
  - refunded, fees/payouts/gateways agree with milestones/payouts/payments;
* every entity is in a legal state (``tests.core.stateful_support``);
* a model of the money, kept by the machine from the product rules, equals every
  balance and milestone counter of the machine's world, and money in == balances +
  escrow + fees + money paid out. The fee of a release is the exact share of all the
  milestone has released so far, rounded down, less the fee it already took: the
  model works it out with fractions from its own totals, never with ``core.money``,
  so a wrong fee formula in core cannot change the oracle too. Each example draws
  its fee rate, odd ones included, so that rounding matters at almost every release.

The machine is synchronous: it owns an event loop and a :class:`Database` created
in it, on the test's database. Each example starts from an empty database (the
skills catalogue only) and the same clock, so the global checks judge that
example alone and a failure replays, and shrinks, deterministically: with data
accumulating, one corrupted example would fail every later one at its first step
and Hypothesis could only report the failure as flaky.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, event
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from core import ledger
from core.actors import Actor
from core.clock import FrozenClock
from core.errors import DomainError, IdempotencyConflict
from core.gateways import SANDBOX, STARS, Gateways
from core.marketplace import Marketplace
from core.services.disputes import EvidenceFile
from core.services.escrow import Settlement
from core.services.timers import SweepReport
from core.settings import Settings
from storage.db import Database
from storage.enums import (
    AwardStatus,
    BidStatus,
    ContractStatus,
    DisputeResolution,
    DisputeStatus,
    EvidenceStage,
    MilestoneStatus,
    OfferStatus,
    PartyRole,
    PaymentStatus,
    PayoutStatus,
    ProjectStatus,
)
from storage.models import LedgerTransaction, Posting, Reminder
from tests.core.stateful_support import (
    Row,
    Snapshot,
    assert_consistent,
    differences,
    empty_database,
    take_snapshot,
)

ADMIN_TELEGRAM_ID = 5_099_999_999
TELEGRAM_IDS = itertools.count(5_100_000_000)
GATEWAYS = Gateways([SANDBOX, STARS])

MOVABLE = (MilestoneStatus.FUNDED, MilestoneStatus.DELIVERED)
OPEN_DISPUTE = (
    DisputeStatus.AWAITING_RESPONSE,
    DisputeStatus.NEGOTIATION,
    DisputeStatus.ARBITRATION,
)
ENDED = (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED, ProjectStatus.CLOSED)
MAX_PROJECTS = 4

pick = st.integers(0, 10_000)  # an index into the candidates
smart = st.integers(0, 4)  # 0: any target at all; otherwise one the action fits
fraction = st.integers(1, 100)  # percent of the escrow or balance
amount = st.integers(1_000, 60_000)
PARTY_OR_STRANGER = st.sampled_from(["employer", "freelancer"] * 3 + ["stranger"])
MILESTONE_SCENES = [
    "requested",
    "pending",
    "funded",
    "delivered",
    "part-paid",
    "paid-in-cents",
    "released",
    "disputed-by-employer",
    "disputed-by-freelancer",
    "changes-used",  # delivered again after every included change round
    "delivery-disputed",  # delivered (protected), disputed naming a deliverable, with evidence
]
contract_plan = st.tuples(
    st.integers(0, 1),  # employer
    st.integers(0, 2),  # freelancer
    st.lists(st.tuples(amount, st.sampled_from(MILESTONE_SCENES)), max_size=3),
    st.integers(0, 3),  # 0: the contract is already over (paid and ended), for reviews
    st.integers(0, 2),  # revision rounds in the terms: a low cap is reached within a few steps
)


def nth(items: list[Any], i: int) -> Any:
    return items[i % len(items)]


def has(table: str) -> Callable[[Any], bool]:
    """A precondition: the machine's world has rows in ``table``."""
    return lambda self: self.snap is not None and bool(getattr(self.snap, table))


class Refused(Exception):
    """The oracle's verdict was wrong."""


class MarketplaceMachine(RuleBasedStateMachine):
    database_url: ClassVar[str]
    base_settings: ClassVar[Settings]
    outcomes: ClassVar[Counter[str]]

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = FrozenClock()
        # Short windows, so that the timed rules (bidding ending, the award decision,
        # reminders before an auto-release) come up within a few steps of time passing.
        self.settings = type(self).base_settings.model_copy(
            update={
                "admin_ids": frozenset({ADMIN_TELEGRAM_ID}),
                "bidding_window": timedelta(days=2),
                "award_decision_window": timedelta(days=2),
                "delivery_review_window": timedelta(days=3),
                "evidence_max": 2,  # so that a side runs out of room within a few steps
            }
        )
        self.db: Database = self.run(self._open())
        self.snap: Snapshot | None = None
        self.unchanged_expected = False
        # the model of the money in this example's world
        self.expected: dict[str, int] = {}  # account code -> balance
        self.expected_ms: dict[int, list[int]] = {}  # milestone -> funded, released, refunded, fee
        self.money_in = 0
        self.money_out = 0
        self.release_keys: dict[int, dict[str, tuple[int, int]]] = {}  # key -> moved, fee
        self.keys = itertools.count(1)

    async def _open(self) -> Database:
        db = Database(type(self).database_url)
        await empty_database(db)
        return db

    def run(self, coro: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        try:
            self.run(self.db.dispose())
        finally:
            self.loop.close()

    # --- running one step ------------------------------------------------------------

    def attempt(
        self,
        fn: Callable[[Marketplace], Awaitable[Any]],
        *,
        expect: bool | None = None,
        code: str | None = None,
    ) -> Any:
        """Run one operation in its own unit of work; commit; return its value or refusal.

        ``expect`` True: it must succeed; False: it must be refused (with ``code`` if
        given); None: either. A refusal must leave no trace (checked by the invariant).
        """

        async def go() -> Any:
            async with self.db.uow() as uow:
                market = Marketplace(uow, self.settings, self.clock, GATEWAYS)
                try:
                    value = await fn(market)
                except DomainError as error:
                    assert not market.ctx.events, "a refused operation left events behind"
                    await uow.commit()  # committing anyway: the refusal must have undone itself
                    return error
                await uow.commit()
                return value

        outcome = self.run(go())
        step = sys._getframe(1).f_code.co_name
        verdict = outcome.code if isinstance(outcome, DomainError) else "done"
        event(f"{step}: {'done' if verdict == 'done' else 'refused'}")
        type(self).outcomes[f"{step}: {verdict}"] += 1
        if isinstance(outcome, DomainError):
            assert outcome.code != "conflict.duplicate", (
                f"a unique key refused a write with nobody racing: {outcome!r}"
            )
            if expect is True:
                raise Refused(f"refused, but the rules say it must succeed: {outcome!r}")
            if code is not None:
                assert outcome.code == code, f"expected {code}, got {outcome!r}"
            self.unchanged_expected = True
        elif expect is False:
            raise Refused(f"succeeded, but the rules say it must be refused ({code}): {outcome!r}")
        return outcome

    @property
    def s(self) -> Snapshot:
        assert self.snap is not None
        return self.snap

    def now(self) -> datetime:
        return self.clock.now()

    # --- the model -------------------------------------------------------------------

    def credit(self, code: str, amount: int) -> None:
        self.expected[code] = self.expected.get(code, 0) + amount

    def ms_model(self, milestone_id: int) -> list[int]:
        return self.expected_ms.setdefault(milestone_id, [0, 0, 0, 0])

    def fund_model(self, m: Row, payer: int, amount: int, *, gateway: str | None) -> None:
        if gateway is not None:  # money arrives from outside, then moves into escrow
            self.money_in += amount
        else:
            self.credit(ledger.available(payer), -amount)
        self.credit(ledger.escrow(m["id"]), amount)
        self.ms_model(m["id"])[0] += amount

    def fee_model(self, milestone_id: int, release: int) -> int:
        """The fee of releasing ``release`` now: the platform's exact share of everything
        the milestone will have released, rounded down, less what it already took."""
        _, released, _, taken = self.ms_model(milestone_id)
        rate = Fraction(self.settings.platform_fee_bps, 10_000)
        fee = math.floor(rate * (released + release)) - taken
        assert 0 <= fee <= release, "the model charged a fee outside the release"
        return fee

    def settle_model(self, m: Row, release: int, refund: int) -> int:
        """Escrow pays ``release`` (less the fee) to the freelancer, ``refund`` back."""
        contract = self.s.contracts[m["contract_id"]]
        fee = self.fee_model(m["id"], release)
        self.credit(ledger.escrow(m["id"]), -(release + refund))
        self.credit(ledger.available(contract["freelancer_id"]), release - fee)
        self.credit(ledger.available(contract["employer_id"]), refund)
        model = self.ms_model(m["id"])
        model[1] += release
        model[2] += refund
        model[3] += fee
        return fee

    # --- the world -------------------------------------------------------------------

    async def register(self, m: Marketplace) -> tuple[Any, ...]:
        """The cast, in one unit of work: admin, employers, freelancers, stranger, banned."""

        async def person(name: str, *, profile: bool, telegram_id: int | None = None) -> Actor:
            tid = telegram_id if telegram_id is not None else next(TELEGRAM_IDS)
            actor = m.users.actor(await m.users.register(tid, name, username=name.lower()))
            if profile:
                await m.users.update_profile(
                    actor,
                    headline="Python and bots developer",
                    bio="Years of building web services, Telegram bots and data pipelines.",
                    skills=["python"],
                    hourly_rate=4_000,
                )
            return actor

        admin = await person("Admin", profile=False, telegram_id=ADMIN_TELEGRAM_ID)
        employers = [await person(f"Employer{i}", profile=False) for i in range(2)]
        freelancers = [await person(f"Freelancer{i}", profile=True) for i in range(3)]
        stranger = await person("Stranger", profile=False)
        banned = await person("Banned", profile=True)
        await m.users.ban(admin, banned.user_id, "spam")
        return admin, employers, freelancers, stranger, banned

    @initialize(
        contracts=st.lists(contract_plan, min_size=1, max_size=2),
        open_projects=st.integers(1, 2),
        fee_bps=st.sampled_from([1000, 733, 0, 5000]),
    )
    def world(
        self,
        contracts: list[tuple[int, int, list[tuple[int, str]], int, int]],
        open_projects: int,
        fee_bps: int,
    ) -> None:
        """The people, and a random scene to start from: contracts with milestones in
        every state, and open projects with bids. Every piece goes through the services."""
        self.settings = self.settings.model_copy(update={"platform_fee_bps": fee_bps})
        cast = self.attempt(self.register, expect=True)
        self.admin, self.employers, self.freelancers, self.stranger, self.banned = cast
        assert self.admin.is_admin
        self.people = [*self.employers, *self.freelancers, self.stranger, self.banned]
        for n in range(open_projects):
            pid = self.publish(self.employers[n % 2], 10_000)
            for f in self.freelancers[: n + 1]:
                self.bid(f, pid, 12_000 + n)
        plans = []
        for e, f, milestones, running, rounds in contracts:
            employer, freelancer = self.employers[e], self.freelancers[f]
            pid = self.publish(employer, 20_000)
            bid = self.bid(freelancer, pid, 25_000)
            self.bid(self.freelancers[(f + 1) % 3], pid, 24_000)  # to be closed by the hire
            award = self.attempt(
                lambda m, b=bid, e=employer, r=rounds: m.awards.offer(
                    e, b, deliverables=["Order flow", "Payments", "Admin panel"], revision_rounds=r
                ),
                expect=True,
            )
            contract = self.attempt(
                lambda m, a=award.id, f=freelancer: m.awards.accept(f, a), expect=True
            )
            if not running:
                milestones = [(10_000, "released")]
            plans.append((employer, freelancer, contract.id, milestones, running))
        self.snap = self.snapshot()
        for employer, freelancer, cid, milestones, running in plans:
            for price, state in milestones:
                self.scene_milestone(employer, freelancer, cid, price, state)
            if not running:
                ended = self.attempt(
                    lambda m, c=cid, e=employer: m.contracts.end(e, c), expect=True
                )
                assert ended.status is ContractStatus.COMPLETED
        self.snap = self.snapshot()

    def publish(self, employer: Actor, budget: int) -> int:
        async def go(m: Marketplace) -> int:
            draft = await m.projects.create_draft(
                employer,
                title="Telegram bot for a bakery",
                description="Orders, payments and pick-up slots, with an admin panel.",
                skills=["python"],
                budget_min=budget,
                budget_max=budget * 2,
            )
            await m.projects.publish(employer, draft.id)
            return draft.id

        return int(self.attempt(go, expect=True))

    def bid(self, freelancer: Actor, project_id: int, price: int) -> int:
        placed = self.attempt(
            lambda m: m.bids.place(
                freelancer,
                project_id,
                amount=price,
                delivery_days=14,
                proposal="I have shipped several shop bots; a plan follows.",
            ),
            expect=True,
        )
        return int(placed.id)

    def scene_milestone(
        self, employer: Actor, freelancer: Actor, cid: int, price: int, state: str
    ) -> None:
        if state == "requested":
            self.attempt(
                lambda m: m.milestones.request(freelancer, cid, description="Extra", amount=price),
                expect=True,
            )
            return
        due = self.now() + timedelta(days=price % 5 + 1) if price % 2 else None
        ms = self.attempt(
            lambda m: m.milestones.create(
                employer, cid, description="Part", amount=price, due_at=due
            ),
            expect=True,
        )
        row = {"id": ms.id, "contract_id": cid}
        if state == "pending":
            return
        self.attempt(lambda m: m.milestones.start_funding(employer, ms.id, "sandbox"), expect=True)
        self.fund_model(row, employer.user_id, price, gateway="sandbox")
        if state == "funded":
            return
        if state in ("part-paid", "paid-in-cents", "released"):
            # A few cents at a time is where a fee rounded per release went missing.
            cents = [price % 97 + 1] * 3
            parts = {"part-paid": [price // 2], "paid-in-cents": cents, "released": [price]}
            for paid in parts[state]:
                self.attempt(
                    lambda m, p=paid: m.milestones.release(employer, ms.id, p), expect=True
                )
                self.settle_model(row, paid, 0)
            return
        if state in ("changes-used", "delivery-disputed"):
            self.attempt(
                lambda m: m.milestones.deliver(freelancer, ms.id, "v1", ["f"]), expect=True
            )
        if state == "changes-used":
            while True:
                asked = self.attempt(
                    lambda m: m.milestones.request_changes(employer, ms.id, "Fix the layout")
                )
                if isinstance(asked, DomainError):
                    assert asked.code == "milestone.revisions_used"
                    return
                self.attempt(
                    lambda m: m.milestones.deliver(freelancer, ms.id, "Fixed", ["g"]), expect=True
                )
        if state == "delivery-disputed":
            self.attempt(
                lambda m: m.disputes.open(
                    employer,
                    ms.id,
                    reason="The admin panel is missing",
                    claimed_amount=price,
                    deliverables=[2],
                    evidence=[EvidenceFile("shot", "photo", "No admin panel here")],
                ),
                expect=True,
            )
            return
        if state.startswith("disputed"):
            filer = employer if state == "disputed-by-employer" else freelancer
            self.attempt(
                lambda m: m.disputes.open(
                    filer, ms.id, reason="We disagree about the result", claimed_amount=price
                ),
                expect=True,
            )
            return
        self.attempt(lambda m: m.milestones.deliver(freelancer, ms.id, "Here it is"), expect=True)

    def snapshot(self) -> Snapshot:
        async def go() -> Snapshot:
            async with self.db.uow() as uow:
                return await take_snapshot(uow, [p.user_id for p in self.people])

        snap = self.run(go())
        assert isinstance(snap, Snapshot)
        return snap

    def actor(self, user_id: int) -> Actor:
        return next(p for p in self.people if p.user_id == user_id)

    def choose(self, rows: dict[int, Row], fits: Callable[[Row], bool], i: int, s: int) -> Row:
        good = [r for r in rows.values() if fits(r)]
        return nth(good if good and s else list(rows.values()), i)

    def parties(self, contract: Row) -> tuple[Actor, Actor]:
        return self.actor(contract["employer_id"]), self.actor(contract["freelancer_id"])

    def contract_of(self, m: Row) -> Row:
        return self.s.contracts[m["contract_id"]]

    def dispute_of(self, d: Row) -> tuple[Row, Row]:
        m = self.s.milestones[d["milestone_id"]]
        return m, self.contract_of(m)

    # --- projects, bids, awards ------------------------------------------------------

    @precondition(lambda self: self.snap is not None and len(self.snap.projects) < MAX_PROJECTS)
    @rule(e=st.integers(0, 4), low=amount, spread=st.integers(0, 50_000))
    def post_project(self, e: int, low: int, spread: int) -> None:
        employer = self.banned if e == 4 else self.employers[e % 2]

        async def go(m: Marketplace) -> int:
            draft = await m.projects.create_draft(
                employer,
                title="Telegram bot for a flower shop",
                description="Orders, payments and delivery slots, with an admin panel.",
                skills=["python"],
                budget_min=low,
                budget_max=low + spread,
            )
            await m.projects.publish(employer, draft.id)
            return draft.id

        if employer is self.banned:  # banned users do nothing
            self.attempt(go, expect=False, code="user.banned")
        else:
            self.attempt(go, expect=True)

    def bidding(self, p: Row) -> bool:
        return p["status"] is ProjectStatus.OPEN and p["bidding_ends_at"] > self.now()

    @precondition(has("projects"))
    @rule(who=st.integers(0, 6), i=pick, s=smart, price=amount, days=st.integers(1, 60))
    def place_bid(self, who: int, i: int, s: int, price: int, days: int) -> None:
        bidders = [*self.freelancers, self.stranger, self.banned, *self.employers]
        bidder = bidders[who % len(bidders)]
        p = self.choose(self.s.projects, self.bidding, i, s)
        mine = [b for b in self.s.bids.values() if b["project_id"] == p["id"]]
        mine = [b for b in mine if b["freelancer_id"] == bidder.user_id]
        fits = (
            bidder in self.freelancers
            and self.bidding(p)
            and all(b["status"] is BidStatus.RETRACTED for b in mine)
        )
        self.attempt(
            lambda m: m.bids.place(
                bidder,
                p["id"],
                amount=price,
                delivery_days=days,
                proposal="I have shipped several shop bots; a plan follows.",
            ),
            expect=fits,
            code="user.banned" if bidder is self.banned else None,
        )

    def own_active(self, b: Row) -> bool:
        return b["status"] is BidStatus.ACTIVE and self.bidding(self.s.projects[b["project_id"]])

    @precondition(has("bids"))
    @rule(i=pick, s=smart, other=st.booleans(), price=amount, retract=st.booleans())
    def edit_or_retract_bid(self, i: int, s: int, other: bool, price: int, retract: bool) -> None:
        b = self.choose(self.s.bids, self.own_active, i, s)
        owner = self.actor(b["freelancer_id"])
        who = next(f for f in self.freelancers if f != owner) if other else owner
        fits = who == owner and self.own_active(b)
        if retract:
            self.attempt(lambda m: m.bids.retract(who, b["id"]), expect=fits)
        else:
            self.attempt(lambda m: m.bids.edit(who, b["id"], amount=price), expect=fits)

    @precondition(has("bids"))
    @rule(i=pick, s=smart, other=st.booleans())
    def decline_bid(self, i: int, s: int, other: bool) -> None:
        b = self.choose(self.s.bids, lambda b: b["status"] is BidStatus.ACTIVE, i, s)
        p = self.s.projects[b["project_id"]]
        employer = self.actor(p["employer_id"])
        who = self.stranger if other else employer
        fits = who == employer and b["status"] is BidStatus.ACTIVE
        self.attempt(lambda m: m.bids.decline(who, b["id"]), expect=fits)

    @precondition(has("bids"))
    @rule(i=pick, s=smart, other=st.booleans(), rounds=st.one_of(st.none(), st.integers(0, 6)))
    def offer_award(self, i: int, s: int, other: bool, rounds: int | None) -> None:
        def fits(b: Row) -> bool:
            p = self.s.projects[b["project_id"]]
            awardable = p["status"] is ProjectStatus.OPEN or (
                p["status"] is ProjectStatus.BIDDING_ENDED and p["award_by"] > self.now()
            )
            return b["status"] is BidStatus.ACTIVE and awardable

        b = self.choose(self.s.bids, fits, i, s)
        employer = self.actor(self.s.projects[b["project_id"]]["employer_id"])
        who = next(e for e in self.employers if e != employer) if other else employer
        in_terms = rounds is None or rounds <= self.settings.revision_rounds_max
        done = self.attempt(
            lambda m: m.awards.offer(who, b["id"], revision_rounds=rounds),
            expect=who == employer and fits(b) and in_terms,
        )
        if not isinstance(done, DomainError):
            expected = self.settings.revision_rounds if rounds is None else rounds
            assert done.revision_rounds == expected and done.deliverables

    def pending(self, a: Row) -> bool:
        return a["status"] is AwardStatus.PENDING and a["expires_at"] > self.now()

    @precondition(has("awards"))
    @rule(i=pick, s=smart, answer=st.sampled_from(["accept", "decline", "withdraw", "intruder"]))
    def answer_award(self, i: int, s: int, answer: str) -> None:
        a = self.choose(self.s.awards, self.pending, i, s)
        freelancer = self.actor(a["freelancer_id"])
        if answer == "intruder":  # another freelancer tries to take the offer
            intruder = next(f for f in self.freelancers if f != freelancer)
            self.attempt(lambda m: m.awards.accept(intruder, a["id"]), expect=False)
        elif answer == "withdraw":
            employer = self.actor(self.s.projects[a["project_id"]]["employer_id"])
            fits = a["status"] is AwardStatus.PENDING
            self.attempt(lambda m: m.awards.withdraw(employer, a["id"]), expect=fits)
        elif answer == "accept":
            self.attempt(lambda m: m.awards.accept(freelancer, a["id"]), expect=self.pending(a))
        else:
            self.attempt(lambda m: m.awards.decline(freelancer, a["id"]), expect=self.pending(a))

    @precondition(has("projects"))
    @rule(i=pick, s=smart)
    def employer_cancels_project(self, i: int, s: int) -> None:
        bidding = (ProjectStatus.OPEN, ProjectStatus.BIDDING_ENDED, ProjectStatus.AWARDED)
        p = self.choose(self.s.projects, lambda p: p["status"] in bidding, i, s)
        employer = self.actor(p["employer_id"])
        held = [
            m
            for m in self.s.milestones.values()
            if self.contract_of(m)["project_id"] == p["id"] and Snapshot.escrow(m) > 0
        ]
        # Money in escrow can only leave through release, the freelancer, or a dispute.
        expect = False if held or p["status"] in ENDED else None
        self.attempt(lambda m: m.projects.cancel(employer, p["id"]), expect=expect)

    # --- contracts and milestones ----------------------------------------------------

    def active(self, c: Row) -> bool:
        return c["status"] is ContractStatus.ACTIVE

    @precondition(has("contracts"))
    @rule(
        i=pick,
        s=smart,
        price=amount,
        by=st.sampled_from(["employer", "freelancer", "other"]),
        due_hours=st.sampled_from([None, 2, 30, 100]),
    )
    def new_milestone(self, i: int, s: int, price: int, by: str, due_hours: int | None) -> None:
        c = self.choose(self.s.contracts, self.active, i, s)
        employer, freelancer = self.parties(c)
        due = None if due_hours is None else self.now() + timedelta(hours=due_hours)
        if by == "employer":
            self.attempt(
                lambda m: m.milestones.create(
                    employer, c["id"], description="Part", amount=price, due_at=due
                ),
                expect=self.active(c),
            )
        elif by == "freelancer":
            self.attempt(
                lambda m: m.milestones.request(
                    freelancer, c["id"], description="Part", amount=price
                ),
                expect=self.active(c),
            )
        else:
            self.attempt(
                lambda m: m.milestones.create(
                    self.stranger, c["id"], description="X", amount=price
                ),
                expect=False,
            )

    @precondition(has("milestones"))
    @rule(i=pick, s=smart, accept=st.booleans())
    def answer_milestone_request(self, i: int, s: int, accept: bool) -> None:
        def fits(m: Row) -> bool:
            return m["status"] is MilestoneStatus.REQUESTED and self.active(self.contract_of(m))

        ms = self.choose(self.s.milestones, fits, i, s)
        employer, _ = self.parties(self.contract_of(ms))
        if accept:
            self.attempt(lambda m: m.milestones.accept_request(employer, ms["id"]), expect=fits(ms))
        else:
            requested = ms["status"] is MilestoneStatus.REQUESTED
            self.attempt(
                lambda m: m.milestones.reject_request(employer, ms["id"]), expect=requested
            )

    def review_over(self, m: Row) -> bool:
        """Silence past the review window has decided: the delivery is the freelancer's."""
        return m["auto_release_at"] is not None and m["auto_release_at"] <= self.now()

    def fundable(self, m: Row) -> bool:
        return m["status"] is MilestoneStatus.PENDING and self.active(self.contract_of(m))

    @precondition(has("milestones"))
    @rule(i=pick, s=smart, how=st.sampled_from(["sandbox", "balance", "stars", "by-freelancer"]))
    def fund_milestone(self, i: int, s: int, how: str) -> None:
        ms = self.choose(self.s.milestones, self.fundable, i, s)
        employer, freelancer = self.parties(self.contract_of(ms))
        mid, price = ms["id"], ms["amount"]
        if how == "by-freelancer":
            self.attempt(
                lambda m: m.milestones.start_funding(freelancer, mid, "sandbox"), expect=False
            )
        elif how == "sandbox":
            done = self.attempt(
                lambda m: m.milestones.start_funding(employer, mid, "sandbox"),
                expect=self.fundable(ms),
            )
            if not isinstance(done, DomainError):
                assert done.funded
                self.fund_model(ms, employer.user_id, price, gateway="sandbox")
        elif how == "stars":  # an invoice; the money arrives later (confirm_payment)
            done = self.attempt(
                lambda m: m.milestones.start_funding(employer, mid, "stars"),
                expect=self.fundable(ms),
            )
            if not isinstance(done, DomainError):
                assert not done.funded
        else:
            enough = self.s.balance(ledger.available(employer.user_id)) >= price
            done = self.attempt(
                lambda m: m.milestones.fund_from_balance(employer, mid),
                expect=self.fundable(ms) and enough,
            )
            if not isinstance(done, DomainError):
                self.fund_model(ms, employer.user_id, price, gateway=None)

    @precondition(has("payments"))
    @rule(i=pick, s=smart)
    def confirm_payment(self, i: int, s: int) -> None:
        """The gateway reports money for an invoice, or replays an earlier report."""
        pay = self.choose(self.s.payments, lambda p: p["status"] is PaymentStatus.PENDING, i, s)
        pid, price = pay["id"], pay["amount"]
        if pay["status"] is PaymentStatus.SUCCEEDED:  # a replayed confirmation
            charge = pay["external_id"]
            self.attempt(
                lambda m: m.payments.confirm(pid, charge, price),
                expect=False,
                code="payment.already_confirmed",
            )
            return
        charge = f"{pay['gateway']}-charge-{next(self.keys)}-{pid}"
        done = self.attempt(lambda m: m.payments.confirm(pid, charge, price), expect=True)
        ms = self.s.milestones[pay["milestone_id"]]
        if done.funded:
            assert self.fundable(ms) and price == ms["amount"]
            self.fund_model(ms, pay["payer_id"], price, gateway=pay["gateway"])
        else:  # the milestone no longer needed it: the money waits on the payer's balance
            assert not self.fundable(ms)
            self.money_in += price
            self.credit(ledger.available(pay["payer_id"]), price)

    @precondition(has("milestones"))
    @rule(i=pick, s=smart, by_employer=st.booleans(), protected=st.booleans())
    def deliver(self, i: int, s: int, by_employer: bool, protected: bool) -> None:
        ms = self.choose(self.s.milestones, lambda m: m["status"] is MilestoneStatus.FUNDED, i, s)
        employer, freelancer = self.parties(self.contract_of(ms))
        who = employer if by_employer else freelancer
        fits = not by_employer and ms["status"] is MilestoneStatus.FUNDED
        done = self.attempt(
            lambda m: m.milestones.deliver(
                who, ms["id"], "Done: see the repo", ["file-1"], protected=protected
            ),
            expect=fits,
        )
        if not isinstance(done, DomainError):  # a fresh review window, whatever came before
            assert done.auto_release_at == self.now() + self.settings.delivery_review_window

    def rounds_left(self, m: Row) -> int:
        return int(self.contract_of(m)["revision_rounds"] - m["revisions_used"])

    @precondition(has("milestones"))
    @rule(i=pick, s=smart)
    def request_changes(self, i: int, s: int) -> None:
        """Up to the included rounds, each one stopping the release clock; past them,
        refused: release, a new milestone or a dispute are what is left."""
        ms = self.choose(
            self.s.milestones, lambda m: m["status"] is MilestoneStatus.DELIVERED, i, s
        )
        employer, _ = self.parties(self.contract_of(ms))
        answerable = ms["status"] is MilestoneStatus.DELIVERED and not self.review_over(ms)
        capped = answerable and self.rounds_left(ms) == 0
        done = self.attempt(
            lambda m: m.milestones.request_changes(employer, ms["id"], "Please add tests"),
            expect=answerable and not capped,
            code="milestone.revisions_used" if capped else None,
        )
        if not isinstance(done, DomainError):
            assert done.revisions_used == ms["revisions_used"] + 1
            assert done.status is MilestoneStatus.FUNDED and done.auto_release_at is None

    @precondition(has("milestones"))
    @rule(i=pick, s=smart, price=amount)
    def extra_milestone(self, i: int, s: int, price: int) -> None:
        """Past the cap the employer may pay for the extra work as a new milestone."""

        def fits(m: Row) -> bool:
            return (
                m["status"] is MilestoneStatus.DELIVERED
                and self.rounds_left(m) == 0
                and self.active(self.contract_of(m))
            )

        ms = self.choose(self.s.milestones, fits, i, s)
        employer, _ = self.parties(self.contract_of(ms))
        done = self.attempt(
            lambda m: m.milestones.create_extra(
                employer, ms["id"], description="The extra work", amount=price
            ),
            expect=fits(ms),
        )
        if not isinstance(done, DomainError):
            assert done.status is MilestoneStatus.PENDING and done.contract_id == ms["contract_id"]

    @precondition(has("milestones"))
    @rule(
        i=pick,
        s=smart,
        part=st.one_of(st.none(), fraction),
        cents=st.one_of(st.none(), st.integers(1, 999)),
        key=st.sampled_from(["none", "new", "replay"]),
        by_freelancer=st.integers(0, 5),
    )
    def release(
        self, i: int, s: int, part: int | None, cents: int | None, key: str, by_freelancer: int
    ) -> None:
        ms = self.choose(self.s.milestones, lambda m: m["status"] in MOVABLE, i, s)
        mid, escrow = ms["id"], Snapshot.escrow(ms)
        employer, freelancer = self.parties(self.contract_of(ms))
        who = freelancer if by_freelancer == 0 else employer
        value = None if part is None else max(1, escrow * part // 100)
        if cents is not None:  # a small part: each one's fee is mostly rounding
            value = cents
        earlier = self.release_keys.get(mid, {})  # request key -> what it released, fee
        request_key = None
        if key == "new":
            request_key = f"rk{next(self.keys)}"
        elif key == "replay":
            request_key = nth(sorted(earlier), i) if earlier else f"rk{next(self.keys)}"
        replay = request_key in earlier
        if replay:  # the same request again answers as before; another amount is a bug
            moved, fee = earlier[request_key]
            fits = who == employer and value in (None, moved)
            code = "milestone.request_key_reused" if who == employer and not fits else None
        else:
            moved = escrow if value is None else value
            fits = who == employer and ms["status"] in MOVABLE and 0 < moved <= escrow
            code = None
        done = self.attempt(
            lambda m: m.milestones.release(who, mid, value, request_key=request_key),
            expect=fits,
            code=code,
        )
        if isinstance(done, DomainError):
            return
        assert isinstance(done, Settlement)
        if replay:  # nothing moves: the answer is the first one, fee and all
            assert done.replayed and (done.released, done.fee) == (moved, fee), done
            self.unchanged_expected = True
            return
        assert not done.replayed and done.released == moved and done.refunded == 0
        fee = self.settle_model(ms, moved, 0)
        assert done.fee == fee
        if request_key is not None:
            self.release_keys.setdefault(mid, {})[request_key] = (moved, fee)

    @precondition(has("milestones"))
    @rule(i=pick, s=smart, by=PARTY_OR_STRANGER)
    def cancel_milestone(self, i: int, s: int, by: str) -> None:
        ms = self.choose(
            self.s.milestones,
            lambda m: m["status"] not in (MilestoneStatus.RELEASED, MilestoneStatus.REFUNDED),
            i,
            s,
        )
        employer, freelancer = self.parties(self.contract_of(ms))
        status = ms["status"]
        code = None
        if by == "stranger":
            who, fits, code = self.stranger, False, "contract.not_party"
        elif by == "freelancer":
            who = freelancer
            fits = status in (MilestoneStatus.REQUESTED, MilestoneStatus.PENDING, *MOVABLE)
        else:
            who = employer
            fits = status is MilestoneStatus.PENDING
            if status in MOVABLE:  # the employer cannot take funded money back alone
                code = "milestone.employer_cannot_cancel_funded"
        done = self.attempt(lambda m: m.milestones.cancel(who, ms["id"]), expect=fits, code=code)
        if not isinstance(done, DomainError) and status in MOVABLE:
            self.settle_model(ms, 0, Snapshot.escrow(ms))

    # --- disputes --------------------------------------------------------------------

    @precondition(has("milestones"))
    @rule(
        i=pick,
        s=smart,
        by=PARTY_OR_STRANGER,
        part=fraction,
        named=st.sampled_from(["none", "first", "two", "unknown"]),
        files=st.integers(0, 3),
    )
    def open_dispute(self, i: int, s: int, by: str, part: int, named: str, files: int) -> None:
        """A dispute of delivered work must name what is missing; evidence comes with it,
        up to EVIDENCE_MAX; the other side gets the same time to respond either way."""
        ms = self.choose(self.s.milestones, lambda m: m["status"] in MOVABLE, i, s)
        contract = self.contract_of(ms)
        employer, freelancer = self.parties(contract)
        who = {"employer": employer, "freelancer": freelancer, "stranger": self.stranger}[by]
        claim = max(1, Snapshot.escrow(ms) * part // 100)
        decided = ms["status"] is MilestoneStatus.DELIVERED and self.review_over(ms)
        disputable = by != "stranger" and ms["status"] in MOVABLE and not decided
        positions = {"none": [], "first": [0], "two": [1, 0], "unknown": [99]}[named]
        agreed = contract["deliverables"]
        code = None
        if disputable and by == "freelancer" and positions:
            code = "dispute.deliverables_employer_only"
        elif disputable and by == "employer" and any(p >= len(agreed) for p in positions):
            code = "dispute.deliverable_unknown"
        elif disputable and by == "employer" and not positions and ms["delivered_at"]:
            code = "dispute.deliverables_required"
        elif disputable and files > self.settings.evidence_max:
            code = "dispute.evidence_full"
        evidence = [EvidenceFile(f"proof-{n}", "photo", "What it looks like") for n in range(files)]
        done = self.attempt(
            lambda m: m.disputes.open(
                who,
                ms["id"],
                reason="The delivery does not match the brief",
                claimed_amount=claim,
                deliverables=positions,
                evidence=evidence,
            ),
            expect=disputable and code is None,
            code=code,
        )
        if not isinstance(done, DomainError):
            assert done.respond_by - done.created_at == self.settings.dispute_response_window
            assert done.deliverables == [agreed[p] for p in sorted(positions)]

    @precondition(has("disputes"))
    @rule(i=pick, s=smart, by=st.sampled_from(["filer", "respondent", "stranger"]))
    def add_evidence(self, i: int, s: int, by: str) -> None:
        """Either side, at every stage while the dispute is open, up to EVIDENCE_MAX each."""
        d = self.choose(self.s.disputes, lambda d: d["status"] in OPEN_DISPUTE, i, s)
        who = {
            "filer": self.actor(d["filed_by_id"]),
            "respondent": self.actor(d["respondent_id"]),
            "stranger": self.stranger,
        }[by]
        theirs = [
            v
            for v in self.s.evidence.values()
            if v["dispute_id"] == d["id"] and v["author_id"] == who.user_id
        ]
        is_open = d["status"] in OPEN_DISPUTE
        full = len(theirs) >= self.settings.evidence_max
        fits = by != "stranger" and is_open and not full
        done = self.attempt(
            lambda m: m.disputes.add_evidence(who, d["id"], EvidenceFile("proof", "document")),
            expect=fits,
            code="dispute.evidence_full" if by != "stranger" and is_open and full else None,
        )
        if not isinstance(done, DomainError):
            stage = {
                DisputeStatus.NEGOTIATION: EvidenceStage.NEGOTIATION,
                DisputeStatus.ARBITRATION: EvidenceStage.ARBITRATION,
            }.get(d["status"], EvidenceStage.FILED if by == "filer" else EvidenceStage.RESPONSE)
            assert done.stage is stage

    @precondition(has("disputes"))
    @rule(
        i=pick,
        s=smart,
        action=st.sampled_from(["respond", "offer", "escalate", "withdraw"]),
        by_filer=st.booleans(),
        part=st.integers(0, 100),
    )
    def dispute_move(self, i: int, s: int, action: str, by_filer: bool, part: int) -> None:
        d = self.choose(self.s.disputes, lambda d: d["status"] in OPEN_DISPUTE, i, s)
        ms, _ = self.dispute_of(d)
        who = self.actor(d["filed_by_id"] if by_filer else d["respondent_id"])
        status = d["status"]
        is_open = status in OPEN_DISPUTE
        did = d["id"]
        awaiting = status is DisputeStatus.AWAITING_RESPONSE
        silent_too_long = awaiting and d["respond_by"] <= self.now()  # the filer's claim stands
        if action == "respond":
            fits = is_open and not by_filer and awaiting and not silent_too_long
            self.attempt(
                lambda m: m.disputes.respond(who, did, "I delivered what we agreed"), expect=fits
            )
        elif action == "offer":
            offered = Snapshot.escrow(ms) * part // 100
            answering = not by_filer and awaiting  # the respondent's offer is an answer
            fits = (
                is_open
                and status is not DisputeStatus.ARBITRATION
                and not (answering and silent_too_long)
            )
            self.attempt(lambda m: m.disputes.offer(who, did, offered), expect=fits)
        elif action == "escalate":
            fits = status is DisputeStatus.NEGOTIATION
            self.attempt(lambda m: m.disputes.escalate(who, did), expect=fits)
        else:
            done = self.attempt(
                lambda m: m.disputes.withdraw(who, did), expect=is_open and by_filer
            )
            if not isinstance(done, DomainError) and ms["auto_release_at"] is not None:
                # A withdrawn dispute never buys its filer time: an employer's kept the
                # review clock running, a freelancer's stopped it.
                after = self.snapshot().milestones[ms["id"]]["auto_release_at"]
                paused = self.now() - d["created_at"]
                employers = d["filer_role"] is PartyRole.EMPLOYER
                assert after == ms["auto_release_at"] + (timedelta(0) if employers else paused)

    @precondition(has("offers"))
    @rule(i=pick, s=smart, own=st.integers(0, 4))
    def accept_dispute_offer(self, i: int, s: int, own: int) -> None:
        o = self.choose(self.s.offers, lambda o: o["status"] is OfferStatus.OPEN, i, s)
        d = self.s.disputes[o["dispute_id"]]
        ms, _ = self.dispute_of(d)
        parties = (d["filed_by_id"], d["respondent_id"])
        other = next(p for p in parties if p != o["by_user_id"])
        who = self.actor(o["by_user_id"] if own == 0 else other)
        fits = (
            own != 0
            and o["status"] is OfferStatus.OPEN
            and d["status"] in (DisputeStatus.AWAITING_RESPONSE, DisputeStatus.NEGOTIATION)
            and o["release_amount"] <= Snapshot.escrow(ms)
        )
        done = self.attempt(lambda m: m.disputes.accept_offer(who, o["id"]), expect=fits)
        if not isinstance(done, DomainError):
            escrow = Snapshot.escrow(ms)
            fee = self.settle_model(ms, o["release_amount"], escrow - o["release_amount"])
            assert (done.released, done.refunded, done.fee) == (
                o["release_amount"],
                escrow - o["release_amount"],
                fee,
            )

    @precondition(has("disputes"))
    @rule(
        i=pick,
        s=smart,
        verdict=st.sampled_from(list(DisputeResolution)[:3]),
        part=fraction,
        as_admin=st.integers(0, 5),
    )
    def resolve_dispute(
        self, i: int, s: int, verdict: DisputeResolution, part: int, as_admin: int
    ) -> None:
        d = self.choose(self.s.disputes, lambda d: d["status"] in OPEN_DISPUTE, i, s)
        ms, contract = self.dispute_of(d)
        escrow = Snapshot.escrow(ms)
        who = self.admin if as_admin else self.parties(contract)[0]
        split = escrow * part // 100
        release = {"release": escrow, "refund": 0, "split": split}[verdict.value]
        fits = (
            as_admin != 0
            and d["status"] in OPEN_DISPUTE
            and (verdict is not DisputeResolution.SPLIT or 0 < split < escrow)
        )
        done = self.attempt(
            lambda m: m.disputes.resolve(
                who, d["id"], verdict, release_amount=split, note="Decided on the record"
            ),
            expect=fits,
            code=None if as_admin else "admin.only",
        )
        if not isinstance(done, DomainError):
            fee = self.settle_model(ms, release, escrow - release)
            assert (done.released, done.refunded, done.fee) == (release, escrow - release, fee)

    # --- balances and payouts --------------------------------------------------------

    @rule(who=pick, s=smart, part=st.integers(1, 130))
    def request_payout(self, who: int, s: int, part: int) -> None:
        minimum = self.settings.min_payout
        rich = [p for p in self.people if self.s.balance(ledger.available(p.user_id)) >= minimum]
        user = nth(rich if rich and s else self.people, who)
        available = self.s.balance(ledger.available(user.user_id))
        asked = max(1, available * part // 100)
        fits = user is not self.banned and self.settings.min_payout <= asked <= available
        done = self.attempt(
            lambda m: m.payouts.request(user, asked, "IBAN DE44 5001 0517 5407 3249 31"),
            expect=fits,
            code="user.banned" if user is self.banned else None,
        )
        if not isinstance(done, DomainError):
            self.credit(ledger.available(user.user_id), -asked)
            self.credit(ledger.payout_hold(user.user_id), asked)

    @precondition(has("payouts"))
    @rule(i=pick, s=smart, paid=st.booleans(), as_admin=st.integers(0, 5))
    def decide_payout(self, i: int, s: int, paid: bool, as_admin: int) -> None:
        p = self.choose(self.s.payouts, lambda p: p["status"] is PayoutStatus.REQUESTED, i, s)
        who = self.admin if as_admin else self.actor(p["user_id"])
        fits = as_admin != 0 and p["status"] is PayoutStatus.REQUESTED
        if paid:
            done = self.attempt(lambda m: m.payouts.mark_paid(who, p["id"]), expect=fits)
        else:
            done = self.attempt(lambda m: m.payouts.reject(who, p["id"], "Wrong IBAN"), expect=fits)
        if not isinstance(done, DomainError):
            self.credit(ledger.payout_hold(p["user_id"]), -p["amount"])
            if paid:
                self.money_out += p["amount"]
            else:
                self.credit(ledger.available(p["user_id"]), p["amount"])

    # --- ending and reviewing --------------------------------------------------------

    @precondition(has("contracts"))
    @rule(i=pick, s=smart, by=PARTY_OR_STRANGER)
    def end_contract(self, i: int, s: int, by: str) -> None:
        def held(c: Row) -> bool:
            return any(
                Snapshot.escrow(m) > 0
                for m in self.s.milestones.values()
                if m["contract_id"] == c["id"]
            )

        c = self.choose(self.s.contracts, lambda c: self.active(c) and not held(c), i, s)
        employer, freelancer = self.parties(c)
        who = {"employer": employer, "freelancer": freelancer, "stranger": self.stranger}[by]
        fits = by != "stranger" and self.active(c) and not held(c)
        self.attempt(lambda m: m.contracts.end(who, c["id"]), expect=fits)

    @precondition(has("contracts"))
    @rule(i=pick, s=smart, by_employer=st.booleans(), stars=st.integers(1, 5))
    def write_review(self, i: int, s: int, by_employer: bool, stars: int) -> None:
        def open_for_reviews(c: Row) -> bool:
            """Every ending counts (refunds and verdicts too) if anything was at stake."""
            funded = any(
                m["funded_amount"] > 0
                for m in self.s.milestones.values()
                if m["contract_id"] == c["id"]
            )
            return (
                c["status"] is not ContractStatus.ACTIVE
                and funded
                and self.now() < c["ended_at"] + self.settings.review_window
            )

        c = self.choose(self.s.contracts, open_for_reviews, i, s)
        employer, freelancer = self.parties(c)
        who = employer if by_employer else freelancer
        written = any(
            r["contract_id"] == c["id"] and r["author_id"] == who.user_id
            for r in self.s.reviews.values()
        )
        fits = open_for_reviews(c) and not written
        self.attempt(
            lambda m: m.reviews.write(who, c["id"], stars, "Clear brief, quick answers."),
            expect=fits,
        )

    # --- time ------------------------------------------------------------------------

    @rule(hours=st.sampled_from([1, 2, 6, 12, 24, 30, 37, 49, 97, 169, 337, 400]))
    def time_passes(self, hours: int) -> None:
        """The clock moves and the timer sweep runs; what fell due happens, once."""
        now = self.clock.advance(hours=hours)
        before = self.s
        decide = self.settings.award_decision_window

        def active_bids(pid: int) -> int:
            return sum(
                1
                for b in before.bids.values()
                if b["project_id"] == pid and b["status"] is BidStatus.ACTIVE
            )

        ending = {
            p["id"]
            for p in before.projects.values()
            if p["status"] is ProjectStatus.OPEN and p["bidding_ends_at"] <= now
        }
        # no bids, or the decision window is over too: closed at once
        closing = {
            pid
            for pid in ending
            if not active_bids(pid) or before.projects[pid]["bidding_ends_at"] + decide <= now
        }
        deciding = ending - closing
        closing |= {
            p["id"]
            for p in before.projects.values()
            if p["status"] is ProjectStatus.BIDDING_ENDED and p["award_by"] <= now
        }
        lapsing = {
            a["id"]
            for a in before.awards.values()
            if a["status"] is AwardStatus.PENDING and a["expires_at"] <= now
        }
        reminded = self.reminders_due(before, now)
        publishing = {
            c["id"]
            for c in before.contracts.values()
            if c["status"] is not ContractStatus.ACTIVE
            and c["reviews_published_at"] is None
            and c["ended_at"] + self.settings.review_window <= now
            and any(r["contract_id"] == c["id"] for r in before.reviews.values())
        }
        releasing = {
            m["id"]: Snapshot.escrow(m)
            for m in before.milestones.values()
            if m["status"] is MilestoneStatus.DELIVERED and m["auto_release_at"] <= now
        }
        unanswered = {
            d["id"]: d["filer_role"]
            for d in before.disputes.values()
            if d["status"] is DisputeStatus.AWAITING_RESPONSE and d["respond_by"] <= now
        }
        # an employer's silence lets the freelancer's claim stand; a freelancer's goes to
        # an admin, never to a refund
        defaulting = {did for did, role in unanswered.items() if role is PartyRole.FREELANCER}
        silenced = set(unanswered) - defaulting
        escalating = silenced | {
            d["id"]
            for d in before.disputes.values()
            if d["status"] is DisputeStatus.NEGOTIATION and d["negotiation_ends_at"] <= now
        }
        report = self.attempt(lambda m: m.timers.sweep(), expect=True)
        assert isinstance(report, SweepReport) and not report.failures, report
        # the database holds this example's world only: the sweep did exactly this
        assert (
            report.projects_closed,
            report.bidding_ended,
            report.awards_lapsed,
            report.milestones_auto_released,
            report.disputes_defaulted,
            report.disputes_escalated,
            report.due_reminders,
            report.auto_release_reminders,
            report.reviews_published,
        ) == (
            *map(len, (closing, deciding, lapsing, releasing, defaulting, escalating)),
            *map(len, reminded),
            len(publishing),
        ), report
        for name, n in vars(report).items():
            if name != "failures" and n:
                event(f"time_passes: sweep {name}")
                type(self).outcomes[f"time_passes: sweep {name}"] += 1
        again = self.attempt(lambda m: m.timers.sweep(), expect=True)
        assert again.total == 0, f"a second sweep at the same moment did more work: {again}"
        after = self.snapshot()
        for pid in closing:
            assert after.projects[pid]["status"] is ProjectStatus.CLOSED
        for pid in deciding:
            assert after.projects[pid]["status"] is ProjectStatus.BIDDING_ENDED
        for cid in publishing:
            assert after.contracts[cid]["reviews_published_at"] == now
        for aid in lapsing:
            assert after.awards[aid]["status"] is AwardStatus.LAPSED
        for mid, escrow in releasing.items():
            assert after.milestones[mid]["status"] is MilestoneStatus.RELEASED
            self.settle_model(before.milestones[mid], escrow, 0)
        for did in defaulting:
            d = after.disputes[did]
            assert (d["status"], d["resolution"]) == (
                DisputeStatus.RESOLVED,
                DisputeResolution.DEFAULT,
            )
            ms = before.milestones[d["milestone_id"]]
            escrow = Snapshot.escrow(ms)
            claim = min(d["claimed_amount"], escrow)
            self.settle_model(ms, claim, escrow - claim)
        for did in escalating:
            d = after.disputes[did]
            assert d["status"] is DisputeStatus.ARBITRATION and d["escalated_by_id"] is None
            ms = after.milestones[d["milestone_id"]]
            assert Snapshot.escrow(ms) == Snapshot.escrow(before.milestones[ms["id"]])
        untouched = set(before.disputes) - defaulting - escalating
        for did in untouched:
            assert after.disputes[did]["status"] == before.disputes[did]["status"]

    def reminders_due(self, before: Snapshot, now: datetime) -> tuple[set[int], set[int]]:
        """The milestones a sweep at ``now`` must remind: (due date, auto-release).

        The latest stage reached of each schedule, unless it or a later one was dealt
        with; a stage whose moment came before funding (or delivery) is not announced.
        """
        s = self.settings
        overdue = [s.overdue_reminder_interval * n for n in range(1, s.overdue_reminder_max + 1)]
        due_offsets = [-s.due_reminder_before, timedelta(0), *overdue]
        release_offsets = sorted(-d for d in s.auto_release_reminders)

        async def rows() -> dict[tuple[int, str, datetime], int]:
            async with self.db.uow() as uow:
                found = await uow.session.execute(
                    select(Reminder.subject_id, Reminder.kind, Reminder.target_at, Reminder.seq)
                )
                done: dict[tuple[int, str, datetime], int] = {}
                for mid, kind, target, seq in found.all():
                    key = (int(mid), str(kind), target)
                    done[key] = max(done.get(key, -1), int(seq))
                return done

        done = self.run(rows())

        def due(
            m: Row,
            kind: str,
            deadline: datetime | None,
            since: datetime | None,
            offsets: list[timedelta],
        ) -> bool:
            if deadline is None:
                return False
            reached = [n for n, off in enumerate(offsets) if deadline + off <= now]
            if not reached or done.get((m["id"], kind, deadline), -1) >= reached[-1]:
                return False
            return since is not None and deadline + offsets[reached[-1]] >= since

        dues = {
            m["id"]
            for m in before.milestones.values()
            if m["status"] is MilestoneStatus.FUNDED
            and due(m, "due", m["due_at"], m["funded_at"], due_offsets)
        }
        releases = {
            m["id"]
            for m in before.milestones.values()
            if m["status"] is MilestoneStatus.DELIVERED
            and m["auto_release_at"] > now
            and due(m, "auto_release", m["auto_release_at"], m["delivered_at"], release_offsets)
        }
        return dues, releases

    # --- idempotency -----------------------------------------------------------------

    @rule(i=pick, tamper=st.integers(0, 3))
    def replay_a_ledger_key(self, i: int, tamper: int) -> None:
        """Post an earlier transaction's key again: the same postings move nothing;
        different amounts under the same key are refused."""

        async def books() -> tuple[int, int, dict[int, int]]:
            async with self.db.uow() as uow:
                s = uow.session
                txs = (await s.execute(select(func.count(LedgerTransaction.id)))).scalar()
                postings = (await s.execute(select(func.count(Posting.id)))).scalar()
                stmt = select(Posting.account_id, func.sum(Posting.amount)).group_by(
                    Posting.account_id
                )
                balances = {int(a): int(b) for a, b in (await s.execute(stmt)).all()}
                return int(txs or 0), int(postings or 0), balances

        async def earlier() -> tuple[str, str, list[tuple[str, int]]] | None:
            async with self.db.uow() as uow:
                stmt = select(LedgerTransaction).order_by(LedgerTransaction.id)
                rows = list((await uow.session.execute(stmt)).scalars())
                if not rows:
                    return None
                tx = nth(rows, i)
                return tx.idempotency_key, tx.kind, await uow.accounts.postings_of(tx.id)

        found = self.run(earlier())
        if found is None:
            return
        key, kind, postings = found
        if tamper == 0:
            postings = [(code, value * 2) for code, value in postings]
        before = self.run(books())

        async def post(m: Marketplace) -> ledger.Transfer:
            return await ledger.Ledger(m.ctx.uow).post(key, kind, postings, now=self.now())

        done = self.attempt(post, expect=tamper != 0)
        if tamper == 0:
            assert isinstance(done, IdempotencyConflict), repr(done)
        else:
            assert done.replayed and sorted(done.postings) == sorted(postings)
        assert self.run(books()) == before, "replaying a key moved money"
        self.unchanged_expected = True

    # --- after every step ------------------------------------------------------------

    @invariant()
    def the_rules_hold(self) -> None:
        """The books, the legal states, the model; and a refusal (or replay) changed nothing."""
        if self.snap is None:  # before the world exists
            return

        async def check() -> Snapshot:
            async with self.db.uow() as uow:
                await assert_consistent(uow)
                return await take_snapshot(uow, [p.user_id for p in self.people])

        before, after = self.s, self.run(check())
        if self.unchanged_expected:
            assert before == after, (
                f"a refused or replayed step changed things: {differences(before, after)}"
            )
            self.unchanged_expected = False
        self.snap = after
        self.check_model(after)

    def check_model(self, snap: Snapshot) -> None:
        # The model does not follow a refund to the source (Stars) through its hold
        # (core/services/refunds.py, tested in test_refunds.py), and nothing here asks the
        # gateway: money on its way back is still the payer's, as the model has it.
        actual: dict[str, int] = {}
        for code, amount in snap.balances.items():
            mine = (
                code.removesuffix(":refund_hold") + ":available"
                if code.endswith(":refund_hold")
                else code
            )
            actual[mine] = actual.get(mine, 0) + amount
        codes = set(self.expected) | set(actual)
        wrong = {
            c: (self.expected.get(c, 0), actual.get(c, 0))
            for c in sorted(codes)
            if self.expected.get(c, 0) != actual.get(c, 0)
        }
        assert not wrong, f"balances differ from the model (expected, actual): {wrong}"
        for mid, m in snap.milestones.items():
            actual = [
                m["funded_amount"],
                m["released_amount"],
                m["refunded_amount"],
                m["fee_amount"],
            ]
            assert actual == self.expected_ms.get(mid, [0, 0, 0, 0]), (mid, actual)
        fees = sum(model[3] for model in self.expected_ms.values())
        held = sum(self.expected.values())
        assert self.money_in == held + fees + self.money_out, "the model lost or made money"
        # the same in the database's own terms: what came in through the gateways is
        # on balances, in escrow, taken as fees or paid out
        paid_in = sum(
            p["amount"] for p in snap.payments.values() if p["status"] is PaymentStatus.SUCCEEDED
        )
        paid_out = sum(
            p["amount"] for p in snap.payouts.values() if p["status"] is PayoutStatus.PAID
        )
        db_fees = sum(m["fee_amount"] for m in snap.milestones.values())
        assert paid_in == sum(snap.balances.values()) + db_fees + paid_out
        assert (paid_in, paid_out) == (self.money_in, self.money_out)


@pytest.fixture
def machine(db: Database, settings: Settings) -> type[MarketplaceMachine]:
    """The machine on this test's database (a copy of the template on SQLite)."""

    class Machine(MarketplaceMachine):
        database_url = db.url
        base_settings = settings
        outcomes: ClassVar[Counter[str]] = Counter()

    return Machine


#: Lives per hundred examples of the loaded Hypothesis profile (tests/conftest.py): a
#: life is dozens of service calls on a real database, not one call of a function.
LIVES_PER_HUNDRED = {"sqlite": 15, "postgresql": 12}


def test_marketplace_lives(machine: type[MarketplaceMachine], backend: str) -> None:
    profile = hsettings.default
    run_state_machine_as_test(
        machine,
        settings=hsettings(
            profile,
            max_examples=max(1, profile.max_examples * LIVES_PER_HUNDRED[backend] // 100),
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    for name, n in sorted(machine.outcomes.items()):
        print(f"{n:5d}  {name}")
