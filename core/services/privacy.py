"""People's own data: everything bidgram holds about a person, and deleting an account.

**Export** (:meth:`PrivacyService.export`): their account, freelancer profile and
skills, alert settings, the projects they posted (with their files' Telegram ids), their
bids, the offers made to them or on their projects, their contracts on either side with
every milestone and its history, the payments they made, their balances and every ledger
posting to their own accounts, their payouts, the disputes they filed or answered (with
the offers and the evidence *they* attached), the messages they sent and received (a
received message is theirs to see: they got it), the reviews they wrote and the visible
reviews about them, the reports they filed, whom they muted and the safety notes shown
to them. Others appear by bidgram id and first name only. Not in it: what belongs to the
admins (reports about them, the audit trail, the notes admins left on reports), the other
side's evidence files, and reviews about them still hidden by the double-blind rule.
Each list holds its newest ``EXPORT_ROWS``; :func:`export_bytes` keeps the file within
Telegram's upload limit, saying in ``left_out`` what it had to leave out.

**Deletion** (:meth:`PrivacyService.delete`) is refused, with the reason, while money of
theirs is anywhere but gone: in escrow on a contract of theirs, in an open dispute, on
payout or refund hold, in a payment not credited yet, or on their available balance
(money is never destroyed: withdraw it first); and while a contract of theirs is active
(the other side counts on it: end it first). Otherwise, in one transaction:

* *closed first, the others told as usual*: their projects that never became a contract
  are cancelled, offers made to them declined, their active bids retracted;
* *erased*: the freelancer profile, its skills and portfolio, alert settings, whom they
  muted and the safety notes shown to them; the description and files of projects that
  never became a contract (and the terms of offers on them), and their title unless
  someone bid on it (the bidders' own bids name it); proposals that did not win a
  contract; what they sent outside a contract's conversation; where they asked to be paid
  on payouts that never paid (each text becomes ``DELETED``);
* *kept, under the name "Deleted user #<id>"*: what the other side and the books need,
  i.e. contracts with their project, winning bid, terms, milestones, deliveries, disputes
  and evidence, the two sides' messages about a contract, reviews both ways, payments,
  payouts that paid and every ledger entry (the books still balance), and the admins'
  records (reports, the audit trail);
* *the account*: name and username replaced, Telegram id detached (a negative number no
  Telegram user has), so the person starts afresh if they come back; no alert reaches the
  old account again.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from core import ledger
from core.actors import Actor
from core.context import Service, atomic
from core.errors import DomainError, InsufficientFunds, InvalidState
from core.services.awards import AwardService
from core.services.bids import BidService
from core.services.payouts import PayoutService
from core.services.projects import ProjectService
from storage.enums import AwardStatus, PartyRole
from storage.models import Contract, Dispute, User

#: What an erased text reads afterwards.
DELETED = "[deleted]"
#: Rows per list in an export (the newest); more are named in ``left_out``.
EXPORT_ROWS = 2000
#: Telegram takes files up to 50 MB from a bot; the export stays well within that.
EXPORT_MAX_BYTES = 45 * 1024 * 1024
EXPORT_FORMAT = "bidgram-export/1"


R = TypeVar("R")
#: Someone else as an export names them: bidgram id and first name.
Namer = Callable[[int | None], Awaitable[dict[str, Any] | None]]


def anonymous_name(user_id: int) -> str:
    return f"Deleted user #{user_id}"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


#: The columns each kind of row is exported with: the export's schema, in one place.
FIELDS = {
    kind: tuple(columns.split())
    for kind, columns in {
        "account": "id telegram_id first_name last_name username language_code language "
        "time_zone created_at blocked_bot_at",
        "profile": "headline bio hourly_rate portfolio updated_at",
        "alerts": "min_budget paused created_at updated_at stopped_at",
        "project": "id title description budget_min budget_max status created_at published_at "
        "bidding_ends_at ended_at",
        "attachment": "file_id kind file_name",
        "bid": "id project_id amount delivery_days proposal status created_at placed_at updated_at",
        "offer": "id project_id status offered_at expires_at responded_at deliverables "
        "revision_rounds due_at",
        "contract": "id project_id agreed_amount delivery_days deliverables revision_rounds status "
        "started_at deadline_at ended_at",
        "milestone": "id description amount due_at status created_at funded_at delivered_at "
        "closed_at funded_amount released_amount refunded_amount fee_amount",
        "event": "kind amount note file_ids protected created_at",
        "payment": "id milestone_id gateway amount currency status external_id created_at "
        "confirmed_at refunded_amount refund_status",
        "payout": "id amount destination status requested_at decided_at note",
        "dispute": "id milestone_id contract_id reason claimed_amount deliverables status "
        "created_at respond_by response responded_at resolution resolution_note resolved_at "
        "released_amount refunded_amount",
        "offer_to_settle": "release_amount status created_at",
        "evidence": "file_id file_kind caption stage created_at",
        "message": "id project_id text file_id file_kind created_at",
        "review": "contract_id rating text ending created_at",
        "report": "id target_kind target_id reason note status created_at decided_at",
    }.items()
}


def _fields(row: Any, kind: str) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in FIELDS[kind]}


@dataclass(frozen=True)
class DeletionPlan:
    """What deleting ``actor``'s account would do now: the refusals (empty when it may go
    ahead), and what it would close first."""

    refusals: list[DomainError]
    projects: int  # cancelled
    offers: int  # declined
    bids: int  # retracted

    @property
    def allowed(self) -> bool:
        return not self.refusals


class PrivacyService(Service):
    # --- export -----------------------------------------------------------------------

    async def export(self, actor: Actor) -> dict[str, Any]:
        """Everything bidgram holds about ``actor`` (module docstring), JSON-serialisable."""
        user = await self.active_user(actor)
        uid, more, uow = user.id, EXPORT_ROWS + 1, self.uow
        names: dict[int, str] = {}
        left_out: dict[str, str] = {}

        async def name(user_id: int | None) -> dict[str, Any] | None:
            if user_id is None:
                return None
            if user_id not in names:
                other = await uow.users.get(user_id)
                names[user_id] = other.first_name if other is not None else ""
            return {"id": user_id, "name": names[user_id]}

        def newest(section: str, rows: Sequence[R]) -> Sequence[R]:
            if len(rows) > EXPORT_ROWS:
                left_out[section] = f"only the newest {EXPORT_ROWS} are here"
            return rows[:EXPORT_ROWS]

        projects = newest("projects", await uow.projects.by_employer(uid, more))
        pids = [p.id for p in projects]
        files = await uow.projects.attachments_of(pids)
        skills = await uow.projects.skill_ids_of(pids)
        slugs = {s.id: s.slug for s in await uow.skills.all()}
        balance = await PayoutService(self.ctx).balance(uid)
        cutoff = self.now() - self.settings.review_window
        about_you = [
            r
            for role in PartyRole
            for r in await uow.reviews.visible_about(uid, role, cutoff, more)
        ]
        sent = newest("messages.sent", await uow.personal.messages(uid, sent=True, limit=more))
        got = newest("messages.received", await uow.personal.messages(uid, sent=False, limit=more))
        return {
            "format": EXPORT_FORMAT,
            "exported_at": _plain(self.now()),
            "account": _fields(user, "account"),
            "freelancer_profile": await self._profile(uid),
            "alerts": await self._alerts(uid),
            "projects": [
                _fields(p, "project")
                | {
                    "skills": sorted(slugs[i] for i in skills[p.id] if i in slugs),
                    "attachments": [_fields(f, "attachment") for f in files[p.id]],
                }
                for p in projects
            ],
            "bids": [
                _fields(b, "bid") for b in newest("bids", await uow.bids.by_freelancer(uid, more))
            ],
            "offers": [
                _fields(a, "offer") | {"to_you": a.freelancer_id == uid}
                for a in newest("offers", await uow.personal.awards(uid, more))
            ],
            "contracts": [
                await self._contract(c, uid, name)
                for c in newest("contracts", await uow.contracts.of_user(uid, more))
            ],
            "payments": [
                _fields(p, "payment")
                for p in newest("payments", await uow.personal.payments(uid, more))
            ],
            "money": {
                "currency": self.settings.currency,
                "available": balance.available,
                "payout_hold": balance.on_hold,
                "refund_hold": balance.refunding,
                "ledger": [
                    {
                        "account": code.rsplit(":", 1)[-1],
                        "kind": kind,
                        "reference": key,
                        "amount": amount,
                        "at": _plain(at),
                        "milestone_id": milestone_id,
                    }
                    for code, kind, key, amount, at, milestone_id in newest(
                        "money.ledger", await uow.personal.postings(uid, more)
                    )
                ],
            },
            "payouts": [
                _fields(p, "payout")
                for p in newest("payouts", await uow.payouts.of_user(uid, more))
            ],
            "disputes": [
                await self._dispute(d, uid)
                for d in newest("disputes", await uow.disputes.of_user(uid, more))
            ],
            "messages": {
                "sent": [
                    _fields(m, "message") | {"flags": m.flags, "to": await name(m.recipient_id)}
                    for m in sent
                ],
                "received": [
                    _fields(m, "message") | {"from": await name(m.sender_id)} for m in got
                ],
            },
            "reviews": {
                "written": [
                    _fields(r, "review") | {"about": await name(r.subject_id)}
                    for r in newest("reviews.written", await uow.personal.reviews_by(uid, more))
                ],
                "about_you": [
                    _fields(r, "review")
                    | {"subject_role": r.subject_role.value, "by": await name(r.author_id)}
                    for r in newest("reviews.about_you", about_you)
                ],
            },
            "reports_filed": [
                _fields(r, "report")
                for r in newest("reports_filed", await uow.personal.reports_by(uid, more))
            ],
            "mutes": [
                {"muted": await name(m.muted_id), "since": _plain(m.created_at)}
                for m in newest("mutes", await uow.personal.mutes_by(uid, more))
            ],
            "safety_notes": [
                {
                    "project_id": n.project_id,
                    "about_messages_from": await name(n.other_id),
                    "shown_at": _plain(n.shown_at),
                }
                for n in newest("safety_notes", await uow.personal.safety_notes_of(uid, more))
            ],
            "left_out": left_out,
        }

    async def _profile(self, user_id: int) -> dict[str, Any] | None:
        profile = await self.uow.users.profile(user_id)
        if profile is None:
            return None
        skills = await self.uow.skills.by_ids(await self.uow.users.profile_skill_ids(user_id))
        return _fields(profile, "profile") | {"skills": sorted(s.slug for s in skills)}

    async def _alerts(self, user_id: int) -> dict[str, Any] | None:
        sub = await self.uow.subscriptions.get(user_id)
        if sub is None:
            return None
        skills = await self.uow.skills.by_ids(await self.uow.subscriptions.skill_ids(user_id))
        return _fields(sub, "alerts") | {"skills": sorted(s.slug for s in skills)}

    async def _contract(self, c: Contract, uid: int, name: Namer) -> dict[str, Any]:
        other = c.freelancer_id if c.employer_id == uid else c.employer_id
        project = await self.uow.projects.get(c.project_id)
        milestones = [
            _fields(m, "milestone")
            | {
                "history": [
                    _fields(ev, "event") | {"by": _who(ev.actor_id, uid, other)}
                    for ev in await self.uow.milestones.history(m.id)
                ]
            }
            for m in await self.uow.milestones.for_contract(c.id)
        ]
        role = PartyRole.EMPLOYER if c.employer_id == uid else PartyRole.FREELANCER
        return _fields(c, "contract") | {
            "project_title": project.title if project is not None else None,
            "your_role": role.value,
            "other_side": await name(other),
            "milestones": milestones,
        }

    async def _dispute(self, d: Dispute, uid: int) -> dict[str, Any]:
        other = d.respondent_id if d.filed_by_id == uid else d.filed_by_id
        evidence = await self.uow.disputes.evidence(d.id)
        return _fields(d, "dispute") | {
            "filed_by_you": d.filed_by_id == uid,
            "offers": [
                _fields(o, "offer_to_settle") | {"by": _who(o.by_user_id, uid, other)}
                for o in await self.uow.disputes.offers(d.id)
            ],
            "your_evidence": [_fields(x, "evidence") for x in evidence if x.author_id == uid],
        }

    # --- deletion -----------------------------------------------------------------------

    async def deletion(self, actor: Actor) -> DeletionPlan:
        """What deleting the account would do now, asked before the confirmation (and
        checked again by :meth:`delete`)."""
        user = await self.active_user(actor)
        return DeletionPlan(
            await self._refusals(user),
            len(await self.uow.personal.open_projects(user.id)),
            len(await self._offers_to_decline(user.id)),
            len(await self.uow.bids.active_of(user.id)),
        )

    async def _refusals(self, user: User) -> list[DomainError]:
        """Money of theirs that is not gone yet, and contracts still running."""
        book, personal = ledger.Ledger(self.uow), self.uow.personal
        escrow = await personal.escrow_held(user.id)
        held = await book.balance(ledger.payout_hold(user.id))
        returning = await book.balance(ledger.refund_hold(user.id))
        available = await book.balance(ledger.available(user.id))
        checks: list[tuple[object, DomainError]] = [
            (
                escrow,
                InvalidState(
                    "account.money_in_escrow",
                    f"{escrow} (minor units) is held in escrow on your contracts: it has to "
                    "be released or refunded first.",
                    amount=escrow,
                ),
            ),
            (
                await personal.open_disputes(user.id),
                InvalidState(
                    "account.open_dispute",
                    "You are a side of a dispute that is still open: it has to be settled first.",
                ),
            ),
            (
                held,
                InvalidState(
                    "account.payout_pending",
                    f"A payout of {held} (minor units) is waiting for an administrator: wait "
                    "until it is paid or rejected.",
                    amount=held,
                ),
            ),
            (
                returning,
                InvalidState(
                    "account.refund_pending",
                    f"{returning} (minor units) is on its way back to where you paid it from: "
                    "wait until the refund is done.",
                    amount=returning,
                ),
            ),
            (
                await personal.uncredited_payments(user.telegram_id),
                InvalidState(
                    "account.payment_pending",
                    "A payment of yours is still being credited: try again in a few minutes.",
                ),
            ),
            (
                available,
                InsufficientFunds(
                    "account.balance",
                    f"You have {available} (minor units) on your balance: withdraw it first "
                    "(/balance); money is never thrown away.",
                    available=available,
                ),
            ),
            (
                await personal.active_contracts(user.id),
                InvalidState(
                    "account.contract_active",
                    "You have a contract that is still running: end it first, so the other "
                    "side is not left waiting.",
                ),
            ),
        ]
        return [refusal for present, refusal in checks if present]

    async def _offers_to_decline(self, user_id: int) -> list[int]:
        """Offers made to them still open to an answer (lapsed ones the timer closes)."""
        return [
            a.id
            for a in await self.uow.awards.pending_for_freelancer(user_id)
            if a.status is AwardStatus.PENDING and a.expires_at > self.now()
        ]

    @atomic
    async def delete(self, actor: Actor) -> User:
        """Delete ``actor``'s account (module docstring), or refuse with the first reason."""
        await self.active_user(actor)
        user = await self.uow.users.lock(actor.user_id)
        assert user is not None
        refusals = await self._refusals(user)
        if refusals:
            raise refusals[0]
        for project_id in await self.uow.personal.open_projects(user.id):
            await ProjectService(self.ctx).cancel(actor, project_id)
        for award_id in await self._offers_to_decline(user.id):
            await AwardService(self.ctx).decline(actor, award_id)
        await BidService(self.ctx).retract_all(user.id)

        personal = self.uow.personal
        await personal.erase_profile(user.id)
        await personal.erase_choices(user.id)
        await personal.erase_projects(user.id, DELETED)
        await personal.erase_bids(user.id, DELETED)
        await personal.erase_messages(user.id, DELETED)
        await personal.erase_rejected_payouts(user.id, DELETED)
        # Alerts already queued for their chat are not sent; later ones find no chat.
        await self.uow.outbox.stop_chat(str(user.telegram_id), "blocked", "account deleted")

        now = self.now()
        user.first_name = anonymous_name(user.id)
        user.last_name = None
        user.username = None
        user.language_code = user.language = user.time_zone = None
        user.telegram_id = -user.id  # no Telegram user has it: a returning person is new
        user.blocked_bot_at = now  # whatever is rendered for this account is never sent
        user.deleted_at = now
        await self.uow.flush()
        return user


def _who(actor_id: int | None, you: int, other: int) -> str:
    """Who did something on a contract or dispute, as its export says."""
    if actor_id is None:
        return "bidgram"
    if actor_id == you:
        return "you"
    return "other side" if actor_id == other else "an administrator"


def export_bytes(data: dict[str, Any], limit: int = EXPORT_MAX_BYTES) -> bytes:
    """The export as a UTF-8 JSON file within ``limit`` bytes. Too big, the longest list is
    halved (its newest rows kept) until it fits, and ``left_out`` says so."""
    while True:
        body = json.dumps(data, ensure_ascii=False, indent=1).encode()
        if len(body) <= limit:
            return body
        path, rows = max(_lists(data), key=lambda found: len(json.dumps(found[1])))
        if not rows:
            raise ValueError(f"an export cannot fit in {limit} bytes")
        keep = len(rows) // 2
        del rows[keep:]
        left_out = data.setdefault("left_out", {})
        left_out[path] = f"only the newest {keep} are here: the file has to stay small"


def _lists(data: dict[str, Any], prefix: str = "") -> Iterable[tuple[str, list[Any]]]:
    for key, value in data.items():
        if isinstance(value, list) and key != "left_out":
            yield prefix + key, value
        elif isinstance(value, dict) and key != "left_out":
            yield from _lists(value, f"{prefix}{key}.")
