"""Repositories: every query the marketplace makes, so services never write SQL.

``lock`` methods take a row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serialises writers with BEGIN IMMEDIATE) and refresh the object from the row,
so a check made after the lock sees what the winner of a race committed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Literal, TypeVar, cast

from sqlalchemy import (
    Select,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.enums import (
    AccountKind,
    AwardStatus,
    BidStatus,
    ContractStatus,
    DisputeResolution,
    DisputeStatus,
    MilestoneStatus,
    OfferStatus,
    PartyRole,
    PayoutStatus,
    ProjectStatus,
    RefundStatus,
    ReportStatus,
    ReportTarget,
)
from storage.models import (
    Account,
    AdminAction,
    AlertSubscription,
    AlertSubscriptionSkill,
    Award,
    Base,
    Bid,
    Contract,
    DeadLetter,
    Dispute,
    DisputeEvidence,
    DisputeOffer,
    FreelancerProfile,
    LedgerTransaction,
    Message,
    Milestone,
    MilestoneEvent,
    Mute,
    OutboxEvent,
    OutboxMessage,
    Payment,
    PaymentReceipt,
    Payout,
    Posting,
    ProcessedUpdate,
    ProfileSkill,
    Project,
    ProjectAttachment,
    ProjectSkill,
    ProjectTerm,
    Reminder,
    Report,
    Review,
    SafetyNote,
    Skill,
    User,
)

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id_: int) -> M | None:
        return await self.session.get(self.model, id_)

    async def lock(self, id_: int) -> M | None:
        stmt = (
            select(self.model)
            .where(self.model.id == id_)  # type: ignore[attr-defined]
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def lock_many(self, stmt: Select[tuple[M]]) -> list[M]:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return list((await self.session.execute(stmt)).scalars())

    def add(self, obj: M) -> M:
        self.session.add(obj)
        return obj

    async def flush(self) -> None:
        await self.session.flush()

    async def _all(self, stmt: Select[tuple[M]]) -> list[M]:
        return list((await self.session.execute(stmt)).scalars())


def insert_ignore(session: AsyncSession, model: type[Base], values: dict[str, Any]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for the session's dialect."""
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return ins(model).values(**values).on_conflict_do_nothing()


# --- people -----------------------------------------------------------------------


class UserRepository(Repository[User]):
    model = User

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        stmt = select(User).where(User.telegram_id == telegram_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def ensure(self, telegram_id: int, created_at: datetime) -> User:
        """Get or create by Telegram id; safe when two updates of a new user race.

        Runs on every update, so someone already known costs one SELECT."""
        stmt = (
            select(User)
            .where(User.telegram_id == telegram_id)
            .execution_options(populate_existing=True)
        )
        user = (await self.session.execute(stmt)).scalar_one_or_none()
        if user is not None:
            return user
        await self.session.execute(
            insert_ignore(
                self.session,
                User,
                {"telegram_id": telegram_id, "created_at": created_at, "first_name": ""},
            )
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def profile(self, user_id: int) -> FreelancerProfile | None:
        return await self.session.get(FreelancerProfile, user_id)

    async def profile_skill_ids(self, user_id: int) -> list[int]:
        stmt = select(ProfileSkill.skill_id).where(ProfileSkill.user_id == user_id)
        return list((await self.session.execute(stmt)).scalars())

    async def set_profile_skills(self, user_id: int, skill_ids: Iterable[int]) -> None:
        await self.session.execute(delete(ProfileSkill).where(ProfileSkill.user_id == user_id))
        for skill_id in sorted(set(skill_ids)):
            self.session.add(ProfileSkill(user_id=user_id, skill_id=skill_id))
        await self.session.flush()

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


# --- projects and bids ------------------------------------------------------------


#: A query word whose prefix has more distinct indexed terms than this does not drive
#: the search (it would merge that many walks); it is probed per project instead.
SEARCH_EXPANSION = 16


# Aliases are made once: SQLAlchemy memoizes how each one maps its entity's columns, so
# a fresh alias per query rebuilt that mapping every time (a tenth of the bot's CPU in
# a profile of the benchmark mix, docs/benchmarks.md). An alias names a table inside
# one SELECT; statements are free to share it.
_WALK = aliased(ProjectTerm, name="walk")
_EARLIER = aliased(OutboxMessage, name="earlier")
_OTHER_REVIEW = aliased(Review, name="other_review")


@functools.cache
def _probe(position: int) -> Any:
    """The alias of ``project_terms`` probed for the query's word at ``position``."""
    return aliased(ProjectTerm, name=f"probe{position}")


def _prefix_upper(prefix: str) -> str:
    """The smallest string above every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


@dataclass(frozen=True)
class ProjectQuery:
    terms: tuple[str, ...] = ()
    skill_ids: tuple[int, ...] = ()
    budget_at_least: int | None = None  # the project's budget_max reaches this
    budget_at_most: int | None = None  # the project's budget_min is within this
    before: tuple[datetime, int] | None = None  # keyset cursor: (published_at, id)
    limit: int = 10
    # Only projects still taking bids at this moment (the sweep that ends bidding may
    # not have run yet); None leaves the bidding window out of it.
    taking_bids_at: datetime | None = None


class ProjectRepository(Repository[Project]):
    model = Project

    async def skill_ids(self, project_id: int) -> list[int]:
        stmt = select(ProjectSkill.skill_id).where(ProjectSkill.project_id == project_id)
        return list((await self.session.execute(stmt)).scalars())

    async def skill_ids_of(self, project_ids: Sequence[int]) -> dict[int, list[int]]:
        """``skill_ids`` of several projects in one query (a page of results)."""
        found: dict[int, list[int]] = {pid: [] for pid in project_ids}
        if project_ids:
            stmt = select(ProjectSkill.project_id, ProjectSkill.skill_id).where(
                ProjectSkill.project_id.in_(project_ids)
            )
            for pid, skill_id in await self.session.execute(stmt):
                found[pid].append(skill_id)
        return found

    async def set_skills(self, project_id: int, skill_ids: Iterable[int]) -> None:
        await self.session.execute(
            delete(ProjectSkill).where(ProjectSkill.project_id == project_id)
        )
        for skill_id in sorted(set(skill_ids)):
            self.session.add(ProjectSkill(project_id=project_id, skill_id=skill_id))
        await self.session.flush()

    async def set_terms(
        self, project_id: int, published_at: datetime, terms: Iterable[str]
    ) -> None:
        await self.session.execute(delete(ProjectTerm).where(ProjectTerm.project_id == project_id))
        for term in sorted(set(terms)):
            self.session.add(
                ProjectTerm(project_id=project_id, term=term, published_at=published_at)
            )
        await self.session.flush()

    async def terms_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` distinct indexed terms starting with ``prefix``, in order.

        A loose index scan: each step seeks the next distinct term on the primary
        key, so the cost is the number of terms returned, not of projects having them.
        """
        upper = _prefix_upper(prefix)
        pt = ProjectTerm.__table__
        first = (
            select(pt.c.term)
            .where(pt.c.term >= prefix, pt.c.term < upper)
            .order_by(pt.c.term)
            .limit(1)
            .scalar_subquery()
        )
        vocab = select(first.label("term"), literal(1).label("n")).cte("vocab", recursive=True)
        step = (
            select(pt.c.term)
            .where(pt.c.term > vocab.c.term, pt.c.term < upper)
            .order_by(pt.c.term)
            .limit(1)
            .correlate(vocab)
            .scalar_subquery()
        )
        vocab = vocab.union_all(
            select(step, vocab.c.n + 1).where(vocab.c.term.is_not(None), vocab.c.n < limit)
        )
        stmt = select(vocab.c.term).where(vocab.c.term.is_not(None)).limit(limit)
        return list((await self.session.execute(stmt)).scalars())

    async def attachments(self, project_id: int) -> list[ProjectAttachment]:
        stmt = (
            select(ProjectAttachment)
            .where(ProjectAttachment.project_id == project_id)
            .order_by(ProjectAttachment.position, ProjectAttachment.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def attachments_of(
        self, project_ids: Sequence[int]
    ) -> dict[int, list[ProjectAttachment]]:
        """``attachments`` of several projects in one query, each in its order."""
        found: dict[int, list[ProjectAttachment]] = {pid: [] for pid in project_ids}
        if project_ids:
            stmt = (
                select(ProjectAttachment)
                .where(ProjectAttachment.project_id.in_(project_ids))
                .order_by(ProjectAttachment.position, ProjectAttachment.id)
            )
            for attachment in (await self.session.execute(stmt)).scalars():
                found[attachment.project_id].append(attachment)
        return found

    async def set_attachments(
        self, project_id: int, files: Sequence[tuple[str, str, str | None]]
    ) -> None:
        await self.session.execute(
            delete(ProjectAttachment).where(ProjectAttachment.project_id == project_id)
        )
        for position, (file_id, kind, name) in enumerate(files):
            self.session.add(
                ProjectAttachment(
                    project_id=project_id,
                    file_id=file_id,
                    kind=kind,
                    file_name=name,
                    position=position,
                )
            )
        await self.session.flush()

    async def search_open(self, query: ProjectQuery) -> list[Project]:
        """Open projects, newest first, one keyset page.

        Without words, ``ix_projects_listing`` is walked newest first. With words, the
        one whose prefix has the fewest distinct indexed terms drives: for each of
        those terms ``ix_project_terms_order`` is walked newest first (so a page reads
        about ``limit`` index rows over the share of them still open, however many
        projects have the word), each project is fetched by its key and kept if it is
        open and passes the other filters: the other words as prefix ranges on
        ``ix_project_terms_project``, skills on ``project_skills``, the budget. A
        prefix with more than ``SEARCH_EXPANSION`` terms is common enough to be
        probed that way itself rather than drive; if every word is, the listing drives.
        """
        expansions = [await self.terms_with_prefix(w, SEARCH_EXPANSION + 1) for w in query.terms]
        if any(not terms for terms in expansions):
            return []  # a word no project has
        usable = [i for i, terms in enumerate(expansions) if len(terms) <= SEARCH_EXPANSION]
        if not usable:
            return await self._all(self._listing_page(query))
        driver = min(usable, key=lambda i: len(expansions[i]))
        others = query.terms[:driver] + query.terms[driver + 1 :]
        terms = expansions[driver]
        if len(terms) == 1:
            return await self._all(self._term_page(query, terms[0], others))
        # Several terms share the prefix: the newest ``limit`` of each, merged (a project
        # having two of them comes twice with the same key, and UNION keeps it once).
        branches = []
        for term in terms:
            branch = self._term_page(query, term, others, keys_only=True).subquery()
            branches.append(select(branch.c.published_at, branch.c.project_id))
        hits = union(*branches).subquery("hits")
        stmt = (
            select(Project)
            .join(hits, hits.c.project_id == Project.id)
            .order_by(hits.c.published_at.desc(), hits.c.project_id.desc())
            .limit(query.limit)
        )
        return await self._all(stmt)

    def _listing_page(self, query: ProjectQuery) -> Select[tuple[Project]]:
        stmt = self._filters(select(Project), query, query.terms)
        if query.before is not None:
            published, pid = query.before
            stmt = stmt.where(
                or_(
                    Project.published_at < published,
                    and_(Project.published_at == published, Project.id < pid),
                )
            )
        return stmt.order_by(Project.published_at.desc(), Project.id.desc()).limit(query.limit)

    def _term_page(
        self,
        query: ProjectQuery,
        term: str,
        others: tuple[str, ...],
        *,
        keys_only: bool = False,
    ) -> Select[Any]:
        walk = _WALK
        columns: tuple[Any, ...] = (walk.published_at, walk.project_id) if keys_only else (Project,)
        stmt = self._filters(
            select(*columns)
            .select_from(walk)
            .join(Project, Project.id == walk.project_id)
            .where(walk.term == term),
            query,
            others,
        )
        if query.before is not None:
            published, pid = query.before
            stmt = stmt.where(
                walk.published_at <= published,  # a range on the index, ties filtered
                or_(
                    walk.published_at < published,
                    and_(walk.published_at == published, walk.project_id < pid),
                ),
            )
        return stmt.order_by(walk.published_at.desc(), walk.project_id.desc()).limit(query.limit)

    @staticmethod
    def _filters(stmt: Select[Any], query: ProjectQuery, words: tuple[str, ...]) -> Select[Any]:
        stmt = stmt.where(Project.status == ProjectStatus.OPEN)
        if query.taking_bids_at is not None:
            # A filter on the rows found, never an index to drive by (the planner would
            # otherwise pick ix_projects_bidding_end over the listing and term walks).
            ends = func.coalesce(Project.bidding_ends_at, Project.bidding_ends_at)
            stmt = stmt.where(ends > query.taking_bids_at)
        for position, word in enumerate(words):
            probe = _probe(position)
            stmt = stmt.where(
                select(probe.term)
                .where(
                    probe.project_id == Project.id,
                    probe.term >= word,
                    probe.term < _prefix_upper(word),
                )
                .exists()
            )
        if query.skill_ids:
            stmt = stmt.where(
                exists().where(
                    ProjectSkill.project_id == Project.id,
                    ProjectSkill.skill_id.in_(query.skill_ids),
                )
            )
        if query.budget_at_least is not None:
            stmt = stmt.where(Project.budget_max >= query.budget_at_least)
        if query.budget_at_most is not None:
            stmt = stmt.where(Project.budget_min <= query.budget_at_most)
        return stmt

    async def by_employer(self, employer_id: int, limit: int, offset: int = 0) -> list[Project]:
        stmt = (
            select(Project)
            .where(Project.employer_id == employer_id)
            .order_by(Project.created_at.desc(), Project.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def due_to_end_bidding(self, now: datetime, limit: int) -> list[int]:
        stmt = (
            select(Project.id)
            .where(Project.status == ProjectStatus.OPEN, Project.bidding_ends_at <= now)
            .order_by(Project.bidding_ends_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def due_to_close_unawarded(self, now: datetime, limit: int) -> list[int]:
        """Projects whose employer let the award decision window pass."""
        stmt = (
            select(Project.id)
            .where(Project.status == ProjectStatus.BIDDING_ENDED, Project.award_by <= now)
            .order_by(Project.award_by)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def count_by_status(self, status: ProjectStatus) -> int:
        stmt = select(func.count(Project.id)).where(Project.status == status)
        return int((await self.session.execute(stmt)).scalar_one())

    async def count_by_employer(self, employer_id: int) -> int:
        stmt = select(func.count(Project.id)).where(
            Project.employer_id == employer_id, Project.status != ProjectStatus.DRAFT
        )
        return int((await self.session.execute(stmt)).scalar_one())


class BidRepository(Repository[Bid]):
    model = Bid

    async def of(self, project_id: int, freelancer_id: int) -> Bid | None:
        stmt = select(Bid).where(Bid.project_id == project_id, Bid.freelancer_id == freelancer_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def lock_of(self, project_id: int, freelancer_id: int) -> Bid | None:
        stmt = select(Bid).where(Bid.project_id == project_id, Bid.freelancer_id == freelancer_id)
        found = await self.lock_many(stmt)
        return found[0] if found else None

    async def placed_since(self, freelancer_id: int, since: datetime) -> int:
        stmt = select(func.count(Bid.id)).where(
            Bid.freelancer_id == freelancer_id, Bid.placed_at >= since
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def for_project(
        self, project_id: int, statuses: Iterable[BidStatus] | None = None
    ) -> list[Bid]:
        stmt = select(Bid).where(Bid.project_id == project_id)
        if statuses is not None:
            stmt = stmt.where(Bid.status.in_(list(statuses)))
        return await self._all(stmt.order_by(Bid.placed_at, Bid.id))

    async def lock_for_project(self, project_id: int, statuses: Iterable[BidStatus]) -> list[Bid]:
        stmt = (
            select(Bid)
            .where(Bid.project_id == project_id, Bid.status.in_(list(statuses)))
            .order_by(Bid.id)
        )
        return await self.lock_many(stmt)

    async def count_for_project(self, project_id: int) -> int:
        stmt = select(func.count(Bid.id)).where(
            Bid.project_id == project_id,
            Bid.status.in_([BidStatus.ACTIVE, BidStatus.AWARDED, BidStatus.HIRED]),
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def count_for_projects(self, project_ids: Sequence[int]) -> dict[int, int]:
        """``count_for_project`` of several projects in one query."""
        counts = dict.fromkeys(project_ids, 0)
        if project_ids:
            stmt = (
                select(Bid.project_id, func.count(Bid.id))
                .where(
                    Bid.project_id.in_(project_ids),
                    Bid.status.in_([BidStatus.ACTIVE, BidStatus.AWARDED, BidStatus.HIRED]),
                )
                .group_by(Bid.project_id)
            )
            for pid, count in await self.session.execute(stmt):
                counts[pid] = int(count)
        return counts

    async def by_freelancer(self, freelancer_id: int, limit: int, offset: int = 0) -> list[Bid]:
        stmt = (
            select(Bid)
            .where(Bid.freelancer_id == freelancer_id)
            .order_by(Bid.updated_at.desc(), Bid.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def active_of(self, freelancer_id: int) -> list[Bid]:
        stmt = select(Bid).where(Bid.freelancer_id == freelancer_id, Bid.status == BidStatus.ACTIVE)
        return await self._all(stmt.order_by(Bid.id))


class AwardRepository(Repository[Award]):
    model = Award

    async def pending_for_project(self, project_id: int) -> Award | None:
        stmt = select(Award).where(
            Award.project_id == project_id, Award.status == AwardStatus.PENDING
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def due_to_lapse(self, now: datetime, limit: int) -> list[int]:
        stmt = (
            select(Award.id)
            .where(Award.status == AwardStatus.PENDING, Award.expires_at <= now)
            .order_by(Award.expires_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def pending_for_freelancer(self, freelancer_id: int) -> list[Award]:
        stmt = select(Award).where(
            Award.freelancer_id == freelancer_id, Award.status == AwardStatus.PENDING
        )
        return await self._all(stmt.order_by(Award.offered_at))


class ContractRepository(Repository[Contract]):
    model = Contract

    async def for_project(self, project_id: int) -> Contract | None:
        stmt = select(Contract).where(Contract.project_id == project_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of_user(self, user_id: int, limit: int, offset: int = 0) -> list[Contract]:
        stmt = (
            select(Contract)
            .where(or_(Contract.employer_id == user_id, Contract.freelancer_id == user_id))
            .order_by(Contract.started_at.desc(), Contract.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def due_to_publish_reviews(self, cutoff: datetime, limit: int) -> list[int]:
        """Ended contracts whose review window closed (ended at or before ``cutoff``)
        and whose reviews were not published yet."""
        stmt = (
            select(Contract.id)
            .where(
                Contract.status.in_([ContractStatus.COMPLETED, ContractStatus.CANCELLED]),
                Contract.reviews_published_at.is_(None),
                Contract.ended_at <= cutoff,
            )
            .order_by(Contract.ended_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def track_record(
        self, user_id: int, role: PartyRole, lost: LostRule = (), returned_kind: str | None = None
    ) -> dict[str, int]:
        """Counts behind completion and on-budget rates, from real history.

        A contract counts against this side (``failed``) when it ended with a dispute
        they lost (``lost``: see ``lost_clause``), or ended cancelled by their doing: they
        ended it, or they gave its funded money back themselves (ledger transactions of
        ``returned_kind``). ``finished``: completed with no dispute lost by them.
        """
        column = Contract.freelancer_id if role is PartyRole.FREELANCER else Contract.employer_id
        released = (
            select(func.coalesce(func.sum(Milestone.released_amount), 0))
            .where(Milestone.contract_id == Contract.id)
            .correlate(Contract)
            .scalar_subquery()
        )
        lost_one = exists().where(Dispute.contract_id == Contract.id, lost_clause(lost))
        returned: Any = false()
        if returned_kind is not None:
            returned = exists().where(
                Milestone.contract_id == Contract.id,
                LedgerTransaction.milestone_id == Milestone.id,
                LedgerTransaction.kind == returned_kind,
            )
        completed = Contract.status == ContractStatus.COMPLETED
        cancelled = Contract.status == ContractStatus.CANCELLED
        own_cancel = and_(cancelled, or_(Contract.ended_by_id == user_id, returned))
        stmt = select(
            func.count(Contract.id).filter(completed),
            func.count(Contract.id).filter(cancelled),
            func.count(Contract.id).filter(or_(completed, cancelled), or_(lost_one, own_cancel)),
            func.count(Contract.id).filter(completed, ~lost_one),
            func.count(Contract.id).filter(completed, released <= Contract.agreed_amount),
            func.count(Contract.id).filter(Contract.status == ContractStatus.ACTIVE),
            func.coalesce(func.sum(released).filter(completed), 0),
        ).where(column == user_id)
        row = (await self.session.execute(stmt)).one()
        return {
            "completed": int(row[0]),
            "cancelled": int(row[1]),
            "failed": int(row[2]),
            "finished": int(row[3]),
            "on_budget": int(row[4]),
            "active": int(row[5]),
            "paid": int(row[6]),
        }


# --- milestones and money ----------------------------------------------------------


#: The milestone's deadlines a reminder schedule may count from.
_DEADLINES = {"due_at": Milestone.due_at, "auto_release_at": Milestone.auto_release_at}


class MilestoneRepository(Repository[Milestone]):
    model = Milestone

    async def for_contract(self, contract_id: int) -> list[Milestone]:
        stmt = select(Milestone).where(Milestone.contract_id == contract_id).order_by(Milestone.id)
        return await self._all(stmt)

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


class PaymentRepository(Repository[Payment]):
    model = Payment

    async def by_external(self, gateway: str, external_id: str) -> Payment | None:
        stmt = select(Payment).where(Payment.gateway == gateway, Payment.external_id == external_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def succeeded_for_milestone(self, milestone_id: int) -> list[Payment]:
        stmt = (
            select(Payment)
            .where(Payment.milestone_id == milestone_id, Payment.external_id.is_not(None))
            .order_by(Payment.id)
        )
        return await self._all(stmt)

    async def claim_refunds(self, now: datetime, until: datetime, limit: int) -> list[Payment]:
        """Pending refunds due to be asked of the gateway, leased until ``until`` (another
        process skips them meanwhile; a process that dies lets the lease run out)."""
        stmt = (
            select(Payment)
            .where(Payment.refund_status == RefundStatus.PENDING, Payment.refund_next_at <= now)
            .order_by(Payment.refund_next_at, Payment.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        payments = await self._all(stmt)
        for payment in payments:
            payment.refund_next_at = until
        await self.session.flush()
        return payments

    async def count_refunds_pending(self) -> int:
        stmt = select(func.count()).where(Payment.refund_status == RefundStatus.PENDING)
        return int((await self.session.execute(stmt)).scalar_one())


class PaymentReceiptRepository(Repository[PaymentReceipt]):
    """The payment journal (see ``PaymentReceipt``)."""

    model = PaymentReceipt

    async def record(self, values: dict[str, Any]) -> None:
        """Journal a charge; the same charge again changes nothing."""
        await self.session.execute(insert_ignore(self.session, PaymentReceipt, values))

    async def lock_by_charge(self, charge_id: str) -> PaymentReceipt | None:
        stmt = select(PaymentReceipt).where(PaymentReceipt.charge_id == charge_id)
        found = await self.lock_many(stmt)
        return found[0] if found else None

    async def uncredited(self, received_before: datetime, limit: int) -> list[PaymentReceipt]:
        stmt = (
            select(PaymentReceipt)
            .where(
                PaymentReceipt.credited_at.is_(None),
                PaymentReceipt.received_at <= received_before,
            )
            .order_by(PaymentReceipt.received_at, PaymentReceipt.id)
            .limit(limit)
        )
        return await self._all(stmt)

    async def count_uncredited(self) -> int:
        stmt = select(func.count()).where(PaymentReceipt.credited_at.is_(None))
        return int((await self.session.execute(stmt)).scalar_one())


class AccountRepository(Repository[Account]):
    model = Account

    async def ensure(
        self,
        code: str,
        kind: AccountKind,
        user_id: int | None = None,
        milestone_id: int | None = None,
    ) -> Account:
        """Get or create an account by code; a concurrent creator is not an error."""
        stmt = select(Account).where(Account.code == code)
        found = (await self.session.execute(stmt)).scalar_one_or_none()
        if found is not None:
            return found
        await self.session.execute(
            insert_ignore(
                self.session,
                Account,
                {"code": code, "kind": kind, "user_id": user_id, "milestone_id": milestone_id},
            )
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def by_code(self, code: str) -> Account | None:
        stmt = select(Account).where(Account.code == code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def lock_ids(self, ids: Iterable[int]) -> None:
        """Lock accounts in id order, so two transfers never deadlock each other."""
        stmt = select(Account.id).where(Account.id.in_(sorted(set(ids)))).order_by(Account.id)
        await self.session.execute(stmt.with_for_update())

    async def balances(self, ids: Iterable[int]) -> dict[int, int]:
        wanted = list(set(ids))
        stmt = (
            select(Posting.account_id, func.coalesce(func.sum(Posting.amount), 0))
            .where(Posting.account_id.in_(wanted))
            .group_by(Posting.account_id)
        )
        found = {int(a): int(b) for a, b in (await self.session.execute(stmt)).all()}
        return {i: found.get(i, 0) for i in wanted}

    async def balance_of_kind(self, kind: AccountKind) -> int:
        stmt = (
            select(func.coalesce(func.sum(Posting.amount), 0))
            .join(Account, Account.id == Posting.account_id)
            .where(Account.kind == kind)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def transaction_by_key(self, key: str) -> LedgerTransaction | None:
        stmt = select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def postings_of(self, transaction_id: int) -> list[tuple[str, int]]:
        stmt = (
            select(Account.code, Posting.amount)
            .join(Account, Account.id == Posting.account_id)
            .where(Posting.transaction_id == transaction_id)
            .order_by(Posting.id)
        )
        return [(str(c), int(a)) for c, a in (await self.session.execute(stmt)).all()]

    def add_transaction(self, tx: LedgerTransaction, postings: Sequence[Posting]) -> None:
        self.session.add(tx)
        self.session.add_all(postings)

    # invariant checks (tests, admin figures)
    async def total_of_all_postings(self) -> int:
        stmt = select(func.coalesce(func.sum(Posting.amount), 0))
        return int((await self.session.execute(stmt)).scalar_one())

    async def unbalanced_transactions(self) -> list[int]:
        stmt = (
            select(Posting.transaction_id)
            .group_by(Posting.transaction_id)
            .having(func.sum(Posting.amount) != 0)
        )
        return [int(t) for t in (await self.session.execute(stmt)).scalars()]

    async def negative_internal_accounts(self) -> list[tuple[str, int]]:
        total = func.sum(Posting.amount)
        stmt = (
            select(Account.code, total)
            .join(Posting, Posting.account_id == Account.id)
            .where(Account.kind != AccountKind.EXTERNAL)
            .group_by(Account.code)
            .having(total < 0)
        )
        return [(str(c), int(b)) for c, b in (await self.session.execute(stmt)).all()]

    async def escrow_mismatches(self) -> list[tuple[int, int, int]]:
        """Milestones whose escrow account differs from funded - released - refunded."""
        balance = (
            select(func.coalesce(func.sum(Posting.amount), 0))
            .join(Account, Account.id == Posting.account_id)
            .where(Account.milestone_id == Milestone.id, Account.kind == AccountKind.ESCROW)
            .correlate(Milestone)
            .scalar_subquery()
        )
        expected = Milestone.funded_amount - Milestone.released_amount - Milestone.refunded_amount
        stmt = select(Milestone.id, expected, balance).where(expected != balance)
        return [(int(i), int(e), int(b)) for i, e, b in (await self.session.execute(stmt)).all()]


class PayoutRepository(Repository[Payout]):
    model = Payout

    async def count_by_status(self, status: PayoutStatus) -> int:
        stmt = select(func.count(Payout.id)).where(Payout.status == status)
        return int((await self.session.execute(stmt)).scalar_one())

    async def queue(self, limit: int, offset: int = 0) -> list[Payout]:
        stmt = (
            select(Payout)
            .where(Payout.status == PayoutStatus.REQUESTED)
            .order_by(Payout.requested_at, Payout.id)
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def of_user(self, user_id: int, limit: int) -> list[Payout]:
        stmt = (
            select(Payout)
            .where(Payout.user_id == user_id)
            .order_by(Payout.requested_at.desc(), Payout.id.desc())
            .limit(limit)
        )
        return await self._all(stmt)


# --- disputes ----------------------------------------------------------------------


class DisputeRepository(Repository[Dispute]):
    model = Dispute

    async def open_for_milestone(self, milestone_id: int) -> Dispute | None:
        stmt = select(Dispute).where(
            Dispute.milestone_id == milestone_id,
            Dispute.status.in_(OPEN_DISPUTE),
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def for_milestone(self, milestone_id: int) -> list[Dispute]:
        stmt = select(Dispute).where(Dispute.milestone_id == milestone_id).order_by(Dispute.id)
        return await self._all(stmt)

    async def for_contract(self, contract_id: int) -> list[Dispute]:
        stmt = select(Dispute).where(Dispute.contract_id == contract_id).order_by(Dispute.id)
        return await self._all(stmt)

    async def count_by_status(self, status: DisputeStatus) -> int:
        stmt = select(func.count(Dispute.id)).where(Dispute.status == status)
        return int((await self.session.execute(stmt)).scalar_one())

    async def open_count_for_contract(self, contract_id: int) -> int:
        stmt = select(func.count(Dispute.id)).where(
            Dispute.contract_id == contract_id, Dispute.status.in_(OPEN_DISPUTE)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def due_unanswered(self, now: datetime, limit: int) -> list[int]:
        stmt = (
            select(Dispute.id)
            .where(Dispute.status == DisputeStatus.AWAITING_RESPONSE, Dispute.respond_by <= now)
            .order_by(Dispute.respond_by)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def due_to_escalate(self, now: datetime, limit: int) -> list[int]:
        stmt = (
            select(Dispute.id)
            .where(
                Dispute.status == DisputeStatus.NEGOTIATION,
                Dispute.negotiation_ends_at <= now,
            )
            .order_by(Dispute.negotiation_ends_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def queue(self, limit: int, offset: int = 0) -> list[Dispute]:
        stmt = (
            select(Dispute)
            .where(Dispute.status == DisputeStatus.ARBITRATION)
            .order_by(Dispute.escalated_at, Dispute.id)
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def of_user(self, user_id: int, limit: int) -> list[Dispute]:
        stmt = (
            select(Dispute)
            .where(or_(Dispute.filed_by_id == user_id, Dispute.respondent_id == user_id))
            .order_by(Dispute.created_at.desc(), Dispute.id.desc())
            .limit(limit)
        )
        return await self._all(stmt)

    async def offers(self, dispute_id: int) -> list[DisputeOffer]:
        stmt = select(DisputeOffer).where(DisputeOffer.dispute_id == dispute_id)
        return list((await self.session.execute(stmt.order_by(DisputeOffer.id))).scalars())

    async def offer(self, offer_id: int) -> DisputeOffer | None:
        return await self.session.get(DisputeOffer, offer_id)

    async def open_offers(self, dispute_id: int) -> list[DisputeOffer]:
        stmt = select(DisputeOffer).where(
            DisputeOffer.dispute_id == dispute_id, DisputeOffer.status == OfferStatus.OPEN
        )
        return list((await self.session.execute(stmt)).scalars())

    def add_offer(self, offer: DisputeOffer) -> DisputeOffer:
        self.session.add(offer)
        return offer

    def add_evidence(self, evidence: DisputeEvidence) -> DisputeEvidence:
        self.session.add(evidence)
        return evidence

    async def evidence(self, dispute_id: int) -> list[DisputeEvidence]:
        stmt = select(DisputeEvidence).where(DisputeEvidence.dispute_id == dispute_id)
        return list((await self.session.execute(stmt.order_by(DisputeEvidence.id))).scalars())

    async def evidence_count(self, dispute_id: int, author_id: int) -> int:
        stmt = select(func.count(DisputeEvidence.id)).where(
            DisputeEvidence.dispute_id == dispute_id, DisputeEvidence.author_id == author_id
        )
        return int((await self.session.execute(stmt)).scalar_one())


OPEN_DISPUTE = (
    DisputeStatus.AWAITING_RESPONSE,
    DisputeStatus.NEGOTIATION,
    DisputeStatus.ARBITRATION,
)


# --- conversation and reputation ---------------------------------------------------


class MessageRepository(Repository[Message]):
    model = Message

    async def by_relay(self, chat_id: int, message_id: int) -> Message | None:
        stmt = select(Message).where(
            Message.relay_chat_id == chat_id, Message.relay_message_id == message_id
        )
        return (await self.session.execute(stmt)).scalars().first()

    async def thread(
        self, project_id: int, a: int, b: int, limit: int, before_id: int | None = None
    ) -> list[Message]:
        stmt = select(Message).where(
            Message.project_id == project_id,
            or_(
                and_(Message.sender_id == a, Message.recipient_id == b),
                and_(Message.sender_id == b, Message.recipient_id == a),
            ),
        )
        if before_id is not None:
            stmt = stmt.where(Message.id < before_id)
        rows = await self._all(stmt.order_by(Message.id.desc()).limit(limit))
        return rows[::-1]


class ReviewRepository(Repository[Review]):
    model = Review

    async def for_contract(self, contract_id: int) -> list[Review]:
        stmt = select(Review).where(Review.contract_id == contract_id).order_by(Review.id)
        return await self._all(stmt)

    def _visible(self, cutoff: datetime) -> Any:
        """Double-blind: both sides wrote, or the review window has closed."""
        other = _OTHER_REVIEW
        return or_(
            exists().where(
                other.contract_id == Review.contract_id, other.author_id == Review.subject_id
            ),
            Contract.ended_at <= cutoff,
        )

    async def visible_about(
        self, subject_id: int, role: PartyRole, cutoff: datetime, limit: int, offset: int = 0
    ) -> list[Review]:
        stmt = (
            select(Review)
            .join(Contract, Contract.id == Review.contract_id)
            .where(
                Review.subject_id == subject_id,
                Review.subject_role == role,
                self._visible(cutoff),
            )
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def rating_of(
        self, subject_id: int, role: PartyRole, cutoff: datetime
    ) -> tuple[float | None, int]:
        stmt = (
            select(func.avg(Review.rating), func.count(Review.id))
            .join(Contract, Contract.id == Review.contract_id)
            .where(
                Review.subject_id == subject_id,
                Review.subject_role == role,
                self._visible(cutoff),
            )
        )
        avg, count = (await self.session.execute(stmt)).one()
        return (float(avg) if avg is not None else None, int(count))


class ReminderRepository(Repository[Reminder]):
    model = Reminder

    async def latest(
        self, subject_kind: str, subject_id: int, kind: str, target_at: datetime
    ) -> int | None:
        """The latest stage of one schedule dealt with so far, if any."""
        stmt = select(func.max(Reminder.seq)).where(
            Reminder.subject_kind == subject_kind,
            Reminder.subject_id == subject_id,
            Reminder.kind == kind,
            Reminder.target_at == target_at,
        )
        found = (await self.session.execute(stmt)).scalar_one_or_none()
        return None if found is None else int(found)

    async def record(
        self,
        subject_kind: str,
        subject_id: int,
        kind: str,
        target_at: datetime,
        seq: int,
        *,
        announced: bool,
        now: datetime,
    ) -> bool:
        """Record a stage as dealt with; False if it already was (by anyone, any process)."""
        values = {
            "subject_kind": subject_kind,
            "subject_id": subject_id,
            "kind": kind,
            "target_at": target_at,
            "seq": seq,
            "announced": announced,
            "created_at": now,
        }
        result = await self.session.execute(insert_ignore(self.session, Reminder, values))
        return bool(getattr(result, "rowcount", 0) == 1)

    async def of(self, subject_kind: str, subject_id: int) -> list[Reminder]:
        stmt = (
            select(Reminder)
            .where(Reminder.subject_kind == subject_kind, Reminder.subject_id == subject_id)
            .order_by(Reminder.id)
        )
        return await self._all(stmt)


# --- outbox ----------------------------------------------------------------------------


class OutboxRepository:
    """The alert outbox. Claims are leases (``claimed_until``): on PostgreSQL rows are
    taken with FOR UPDATE SKIP LOCKED so several processes share the work; SQLite
    serialises writers, so a claim there is exclusive anyway."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add_event(
        self, kind: str, recipients: Sequence[int], data: dict[str, Any], now: datetime
    ) -> OutboxEvent:
        event = OutboxEvent(
            kind=kind, recipients=list(recipients), data=dict(data), created_at=now, attempts=0
        )
        self.session.add(event)
        return event

    async def claim_events(self, now: datetime, until: datetime, limit: int) -> list[OutboxEvent]:
        free = or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now)
        stmt = (
            select(OutboxEvent)
            .where(OutboxEvent.expanded_at.is_(None), free)
            .order_by(OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        events = list((await self.session.execute(stmt)).scalars())
        for event in events:
            event.claimed_until = until
        await self.session.flush()
        return events

    async def add_messages(self, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert (a new project may reach a hundred thousand chats)."""
        for start in range(0, len(rows), 2000):
            await self.session.execute(insert(OutboxMessage), list(rows[start : start + 2000]))

    async def claim_messages(
        self, now: datetime, until: datetime, worker: str, limit: int
    ) -> list[OutboxMessage]:
        """Heads of each chat's queue (per priority lane) that are due and not leased."""
        m = OutboxMessage
        earlier = _EARLIER
        blocked_by_earlier = exists().where(
            earlier.chat == m.chat,
            earlier.status == "pending",
            earlier.priority == m.priority,
            earlier.id < m.id,
        )
        stmt = (
            select(m)
            .where(
                m.status == "pending",
                m.not_before <= now,
                or_(m.claimed_until.is_(None), m.claimed_until < now),
                ~blocked_by_earlier,
            )
            .order_by(m.priority, m.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=m)
        )
        claimed = list((await self.session.execute(stmt)).scalars())
        for message in claimed:
            message.claimed_until = until
            message.claimed_by = worker
        await self.session.flush()
        return claimed

    async def claim_digest_mates(
        self, head: OutboxMessage, now: datetime, until: datetime, worker: str
    ) -> list[OutboxMessage]:
        """The other due alerts of the head's digest kind for its chat, claimed with it."""
        m = OutboxMessage
        stmt = (
            select(m)
            .where(
                m.chat == head.chat,
                m.status == "pending",
                m.digest == head.digest,
                m.id != head.id,
                m.not_before <= now,
                or_(m.claimed_until.is_(None), m.claimed_until < now),
            )
            .order_by(m.id)
            .with_for_update(skip_locked=True)
        )
        mates = list((await self.session.execute(stmt)).scalars())
        for message in mates:
            message.claimed_until = until
            message.claimed_by = worker
        await self.session.flush()
        return mates

    async def get_messages(self, ids: Sequence[int]) -> list[OutboxMessage]:
        stmt = select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        return list((await self.session.execute(stmt)).scalars())

    async def recent_digest_count(self, chat: str, digest: str, since: datetime) -> int:
        m = OutboxMessage
        stmt = select(func.count()).where(m.chat == chat, m.created_at >= since, m.digest == digest)
        return int((await self.session.execute(stmt)).scalar_one())

    async def held_until(self, chat: str, digest: str, now: datetime) -> datetime | None:
        """When this chat's held alerts of a digest kind go out together, if any are held."""
        m = OutboxMessage
        stmt = select(func.max(m.not_before)).where(
            m.chat == chat, m.status == "pending", m.digest == digest, m.not_before > now
        )
        held: datetime | None = (await self.session.execute(stmt)).scalar_one()
        return held

    async def postpone_chat(self, chat: str, until: datetime) -> None:
        """Telegram said to wait (429): nothing goes to this chat before ``until``."""
        m = OutboxMessage
        await self.session.execute(
            update(m)
            .where(m.chat == chat, m.status == "pending", m.not_before < until)
            .values(not_before=until)
        )

    async def stop_chat(self, chat: str, status: str, reason: str) -> None:
        """Settle every pending message to a chat that cannot receive them (blocked)."""
        m = OutboxMessage
        await self.session.execute(
            update(m)
            .where(m.chat == chat, m.status == "pending")
            .values(status=status, last_error=reason, claimed_until=None)
        )

    async def counts(self) -> dict[str, int]:
        """Messages by status and events not yet expanded. Events are counted first: on
        PostgreSQL each statement sees what was committed when it started, and an
        expansion committed between the two would otherwise be in neither count."""
        waiting = select(func.count()).where(OutboxEvent.expanded_at.is_(None))
        events_waiting = int((await self.session.execute(waiting)).scalar_one())
        stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        counts = {str(s): int(n) for s, n in (await self.session.execute(stmt)).all()}
        counts["events waiting"] = events_waiting
        return counts

    async def prune(self, before: datetime) -> int:
        """Forget settled messages and expanded events older than ``before``."""
        m = OutboxMessage
        gone = await self.session.execute(
            delete(m).where(m.status != "pending", m.created_at < before)
        )
        still_referenced = select(m.event_id).where(m.event_id.is_not(None)).scalar_subquery()
        await self.session.execute(
            delete(OutboxEvent).where(
                OutboxEvent.expanded_at.is_not(None),
                OutboxEvent.created_at < before,
                OutboxEvent.id.not_in(still_referenced),
            )
        )
        return int(getattr(gone, "rowcount", 0) or 0)


# --- alert subscriptions ------------------------------------------------------------


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
        await self.session.execute(
            insert_ignore(
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
        for model in (AlertSubscription, AlertSubscriptionSkill):
            await self.session.execute(
                update(model)
                .where(model.user_id == user_id)
                .values(active_at=now)
                .execution_options(synchronize_session=False)
            )

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


# --- webhook mode -------------------------------------------------------------------


class UpdateRepository:
    """Which Telegram updates were already handled (see ``ProcessedUpdate``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, bot_id: int, update_id: int, at: datetime) -> bool:
        """Record the update as handled in the current transaction; False if it already was.

        A twin claiming the same update in a transaction still open waits for it (on the
        primary key, or for SQLite's single writer) and then gets False if it committed.
        """
        result = await self.session.execute(
            insert_ignore(
                self.session,
                ProcessedUpdate,
                {"bot_id": bot_id, "update_id": update_id, "received_at": at},
            )
        )
        return bool(cast(CursorResult[Any], result).rowcount)

    async def prune(self, before: datetime) -> int:
        """Forget updates received before ``before``; Telegram stops retrying long before."""
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.received_at < before)
        )
        return int(cast(CursorResult[Any], result).rowcount or 0)

    async def release(self, bot_id: int, update_id: int) -> None:
        """Forget one claim, so that update can be handled again (a dead letter's replay)."""
        await self.session.execute(
            delete(ProcessedUpdate).where(
                ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id
            )
        )


class DeadLetterRepository(Repository[DeadLetter]):
    """Updates that failed with a bug, kept for a replay (see ``DeadLetter``)."""

    model = DeadLetter

    async def by_update(self, bot_id: int, update_id: int) -> DeadLetter | None:
        stmt = select(DeadLetter).where(
            DeadLetter.bot_id == bot_id, DeadLetter.update_id == update_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def waiting(self, bot_id: int | None = None, limit: int = 100) -> list[DeadLetter]:
        """Not replayed yet, oldest first."""
        stmt = select(DeadLetter).where(DeadLetter.replayed_at.is_(None))
        if bot_id is not None:
            stmt = stmt.where(DeadLetter.bot_id == bot_id)
        return await self._all(stmt.order_by(DeadLetter.id).limit(limit))

    async def count_waiting(self) -> int:
        stmt = select(func.count()).where(DeadLetter.replayed_at.is_(None))
        return int((await self.session.execute(stmt)).scalar_one())


# --- on the record: behaviour, reports, mutes, safety notes ---------------------------------

#: Verdicts that go against a side: (a resolution, the filer's side it needs or None).
LostRule = Sequence[tuple[DisputeResolution, PartyRole | None]]


def lost_clause(lost: LostRule) -> Any:
    """SQL: the dispute was settled with one of the verdicts in ``lost``."""
    terms = [
        and_(Dispute.resolution == resolution, Dispute.filer_role == filer)
        if filer is not None
        else Dispute.resolution == resolution
        for resolution, filer in lost
    ]
    return and_(Dispute.status == DisputeStatus.RESOLVED, or_(*terms)) if terms else false()


class RecordRepository:
    """What the record is computed from: the ledger, milestone events, disputes, projects
    and relayed messages, never a figure anyone typed.

    Each query takes a group of people and walks indexes from them (contracts by employer
    or freelancer, milestones by contract, transactions and events by milestone), so a
    page of project cards costs the same few queries as one card. What is ordered in time
    (waits, replies) is read for the latest ``per_person`` items only.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _side(role: PartyRole) -> Any:
        return Contract.freelancer_id if role is PartyRole.FREELANCER else Contract.employer_id

    async def _pairs(self, stmt: Select[Any], ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        found = {i: (0, 0) for i in ids}
        for who, a, b in (await self.session.execute(stmt)).all():
            found[int(who)] = (int(a or 0), int(b or 0))
        return found

    def _money(self, employer_ids: Sequence[int]) -> Select[Any]:
        return (
            select(
                Contract.employer_id,
                func.count(func.distinct(LedgerTransaction.milestone_id)),
                func.coalesce(func.sum(Posting.amount), 0),
            )
            .select_from(Contract)
            .join(Milestone, Milestone.contract_id == Contract.id)
            .join(LedgerTransaction, LedgerTransaction.milestone_id == Milestone.id)
            .join(Posting, Posting.transaction_id == LedgerTransaction.id)
            .join(Account, Account.id == Posting.account_id)
            .where(Contract.employer_id.in_(employer_ids), Posting.amount > 0)
            .group_by(Contract.employer_id)
        )

    async def funded(self, employer_ids: Sequence[int], kind: str) -> dict[int, tuple[int, int]]:
        """Per employer: milestones funded, and how much, from ledger transactions of
        ``kind`` into a milestone's escrow."""
        stmt = self._money(employer_ids).where(
            LedgerTransaction.kind == kind, Account.kind == AccountKind.ESCROW
        )
        return await self._pairs(stmt, employer_ids)

    async def released(self, employer_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Per employer: milestones with money released, and how much (gross): what went
        out of their milestones' escrow to the hired freelancer and the platform fee."""
        to_freelancer = or_(
            Account.kind == AccountKind.FEES,
            and_(Account.kind == AccountKind.AVAILABLE, Account.user_id == Contract.freelancer_id),
        )
        return await self._pairs(self._money(employer_ids).where(to_freelancer), employer_ids)

    async def milestone_events(
        self, employer_ids: Sequence[int], kinds: Sequence[str], per_person: int
    ) -> dict[int, list[tuple[int, str, datetime]]]:
        """Per employer: (milestone, kind, when) of the events of ``kinds`` on their latest
        ``per_person`` delivered milestones, in order."""
        latest = (
            select(
                Milestone.id.label("id"),
                Contract.employer_id.label("employer_id"),
                func.row_number()
                .over(partition_by=Contract.employer_id, order_by=Milestone.id.desc())
                .label("n"),
            )
            .join(Contract, Contract.id == Milestone.contract_id)
            .where(Contract.employer_id.in_(employer_ids), Milestone.delivered_at.is_not(None))
            .subquery()
        )
        stmt = (
            select(
                latest.c.employer_id,
                MilestoneEvent.milestone_id,
                MilestoneEvent.kind,
                MilestoneEvent.created_at,
            )
            .join(latest, latest.c.id == MilestoneEvent.milestone_id)
            .where(latest.c.n <= per_person, MilestoneEvent.kind.in_(list(kinds)))
            .order_by(MilestoneEvent.milestone_id, MilestoneEvent.id)
        )
        found: dict[int, list[tuple[int, str, datetime]]] = {i: [] for i in employer_ids}
        for who, milestone_id, kind, at in (await self.session.execute(stmt)).all():
            found[int(who)].append((int(milestone_id), str(kind), at))
        return found

    async def first_deliveries(
        self, user_ids: Sequence[int], role: PartyRole, kind: str
    ) -> dict[int, tuple[int, int]]:
        """Per person: milestones delivered (events of ``kind``) on their side's contracts,
        and how many were first delivered by their due date (the milestone's own, else the
        contract's deadline)."""
        side = self._side(role)
        first = (
            select(
                side.label("who"),
                func.coalesce(Milestone.due_at, Contract.deadline_at).label("due"),
                func.min(MilestoneEvent.created_at).label("first_at"),
            )
            .join(Contract, Contract.id == Milestone.contract_id)
            .join(MilestoneEvent, MilestoneEvent.milestone_id == Milestone.id)
            .where(side.in_(user_ids), MilestoneEvent.kind == kind)
            .group_by(Milestone.id, side, Milestone.due_at, Contract.deadline_at)
            .subquery()
        )
        stmt = select(
            first.c.who, func.count(), func.count().filter(first.c.first_at <= first.c.due)
        ).group_by(first.c.who)
        return await self._pairs(stmt, user_ids)

    async def disputes(
        self, user_ids: Sequence[int], role: PartyRole, lost: LostRule
    ) -> dict[int, tuple[int, int]]:
        """Per person: disputes they filed on their side's contracts, and disputes there
        that went against them (``lost``)."""
        side = self._side(role)
        stmt = (
            select(
                side,
                func.count(Dispute.id).filter(Dispute.filer_role == role),
                func.count(Dispute.id).filter(lost_clause(lost)),
            )
            .join(Contract, Contract.id == Dispute.contract_id)
            .where(side.in_(user_ids))
            .group_by(side)
        )
        return await self._pairs(stmt, user_ids)

    async def hiring(self, employer_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Per employer: projects decided (bid on, and then in progress, completed, closed
        or cancelled), and of those the ones that hired somebody (a contract)."""
        bid_on = exists().where(Bid.project_id == Project.id, Bid.status != BidStatus.RETRACTED)
        hired = exists().where(Contract.project_id == Project.id)
        decided = Project.status.in_(
            [
                ProjectStatus.IN_PROGRESS,
                ProjectStatus.COMPLETED,
                ProjectStatus.CLOSED,
                ProjectStatus.CANCELLED,
            ]
        )
        stmt = (
            select(
                Project.employer_id,
                func.count(Project.id).filter(decided, bid_on),
                func.count(Project.id).filter(decided, hired),
            )
            .where(Project.employer_id.in_(employer_ids))
            .group_by(Project.employer_id)
        )
        return await self._pairs(stmt, employer_ids)

    async def conversations(
        self, user_id: int, per_person: int
    ) -> list[tuple[int, int, int, datetime]]:
        """(project, sender, recipient, when) of the person's latest messages sent and
        received on projects they did not post, oldest first. Each direction is read up to
        ``per_person`` messages and the older end of the longer one cut where the other
        stops, so a reply is never measured against a message left out."""
        rows: list[tuple[int, int, int, int, datetime]] = []
        starts: list[int] = []
        for column in (Message.sender_id, Message.recipient_id):
            stmt = (
                select(
                    Message.id,
                    Message.project_id,
                    Message.sender_id,
                    Message.recipient_id,
                    Message.created_at,
                )
                .join(Project, Project.id == Message.project_id)
                .where(column == user_id, Project.employer_id != user_id)
                .order_by(Message.id.desc())
                .limit(per_person)
            )
            found = [
                (int(i), int(p), int(s), int(r), at)
                for i, p, s, r, at in (await self.session.execute(stmt)).all()
            ]
            if len(found) == per_person:
                starts.append(found[-1][0])
            rows += found
        start = max(starts, default=0)
        return [(p, s, r, at) for i, p, s, r, at in sorted(rows) if i >= start]


class ReportRepository(Repository[Report]):
    model = Report

    async def open_by(self, reporter_id: int, kind: ReportTarget, target_id: int) -> Report | None:
        stmt = select(Report).where(
            Report.reporter_id == reporter_id,
            Report.target_kind == kind,
            Report.target_id == target_id,
            Report.status == ReportStatus.OPEN,
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def filed_since(self, reporter_id: int, since: datetime) -> int:
        stmt = select(func.count(Report.id)).where(
            Report.reporter_id == reporter_id, Report.created_at >= since
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def queue(self, limit: int, offset: int = 0) -> list[Report]:
        stmt = (
            select(Report)
            .where(Report.status == ReportStatus.OPEN)
            .order_by(Report.created_at, Report.id)
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def count_open(self) -> int:
        stmt = select(func.count(Report.id)).where(Report.status == ReportStatus.OPEN)
        return int((await self.session.execute(stmt)).scalar_one())

    async def lock_open_about(self, subject_id: int) -> list[Report]:
        stmt = (
            select(Report)
            .where(Report.subject_id == subject_id, Report.status == ReportStatus.OPEN)
            .order_by(Report.id)
        )
        return await self.lock_many(stmt)

    async def outcomes_about(self, subject_id: int) -> dict[ReportStatus, int]:
        stmt = (
            select(Report.status, func.count(Report.id))
            .where(Report.subject_id == subject_id)
            .group_by(Report.status)
        )
        found = dict.fromkeys(ReportStatus, 0)
        for status, count in (await self.session.execute(stmt)).all():
            found[ReportStatus(status)] = int(count)
        return found


class SafetyRepository:
    """Mutes, and the safety notes already shown (see ``Mute``, ``SafetyNote``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def mute(self, user_id: int, muted_id: int, now: datetime) -> bool:
        """Mute; False if it already was."""
        values = {"user_id": user_id, "muted_id": muted_id, "created_at": now}
        result = await self.session.execute(insert_ignore(self.session, Mute, values))
        return bool(cast(CursorResult[Any], result).rowcount)

    async def unmute(self, user_id: int, muted_id: int) -> bool:
        """Unmute; False if it was not muted."""
        result = await self.session.execute(
            delete(Mute).where(Mute.user_id == user_id, Mute.muted_id == muted_id)
        )
        return bool(cast(CursorResult[Any], result).rowcount)

    async def muted(self, user_id: int, muted_id: int) -> bool:
        stmt = select(Mute.user_id).where(Mute.user_id == user_id, Mute.muted_id == muted_id)
        return (await self.session.execute(stmt)).first() is not None

    async def note_once(
        self, project_id: int, user_id: int, other_id: int, message_id: int, now: datetime
    ) -> bool:
        """Record the safety note of this conversation as shown; False if it already was."""
        values = {
            "project_id": project_id,
            "user_id": user_id,
            "other_id": other_id,
            "message_id": message_id,
            "shown_at": now,
        }
        result = await self.session.execute(insert_ignore(self.session, SafetyNote, values))
        return bool(cast(CursorResult[Any], result).rowcount)


# --- the admins' audit trail, and people's own data ---------------------------------------


class AuditRepository:
    """The admins' audit trail: append and read, nothing else. There is no path here to
    change or remove an entry, and the ORM refuses one (``storage.models.AppendOnly``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def append(self, entry: AdminAction) -> AdminAction:
        self.session.add(entry)
        return entry

    async def trail(
        self,
        *,
        hidden_from: int,
        actor_id: int | None = None,
        person_id: int | None = None,
        limit: int,
        offset: int = 0,
    ) -> list[AdminAction]:
        """Newest first; never an entry that concerns ``hidden_from`` (see
        ``core.services.audit``); only ``actor_id``'s, or only those about ``person_id``."""
        a = AdminAction
        stmt = select(a).where(
            or_(a.user_id.is_(None), a.user_id != hidden_from),
            or_(a.other_user_id.is_(None), a.other_user_id != hidden_from),
        )
        if actor_id is not None:
            stmt = stmt.where(a.actor_id == actor_id)
        if person_id is not None:
            stmt = stmt.where(or_(a.user_id == person_id, a.other_user_id == person_id))
        stmt = stmt.order_by(a.id.desc()).limit(limit).offset(offset)
        return list((await self.session.execute(stmt)).scalars())


class PersonalDataRepository:
    """Everything bidgram holds about one person, read for their export and erased (or
    kept) when they delete their account (``core.services.privacy`` decides which)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt: Select[Any]) -> list[Any]:
        return list((await self.session.execute(stmt)).scalars())

    # --- reading --------------------------------------------------------------------------

    async def awards(self, user_id: int, limit: int) -> list[Award]:
        """Offers made to them, or on their projects, newest first."""
        stmt = (
            select(Award)
            .join(Project, Project.id == Award.project_id)
            .where(or_(Award.freelancer_id == user_id, Project.employer_id == user_id))
            .order_by(Award.id.desc())
            .limit(limit)
        )
        return await self._all(stmt)

    async def payments(self, user_id: int, limit: int) -> list[Payment]:
        stmt = select(Payment).where(Payment.payer_id == user_id)
        return await self._all(stmt.order_by(Payment.id.desc()).limit(limit))

    async def postings(self, user_id: int, limit: int) -> list[tuple[Any, ...]]:
        """(account code, transaction kind, key, amount, when, milestone) of every posting
        to their own accounts (available, payout hold, refund hold), newest first."""
        t = LedgerTransaction
        stmt = (
            select(
                Account.code,
                t.kind,
                t.idempotency_key,
                Posting.amount,
                t.created_at,
                t.milestone_id,
            )
            .join(Posting, Posting.account_id == Account.id)
            .join(t, t.id == Posting.transaction_id)
            .where(Account.user_id == user_id)
            .order_by(Posting.id.desc())
            .limit(limit)
        )
        return [tuple(row) for row in (await self.session.execute(stmt)).all()]

    async def messages(self, user_id: int, *, sent: bool, limit: int) -> list[Message]:
        column = Message.sender_id if sent else Message.recipient_id
        stmt = select(Message).where(column == user_id)
        return await self._all(stmt.order_by(Message.id.desc()).limit(limit))

    async def reviews_by(self, user_id: int, limit: int) -> list[Review]:
        stmt = select(Review).where(Review.author_id == user_id)
        return await self._all(stmt.order_by(Review.id.desc()).limit(limit))

    async def reports_by(self, user_id: int, limit: int) -> list[Report]:
        stmt = select(Report).where(Report.reporter_id == user_id)
        return await self._all(stmt.order_by(Report.id.desc()).limit(limit))

    async def mutes_by(self, user_id: int, limit: int) -> list[Mute]:
        stmt = select(Mute).where(Mute.user_id == user_id)
        return await self._all(stmt.order_by(Mute.created_at.desc()).limit(limit))

    async def safety_notes_of(self, user_id: int, limit: int) -> list[SafetyNote]:
        stmt = select(SafetyNote).where(SafetyNote.user_id == user_id)
        return await self._all(stmt.order_by(SafetyNote.shown_at.desc()).limit(limit))

    # --- what keeps an account from being deleted ----------------------------------------

    async def escrow_held(self, user_id: int) -> int:
        """Money in escrow on the contracts they are a side of."""
        held = Milestone.funded_amount - Milestone.released_amount - Milestone.refunded_amount
        stmt = (
            select(func.coalesce(func.sum(held), 0))
            .join(Contract, Contract.id == Milestone.contract_id)
            .where(or_(Contract.employer_id == user_id, Contract.freelancer_id == user_id))
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def open_disputes(self, user_id: int) -> int:
        stmt = select(func.count(Dispute.id)).where(
            or_(Dispute.filed_by_id == user_id, Dispute.respondent_id == user_id),
            Dispute.status.in_(OPEN_DISPUTE),
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def active_contracts(self, user_id: int) -> int:
        stmt = select(func.count(Contract.id)).where(
            or_(Contract.employer_id == user_id, Contract.freelancer_id == user_id),
            Contract.status == ContractStatus.ACTIVE,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def uncredited_payments(self, telegram_id: int) -> int:
        """Charges Telegram reported from them that are not credited yet (the sweep will)."""
        stmt = select(func.count(PaymentReceipt.id)).where(
            PaymentReceipt.telegram_user_id == telegram_id, PaymentReceipt.credited_at.is_(None)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def open_projects(self, user_id: int) -> list[int]:
        """Their projects that never got as far as a contract and have not ended."""
        stmt = select(Project.id).where(
            Project.employer_id == user_id,
            Project.status.in_(
                [
                    ProjectStatus.DRAFT,
                    ProjectStatus.OPEN,
                    ProjectStatus.BIDDING_ENDED,
                    ProjectStatus.AWARDED,
                ]
            ),
        )
        return list((await self.session.execute(stmt.order_by(Project.id))).scalars())

    # --- erasing ---------------------------------------------------------------------------

    async def _run(self, stmt: Any) -> int:
        result = await self.session.execute(stmt.execution_options(synchronize_session="fetch"))
        return int(cast(CursorResult[Any], result).rowcount or 0)

    async def erase_profile(self, user_id: int) -> None:
        """The freelancer profile, its skills and the new-project alert settings."""
        for model in (ProfileSkill, FreelancerProfile, AlertSubscriptionSkill, AlertSubscription):
            await self._run(delete(model).where(model.user_id == user_id))

    async def erase_projects(self, user_id: int, placeholder: str) -> int:
        """Projects they posted that never became a contract: description, files, index and
        offers' terms; the title too, unless someone bid on it (their bids name it)."""
        alone = select(Project.id).where(
            Project.employer_id == user_id,
            ~exists().where(Contract.project_id == Project.id),
        )
        ids = list((await self.session.execute(alone)).scalars())
        if ids:
            await self._run(delete(ProjectAttachment).where(ProjectAttachment.project_id.in_(ids)))
            await self._run(delete(ProjectTerm).where(ProjectTerm.project_id.in_(ids)))
            await self._run(
                update(Project).where(Project.id.in_(ids)).values(description=placeholder)
            )
            await self._run(
                update(Project)
                .where(Project.id.in_(ids), ~exists().where(Bid.project_id == Project.id))
                .values(title=placeholder)
            )
            await self._run(update(Award).where(Award.project_id.in_(ids)).values(deliverables=[]))
        return len(ids)

    async def erase_bids(self, user_id: int, placeholder: str) -> int:
        """Their proposals on projects they were not hired for."""
        return await self._run(
            update(Bid)
            .where(Bid.freelancer_id == user_id, ~exists().where(Contract.bid_id == Bid.id))
            .values(proposal=placeholder)
        )

    async def erase_messages(self, user_id: int, placeholder: str) -> int:
        """What they sent outside a contract's conversation (the two sides of a contract
        about its project): text, file and flags."""
        in_contract = exists().where(
            Contract.project_id == Message.project_id,
            or_(
                and_(
                    Contract.employer_id == Message.sender_id,
                    Contract.freelancer_id == Message.recipient_id,
                ),
                and_(
                    Contract.freelancer_id == Message.sender_id,
                    Contract.employer_id == Message.recipient_id,
                ),
            ),
        )
        return await self._run(
            update(Message)
            .where(Message.sender_id == user_id, ~in_contract)
            .values(text=placeholder, file_id=None, file_kind=None, flags=None)
        )

    async def erase_choices(self, user_id: int) -> None:
        """Whom they muted, and the safety notes shown to them."""
        await self._run(delete(Mute).where(Mute.user_id == user_id))
        await self._run(delete(SafetyNote).where(SafetyNote.user_id == user_id))

    async def erase_rejected_payouts(self, user_id: int, placeholder: str) -> int:
        """Where they asked to be paid, on payouts that never paid (a paid one's destination
        is where the money went: the books keep it)."""
        return await self._run(
            update(Payout)
            .where(Payout.user_id == user_id, Payout.status == PayoutStatus.REJECTED)
            .values(destination=placeholder)
        )
