"""Projects: drafting, publishing, editing, cancelling, closing, finding."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core import text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from core.events.projects import (
    BiddingEnded,
    ProjectCancelled,
    ProjectClosed,
    ProjectEdited,
    ProjectPublished,
)
from core.money import whole_amount
from core.services.skills import SkillService
from storage.enums import (
    AwardStatus,
    BidStatus,
    ContractStatus,
    MilestoneStatus,
    ProjectStatus,
)
from storage.models import Bid, Contract, Milestone, Project, ProjectAttachment, Skill
from storage.repositories import ProjectQuery

MAX_SKILLS = 5
ATTACHMENT_KINDS = ("document", "photo")
EDITABLE = (ProjectStatus.DRAFT, ProjectStatus.OPEN)


@dataclass(frozen=True)
class Attachment:
    file_id: str
    kind: str = "document"
    file_name: str | None = None


@dataclass(frozen=True)
class ProjectListing:
    """A project as a list of them shows it (results, My projects, inline mode)."""

    project: Project
    skills: list[Skill]
    bid_count: int
    taking_bids: bool  # open and its bidding window not over (see taking_bids())


@dataclass(frozen=True)
class ProjectView(ProjectListing):
    """A project with its files (its card)."""

    attachments: list[ProjectAttachment]


def taking_bids(project: Project, now: datetime) -> bool:
    """Whether a project takes bids at ``now``: open, and its bidding window not over.

    The window is checked as well as the status because the sweep that ends bidding
    runs a little after the moment.
    """
    return project.status is ProjectStatus.OPEN and (
        project.bidding_ends_at is None or project.bidding_ends_at > now
    )


@dataclass(frozen=True)
class ProjectPage:
    items: list[Project]
    next_cursor: str | None  # opaque; pass back to get the next page


def encode_cursor(project: Project) -> str:
    assert project.published_at is not None
    raw = f"{int(project.published_at.timestamp() * 1_000_000)}.{project.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    from datetime import UTC

    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        micros, pid = base64.urlsafe_b64decode(padded.encode()).decode().split(".")
        when = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        return when, int(pid)
    except (ValueError, OverflowError, OSError) as error:  # a forged or mangled cursor
        raise ValidationFailed("search.cursor", "That page link is no longer valid.") from error


class ProjectService(Service):
    # --- reading --------------------------------------------------------------------

    async def get(self, project_id: int) -> Project:
        project = await self.uow.projects.get(project_id)
        if project is None:
            raise NotFound("project.not_found", "This project does not exist.")
        return project

    async def view(self, project_id: int, viewer: Actor | None = None) -> ProjectView:
        """A project as a person sees it; drafts are visible to their owner only."""
        return (await self.views([await self.get(project_id)], viewer))[0]

    async def views(
        self, projects: Sequence[Project], viewer: Actor | None = None
    ) -> list[ProjectView]:
        """``view`` of each project of a page, in three queries instead of three each."""
        listed = await self.listings(projects, viewer)
        files = await self.uow.projects.attachments_of([p.id for p in projects])
        return [
            ProjectView(
                one.project, one.skills, one.bid_count, one.taking_bids, files[one.project.id]
            )
            for one in listed
        ]

    async def listings(
        self, projects: Sequence[Project], viewer: Actor | None = None
    ) -> list[ProjectListing]:
        """A page of projects as a list shows them, in two queries (no files: a list
        does not show them)."""
        for project in projects:
            if project.status is ProjectStatus.DRAFT and (
                viewer is None or (viewer.user_id != project.employer_id and not viewer.is_admin)
            ):
                raise NotFound("project.not_found", "This project does not exist.")
        ids = [p.id for p in projects]
        skills = await self.uow.projects.skills_of(ids)
        bids = await self.uow.bids.count_for_projects(ids)
        now = self.now()
        return [ProjectListing(p, skills[p.id], bids[p.id], taking_bids(p, now)) for p in projects]

    async def search(
        self,
        query: str = "",
        *,
        skills: Sequence[str] = (),
        budget_at_least: int | None = None,
        budget_at_most: int | None = None,
        cursor: str | None = None,
        limit: int = 10,
    ) -> ProjectPage:
        """Projects taking bids that match every word (prefix), any of the skills, and the
        budget."""
        if not 1 <= limit <= 50:
            raise ValidationFailed(
                "search.limit", "Page size must be between 1 and 50.", minimum=1, maximum=50
            )
        for bound in (budget_at_least, budget_at_most):
            if bound is not None:
                whole_amount(bound)
        words = tuple(text.terms(query, limit=8))
        skill_ids: tuple[int, ...] = ()
        if skills:
            found = await self.uow.skills.by_slugs([s.lower() for s in skills])
            unknown = sorted({s.lower() for s in skills} - {s.slug for s in found})
            if unknown:
                raise ValidationFailed(
                    "skills.unknown",
                    f"Unknown skill: {', '.join(unknown)}.",
                    unknown=",".join(unknown),
                )
            skill_ids = tuple(s.id for s in found)
        q = ProjectQuery(
            terms=words,
            skill_ids=skill_ids,
            budget_at_least=budget_at_least,
            budget_at_most=budget_at_most,
            before=decode_cursor(cursor) if cursor else None,
            limit=limit + 1,
            taking_bids_at=self.now(),
        )
        rows = await self.uow.projects.search_open(q)
        more = len(rows) > limit
        rows = rows[:limit]
        return ProjectPage(rows, encode_cursor(rows[-1]) if more and rows else None)

    async def of_employer(self, actor: Actor, limit: int = 10, offset: int = 0) -> list[Project]:
        return await self.uow.projects.by_employer(actor.user_id, limit, offset)

    # --- writing --------------------------------------------------------------------

    def _check_budget(self, budget_min: int, budget_max: int) -> None:
        s = self.settings
        if whole_amount(budget_min) < s.min_budget:
            raise ValidationFailed(
                "project.budget_too_small",
                f"The smallest budget is {s.min_budget} (minor units).",
                minimum=s.min_budget,
            )
        if whole_amount(budget_max) > s.max_budget:
            raise ValidationFailed(
                "project.budget_too_large",
                f"The budget can be at most {s.max_budget} (minor units).",
                maximum=s.max_budget,
            )
        if budget_min > budget_max:
            raise ValidationFailed(
                "project.budget_order", "The lowest budget cannot exceed the highest."
            )

    def _check_attachments(self, files: Sequence[Attachment]) -> list[tuple[str, str, str | None]]:
        if len(files) > self.settings.max_attachments:
            raise ValidationFailed(
                "project.too_many_files",
                f"At most {self.settings.max_attachments} files.",
                maximum=self.settings.max_attachments,
            )
        checked = []
        for f in files:
            if f.kind not in ATTACHMENT_KINDS or not f.file_id or len(f.file_id) > 255:
                raise ValidationFailed("project.bad_file", "That file cannot be attached.")
            checked.append((f.file_id, f.kind, (f.file_name or None) and f.file_name[:255]))
        return checked

    @atomic
    async def create_draft(
        self,
        actor: Actor,
        *,
        title: str,
        description: str,
        skills: Sequence[str],
        budget_min: int,
        budget_max: int,
        attachments: Sequence[Attachment] = (),
    ) -> Project:
        user = await self.active_user(actor)
        s = self.settings
        title = text.bounded(title, "project.title", s.title_min, s.title_max)
        description = text.bounded(
            description,
            "project.description",
            s.description_min,
            s.description_max,
        )
        self._check_budget(budget_min, budget_max)
        found = await self._skills(skills)
        files = self._check_attachments(attachments)
        now = self.now()
        project = self.uow.projects.add(
            Project(
                employer_id=user.id,
                title=title,
                description=description,
                budget_min=budget_min,
                budget_max=budget_max,
                status=ProjectStatus.DRAFT,
                created_at=now,
                updated_at=now,
            )
        )
        await self.uow.flush()
        await self.uow.projects.set_skills(project.id, [sk.id for sk in found])
        await self.uow.projects.set_attachments(project.id, files)
        return project

    async def _skills(self, slugs: Sequence[str]) -> list[Skill]:
        found = await SkillService(self.ctx).resolve(slugs, MAX_SKILLS)
        if not found:
            raise ValidationFailed("skills.none", "Pick at least one skill.")
        return found

    async def _own(self, actor: Actor, project_id: int) -> Project:
        await self.active_user(actor)
        project = await self.uow.projects.lock(project_id)
        if project is None:
            raise NotFound("project.not_found", "This project does not exist.")
        if project.employer_id != actor.user_id:
            raise NotAllowed("project.not_owner", "Only the employer who posted it can do this.")
        return project

    @atomic
    async def publish(self, actor: Actor, project_id: int) -> Project:
        """Open a draft for bids for the configured bidding window."""
        project = await self._own(actor, project_id)
        if project.status is not ProjectStatus.DRAFT:
            raise InvalidState("project.not_draft", "This project is already published.")
        now = self.now()
        project.status = ProjectStatus.OPEN
        project.published_at = now
        project.bidding_ends_at = now + self.settings.bidding_window
        project.updated_at = now
        await self._index(project)
        skill_ids = await self.uow.projects.skill_ids(project.id)
        self.emit(
            ProjectPublished(
                recipients=(project.employer_id,),
                project_id=project.id,
                skills=",".join(str(i) for i in skill_ids),
            )
        )
        return project

    async def _index(self, project: Project) -> None:
        # No cap that a long description could reach: every word must stay findable.
        assert project.published_at is not None  # only published projects are indexed
        await self.uow.projects.set_terms(
            project.id,
            project.published_at,
            text.terms(project.title, project.description, limit=10_000),
        )

    @atomic
    async def edit(
        self,
        actor: Actor,
        project_id: int,
        *,
        title: str | None = None,
        description: str | None = None,
        skills: Sequence[str] | None = None,
        budget_min: int | None = None,
        budget_max: int | None = None,
        attachments: Sequence[Attachment] | None = None,
    ) -> Project:
        """Change a draft or an open project; bidders are told it changed."""
        project = await self._own(actor, project_id)
        self._editable(project)
        s = self.settings
        if title is not None:
            project.title = text.bounded(title, "project.title", s.title_min, s.title_max)
        if description is not None:
            project.description = text.bounded(
                description,
                "project.description",
                s.description_min,
                s.description_max,
            )
        if budget_min is not None or budget_max is not None:
            lo = budget_min if budget_min is not None else project.budget_min
            hi = budget_max if budget_max is not None else project.budget_max
            self._check_budget(lo, hi)
            project.budget_min, project.budget_max = lo, hi
        if skills is not None:
            found = await self._skills(skills)
            await self.uow.projects.set_skills(project.id, [sk.id for sk in found])
        if attachments is not None:
            await self.uow.projects.set_attachments(
                project.id, self._check_attachments(attachments)
            )
        project.updated_at = self.now()
        if project.status is ProjectStatus.OPEN:
            await self._index(project)
            bidders = tuple(
                b.freelancer_id
                for b in await self.uow.bids.for_project(project.id, [BidStatus.ACTIVE])
            )
            if bidders:
                self.emit(ProjectEdited(recipients=bidders, project_id=project.id))
        await self.uow.flush()
        return project

    @staticmethod
    def _editable(project: Project) -> None:
        if project.status not in EDITABLE:
            raise InvalidState(
                "project.not_editable", "A project can only be edited while it is open."
            )

    @staticmethod
    def _cancellable(project: Project, milestones: Sequence[Milestone]) -> None:
        """The rules of :meth:`cancel`; ``milestones``: those of its running contract."""
        if project.status in (
            ProjectStatus.COMPLETED,
            ProjectStatus.CANCELLED,
            ProjectStatus.CLOSED,
        ):
            raise InvalidState("project.ended", "This project has already ended.")
        if any(m.escrow > 0 for m in milestones):
            raise InvalidState(
                "project.money_in_escrow",
                "Money is held in escrow for this project: release it, or ask the "
                "freelancer to cancel the milestone, or open a dispute first.",
            )
        if any(m.released_amount > 0 for m in milestones):
            # Paid work must end as a completed contract, not a cancellation that
            # would count against the freelancer's completion rate.
            raise InvalidState(
                "project.partly_paid",
                "Part of this project was already paid: end the contract instead.",
            )

    async def _running(
        self, project: Project, *, lock: bool
    ) -> tuple[Contract | None, Sequence[Milestone]]:
        """The project's running contract (None when there is none) and its milestones."""
        contract = await self.uow.contracts.for_project(project.id)
        if contract is None or contract.status is not ContractStatus.ACTIVE:
            return None, []
        if lock:
            return contract, await self.uow.milestones.lock_for_contract(contract.id)
        return contract, await self.uow.milestones.for_contract(contract.id)

    @atomic
    async def cancel(self, actor: Actor, project_id: int) -> Project:
        """Cancel a project, allowed only while no money sits in escrow for it."""
        project = await self._own(actor, project_id)
        contract, milestones = await self._running(project, lock=True)
        self._cancellable(project, milestones)
        now = self.now()
        if contract is not None:
            for m in milestones:
                if m.status in (MilestoneStatus.PENDING, MilestoneStatus.REQUESTED):
                    m.status = MilestoneStatus.CANCELLED
                    m.closed_at = now
            contract.status = ContractStatus.CANCELLED
            contract.ended_at = now
            contract.ended_by_id = actor.user_id
        award = await self.uow.awards.pending_for_project(project.id)
        if award is not None:
            award.status = AwardStatus.WITHDRAWN
            award.responded_at = now
        bids = await self.uow.bids.lock_for_project(
            project.id, [BidStatus.ACTIVE, BidStatus.AWARDED, BidStatus.HIRED]
        )
        for bid in bids:
            bid.status = BidStatus.CLOSED
            bid.updated_at = now
        project.status = ProjectStatus.CANCELLED
        project.ended_at = now
        project.updated_at = now
        others = [b.freelancer_id for b in bids]
        if contract is not None and contract.freelancer_id not in others:
            others.append(contract.freelancer_id)
        if others:
            self.emit(ProjectCancelled(recipients=tuple(others), project_id=project.id))
        return project

    @atomic
    async def end_bidding_if_due(self, project_id: int) -> ProjectStatus | None:
        """The bidding window of an open project ended: stop taking bids.

        With active bids the employer gets the award decision window to pick one
        (``BIDDING_ENDED``); with none, or when that window is already over too (the
        sweep did not run for that long), the project closes at once. Returns the new
        status, or None when nothing was due.
        """
        project = await self.uow.projects.lock(project_id)
        now = self.now()
        if (
            project is None
            or project.status is not ProjectStatus.OPEN
            or project.bidding_ends_at is None
            or project.bidding_ends_at > now
        ):
            return None
        bids = await self.uow.bids.lock_for_project(project.id, [BidStatus.ACTIVE])
        award_by = project.bidding_ends_at + self.settings.award_decision_window
        if not bids:
            self._close(project, [], reason="no_bids")
            return ProjectStatus.CLOSED
        if award_by <= now:
            self._close(project, bids, reason="not_awarded")
            return ProjectStatus.CLOSED
        project.status = ProjectStatus.BIDDING_ENDED
        project.award_by = award_by
        project.updated_at = now
        self.emit(
            BiddingEnded(recipients=(project.employer_id,), project_id=project.id, bids=len(bids))
        )
        return ProjectStatus.BIDDING_ENDED

    @atomic
    async def close_unawarded_if_due(self, project_id: int) -> bool:
        """The employer let the award decision window pass with no offer pending: close
        the project and its bids, and tell everyone nobody was hired."""
        project = await self.uow.projects.lock(project_id)
        if (
            project is None
            or project.status is not ProjectStatus.BIDDING_ENDED
            or project.award_by is None
            or project.award_by > self.now()
        ):
            return False
        bids = await self.uow.bids.lock_for_project(project.id, [BidStatus.ACTIVE])
        # "nobody_left": every bid was declined, retracted or turned the offer down
        self._close(project, bids, reason="not_awarded" if bids else "nobody_left")
        return True

    def _close(self, project: Project, bids: Sequence[Bid], *, reason: str) -> None:
        now = self.now()
        for bid in bids:
            bid.status = BidStatus.CLOSED
            bid.updated_at = now
        project.status = ProjectStatus.CLOSED
        project.ended_at = now
        project.updated_at = now
        self.emit(
            ProjectClosed(
                recipients=(project.employer_id, *[b.freelancer_id for b in bids]),
                project_id=project.id,
                reason=reason,
            )
        )

    # --- bot support: the marketplace front ---------------------------------------------

    async def check_fields(
        self,
        *,
        title: str | None = None,
        description: str | None = None,
        skills: Sequence[str] | None = None,
        budget_min: int | None = None,
        budget_max: int | None = None,
        attachments: Sequence[Attachment] | None = None,
    ) -> None:
        """Validate the given parts of a project as create_draft() and edit() will, writing
        nothing, so a conversation can re-ask at the step that is wrong instead of at the end.

        A budget with one bound only is checked as a fixed price of that amount (the first
        of two steps).
        """
        s = self.settings
        if title is not None:
            text.bounded(title, "project.title", s.title_min, s.title_max)
        if description is not None:
            text.bounded(
                description,
                "project.description",
                s.description_min,
                s.description_max,
            )
        if skills is not None:
            await self._skills(skills)
        if budget_min is not None or budget_max is not None:
            lo = budget_min if budget_min is not None else budget_max
            hi = budget_max if budget_max is not None else budget_min
            assert lo is not None and hi is not None
            self._check_budget(lo, hi)
        if attachments is not None:
            self._check_attachments(attachments)

    async def check(self, actor: Actor, project_id: int, action: str) -> Project:
        """One's own project, refused now as ``edit`` or ``cancel`` would refuse it, read
        without a lock: the bot asks this at the first press, so a stale or forged button
        is refused before a question or a conversation starts."""
        await self.active_user(actor)
        project = await self.get(project_id)
        if project.employer_id != actor.user_id:
            raise NotAllowed("project.not_owner", "Only the employer who posted it can do this.")
        if action == "edit":
            self._editable(project)
        elif action == "cancel":
            self._cancellable(project, (await self._running(project, lock=False))[1])
        else:
            raise ValidationFailed("project.action", f"Unknown project action {action!r}.")
        return project
