"""Reports: anyone may flag a message, bid, project or profile; an admin decides.

A report names what was reported and who is behind it, and keeps the text as it read
then (a bid or a project may be edited afterwards). Refused: reporting oneself, what one
cannot see, the same thing twice while the first report is open, and more than
``REPORTS_PER_DAY`` reports a day. An admin dismisses, warns (the reported person is told)
or bans (through ``UserService.ban``; the person's other open reports are closed with
it); each reporter is told the outcome, and admins are told of each new report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core import text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import Conflict, InvalidState, LimitReached, NotAllowed, NotFound, ValidationFailed
from core.events.reports import ReportDecided, ReportFiled, ReportWarned
from core.services import audit
from core.services.audit import AuditService, Concerns
from core.services.users import UserService
from storage.enums import ProjectStatus, ReportReason, ReportStatus, ReportTarget
from storage.models import Message, Project, Report, User

#: The longest ``context`` kept with a report.
CONTEXT_MAX = 3000
#: Messages of the conversation shown to the admin with a reported message.
THREAD = 6

DAY = timedelta(days=1)
BAN_REASON = "Reported ({reason}) and confirmed by an administrator."
#: The audit trail's code for each decision.
AUDITED = {
    ReportStatus.DISMISSED: audit.REPORT_DISMISS,
    ReportStatus.WARNED: audit.REPORT_WARN,
    ReportStatus.BANNED: audit.REPORT_BAN,
}


@dataclass(frozen=True)
class ReportTargetView:
    """What a report would be about, resolved and checked for the person reporting."""

    kind: ReportTarget
    target_id: int
    subject: User  # who is behind it
    project_id: int | None
    context: str
    flags: str | None


@dataclass(frozen=True)
class ReportView:
    """A report as an admin decides it."""

    report: Report
    reporter: User
    subject: User
    project: Project | None
    thread: list[Message]  # for a reported message: the conversation up to it
    earlier: dict[ReportStatus, int]  # every report about the subject, by outcome


def _kind(kind: ReportTarget | str) -> ReportTarget:
    try:
        return ReportTarget(kind)
    except ValueError:
        raise ValidationFailed("report.kind", "That cannot be reported.") from None


def _reason(reason: ReportReason | str) -> ReportReason:
    try:
        return ReportReason(reason)
    except ValueError:
        raise ValidationFailed("report.reason", "Choose what is wrong from the list.") from None


class ReportService(Service):
    async def target(
        self, actor: Actor, kind: ReportTarget | str, target_id: int
    ) -> ReportTargetView:
        """What ``actor`` would report: only something they can see, never their own."""
        kind = _kind(kind)
        if kind is ReportTarget.MESSAGE:
            view = await self._message(actor, target_id)
        elif kind is ReportTarget.BID:
            view = await self._bid(actor, target_id)
        elif kind is ReportTarget.PROJECT:
            view = await self._project(actor, target_id)
        else:
            view = await self._profile(target_id)
        if view.subject.id == actor.user_id:
            raise NotAllowed("report.self", "You cannot report yourself.")
        return view

    async def _message(self, actor: Actor, message_id: int) -> ReportTargetView:
        message = await self.uow.messages.get(message_id)
        if message is None or actor.user_id not in (message.sender_id, message.recipient_id):
            raise NotFound("message.not_found", "This message does not exist.")
        sender = await self._user(message.sender_id)
        file = f"[{message.file_kind or 'file'}] " if message.file_id else ""
        return ReportTargetView(
            ReportTarget.MESSAGE,
            message.id,
            sender,
            message.project_id,
            file + message.text,
            message.flags,
        )

    async def _bid(self, actor: Actor, bid_id: int) -> ReportTargetView:
        bid = await self.uow.bids.get(bid_id)
        project = await self.uow.projects.get(bid.project_id) if bid is not None else None
        if (
            bid is None
            or project is None
            or actor.user_id not in (project.employer_id, bid.freelancer_id)
        ):
            raise NotFound("bid.not_found", "This bid does not exist.")
        money = self.settings.money
        # No words, only figures: the admin who reads it may read another language.
        context = f"💰 {money.format(bid.amount)} · ⏱ {bid.delivery_days}\n{bid.proposal}"
        subject = await self._user(bid.freelancer_id)
        return ReportTargetView(ReportTarget.BID, bid.id, subject, project.id, context, None)

    async def _project(self, actor: Actor, project_id: int) -> ReportTargetView:
        project = await self.uow.projects.get(project_id)
        if project is None or (
            project.status is ProjectStatus.DRAFT and project.employer_id != actor.user_id
        ):
            raise NotFound("project.not_found", "This project does not exist.")
        subject = await self._user(project.employer_id)
        context = f"{project.title}\n{project.description}"
        return ReportTargetView(
            ReportTarget.PROJECT, project.id, subject, project.id, context, None
        )

    async def _profile(self, user_id: int) -> ReportTargetView:
        user = await self._user(user_id)
        profile = await self.uow.users.profile(user_id)
        parts = [user.display_name]
        if profile is not None:
            parts += [profile.headline, profile.bio, *profile.portfolio]
        context = "\n".join(p for p in parts if p)
        return ReportTargetView(ReportTarget.PROFILE, user.id, user, None, context, None)

    async def _user(self, user_id: int) -> User:
        user = await self.uow.users.get(user_id)
        if user is None:
            raise NotFound("user.not_found", "No such user.")
        return user

    async def check(
        self, actor: Actor, kind: ReportTarget | str, target_id: int
    ) -> ReportTargetView:
        """Whether ``actor`` may report this now, asked before the reason: the refusals of
        :meth:`report` that do not depend on what they will type."""
        await self.active_user(actor)
        view = await self.target(actor, kind, target_id)
        if await self.uow.reports.open_by(actor.user_id, view.kind, view.target_id):
            raise Conflict(
                "report.duplicate", "You have already reported this; an admin is looking at it."
            )
        limit = self.settings.reports_per_day
        if await self.uow.reports.filed_since(actor.user_id, self.now() - DAY) >= limit:
            raise LimitReached(
                "report.daily_limit",
                f"You can file {limit} reports a day. Try again tomorrow.",
                limit=limit,
            )
        return view

    def check_note(self, note: str) -> str | None:
        """The optional note of a report: cleaned, within ``REPORT_NOTE_MAX``."""
        value = text.clean(note)
        if not value:
            return None
        return text.bounded(value, "report.note", 1, self.settings.report_note_max)

    @atomic
    async def report(
        self,
        actor: Actor,
        kind: ReportTarget | str,
        target_id: int,
        reason: ReportReason | str,
        note: str = "",
    ) -> Report:
        view = await self.check(actor, kind, target_id)
        reason = _reason(reason)
        report = self.uow.reports.add(
            Report(
                reporter_id=actor.user_id,
                subject_id=view.subject.id,
                target_kind=view.kind,
                target_id=view.target_id,
                project_id=view.project_id,
                reason=reason,
                note=self.check_note(note),
                context=view.context[:CONTEXT_MAX],
                flags=view.flags,
                status=ReportStatus.OPEN,
                created_at=self.now(),
            )
        )
        await self.uow.flush()
        self.emit(ReportFiled(report_id=report.id))
        return report

    # --- admins ---------------------------------------------------------------------

    async def queue(self, actor: Actor, limit: int = 10, offset: int = 0) -> list[Report]:
        """Open reports, oldest first."""
        self.require_admin(actor)
        return await self.uow.reports.queue(limit, offset)

    async def count_open(self, actor: Actor) -> int:
        self.require_admin(actor)
        return await self.uow.reports.count_open()

    async def get(self, actor: Actor, report_id: int) -> Report:
        """A report, for an admin, the person who filed it, or the person it warned."""
        report = await self.uow.reports.get(report_id)
        warned = (
            report is not None
            and report.status is ReportStatus.WARNED
            and report.subject_id == actor.user_id
        )
        if report is None or not (actor.is_admin or report.reporter_id == actor.user_id or warned):
            raise NotFound("report.not_found", "This report does not exist.")
        return report

    async def view(self, actor: Actor, report_id: int) -> ReportView:
        self.require_admin(actor)
        report = await self.get(actor, report_id)
        thread: list[Message] = []
        if report.target_kind is ReportTarget.MESSAGE:
            message = await self.uow.messages.get(report.target_id)
            if message is not None:
                thread = await self.uow.messages.thread(
                    message.project_id,
                    message.sender_id,
                    message.recipient_id,
                    THREAD,
                    before_id=message.id + 1,
                )
        project = await self.uow.projects.get(report.project_id) if report.project_id else None
        return ReportView(
            report,
            await self._user(report.reporter_id),
            await self._user(report.subject_id),
            project,
            thread,
            await self.uow.reports.outcomes_about(report.subject_id),
        )

    @atomic
    async def decide(
        self, actor: Actor, report_id: int, outcome: ReportStatus | str, note: str = ""
    ) -> Report:
        """Dismiss, warn or ban; the reporter is told, and a warned person too."""
        self.require_admin(actor)
        await self.active_user(actor)
        try:
            outcome = ReportStatus(outcome)
        except ValueError:
            outcome = ReportStatus.OPEN
        if outcome is ReportStatus.OPEN:
            raise ValidationFailed("report.outcome", "Dismiss, warn or ban.")
        report = await self.uow.reports.lock(report_id)
        if report is None:
            raise NotFound("report.not_found", "This report does not exist.")
        if report.status is not ReportStatus.OPEN:
            raise InvalidState("report.decided", "This report was already decided.")
        if report.subject_id == actor.user_id:
            raise NotAllowed("report.judge_self", "You cannot decide a report about yourself.")
        decision = self.check_note(note)
        why = decision
        decided = [report]
        if outcome is ReportStatus.BANNED:
            subject = await self._user(report.subject_id)
            if not subject.is_banned:
                why = decision or BAN_REASON.format(reason=report.reason.value.replace("_", " "))
                await UserService(self.ctx).suspend(actor, subject.id, why)
            others = await self.uow.reports.lock_open_about(subject.id)
            decided += [r for r in others if r.id != report.id]
        now = self.now()
        for each in decided:
            each.status = outcome
            each.decided_at = now
            each.decided_by_id = actor.user_id
            each.decision_note = decision
            self.emit(ReportDecided(recipients=(each.reporter_id,), report_id=each.id))
        if outcome is ReportStatus.WARNED:
            self.emit(ReportWarned(recipients=(report.subject_id,), report_id=report.id))
        AuditService(self.ctx).record(
            actor,
            AUDITED[outcome],
            ("report", report.id),
            concerns=Concerns(report.subject_id),
            details={
                "reported": report.reason.value,
                "target": f"{report.target_kind.value}:{report.target_id}",
                "closed_with_it": [r.id for r in decided[1:]],
            },
            reason=why,
        )
        return report
