"""The admins' audit trail: every admin action, who, when, what and why.

Written by core, in the transaction of the action itself (each admin service method
calls :meth:`AuditService.record` once it has done what it does; inside ``@atomic``, so
a refused or rolled-back action leaves no entry), and by the operator's ``bidgram
replay`` through :func:`record` with no actor. Entries are never changed or removed
(``storage.repositories.AuditRepository``).

**Kept out of reach of the admin it concerns.** An entry *concerns* the people it was
about: the person banned, unbanned, warned or reported, the person a payout paid or
refused, both sides of a dispute's verdict, the person whose update was replayed. An
admin never reads an entry that concerns them (whoever made it), and cannot ask for the
entries about themselves: those are for the other admins. Entries an admin *made* about
others they may read. They cannot make one about themselves either: no admin bans,
unbans, pays, judges or decides a report for themselves (each service refuses it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.actors import Actor
from core.context import Service
from core.errors import NotAllowed
from storage.models import AdminAction, User
from storage.uow import UnitOfWork

#: The stable action codes (what the trail and its filters name).
USER_BAN = "user.ban"
USER_UNBAN = "user.unban"
DISPUTE_VERDICT = "dispute.verdict"
PAYOUT_PAID = "payout.paid"
PAYOUT_REJECTED = "payout.rejected"
REPORT_DISMISS = "report.dismiss"
REPORT_WARN = "report.warn"
REPORT_BAN = "report.ban"
DEAD_LETTER_REPLAY = "dead_letter.replay"

#: Who acted: an admin in the bot, or an operator at the command line (no user).
ADMIN, OPERATOR = "admin", "operator"

#: The longest "why" kept (the admins' notes are bounded below that already).
REASON_MAX = 2000


@dataclass(frozen=True)
class Concerns:
    """Whom an action is about: the person acted on, and a second person (the other side
    of a dispute) when there is one."""

    user_id: int | None = None
    other_user_id: int | None = None


def record(
    uow: UnitOfWork,
    at: datetime,
    action: str,
    subject: tuple[str, int],
    *,
    actor_id: int | None,
    concerns: Concerns = Concerns(),
    details: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> AdminAction:
    """Append one entry in the caller's transaction: the only way one is written."""
    kind, subject_id = subject
    return uow.audit.append(
        AdminAction(
            created_at=at,
            actor_id=actor_id,
            by=ADMIN if actor_id is not None else OPERATOR,
            action=action,
            subject_kind=kind,
            subject_id=subject_id,
            user_id=concerns.user_id,
            other_user_id=concerns.other_user_id,
            details=dict(details or {}),
            reason=(reason or "").strip()[:REASON_MAX] or None,
        )
    )


@dataclass(frozen=True)
class TrailPage:
    """One page of the trail as an admin may read it, with the people it names."""

    entries: list[AdminAction]
    people: dict[int, User]
    more: bool


class AuditService(Service):
    def record(
        self,
        actor: Actor,
        action: str,
        subject: tuple[str, int],
        *,
        concerns: Concerns = Concerns(),
        details: Mapping[str, Any] | None = None,
        reason: str | None = None,
    ) -> AdminAction:
        """What an admin service method calls once its action is done (module docstring)."""
        return record(
            self.uow,
            self.now(),
            action,
            subject,
            actor_id=actor.user_id,
            concerns=concerns,
            details=details,
            reason=reason,
        )

    async def trail(
        self,
        actor: Actor,
        *,
        by_admin: int | None = None,
        about: int | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> TrailPage:
        """Newest first, never an entry that concerns ``actor``; only those ``by_admin``
        made, or only those ``about`` a person. Asking for one's own is refused."""
        self.require_admin(actor)
        if about == actor.user_id:
            raise NotAllowed(
                "audit.about_self",
                "Entries about you are kept from you: another administrator can read them.",
            )
        found = await self.uow.audit.trail(
            hidden_from=actor.user_id,
            actor_id=by_admin,
            person_id=about,
            limit=limit + 1,
            offset=offset,
        )
        entries = found[:limit]
        ids = {e.actor_id for e in entries} | {e.user_id for e in entries}
        ids |= {e.other_user_id for e in entries}
        people = {}
        for user_id in sorted(i for i in ids if i is not None):
            user = await self.uow.users.get(user_id)
            if user is not None:
                people[user_id] = user
        return TrailPage(entries, people, len(found) > limit)
