"""The books and the legal states of the marketplace, written as queries.

Shared by the stateful test and the concurrency tests. Every check returns the
offending rows, so a failure names what is wrong; :func:`assert_consistent`
runs all of them. The SQL is portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pprint import pformat
from typing import Any

from sqlalchemy import func, or_, select, text

from storage.db import Database
from storage.models import (
    Account,
    Award,
    Base,
    Bid,
    Contract,
    Dispute,
    DisputeEvidence,
    DisputeOffer,
    Milestone,
    Payment,
    Payout,
    Posting,
    Project,
    Review,
    User,
)
from storage.uow import UnitOfWork

OPEN_DISPUTE = "('awaiting_response', 'negotiation', 'arbitration')"
HOLDING = "('funded', 'delivered', 'disputed')"
EMPTY = "('released', 'refunded', 'cancelled', 'rejected', 'pending', 'requested')"
ESCROW = "(m.funded_amount - m.released_amount - m.refunded_amount)"


def _flag(condition: str) -> str:
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _iff(a: str, b: str) -> str:
    """SQL that is true when exactly one of the two conditions holds (a broken equivalence)."""
    return f"{_flag(a)} <> {_flag(b)}"


# --- money -----------------------------------------------------------------------

BOOK_CHECKS: dict[str, str] = {
    "fees account differs from the milestones' fee totals": """
        SELECT f.balance, m.fees FROM
          (SELECT COALESCE(SUM(p.amount), 0) AS balance FROM postings p
             JOIN accounts a ON a.id = p.account_id WHERE a.code = 'platform:fees') f,
          (SELECT COALESCE(SUM(fee_amount), 0) AS fees FROM milestones) m
        WHERE f.balance <> m.fees
    """,
    "a milestone's fee postings differ from its fee_amount": """
        SELECT m.id, m.fee_amount, COALESCE(SUM(p.amount), 0)
        FROM milestones m
        LEFT JOIN ledger_transactions t ON t.milestone_id = m.id
        LEFT JOIN postings p ON p.transaction_id = t.id
             AND p.account_id IN (SELECT id FROM accounts WHERE code = 'platform:fees')
        GROUP BY m.id, m.fee_amount
        HAVING m.fee_amount <> COALESCE(SUM(p.amount), 0)
    """,
    "the freelancer did not get released - fee for a milestone": """
        SELECT m.id, m.released_amount - m.fee_amount, COALESCE(SUM(p.amount), 0)
        FROM milestones m
        JOIN contracts c ON c.id = m.contract_id
        LEFT JOIN ledger_transactions t ON t.milestone_id = m.id
        LEFT JOIN accounts a ON a.code = 'user:' || c.freelancer_id || ':' || 'available'
        LEFT JOIN postings p ON p.transaction_id = t.id AND p.account_id = a.id
        GROUP BY m.id, m.released_amount, m.fee_amount
        HAVING m.released_amount - m.fee_amount <> COALESCE(SUM(p.amount), 0)
    """,
    "a transaction with fewer than two postings": """
        SELECT t.id, COUNT(p.id) FROM ledger_transactions t
        LEFT JOIN postings p ON p.transaction_id = t.id
        GROUP BY t.id HAVING COUNT(p.id) < 2
    """,
    "a payout hold differs from the requested payouts": """
        SELECT * FROM (
          SELECT u.id AS user_id,
            COALESCE((SELECT SUM(p.amount) FROM postings p JOIN accounts a ON a.id = p.account_id
                      WHERE a.code = 'user:' || u.id || ':' || 'payout_hold'), 0) AS hold,
            COALESCE((SELECT SUM(o.amount) FROM payouts o
                      WHERE o.user_id = u.id AND o.status = 'requested'), 0) AS requested
          FROM users u) x
        WHERE x.hold <> x.requested
    """,
    "external:payouts differs from the paid payouts": """
        SELECT e.balance, o.paid FROM
          (SELECT COALESCE(SUM(p.amount), 0) AS balance FROM postings p
             JOIN accounts a ON a.id = p.account_id WHERE a.code = 'external:payouts') e,
          (SELECT COALESCE(SUM(amount), 0) AS paid FROM payouts WHERE status = 'paid') o
        WHERE e.balance <> o.paid
    """,
    "a payout's ledger transactions do not match its status": """
        SELECT o.id, o.status FROM payouts o
        WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t
                          WHERE t.idempotency_key = 'payout:' || o.id || ':' || 'hold')
           OR """
    + _iff(
        "o.status = 'paid'",
        "EXISTS (SELECT 1 FROM ledger_transactions t "
        "WHERE t.idempotency_key = 'payout:' || o.id || ':' || 'paid')",
    )
    + """
           OR """
    + _iff(
        "o.status = 'rejected'",
        "EXISTS (SELECT 1 FROM ledger_transactions t "
        "WHERE t.idempotency_key = 'payout:' || o.id || ':' || 'rejected')",
    )
    + """
    """,
    "a gateway's external account differs from its payments less their refunds": """
        SELECT x.gateway, x.paid, x.balance FROM (
          SELECT g.gateway,
            (SELECT COALESCE(SUM(amount - refunded_amount), 0) FROM payments
              WHERE gateway = g.gateway AND status = 'succeeded') AS paid,
            (SELECT COALESCE(-SUM(p.amount), 0) FROM postings p JOIN accounts a
              ON a.id = p.account_id WHERE a.code = 'external:' || g.gateway) AS balance
          FROM (SELECT DISTINCT gateway FROM payments) g) x
        WHERE x.paid <> x.balance
    """,
    "a succeeded payment without its deposit (or a deposit without a payment)": """
        SELECT y.id, y.status FROM payments y
        WHERE """
    + _iff(
        "y.status = 'succeeded'",
        "EXISTS (SELECT 1 FROM ledger_transactions t "
        "WHERE t.idempotency_key = 'pay:' || y.gateway || ':' || y.external_id)",
    )
    + """
           OR (y.status = 'succeeded' AND y.external_id IS NULL)
    """,
    "money outside the accounts' known kinds": """
        SELECT a.code, a.kind FROM accounts a
        WHERE a.kind NOT IN
              ('available', 'payout_hold', 'refund_hold', 'escrow', 'fees', 'external')
           OR (a.kind = 'escrow' AND a.milestone_id IS NULL)
    """,
}


async def books_problems(uow: UnitOfWork) -> dict[str, Any]:
    """Every way the money can be wrong, with the offending rows; empty when the books hold."""
    problems: dict[str, Any] = {}
    accounts = uow.accounts
    total = await accounts.total_of_all_postings()
    if total != 0:
        problems["postings do not sum to zero"] = total
    if unbalanced := await accounts.unbalanced_transactions():
        problems["unbalanced transactions"] = unbalanced
    if negative := await accounts.negative_internal_accounts():
        problems["internal accounts below zero"] = negative
    if mismatches := await accounts.escrow_mismatches():
        problems["escrow differs from funded - released - refunded"] = mismatches
    for name, sql in BOOK_CHECKS.items():
        rows = (await uow.session.execute(text(sql))).all()
        if rows:
            problems[name] = [tuple(r) for r in rows]
    return problems


# --- states ------------------------------------------------------------------------

STATE_CHECKS: dict[str, str] = {
    "a project in progress without exactly one active contract": """
        SELECT p.id, c.id, c.status FROM projects p
        LEFT JOIN contracts c ON c.project_id = p.id
        WHERE p.status = 'in_progress' AND (c.id IS NULL OR c.status <> 'active')
    """,
    "a contract whose status does not match its project's": """
        SELECT c.id, c.status, p.status FROM contracts c JOIN projects p ON p.id = c.project_id
        WHERE (c.status = 'active' AND p.status <> 'in_progress')
           OR (c.status = 'completed' AND p.status <> 'completed')
           OR (c.status = 'cancelled' AND p.status <> 'cancelled')
           OR (c.status <> 'active' AND c.ended_at IS NULL)
    """,
    "a contract in a project that never got past bidding": """
        SELECT c.id, p.status FROM contracts c JOIN projects p ON p.id = c.project_id
        WHERE p.status IN ('draft', 'open', 'bidding_ended', 'awarded', 'closed')
    """,
    "pending awards do not match the project being awarded": """
        SELECT p.id, p.status, COUNT(a.id) FROM projects p
        LEFT JOIN awards a ON a.project_id = p.id AND a.status = 'pending'
        GROUP BY p.id, p.status
        HAVING (p.status = 'awarded' AND COUNT(a.id) <> 1)
            OR (p.status <> 'awarded' AND COUNT(a.id) <> 0)
    """,
    "a bid is awarded without a pending award on it (or the reverse)": """
        SELECT b.id, b.status FROM bids b WHERE """
    + _iff(
        "b.status = 'awarded'",
        "EXISTS (SELECT 1 FROM awards a WHERE a.bid_id = b.id AND a.status = 'pending')",
    )
    + """
    """,
    "an award that does not match its bid": """
        SELECT a.id, a.status, b.status FROM awards a JOIN bids b ON b.id = a.bid_id
        WHERE a.freelancer_id <> b.freelancer_id OR a.project_id <> b.project_id
    """,
    "an accepted award without a contract (or a contract on another award)": """
        SELECT a.id, a.status, c.id FROM awards a LEFT JOIN contracts c ON c.award_id = a.id
        WHERE (a.status = 'accepted') <> (c.id IS NOT NULL)
    """,
    "a contract that does not match its award, bid and project": """
        SELECT c.id FROM contracts c
        JOIN awards a ON a.id = c.award_id
        JOIN bids b ON b.id = c.bid_id
        JOIN projects p ON p.id = c.project_id
        WHERE a.bid_id <> c.bid_id OR a.project_id <> c.project_id OR b.project_id <> c.project_id
           OR b.freelancer_id <> c.freelancer_id OR p.employer_id <> c.employer_id
           OR c.agreed_amount <> b.amount OR c.delivery_days <> b.delivery_days
           OR NOT (b.status = 'hired' OR (b.status = 'closed' AND p.status = 'cancelled'))
    """,
    "a hired bid without a contract": """
        SELECT b.id FROM bids b LEFT JOIN contracts c ON c.bid_id = b.id
        WHERE b.status = 'hired' AND c.id IS NULL
    """,
    "an active bid on a project that is not taking bids": """
        SELECT b.id, p.id, p.status FROM bids b JOIN projects p ON p.id = b.project_id
        WHERE b.status = 'active' AND p.status NOT IN ('open', 'bidding_ended', 'awarded')
    """,
    "a bid on a draft or on one's own project, or two bids by one freelancer": """
        SELECT b.project_id, b.freelancer_id, COUNT(*) FROM bids b
        JOIN projects p ON p.id = b.project_id
        GROUP BY b.project_id, b.freelancer_id, p.employer_id, p.status
        HAVING COUNT(*) > 1 OR b.freelancer_id = p.employer_id OR p.status = 'draft'
    """,
    "a milestone whose money does not fit its status": f"""
        SELECT m.id, m.status, m.amount, m.funded_amount, m.released_amount,
               m.refunded_amount, m.fee_amount
        FROM milestones m
        WHERE {ESCROW} < 0
           OR (m.status IN {EMPTY} AND {ESCROW} <> 0)
           OR (m.status IN {HOLDING} AND {ESCROW} <= 0)
           OR (m.status IN ('pending', 'requested', 'cancelled', 'rejected')
               AND m.funded_amount <> 0)
           OR (m.status = 'released' AND m.released_amount <= 0)
           OR (m.status = 'refunded' AND (m.released_amount <> 0 OR m.refunded_amount <= 0))
           OR m.funded_amount NOT IN (0, m.amount)
           OR m.fee_amount > m.released_amount
           OR (m.funded_amount > 0 AND m.funded_at IS NULL)
           OR (m.status = 'delivered' AND (m.auto_release_at IS NULL OR m.delivered_at IS NULL))
           OR (m.status NOT IN ('delivered', 'disputed') AND m.auto_release_at IS NOT NULL)
           OR (m.status IN ('released', 'refunded', 'cancelled', 'rejected')
               AND m.closed_at IS NULL)
           OR {_iff("m.status = 'disputed'", "m.status_before_dispute IS NOT NULL")}
           OR m.status_before_dispute IN ('requested', 'rejected', 'pending', 'disputed',
                                          'released', 'refunded', 'cancelled')
    """,
    "money or open work on a contract that has ended": f"""
        SELECT m.id, m.status, c.id, c.status FROM milestones m
        JOIN contracts c ON c.id = m.contract_id
        WHERE c.status <> 'active'
          AND (m.status IN ('pending', 'requested', 'funded', 'delivered', 'disputed')
               OR {ESCROW} <> 0)
    """,
    "a disputed milestone without exactly one open dispute (or the reverse)": f"""
        SELECT m.id, m.status, COUNT(d.id) FROM milestones m
        LEFT JOIN disputes d ON d.milestone_id = m.id AND d.status IN {OPEN_DISPUTE}
        GROUP BY m.id, m.status
        HAVING (m.status = 'disputed' AND COUNT(d.id) <> 1)
            OR (m.status <> 'disputed' AND COUNT(d.id) <> 0)
    """,
    "a dispute that does not match its milestone and parties": f"""
        SELECT d.id, d.status FROM disputes d
        JOIN milestones m ON m.id = d.milestone_id
        JOIN contracts c ON c.id = d.contract_id
        WHERE m.contract_id <> d.contract_id
           OR NOT ((d.filer_role = 'employer' AND d.filed_by_id = c.employer_id
                    AND d.respondent_id = c.freelancer_id)
                OR (d.filer_role = 'freelancer' AND d.filed_by_id = c.freelancer_id
                    AND d.respondent_id = c.employer_id))
           OR (d.status = 'resolved' AND (d.resolution IS NULL OR d.resolved_at IS NULL
               OR d.released_amount + d.refunded_amount <= 0))
           OR (d.status = 'withdrawn' AND (d.resolution IS NOT NULL
               OR d.released_amount + d.refunded_amount <> 0))
           OR (d.status IN {OPEN_DISPUTE} AND (d.resolved_at IS NOT NULL
               OR d.resolution IS NOT NULL))
           OR (d.status = 'negotiation' AND d.negotiation_ends_at IS NULL)
           OR (d.status = 'arbitration' AND d.escalated_at IS NULL)
           OR d.claimed_amount > m.funded_amount
    """,
    "dispute offers that do not fit their dispute": f"""
        SELECT o.id, o.status, d.id, d.status FROM dispute_offers o
        JOIN disputes d ON d.id = o.dispute_id
        JOIN milestones m ON m.id = d.milestone_id
        WHERE (o.status = 'open' AND d.status NOT IN {OPEN_DISPUTE})
           OR (o.status = 'accepted' AND (d.status <> 'resolved' OR d.resolution <> 'agreed'
               OR d.released_amount <> o.release_amount))
           OR o.by_user_id NOT IN (d.filed_by_id, d.respondent_id)
           OR o.release_amount < 0 OR o.release_amount > m.funded_amount
    """,
    "more than one open offer in a dispute": """
        SELECT o.dispute_id, COUNT(*) FROM dispute_offers o WHERE o.status = 'open'
        GROUP BY o.dispute_id HAVING COUNT(*) > 1
    """,
    "an agreed dispute without its accepted offer": """
        SELECT d.id FROM disputes d WHERE d.resolution = 'agreed' AND NOT EXISTS
          (SELECT 1 FROM dispute_offers o WHERE o.dispute_id = d.id AND o.status = 'accepted')
    """,
    "a review that should not exist (a contract still running, or nothing ever at stake)": """
        SELECT r.id FROM reviews r JOIN contracts c ON c.id = r.contract_id
        WHERE c.status = 'active'
           OR NOT EXISTS (SELECT 1 FROM milestones m
                          WHERE m.contract_id = c.id AND m.funded_amount > 0)
           OR NOT ((r.author_id = c.employer_id AND r.subject_id = c.freelancer_id
                    AND r.subject_role = 'freelancer')
                OR (r.author_id = c.freelancer_id AND r.subject_id = c.employer_id
                    AND r.subject_role = 'employer'))
    """,
    "a project past bidding without its award deadline (or open with one)": """
        SELECT p.id, p.status, p.bidding_ends_at, p.award_by FROM projects p
        WHERE (p.status = 'bidding_ended'
               AND (p.award_by IS NULL OR p.bidding_ends_at IS NULL
                    OR p.award_by < p.bidding_ends_at OR p.ended_at IS NOT NULL))
           OR (p.status = 'open' AND p.award_by IS NOT NULL)
    """,
    "reviews published on a contract still running, or both written unpublished": """
        SELECT c.id, c.status, c.reviews_published_at FROM contracts c
        WHERE (c.reviews_published_at IS NOT NULL AND c.status = 'active')
           OR (c.reviews_published_at IS NULL
               AND (SELECT COUNT(*) FROM reviews r WHERE r.contract_id = c.id) = 2)
    """,
    "a milestone with more change requests than its terms include": """
        SELECT m.id, m.revisions_used, c.revision_rounds FROM milestones m
        JOIN contracts c ON c.id = m.contract_id
        WHERE m.revisions_used > c.revision_rounds OR m.revisions_used < 0
           OR m.revisions_used <> (SELECT COUNT(*) FROM milestone_events e
                                   WHERE e.milestone_id = m.id AND e.kind = 'changes_requested')
    """,
    "a paid milestone whose protected delivery was not handed over (or the reverse)": """
        SELECT m.id, m.status FROM milestones m
        WHERE """
    + _iff(
        "m.status = 'released' AND EXISTS (SELECT 1 FROM milestone_events e "
        "WHERE e.milestone_id = m.id AND e.kind = 'delivered' AND e.protected = TRUE)",
        "EXISTS (SELECT 1 FROM milestone_events e WHERE e.milestone_id = m.id "
        "AND e.kind = 'handed_over')",
    )
    + """
    """,
    "evidence on a dispute by someone not a side of it": """
        SELECT v.id FROM dispute_evidence v JOIN disputes d ON d.id = v.dispute_id
        WHERE v.author_id NOT IN (d.filed_by_id, d.respondent_id)
    """,
    "a reminder about a milestone that does not exist": """
        SELECT r.id FROM reminders r
        WHERE r.subject_kind <> 'milestone'
           OR NOT EXISTS (SELECT 1 FROM milestones m WHERE m.id = r.subject_id)
    """,
    "a payout or payment in an impossible state": """
        SELECT 'payout', o.id FROM payouts o
        WHERE (o.status = 'requested') <> (o.decided_at IS NULL)
        UNION ALL
        SELECT 'payment', y.id FROM payments y
        WHERE (y.status = 'succeeded') <> (y.confirmed_at IS NOT NULL)
    """,
}


async def state_problems(uow: UnitOfWork) -> dict[str, Any]:
    """Every entity in an illegal state, by rule; empty when all states are legal."""
    problems: dict[str, Any] = {}
    for name, sql in STATE_CHECKS.items():
        rows = (await uow.session.execute(text(sql))).all()
        if rows:
            problems[name] = [tuple(r) for r in rows]
    return problems


CHECKS = {**BOOK_CHECKS, **STATE_CHECKS}
_COUNT_ALL = "\nUNION ALL\n".join(
    f"SELECT {i} AS check_no, (SELECT COUNT(*) FROM ({sql}) q{i}) AS offending"
    for i, sql in enumerate(CHECKS.values())
)


async def assert_consistent(uow: UnitOfWork) -> None:
    """The books balance and every entity is in a legal state.

    One round trip counts the offenders of every check; only when something is wrong
    are the checks run one by one to report the offending rows.
    """
    accounts = uow.accounts
    fine = (
        await accounts.total_of_all_postings() == 0
        and await accounts.unbalanced_transactions() == []
        and await accounts.negative_internal_accounts() == []
        and await accounts.escrow_mismatches() == []
        and all(n == 0 for _, n in (await uow.session.execute(text(_COUNT_ALL))).all())
    )
    if fine:
        return
    problems = {**await books_problems(uow), **await state_problems(uow)}
    assert not problems, "inconsistent marketplace:\n" + pformat(problems)
    raise AssertionError("a check counted offenders but listed none")


# --- a snapshot of one set of users' world ------------------------------------------

Row = dict[str, Any]


@dataclass
class Snapshot:
    """Everything that belongs to a set of users, plus every table's row count.

    Two snapshots compare equal only when nothing of theirs changed and no row was
    added or removed anywhere.
    """

    users: dict[int, Row]
    projects: dict[int, Row]
    bids: dict[int, Row]
    awards: dict[int, Row]
    contracts: dict[int, Row]
    milestones: dict[int, Row]
    disputes: dict[int, Row]
    offers: dict[int, Row]
    evidence: dict[int, Row]
    payments: dict[int, Row]
    payouts: dict[int, Row]
    reviews: dict[int, Row]
    balances: dict[str, int]
    counts: dict[str, int]

    def balance(self, code: str) -> int:
        return self.balances.get(code, 0)

    @staticmethod
    def escrow(m: Row) -> int:
        return int(m["funded_amount"] - m["released_amount"] - m["refunded_amount"])


async def take_snapshot(uow: UnitOfWork, user_ids: Sequence[int]) -> Snapshot:
    users = list(user_ids)
    projects = select(Project.id).where(Project.employer_id.in_(users))
    contracts = select(Contract.id).where(Contract.project_id.in_(projects))
    milestones = select(Milestone.id).where(Milestone.contract_id.in_(contracts))
    disputes = select(Dispute.id).where(Dispute.contract_id.in_(contracts))

    async def rows(model: type[Base], *where: Any) -> dict[int, Row]:
        table = model.__table__
        stmt = select(table).where(*where).order_by(table.c.id)  # type: ignore[attr-defined]
        return {r.id: dict(r._mapping) for r in (await uow.session.execute(stmt)).all()}

    balance = func.coalesce(func.sum(Posting.amount), 0)
    stmt = (
        select(Account.code, balance)
        .join(Posting, Posting.account_id == Account.id, isouter=True)
        .where(or_(Account.user_id.in_(users), Account.milestone_id.in_(milestones)))
        .group_by(Account.code)
    )
    balances = {str(c): int(b) for c, b in (await uow.session.execute(stmt)).all() if b}
    names = [t.name for t in Base.metadata.sorted_tables]
    counted = "\nUNION ALL\n".join(f"SELECT '{n}', COUNT(*) FROM {n}" for n in names)
    counts = {str(n): int(c) for n, c in (await uow.session.execute(text(counted))).all()}
    return Snapshot(
        users=await rows(User, User.id.in_(users)),
        projects=await rows(Project, Project.id.in_(projects)),
        bids=await rows(Bid, Bid.project_id.in_(projects)),
        awards=await rows(Award, Award.project_id.in_(projects)),
        contracts=await rows(Contract, Contract.id.in_(contracts)),
        milestones=await rows(Milestone, Milestone.id.in_(milestones)),
        disputes=await rows(Dispute, Dispute.id.in_(disputes)),
        offers=await rows(DisputeOffer, DisputeOffer.dispute_id.in_(disputes)),
        evidence=await rows(DisputeEvidence, DisputeEvidence.dispute_id.in_(disputes)),
        payments=await rows(Payment, Payment.milestone_id.in_(milestones)),
        payouts=await rows(Payout, Payout.user_id.in_(users)),
        reviews=await rows(Review, Review.contract_id.in_(contracts)),
        balances=balances,
        counts=counts,
    )


def differences(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    """What changed between two snapshots, by table, for failure messages."""
    out: dict[str, Any] = {}
    for name in before.__dataclass_fields__:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        keys = sorted(set(old) | set(new), key=repr)
        out[name] = {k: (old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)}
    return out


async def empty_database(db: Database) -> None:
    """Delete every row but the skills catalogue (what a freshly migrated database holds)."""
    tables = [t for t in Base.metadata.sorted_tables if t.name != "skills"]
    async with db.engine.begin() as conn:
        if db.backend == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                await conn.execute(table.delete())
