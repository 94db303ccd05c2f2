"""Projects: their skills, files and search terms, and the search itself."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased

from storage.enums import AwardStatus, ProjectStatus
from storage.models import (
    Award,
    Bid,
    Contract,
    Project,
    ProjectAttachment,
    ProjectSkill,
    ProjectTerm,
    Skill,
)
from storage.repositories.base import WALK, Repository, among, one_of, term_probe
from storage.repositories.bids import COUNTED

#: A query word whose prefix has more distinct indexed terms than this does not drive
#: the search (it would merge that many walks); it is probed per project instead.
SEARCH_EXPANSION = 16


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


# A page of cards reads these on every browse tap: built once (see base.insert_ignore).
SKILLS_OF = (
    select(ProjectSkill.project_id, Skill)
    .join(Skill, Skill.id == ProjectSkill.skill_id)
    .where(among(ProjectSkill.project_id, "ids"))
    .order_by(Skill.name)
)
ATTACHMENTS_OF = (
    select(ProjectAttachment)
    .where(among(ProjectAttachment.project_id, "ids"))
    .order_by(ProjectAttachment.position, ProjectAttachment.id)
)

_COUNTED_BID = aliased(Bid)  # made once: see base
#: A project card's rows in one query: the project, its bid count, the viewer's bid,
#: the offer awaiting an answer and the contract's id (built once).
CARD = (
    select(
        Project,
        select(func.count(_COUNTED_BID.id))
        .where(_COUNTED_BID.project_id == Project.id, one_of(_COUNTED_BID.status, COUNTED))
        .scalar_subquery(),
        Bid,
        Award,
        Contract.id,
    )
    .outerjoin(Bid, and_(Bid.project_id == Project.id, Bid.freelancer_id == bindparam("viewer")))
    .outerjoin(Award, and_(Award.project_id == Project.id, Award.status == AwardStatus.PENDING))
    .outerjoin(Contract, Contract.project_id == Project.id)
    .where(Project.id == bindparam("project_id"))
)


@dataclass(frozen=True)
class CardRow:
    """What ``ProjectRepository.card`` reads about one project for one viewer."""

    project: Project
    bid_count: int
    bid: Bid | None  # the viewer's own bid, whatever its status
    pending_award: Award | None
    contract_id: int | None


class ProjectRepository(Repository[Project]):
    model = Project

    async def card(self, project_id: int, viewer_id: int) -> CardRow | None:
        """A project card's own rows in one query (its skills and files are two more)."""
        params = {"project_id": project_id, "viewer": viewer_id}
        row = (await self.session.execute(CARD, params)).one_or_none()
        return None if row is None else CardRow(row[0], row[1], row[2], row[3], row[4])

    async def skill_ids(self, project_id: int) -> list[int]:
        stmt = select(ProjectSkill.skill_id).where(ProjectSkill.project_id == project_id)
        return list((await self.session.execute(stmt)).scalars())

    async def skills_of(self, project_ids: Sequence[int]) -> dict[int, list[Skill]]:
        """The skills of several projects in one query (a page of results), by name."""
        found: dict[int, list[Skill]] = {pid: [] for pid in project_ids}
        if project_ids:
            params = {"ids": list(project_ids)}
            for pid, skill in await self.session.execute(SKILLS_OF, params):
                found[pid].append(skill)
        return found

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
        params = {"prefix": prefix, "upper": _prefix_upper(prefix), "limit": limit}
        return list((await self.session.execute(TERMS_WITH_PREFIX, params)).scalars())

    async def attachments_of(
        self, project_ids: Sequence[int]
    ) -> dict[int, list[ProjectAttachment]]:
        """The attachments of several projects in one query, each project's in order."""
        found: dict[int, list[ProjectAttachment]] = {pid: [] for pid in project_ids}
        if project_ids:
            params = {"ids": list(project_ids)}
            for attachment in (await self.session.execute(ATTACHMENTS_OF, params)).scalars():
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
            shape = _Shape.of(query, len(query.terms))
            return await self._all(_listing_page(shape), _search_params(query, query.terms))
        driver = min(usable, key=lambda i: len(expansions[i]))
        others = query.terms[:driver] + query.terms[driver + 1 :]
        params = _search_params(query, others)
        terms = expansions[driver]
        params.update({f"term{k}": term for k, term in enumerate(terms)})
        shape = _Shape.of(query, len(others))
        if len(terms) == 1:
            return await self._all(_term_page(shape), params)
        # Several terms share the prefix: the newest ``limit`` of each, merged.
        return await self._all(_term_pages(shape, len(terms)), params)

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


@dataclass(frozen=True)
class _Shape:
    """What makes one search's SQL differ from another's (its values are parameters):
    the search statements are built once per shape, not on every page (search and
    browse are half of the taps)."""

    words: int  # words filtered by prefix (those not driving the walk)
    skills: bool
    budget_at_least: bool
    budget_at_most: bool
    before: bool
    taking_bids: bool

    @classmethod
    def of(cls, query: ProjectQuery, words: int) -> _Shape:
        return cls(
            words,
            bool(query.skill_ids),
            query.budget_at_least is not None,
            query.budget_at_most is not None,
            query.before is not None,
            query.taking_bids_at is not None,
        )


def _search_params(query: ProjectQuery, words: tuple[str, ...]) -> dict[str, Any]:
    """The values for a statement of :class:`_Shape` ``_Shape.of(query, len(words))``."""
    params: dict[str, Any] = {"limit": query.limit}
    for position, word in enumerate(words):
        params[f"word{position}"] = word
        params[f"word{position}_upper"] = _prefix_upper(word)
    if query.skill_ids:
        params["skill_ids"] = list(query.skill_ids)
    if query.budget_at_least is not None:
        params["budget_at_least"] = query.budget_at_least
    if query.budget_at_most is not None:
        params["budget_at_most"] = query.budget_at_most
    if query.before is not None:
        params["before_at"], params["before_id"] = query.before
    if query.taking_bids_at is not None:
        params["taking_bids_at"] = query.taking_bids_at
    return params


def _filters(stmt: Select[Any], shape: _Shape) -> Select[Any]:
    stmt = stmt.where(Project.status == ProjectStatus.OPEN)
    if shape.taking_bids:
        # A filter on the rows found, never an index to drive by (the planner would
        # otherwise pick ix_projects_bidding_end over the listing and term walks).
        ends = func.coalesce(Project.bidding_ends_at, Project.bidding_ends_at)
        stmt = stmt.where(ends > bindparam("taking_bids_at"))
    for position in range(shape.words):
        probe = term_probe(position)
        stmt = stmt.where(
            select(probe.term)
            .where(
                probe.project_id == Project.id,
                probe.term >= bindparam(f"word{position}"),
                probe.term < bindparam(f"word{position}_upper"),
            )
            .exists()
        )
    if shape.skills:
        stmt = stmt.where(
            exists().where(
                ProjectSkill.project_id == Project.id,
                among(ProjectSkill.skill_id, "skill_ids"),
            )
        )
    if shape.budget_at_least:
        stmt = stmt.where(Project.budget_max >= bindparam("budget_at_least"))
    if shape.budget_at_most:
        stmt = stmt.where(Project.budget_min <= bindparam("budget_at_most"))
    return stmt


@functools.lru_cache(maxsize=256)
def _listing_page(shape: _Shape) -> Select[tuple[Project]]:
    stmt = _filters(select(Project), shape)
    if shape.before:
        published: Any = bindparam("before_at")
        pid: Any = bindparam("before_id")
        stmt = stmt.where(
            or_(
                Project.published_at < published,
                and_(Project.published_at == published, Project.id < pid),
            )
        )
    return stmt.order_by(Project.published_at.desc(), Project.id.desc()).limit(bindparam("limit"))


def _walk(shape: _Shape, term: str, *columns: Any) -> Select[Any]:
    """One term's walk of ``ix_project_terms_order``, newest first, filtered."""
    walk = WALK
    stmt = _filters(
        select(*columns)
        .select_from(walk)
        .join(Project, Project.id == walk.project_id)
        .where(walk.term == bindparam(term)),
        shape,
    )
    if shape.before:
        published: Any = bindparam("before_at")
        pid: Any = bindparam("before_id")
        stmt = stmt.where(
            walk.published_at <= published,  # a range on the index, ties filtered
            or_(
                walk.published_at < published,
                and_(walk.published_at == published, walk.project_id < pid),
            ),
        )
    return stmt.order_by(walk.published_at.desc(), walk.project_id.desc()).limit(bindparam("limit"))


@functools.lru_cache(maxsize=256)
def _term_page(shape: _Shape) -> Select[Any]:
    return _walk(shape, "term0", Project)


@functools.lru_cache(maxsize=256)
def _term_pages(shape: _Shape, terms: int) -> Select[Any]:
    """The newest ``limit`` of each of ``terms`` walks, merged (a project having two of
    the terms comes twice with the same key, and UNION keeps it once)."""
    branches = []
    for k in range(terms):
        branch = _walk(shape, f"term{k}", WALK.published_at, WALK.project_id).subquery()
        branches.append(select(branch.c.published_at, branch.c.project_id))
    hits = union(*branches).subquery("hits")
    return (
        select(Project)
        .join(hits, hits.c.project_id == Project.id)
        .order_by(hits.c.published_at.desc(), hits.c.project_id.desc())
        .limit(bindparam("limit"))
    )


def _terms_with_prefix() -> Select[tuple[str]]:
    pt = ProjectTerm.__table__
    upper: Any = bindparam("upper")
    limit: Any = bindparam("limit")
    first = (
        select(pt.c.term)
        .where(pt.c.term >= bindparam("prefix"), pt.c.term < upper)
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
    return select(vocab.c.term).where(vocab.c.term.is_not(None)).limit(limit)


#: See :meth:`ProjectRepository.terms_with_prefix` (every search word, built once).
TERMS_WITH_PREFIX = _terms_with_prefix()
