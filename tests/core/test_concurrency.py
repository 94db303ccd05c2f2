"""Real races on PostgreSQL: separate units of work on one engine, in flight together.

Each race opens one unit of work per contender (each on its own connection,
checked by backend pid), lines them up on an ``asyncio.Barrier`` and lets them
go at once. Most races are also run through a *gate*: a side session holds a
lock the contenders must pass (a row lock, or a table lock that blocks their
writes), the test waits until PostgreSQL reports every contender blocked on a
lock, and only then opens the gate. That forces the interleaving the code has
to survive ("both read the old state, then both try to write") instead of
hoping the scheduler produces it. Rounds alternate gated and free-running
starts and swap the contenders' order.

The losers of a race must get a :class:`DomainError`; anything else
(IntegrityError, deadlock, serialization failure) is re-raised and fails the
test. After every race the books and the legal states are checked with the
invariant queries of :mod:`tests.core.stateful_support`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from core import ledger
from core.actors import Actor
from core.clock import FrozenClock
from core.errors import (
    Conflict,
    DomainError,
    InsufficientFunds,
    InvalidState,
    ValidationFailed,
)
from core.gateways import SANDBOX, STARS, Gateways
from core.marketplace import Marketplace
from core.services.timers import SweepReport
from core.settings import Settings
from storage.db import Database
from storage.enums import (
    AwardStatus,
    BidStatus,
    MilestoneStatus,
    PaymentStatus,
    PayoutStatus,
    ProjectStatus,
)
from storage.models import Award, Bid, Contract, LedgerTransaction, Payment, Payout, Project
from tests.core.stateful_support import assert_consistent
from tests.harness import Harness

pytestmark = pytest.mark.postgres

ROUNDS = 12
GATE_TIMEOUT = 15.0  # seconds for every contender to reach the gate
GATEWAYS = Gateways([SANDBOX, STARS])

Call = Callable[[Marketplace], Awaitable[Any]]


@dataclass
class Result:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Race:
    """Contenders in their own units of work, released together (optionally through a gate)."""

    db: Database
    settings: Settings
    clock: FrozenClock

    async def __call__(
        self,
        calls: Sequence[Call],
        *,
        gate: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> list[Result]:
        n = len(calls)
        lined_up = asyncio.Barrier(n + 1)
        pids: list[int] = []
        tasks = [asyncio.ensure_future(self.contend(c, pids, lined_up)) for c in calls]

        async def gatekeeper() -> bool:
            """Hold the gate until every contender waits on a lock; True if they all did."""
            async with self.gate(gate, params):
                await lined_up.wait()
                return gate is None or await self.blocked(pids, n, tasks)

        outcomes = await asyncio.gather(gatekeeper(), *tasks, return_exceptions=True)
        for outcome in outcomes:  # everyone has finished: now let a leaked error fail the test
            if isinstance(outcome, BaseException):
                raise outcome
        all_blocked, *results = outcomes
        assert len(set(pids)) == n, f"contenders shared a connection: {pids}"
        assert all_blocked, "the contenders never all waited at the gate: the race was not run"
        return results

    async def contend(
        self, call: Call, pids: list[int], lined_up: asyncio.Barrier | None = None
    ) -> Result:
        """One contender: its own unit of work (and connection), committed either way.

        Only a domain error is an answer; anything else propagates and fails the test.
        """
        async with self.db.uow() as uow:
            pid = (await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar()
            pids.append(int(pid))
            market = Marketplace(uow, self.settings, self.clock, GATEWAYS)
            if lined_up is not None:
                await lined_up.wait()
            try:
                value = await call(market)
            except DomainError as error:
                await uow.commit()  # a refusal changed nothing: committing proves it
                return Result(error=error)
            await uow.commit()
            return Result(value=value)

    @asynccontextmanager
    async def gate(self, sql: str | None, params: dict[str, Any] | None) -> AsyncIterator[None]:
        """A side session holding a lock for the length of the block."""
        async with self.db.engine.connect() as conn:
            if sql is not None:
                await conn.execute(text(sql), params or {})
            try:
                yield
            finally:
                await conn.commit()

    async def blocked(self, pids: list[int], n: int, tasks: Sequence[asyncio.Future[Any]]) -> bool:
        """Wait until ``n`` contenders wait on a lock (True), or one of them finished (False)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GATE_TIMEOUT
        query = text(
            "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid = ANY(:pids)"
        )
        async with self.db.engine.connect() as conn:
            while True:
                waiting = (await conn.execute(query, {"pids": list(pids)})).scalar()
                await conn.rollback()
                if len(pids) == n and waiting == n:
                    return True
                if any(t.done() for t in tasks) or loop.time() > deadline:
                    return False
                await asyncio.sleep(0.002)  # polling PostgreSQL's lock table, not a sync sleep


@pytest.fixture
def race(db: Database, settings: Settings, clock: FrozenClock) -> Race:
    return Race(db, settings, clock)


def gated(round_: int) -> bool:
    """Even rounds go through the gate, odd rounds start free-running."""
    return round_ % 2 == 0


def ordered(round_: int, calls: list[Call]) -> list[Call]:
    """Swap the contenders' launch order every other pair of rounds."""
    return calls if (round_ // 2) % 2 == 0 else calls[::-1]


MILESTONE_GATE = "SELECT id FROM milestones WHERE id = :id FOR UPDATE"
PROJECT_GATE = "SELECT id FROM projects WHERE id = :id FOR UPDATE"
ACCOUNT_GATE = "SELECT id FROM accounts WHERE code = :code FOR UPDATE"
# SHARE blocks INSERT/UPDATE/DELETE on bids but not SELECT ... FOR UPDATE: both bidders
# get past their "do I already have a bid?" check and meet at the insert.
BIDS_WRITE_GATE = "LOCK TABLE bids IN SHARE MODE"
PAYMENTS_WRITE_GATE = "LOCK TABLE payments IN SHARE MODE"


async def books(db: Database) -> None:
    async with db.uow() as uow:
        await assert_consistent(uow)


def errors(results: list[Result]) -> list[DomainError]:
    return [r.error for r in results if isinstance(r.error, DomainError)]


async def funded_milestone(h: Harness, employer: Actor, contract: Contract, amount: int) -> int:
    return (await h.milestone(employer, contract.id, amount)).id


async def column(db: Database, stmt: Any) -> list[Any]:
    """The first column of a query's rows, read in a unit of work of its own."""
    async with db.uow() as uow:
        return list((await uow.session.execute(stmt)).scalars())


async def rows(db: Database, stmt: Any) -> list[tuple[Any, ...]]:
    async with db.uow() as uow:
        return [tuple(r) for r in (await uow.session.execute(stmt)).all()]


async def ledger_kinds(db: Database, milestone_id: int) -> list[str]:
    return await column(
        db,
        select(LedgerTransaction.kind)
        .where(LedgerTransaction.milestone_id == milestone_id)
        .order_by(LedgerTransaction.id),
    )


# --- the suite really runs here ------------------------------------------------------


async def test_the_suite_really_runs_on_postgresql(db: Database, database_url: str) -> None:
    """TEST_POSTGRES_URL set means PostgreSQL: a misconfiguration cannot pass as SQLite."""
    assert os.environ.get("TEST_POSTGRES_URL", "").strip(), "postgres tests ran without the URL"
    assert make_url(database_url).get_backend_name() == "postgresql"
    assert db.backend == "postgresql"
    assert db.engine.dialect.name == "postgresql"
    async with db.uow() as uow:
        assert uow.session.get_bind().dialect.name == "postgresql"
        version = (await uow.session.execute(text("SHOW server_version"))).scalar()
        isolation = (await uow.session.execute(text("SHOW transaction_isolation"))).scalar()
    assert version
    assert isolation == "read committed"


# --- money leaving escrow ------------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "loser_kind", "loser_code"),
    [
        ((None, None), InvalidState, "milestone.not_releasable"),
        ((6_000, 6_000), ValidationFailed, "milestone.release_exceeds"),
    ],
    ids=["full-full", "partial-partial"],
)
async def test_two_releases_of_one_milestone_move_money_once(
    h: Harness,
    race: Race,
    db: Database,
    amounts: tuple[int | None, int | None],
    loser_kind: type[DomainError],
    loser_code: str,
) -> None:
    employer, freelancer, contract = await h.hire()
    paid = 0
    for round_ in range(ROUNDS):
        mid = await funded_milestone(h, employer, contract, 10_000)
        if round_ % 3 == 0:
            async with h.tx() as m:
                await m.milestones.deliver(freelancer, mid, "Done, please have a look")
        calls: list[Call] = [
            lambda m, a=a, mid=mid: m.milestones.release(employer, mid, a)  # type: ignore[misc]
            for a in amounts
        ]
        results = await race(
            ordered(round_, calls),
            gate=MILESTONE_GATE if gated(round_) else None,
            params={"id": mid},
        )
        winners = [r for r in results if r.ok]
        assert len(winners) == 1, results
        (loser,) = errors(results)
        assert isinstance(loser, loser_kind) and loser.code == loser_code, repr(loser)
        released = winners[0].value.released
        assert released == (amounts[0] or 10_000)
        paid += released - released // 10
        ms = await h.get_milestone(mid)
        assert ms.released_amount == released
        assert ms.escrow == 10_000 - released
        assert await h.available(freelancer) == paid
        assert (await ledger_kinds(db, mid)).count("release") == 1
        await books(db)


async def test_a_double_tapped_release_with_one_request_key_pays_once(
    h: Harness, race: Race, db: Database
) -> None:
    employer, freelancer, contract = await h.hire()
    paid = 0
    for round_ in range(ROUNDS):
        mid = await funded_milestone(h, employer, contract, 10_000)
        key = f"tap-{round_}"
        calls: list[Call] = [
            lambda m, mid=mid, key=key: m.milestones.release(employer, mid, 4_000, request_key=key),
            lambda m, mid=mid, key=key: m.milestones.release(employer, mid, 4_000, request_key=key),
        ]
        results = await race(
            calls, gate=MILESTONE_GATE if gated(round_) else None, params={"id": mid}
        )
        assert all(r.ok for r in results), results
        assert sorted(r.value.replayed for r in results) == [False, True]
        paid += 4_000 - 400
        ms = await h.get_milestone(mid)
        assert (ms.released_amount, ms.escrow, ms.status) == (4_000, 6_000, MilestoneStatus.FUNDED)
        assert await h.available(freelancer) == paid
        await books(db)


@pytest.mark.parametrize("filer", ["employer", "freelancer"])
async def test_a_release_racing_a_dispute_lets_exactly_one_win(
    h: Harness, race: Race, db: Database, filer: str
) -> None:
    employer, freelancer, contract = await h.hire()
    disputer = employer if filer == "employer" else freelancer
    for round_ in range(ROUNDS):
        mid = await funded_milestone(h, employer, contract, 10_000)
        async with h.tx() as m:
            await m.milestones.deliver(freelancer, mid, "Done, please have a look")
        calls: list[Call] = [
            lambda m, mid=mid: m.milestones.release(employer, mid),
            lambda m, mid=mid: m.disputes.open(
                disputer,
                mid,
                reason="The work does not match the brief",
                claimed_amount=5_000,
                deliverables=[0] if disputer is employer else [],
            ),
        ]
        results = await race(
            ordered(round_, calls),
            gate=MILESTONE_GATE if gated(round_) else None,
            params={"id": mid},
        )
        by_name = dict(zip(["release", "dispute"], ordered(round_, [0, 1]), strict=True))
        release, dispute = results[by_name["release"]], results[by_name["dispute"]]
        assert release.ok != dispute.ok, results
        ms = await h.get_milestone(mid)
        if release.ok:
            assert isinstance(dispute.error, InvalidState)
            assert dispute.error.code == "dispute.nothing_to_dispute"
            assert (ms.status, ms.escrow, ms.released_amount) == (
                MilestoneStatus.RELEASED,
                0,
                10_000,
            )
        else:
            assert isinstance(release.error, InvalidState)
            assert release.error.code == "milestone.disputed"
            assert (ms.status, ms.escrow, ms.released_amount) == (
                MilestoneStatus.DISPUTED,
                10_000,
                0,
            )
        await books(db)


async def test_a_freelancer_refund_racing_an_employer_dispute_lets_exactly_one_win(
    h: Harness, race: Race, db: Database
) -> None:
    employer, freelancer, contract = await h.hire()
    refunded = 0
    for round_ in range(ROUNDS):
        mid = await funded_milestone(h, employer, contract, 10_000)
        calls: list[Call] = [
            lambda m, mid=mid: m.milestones.cancel(freelancer, mid),
            lambda m, mid=mid: m.disputes.open(
                employer,
                mid,
                deliverables=[0],
                reason="Nothing was delivered at all",
                claimed_amount=10_000,
            ),
        ]
        results = await race(
            ordered(round_, calls),
            gate=MILESTONE_GATE if gated(round_) else None,
            params={"id": mid},
        )
        assert sum(r.ok for r in results) == 1, results
        (loser,) = errors(results)
        ms = await h.get_milestone(mid)
        if ms.status is MilestoneStatus.REFUNDED:
            refunded += 10_000
            assert loser.code == "dispute.nothing_to_dispute"
        else:
            assert ms.status is MilestoneStatus.DISPUTED
            assert loser.code == "milestone.disputed"
        assert await h.available(employer) == refunded
        await books(db)


# --- awards -------------------------------------------------------------------------


async def test_two_offers_on_one_project_leave_one_pending_award(
    h: Harness, race: Race, db: Database
) -> None:
    employer = await h.employer()
    first, second = await h.freelancer("Fay"), await h.freelancer("Gus")
    for round_ in range(ROUNDS):
        pid = await h.open_project(employer)
        bids = [await h.bid(first, pid), await h.bid(second, pid)]
        calls: list[Call] = [lambda m, b=b: m.awards.offer(employer, b) for b in bids]  # type: ignore[misc]
        results = await race(
            ordered(round_, calls), gate=PROJECT_GATE if gated(round_) else None, params={"id": pid}
        )
        assert sum(r.ok for r in results) == 1, results
        (loser,) = errors(results)
        assert isinstance(loser, Conflict) and loser.code == "award.pending_exists"
        awards = await column(db, select(Award.status).where(Award.project_id == pid))
        project = await column(db, select(Project.status).where(Project.id == pid))
        bid_states = await column(db, select(Bid.status).where(Bid.project_id == pid))
        assert awards == [AwardStatus.PENDING]
        assert project == [ProjectStatus.AWARDED]
        assert sorted(bid_states) == sorted([BidStatus.ACTIVE, BidStatus.AWARDED])
        await books(db)


async def test_two_accepts_of_one_award_make_one_contract(
    h: Harness, race: Race, db: Database
) -> None:
    employer, freelancer = await h.employer(), await h.freelancer()
    for round_ in range(ROUNDS):
        pid = await h.open_project(employer)
        bid_id = await h.bid(freelancer, pid)
        async with h.tx() as m:
            award = await m.awards.offer(employer, bid_id)
        calls: list[Call] = [
            lambda m, a=award.id: m.awards.accept(freelancer, a),
            lambda m, a=award.id: m.awards.accept(freelancer, a),
        ]
        results = await race(
            calls, gate=PROJECT_GATE if gated(round_) else None, params={"id": pid}
        )
        assert sum(r.ok for r in results) == 1, results
        (loser,) = errors(results)
        assert isinstance(loser, Conflict) and loser.code == "award.already_accepted"
        assert await column(
            db, select(func.count(Contract.id)).where(Contract.project_id == pid)
        ) == [1]
        await books(db)


async def test_an_accept_racing_a_withdrawal_lets_exactly_one_win(
    h: Harness, race: Race, db: Database
) -> None:
    employer, freelancer = await h.employer(), await h.freelancer()
    for round_ in range(ROUNDS):
        pid = await h.open_project(employer)
        bid_id = await h.bid(freelancer, pid)
        async with h.tx() as m:
            award = await m.awards.offer(employer, bid_id)
        calls: list[Call] = [
            lambda m, a=award.id: m.awards.accept(freelancer, a),
            lambda m, a=award.id: m.awards.withdraw(employer, a),
        ]
        results = await race(
            ordered(round_, calls), gate=PROJECT_GATE if gated(round_) else None, params={"id": pid}
        )
        assert sum(r.ok for r in results) == 1, results
        (loser,) = errors(results)
        (project,) = await column(db, select(Project.status).where(Project.id == pid))
        (final,) = await column(db, select(Award.status).where(Award.id == award.id))
        contracts = await column(db, select(Contract.id).where(Contract.project_id == pid))
        if final is AwardStatus.ACCEPTED:
            assert loser.code == "award.accepted" and len(contracts) == 1
            assert project is ProjectStatus.IN_PROGRESS
        else:
            assert final is AwardStatus.WITHDRAWN
            assert loser.code == "award.withdrawn" and contracts == []
            assert project is ProjectStatus.OPEN
        await books(db)


# --- money coming in ----------------------------------------------------------------


async def _stars_invoice(h: Harness, employer: Actor, contract: Contract, amount: int) -> Payment:
    ms = await h.milestone(employer, contract.id, amount, fund=False)
    async with h.db.uow() as uow:
        market = Marketplace(uow, h.settings, h.clock, GATEWAYS)
        started = await market.milestones.start_funding(employer, ms.id, "stars")
        await uow.commit()
    assert not started.funded
    return started.payment


async def test_two_confirmations_of_one_charge_credit_it_once(
    h: Harness, race: Race, db: Database
) -> None:
    employer, _, contract = await h.hire()
    received = 0
    for round_ in range(ROUNDS):
        payment = await _stars_invoice(h, employer, contract, 5_000)
        charge = f"stars-charge-{round_}"
        calls: list[Call] = [
            lambda m, p=payment.id, c=charge: m.payments.confirm(p, c, 5_000),
            lambda m, p=payment.id, c=charge: m.payments.confirm(p, c, 5_000),
        ]
        results = await race(
            calls,
            gate=MILESTONE_GATE if gated(round_) else None,
            params={"id": payment.milestone_id},
        )
        assert sum(r.ok for r in results) == 1, results
        (loser,) = errors(results)
        assert isinstance(loser, Conflict) and loser.code == "payment.already_confirmed"
        received += 5_000
        ms = await h.get_milestone(payment.milestone_id)
        assert (ms.status, ms.escrow) == (MilestoneStatus.FUNDED, 5_000)
        assert await h.balance(ledger.external("stars")) == -received
        assert await h.available(employer) == 0
        await books(db)


async def test_one_charge_id_confirmed_for_two_invoices_is_credited_once(
    h: Harness, race: Race, db: Database
) -> None:
    """A charge id replayed against another invoice (a forged or mangled update)."""
    employer, _, contract = await h.hire()
    for round_ in range(ROUNDS):
        first = await _stars_invoice(h, employer, contract, 5_000)
        second = await _stars_invoice(h, employer, contract, 5_000)
        charge = f"stars-shared-{round_}"
        calls: list[Call] = [
            lambda m, p=first.id, c=charge: m.payments.confirm(p, c, 5_000),
            lambda m, p=second.id, c=charge: m.payments.confirm(p, c, 5_000),
        ]
        results = await race(
            ordered(round_, calls), gate=PAYMENTS_WRITE_GATE if gated(round_) else None
        )
        assert sum(r.ok for r in results) == 1, results
        (loser,) = errors(results)
        # payment.already_confirmed when the loser sees the winner's commit in its own check,
        # conflict.duplicate when only the unique key on (gateway, external_id) stops it.
        assert isinstance(loser, Conflict), repr(loser)
        assert loser.code in ("payment.already_confirmed", "conflict.duplicate"), repr(loser)
        succeeded = await column(
            db,
            select(func.count(Payment.id)).where(
                Payment.external_id == charge, Payment.status == PaymentStatus.SUCCEEDED
            ),
        )
        assert succeeded == [1]
        await books(db)


# --- bids ---------------------------------------------------------------------------


async def test_two_bids_by_one_freelancer_on_one_project_make_one_bid(
    h: Harness, race: Race, db: Database
) -> None:
    employer, freelancer = await h.employer(), await h.freelancer()
    for round_ in range(ROUNDS):
        pid = await h.open_project(employer)
        calls: list[Call] = [
            lambda m, a=a, pid=pid: m.bids.place(  # type: ignore[misc]
                freelancer,
                pid,
                amount=a,
                delivery_days=7,
                proposal="I can start today and deliver within a week.",
            )
            for a in (20_000, 25_000)
        ]
        results = await race(
            ordered(round_, calls), gate=BIDS_WRITE_GATE if gated(round_) else None
        )
        assert sum(r.ok for r in results) == 1, results
        (loser,) = errors(results)
        assert isinstance(loser, Conflict) and loser.code == "bid.exists", repr(loser)
        bids = await rows(db, select(Bid.id, Bid.amount, Bid.status).where(Bid.project_id == pid))
        winner = next(r.value for r in results if r.ok)
        assert bids == [(winner.id, winner.amount, BidStatus.ACTIVE)]
        await books(db)


async def test_a_bid_placed_while_the_project_is_cancelled_is_not_left_active(
    h: Harness, race: Race, db: Database
) -> None:
    """Place reads the project as open, then the employer cancels, then the bid lands.

    The gate holds the freelancer's retracted bid row, which placing locks (to re-place
    it) and cancelling does not touch, so the interleaving is forced: placing has read the
    project and waits; the cancellation runs meanwhile; then placing goes on. A correct
    ``place`` either sees the cancellation (refused) or makes the cancellation wait and
    close the new bid; either way no active bid is left on a cancelled project.
    """
    employer, freelancer = await h.employer(), await h.freelancer()
    for _ in range(3):
        pid = await h.open_project(employer)
        bid_id = await h.bid(freelancer, pid)
        async with h.tx() as m:
            await m.bids.retract(freelancer, bid_id)

        def place(m: Marketplace, pid: int = pid) -> Awaitable[Any]:
            return m.bids.place(
                freelancer,
                pid,
                amount=20_000,
                delivery_days=7,
                proposal="Back again: I can start today and deliver in a week.",
            )

        def cancel(m: Marketplace, pid: int = pid) -> Awaitable[Any]:
            return m.projects.cancel(employer, pid)

        place_pids: list[int] = []
        cancel_pids: list[int] = []
        async with race.gate("SELECT id FROM bids WHERE id = :id FOR UPDATE", {"id": bid_id}):
            placing = asyncio.ensure_future(race.contend(place, place_pids))
            assert await race.blocked(place_pids, 1, [placing]), "placing never reached the gate"
            cancelling = asyncio.ensure_future(race.contend(cancel, cancel_pids))
            # As the code is, the cancellation finishes; were place to lock the project,
            # the cancellation would wait for it instead. Either way, open the gate then.
            await race.blocked(cancel_pids, 1, [cancelling])
        results = await asyncio.gather(placing, cancelling)
        assert results[1].ok, results
        await books(db)


# --- money going out ----------------------------------------------------------------


async def test_two_payouts_beyond_the_balance_pay_only_what_it_allows(
    h: Harness, race: Race, db: Database
) -> None:
    employer, freelancer, contract = await h.hire()
    admin = await h.admin()
    for round_ in range(ROUNDS):
        mid = await funded_milestone(h, employer, contract, 20_000)
        async with h.tx() as m:
            await m.milestones.release(employer, mid)
        available = await h.available(freelancer)
        ask = available // 2 + 1  # either fits alone, both together do not
        calls: list[Call] = [
            lambda m, ask=ask: m.payouts.request(freelancer, ask, "IBAN DE00 1234"),
            lambda m, ask=ask: m.payouts.request(freelancer, ask, "IBAN DE00 1234"),
        ]
        results = await race(
            calls,
            gate=ACCOUNT_GATE if gated(round_) else None,
            params={"code": ledger.available(freelancer.user_id)},
        )
        assert sum(r.ok for r in results) == 1, results
        (loser,) = errors(results)
        assert isinstance(loser, InsufficientFunds), repr(loser)
        assert await h.available(freelancer) == available - ask
        assert await h.balance(ledger.payout_hold(freelancer.user_id)) == ask
        requested = await rows(
            db,
            select(Payout.id, Payout.amount).where(
                Payout.user_id == freelancer.user_id, Payout.status == PayoutStatus.REQUESTED
            ),
        )
        assert [amount for _, amount in requested] == [ask]
        await books(db)
        async with h.tx() as m:  # pay it, so the next round starts with an empty hold
            await m.payouts.mark_paid(admin, requested[0][0])


async def test_two_payouts_within_the_balance_both_go_through(
    h: Harness, race: Race, db: Database
) -> None:
    employer, freelancer, contract = await h.hire()
    mid = await funded_milestone(h, employer, contract, 20_000)
    async with h.tx() as m:
        await m.milestones.release(employer, mid)
    available = await h.available(freelancer)
    calls: list[Call] = [
        lambda m: m.payouts.request(freelancer, available // 2, "IBAN DE00 1234"),
        lambda m: m.payouts.request(freelancer, available // 2, "IBAN DE00 1234"),
    ]
    results = await race(
        calls, gate=ACCOUNT_GATE, params={"code": ledger.available(freelancer.user_id)}
    )
    assert all(r.ok for r in results), results
    assert await h.balance(ledger.payout_hold(freelancer.user_id)) == available // 2 * 2
    await books(db)


# --- the ledger itself ----------------------------------------------------------------


@pytest.mark.parametrize("amount", [3_000, 6_000], ids=["both-fit", "one-fits"])
async def test_one_ledger_key_posted_twice_at_once_moves_money_once(
    h: Harness, race: Race, db: Database, amount: int
) -> None:
    """The same idempotency key from two processes: one posting, one replay, never an error.

    With 6,000 to move out of 10,000 the second attempt would not fit: it must still
    be answered as a replay of the first, not as "insufficient funds".
    """
    for round_ in range(ROUNDS):
        user, other = await h.user(f"Payer{round_}"), await h.user(f"Payee{round_}")
        source, target = ledger.available(user.user_id), ledger.available(other.user_id)
        warm = round_ % 4 < 2  # the receiving account exists already in half the rounds
        async with h.tx() as m:
            book = ledger.Ledger(m.ctx.uow)
            await book.post(
                f"test:seed:{user.user_id}",
                "deposit",
                [(ledger.external("sandbox"), -10_000), (source, 10_000)],
                now=h.clock.now(),
            )
            if warm:
                await book.post(
                    f"test:warm:{user.user_id}",
                    "test",
                    [(source, -1), (target, 1)],
                    now=h.clock.now(),
                )
        key = f"test:move:{user.user_id}"
        lines = [(source, -amount), (target, amount)]

        def post(m: Marketplace, key: str = key, lines: list[Any] = lines) -> Awaitable[Any]:
            return ledger.Ledger(m.ctx.uow).post(key, "test", lines, now=h.clock.now())

        results = await race(
            [post, post], gate=ACCOUNT_GATE if gated(round_) else None, params={"code": source}
        )
        assert all(r.ok for r in results), results
        transfers = [r.value for r in results]
        assert sorted(t.replayed for t in transfers) == [False, True]
        assert transfers[0].transaction_id == transfers[1].transaction_id
        assert await h.balance(source) == 10_000 - warm - amount
        assert await h.balance(target) == warm + amount
        await books(db)


# --- timers in two processes --------------------------------------------------------


async def test_two_sweeps_at_once_release_each_due_milestone_once(
    h: Harness, race: Race, db: Database, clock: FrozenClock
) -> None:
    employer, freelancer, contract = await h.hire()
    released = 0
    for round_ in range(ROUNDS // 2):
        due = []
        for _ in range(3):
            mid = await funded_milestone(h, employer, contract, 10_000)
            async with h.tx() as m:
                await m.milestones.deliver(freelancer, mid, "Done, please have a look")
            due.append(mid)
            clock.advance(minutes=1)
        clock.advance(h.settings.delivery_review_window)
        results = await race(
            [lambda m: m.timers.sweep(), lambda m: m.timers.sweep()],
            gate=MILESTONE_GATE if gated(round_) else None,
            params={"id": due[0]},
        )
        assert all(r.ok for r in results), results
        assert sum(r.value.milestones_auto_released for r in results) == 3
        assert all(not r.value.failures for r in results)
        for mid in due:
            assert (await h.get_milestone(mid)).status is MilestoneStatus.RELEASED
            assert (await ledger_kinds(db, mid)).count("auto_release") == 1
        released += 3 * 9_000
        assert await h.available(freelancer) == released
        await books(db)


async def test_a_release_racing_the_auto_release_sweep_pays_once(
    h: Harness, race: Race, db: Database, clock: FrozenClock
) -> None:
    """The review window just ended: the employer releases as the timer does."""
    employer, freelancer, contract = await h.hire()
    paid = 0
    for round_ in range(ROUNDS):
        mid = await funded_milestone(h, employer, contract, 10_000)
        async with h.tx() as m:
            await m.milestones.deliver(freelancer, mid, "Done, please have a look")
        clock.advance(h.settings.delivery_review_window)
        calls: list[Call] = [
            lambda m: m.timers.sweep(),
            lambda m, mid=mid: m.milestones.release(employer, mid),
        ]
        results = await race(
            ordered(round_, calls),
            gate=MILESTONE_GATE if gated(round_) else None,
            params={"id": mid},
        )
        sweep = next(r for r in results if isinstance(r.value, SweepReport))
        release = next(r for r in results if r is not sweep)
        assert not sweep.value.failures, sweep.value
        if release.ok:
            assert sweep.value.milestones_auto_released == 0
        else:
            assert sweep.value.milestones_auto_released == 1
            assert release.error is not None
            assert release.error.code == "milestone.not_releasable", repr(release.error)
        ms = await h.get_milestone(mid)
        assert (ms.status, ms.released_amount, ms.escrow) == (MilestoneStatus.RELEASED, 10_000, 0)
        kinds = await ledger_kinds(db, mid)
        assert kinds.count("release") + kinds.count("auto_release") == 1, kinds
        paid += 9_000
        assert await h.available(freelancer) == paid
        await books(db)
