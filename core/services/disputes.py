"""Disputes: frozen escrow, a response window, negotiation, arbitration.

Only unreleased, funded money can be disputed, and a dispute cannot be an alibi
for keeping work unpaid: an employer disputing delivered work names which of the
agreed deliverables are missing or wrong; both sides have the same time to
respond; a freelancer who stays silent sends the case to an admin (never to an
automatic refund), while an employer who stays silent lets the freelancer's claim
stand. Either side may attach evidence at every stage. Then either side may offer
a split; acceptance settles it. Either side may escalate to an admin, who sees the
whole record (terms, deliveries, change requests, evidence, messages) and decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from core import text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import (
    Conflict,
    InvalidState,
    LimitReached,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from core.events.disputes import (
    DisputeEscalated,
    DisputeOpened,
    DisputeResolved,
    DisputeResponded,
    DisputeSettled,
    DisputeWithdrawn,
    EvidenceAdded,
    NeedsArbiter,
    OfferMade,
)
from core.money import whole_amount
from core.services import audit
from core.services.audit import AuditService, Concerns
from core.services.escrow import Escrow, Settlement
from storage.enums import (
    DisputeResolution,
    DisputeStatus,
    EvidenceStage,
    MilestoneStatus,
    OfferStatus,
    PartyRole,
)
from storage.models import (
    Bid,
    Contract,
    Dispute,
    DisputeEvidence,
    DisputeOffer,
    Message,
    Milestone,
    MilestoneEvent,
    Project,
)
from storage.repositories import OPEN_DISPUTE

DISPUTABLE = (MilestoneStatus.FUNDED, MilestoneStatus.DELIVERED)
#: What evidence may be: files and photos (and short videos), as Telegram sends them.
EVIDENCE_KINDS = ("document", "photo", "video")


def silence_escalates(dispute: Dispute) -> bool:
    """Who wins when the respondent stays silent: never the employer by default.

    A freelancer's silence on an employer's dispute sends it to an admin (the work may
    well have been delivered); an employer's silence on a freelancer's dispute lets
    the freelancer's claim stand, as an unanswered delivery releases itself.
    """
    return dispute.filer_role is PartyRole.EMPLOYER


@dataclass(frozen=True)
class EvidenceFile:
    """A file offered as evidence: its Telegram file id, kind and an optional caption."""

    file_id: str
    kind: str  # one of EVIDENCE_KINDS
    caption: str | None = None


@dataclass(frozen=True)
class Silence:
    """What the timer did with a dispute whose respondent did not answer in time."""

    dispute: Dispute
    settlement: Settlement | None  # the freelancer's claim stood; None: sent to an admin

    @property
    def escalated(self) -> bool:
        return self.settlement is None


@dataclass(frozen=True)
class DisputeRecord:
    """Everything an arbiter needs in one place."""

    dispute: Dispute
    offers: list[DisputeOffer]
    milestone: Milestone
    contract: Contract
    project: Project
    bid: Bid | None
    history: list[MilestoneEvent]
    messages: list[Message]
    milestones: list[Milestone]
    evidence: list[DisputeEvidence]
    earlier: list[Dispute]  # the milestone's other disputes (withdrawn or settled)

    @property
    def deliveries(self) -> list[MilestoneEvent]:
        """Each time the work was handed in, with its note and files."""
        return [ev for ev in self.history if ev.kind == "delivered"]

    @property
    def change_requests(self) -> list[MilestoneEvent]:
        return [ev for ev in self.history if ev.kind == "changes_requested"]


@dataclass(frozen=True)
class DisputeOpening:
    """What filing a dispute over a milestone would mean for the person asking."""

    milestone: Milestone
    contract: Contract
    role: PartyRole  # the filer's side
    respondent_id: int
    respond_within: timedelta  # how long the other side will have to answer
    existing: Dispute | None  # the milestone's open dispute, when it already has one
    must_name: bool  # the filer has to name missing or wrong deliverables (delivered work)
    silence_escalates: bool  # the respondent's silence sends it to an admin

    @property
    def deliverables(self) -> list[str]:
        """The agreed deliverables the filer may name (by position)."""
        return list(self.contract.deliverables) if self.role is PartyRole.EMPLOYER else []


class DisputeService(Service):
    async def get(self, actor: Actor, dispute_id: int) -> Dispute:
        dispute = await self.uow.disputes.get(dispute_id)
        if dispute is None:
            raise NotFound("dispute.not_found", "This dispute does not exist.")
        if actor.user_id not in (dispute.filed_by_id, dispute.respondent_id) and not actor.is_admin:
            raise NotAllowed("dispute.not_party", "This dispute is not yours.")
        return dispute

    async def offers(self, actor: Actor, dispute_id: int) -> list[DisputeOffer]:
        await self.get(actor, dispute_id)
        return await self.uow.disputes.offers(dispute_id)

    async def of_user(self, actor: Actor, limit: int = 10) -> list[Dispute]:
        return await self.uow.disputes.of_user(actor.user_id, limit)

    async def queue(self, actor: Actor, limit: int = 10, offset: int = 0) -> list[Dispute]:
        self.require_admin(actor)
        return await self.uow.disputes.queue(limit, offset)

    async def record(self, actor: Actor, dispute_id: int, messages: int = 200) -> DisputeRecord:
        self.require_admin(actor)
        dispute = await self.get(actor, dispute_id)
        m = await self.uow.milestones.get(dispute.milestone_id)
        contract = await self.uow.contracts.get(dispute.contract_id)
        assert m is not None and contract is not None
        project = await self.uow.projects.get(contract.project_id)
        assert project is not None
        return DisputeRecord(
            dispute=dispute,
            offers=await self.uow.disputes.offers(dispute.id),
            milestone=m,
            contract=contract,
            project=project,
            bid=await self.uow.bids.get(contract.bid_id),
            history=await self.uow.milestones.history(m.id),
            messages=await self.uow.messages.thread(
                project.id, contract.employer_id, contract.freelancer_id, messages
            ),
            milestones=await self.uow.milestones.for_contract(contract.id),
            evidence=await self.uow.disputes.evidence(dispute.id),
            earlier=[d for d in await self.uow.disputes.for_milestone(m.id) if d.id != dispute.id],
        )

    async def evidence(self, actor: Actor, dispute_id: int) -> list[DisputeEvidence]:
        """The files both sides attached; either side and admins may see them."""
        await self.get(actor, dispute_id)
        return await self.uow.disputes.evidence(dispute_id)

    # --- opening -------------------------------------------------------------------

    @atomic
    async def open(
        self,
        actor: Actor,
        milestone_id: int,
        *,
        reason: str,
        claimed_amount: int,
        deliverables: Sequence[int] = (),
        evidence: Sequence[EvidenceFile] = (),
    ) -> Dispute:
        """File a dispute over a milestone's escrow.

        ``claimed_amount`` is what the filer asks for: the freelancer asks for that
        much to be released, the employer for that much to be refunded.
        ``deliverables`` are positions in the contract's agreed deliverables that the
        employer says are missing or wrong: required once work was delivered.
        ``evidence`` is attached with the filing.
        """
        await self.active_user(actor)
        m = await self.uow.milestones.lock(milestone_id)
        if m is None:
            raise NotFound("milestone.not_found", "This milestone does not exist.")
        contract = await self.uow.contracts.get(m.contract_id)
        assert contract is not None
        role, respondent, window = self._side(actor, contract)
        if m.status is MilestoneStatus.DISPUTED:
            raise Conflict("dispute.exists", "This milestone is already in dispute.")
        self._disputable(m)
        named = self.check_named(m, contract, role, deliverables)
        reason = self.check_reason(reason)
        self.check_claim(claimed_amount, m.escrow)
        files = [self.check_evidence_file(f) for f in evidence]
        if len(files) > self.settings.evidence_max:
            raise self._evidence_full()
        now = self.now()
        dispute = self.uow.disputes.add(
            Dispute(
                milestone_id=m.id,
                contract_id=contract.id,
                filed_by_id=actor.user_id,
                filer_role=role,
                respondent_id=respondent,
                reason=reason,
                claimed_amount=claimed_amount,
                status=DisputeStatus.AWAITING_RESPONSE,
                created_at=now,
                respond_by=now + window,
                released_amount=0,
                refunded_amount=0,
                deliverables=named,
            )
        )
        m.status_before_dispute = m.status
        m.status = MilestoneStatus.DISPUTED
        await self.uow.flush()
        rows = [self._attach(dispute, actor.user_id, f, EvidenceStage.FILED) for f in files]
        await self.uow.flush()
        Escrow(self.ctx).log(m, "disputed", actor.user_id, amount=claimed_amount, note=reason)
        told = (respondent,)
        self.emit(DisputeOpened(recipients=told, dispute_id=dispute.id, milestone_id=m.id))
        for row in rows:  # the other side sees each file, as with any evidence
            self.emit(EvidenceAdded(recipients=told, dispute_id=dispute.id, evidence_id=row.id))
        return dispute

    async def _locked(self, dispute_id: int) -> tuple[Dispute, Milestone, Contract]:
        found = await self.uow.disputes.get(dispute_id)
        if found is None:
            raise NotFound("dispute.not_found", "This dispute does not exist.")
        m = await self.uow.milestones.lock(found.milestone_id)  # lock order: milestone first
        dispute = await self.uow.disputes.lock(dispute_id)
        contract = await self.uow.contracts.get(found.contract_id)
        assert m is not None and dispute is not None and contract is not None
        return dispute, m, contract

    async def _party(self, actor: Actor, dispute_id: int) -> tuple[Dispute, Milestone, Contract]:
        await self.active_user(actor)
        dispute, m, contract = await self._locked(dispute_id)
        self._open_to(actor, dispute)
        return dispute, m, contract

    @staticmethod
    def _open_to(actor: Actor, dispute: Dispute) -> None:
        if actor.user_id not in (dispute.filed_by_id, dispute.respondent_id):
            raise NotAllowed("dispute.not_party", "This dispute is not yours.")
        if dispute.status not in OPEN_DISPUTE:
            raise InvalidState("dispute.closed", "This dispute is already settled.")

    @staticmethod
    def _may(actor: Actor, dispute: Dispute, action: str) -> None:
        """The rules of :meth:`escalate` and :meth:`withdraw` on an open dispute."""
        if action == "escalate":
            if dispute.status is DisputeStatus.ARBITRATION:
                raise Conflict(
                    "dispute.in_arbitration",
                    "This dispute is already with an admin.",
                    reason="escalated",
                )
            if dispute.status is DisputeStatus.AWAITING_RESPONSE:
                raise InvalidState(
                    "dispute.awaiting_response",
                    "The other side still has time to respond; escalation opens after that.",
                )
        elif action == "withdraw":
            if actor.user_id != dispute.filed_by_id:
                raise NotAllowed(
                    "dispute.filer_only", "Only the side that filed it can withdraw it."
                )
        else:
            raise ValidationFailed("dispute.action", f"Unknown dispute action {action!r}.")

    def _judgeable(self, actor: Actor, dispute: Dispute) -> None:
        """Who may decide a dispute: an admin who is neither side, while it is open."""
        self.require_admin(actor)
        if dispute.status not in OPEN_DISPUTE:
            raise InvalidState(
                "dispute.closed",
                f"This dispute is already {dispute.status.value}: there is nothing left to decide.",
                status=dispute.status.value,
            )
        if actor.user_id in (dispute.filed_by_id, dispute.respondent_id):
            raise NotAllowed("dispute.arbiter_is_party", "You cannot judge your own dispute.")

    async def check(self, actor: Actor, dispute_id: int, action: str) -> Dispute:
        """Refuse ``action`` (``escalate``, ``withdraw``, or an admin's ``resolve``) now with
        the error the operation would raise, so a button the person may not use is refused
        when first pressed, before any confirmation."""
        await self.active_user(actor)
        dispute = await self.uow.disputes.get(dispute_id)
        if dispute is None:
            raise NotFound("dispute.not_found", "This dispute does not exist.")
        if action == "resolve":
            self._judgeable(actor, dispute)
            return dispute
        self._open_to(actor, dispute)
        self._may(actor, dispute, action)
        return dispute

    @staticmethod
    def _other(dispute: Dispute, user_id: int) -> int:
        return dispute.respondent_id if user_id == dispute.filed_by_id else dispute.filed_by_id

    # --- talking it out ------------------------------------------------------------

    def _in_response_window(self, dispute: Dispute) -> None:
        """Silence past the window has decided, even before the timer runs."""
        if dispute.respond_by <= self.now():
            raise InvalidState(
                "dispute.response_window_over",
                "The time to respond is over; an admin decides this dispute now."
                if silence_escalates(dispute)
                else "The time to respond is over; the dispute closes in the filer's favour.",
                escalates=silence_escalates(dispute),
            )

    def _start_negotiation(self, dispute: Dispute, response: str | None) -> None:
        now = self.now()
        dispute.status = DisputeStatus.NEGOTIATION
        dispute.response = response
        dispute.responded_at = now
        dispute.negotiation_ends_at = now + self.settings.negotiation_window

    @atomic
    async def respond(self, actor: Actor, dispute_id: int, response: str) -> Dispute:
        dispute, m, _ = await self._party(actor, dispute_id)
        if actor.user_id != dispute.respondent_id:
            raise NotAllowed(
                "dispute.respondent_only", "Only the other side responds to a dispute."
            )
        if dispute.status is not DisputeStatus.AWAITING_RESPONSE:
            raise InvalidState("dispute.already_responded", "You have already responded.")
        self._in_response_window(dispute)
        response = self.check_response(response)
        self._start_negotiation(dispute, response)
        Escrow(self.ctx).log(m, "dispute_response", actor.user_id, note=response)
        self.emit(DisputeResponded(recipients=(dispute.filed_by_id,), dispute_id=dispute.id))
        return dispute

    @atomic
    async def offer(self, actor: Actor, dispute_id: int, release_amount: int) -> DisputeOffer:
        """Propose a split: ``release_amount`` to the freelancer, the rest back to the employer."""
        dispute, m, _ = await self._party(actor, dispute_id)
        if dispute.status is DisputeStatus.ARBITRATION:
            raise InvalidState("dispute.in_arbitration", "An admin is deciding this dispute now.")
        self.check_offer(release_amount, m.escrow)
        if (
            dispute.status is DisputeStatus.AWAITING_RESPONSE
            and actor.user_id == dispute.respondent_id
        ):
            self._in_response_window(dispute)
            self._start_negotiation(dispute, None)  # an offer is an answer
        for earlier in await self.uow.disputes.open_offers(dispute.id):
            earlier.status = OfferStatus.SUPERSEDED
        offer = self.uow.disputes.add_offer(
            DisputeOffer(
                dispute_id=dispute.id,
                by_user_id=actor.user_id,
                release_amount=release_amount,
                status=OfferStatus.OPEN,
                created_at=self.now(),
            )
        )
        await self.uow.flush()
        Escrow(self.ctx).log(m, "dispute_offer", actor.user_id, amount=release_amount)
        told = (self._other(dispute, actor.user_id),)
        self.emit(OfferMade(recipients=told, dispute_id=dispute.id, offer_id=offer.id))
        return offer

    @atomic
    async def accept_offer(self, actor: Actor, offer_id: int) -> Settlement:
        found = await self.uow.disputes.offer(offer_id)
        if found is None:
            raise NotFound("dispute.offer_not_found", "This offer does not exist.")
        dispute, m, contract = await self._party(actor, found.dispute_id)
        offer = await self.uow.disputes.offer(offer_id)
        assert offer is not None
        if offer.by_user_id == actor.user_id:
            raise NotAllowed("dispute.own_offer", "The other side has to accept your offer.")
        if offer.status is not OfferStatus.OPEN:
            raise InvalidState("dispute.offer_not_open", "This offer is no longer on the table.")
        if dispute.status is DisputeStatus.ARBITRATION:
            raise InvalidState("dispute.in_arbitration", "An admin is deciding this dispute now.")
        if offer.release_amount > m.escrow:
            raise InvalidState("dispute.offer_stale", "This offer no longer fits the escrow.")
        offer.status = OfferStatus.ACCEPTED
        result = await self._settle(
            dispute, m, contract, offer.release_amount, DisputeResolution.AGREED, actor.user_id
        )
        self.emit(DisputeSettled(recipients=(offer.by_user_id,), dispute_id=dispute.id))
        return await Escrow(self.ctx).told_if_settled(result, contract, actor.user_id)

    @atomic
    async def escalate(self, actor: Actor, dispute_id: int) -> Dispute:
        dispute, m, _ = await self._party(actor, dispute_id)
        self._may(actor, dispute, "escalate")
        self._escalate(dispute, actor.user_id)
        Escrow(self.ctx).log(m, "dispute_escalated", actor.user_id)
        told = (self._other(dispute, actor.user_id),)
        self.emit(DisputeEscalated(recipients=told, dispute_id=dispute.id))
        return dispute

    def _escalate(self, dispute: Dispute, by: int | None) -> None:
        dispute.status = DisputeStatus.ARBITRATION
        dispute.escalated_at = self.now()
        dispute.escalated_by_id = by
        self.emit(NeedsArbiter(dispute_id=dispute.id))

    @atomic
    async def withdraw(self, actor: Actor, dispute_id: int) -> Dispute:
        """The filer drops the dispute; the milestone goes back to where it was."""
        dispute, m, _ = await self._party(actor, dispute_id)
        self._may(actor, dispute, "withdraw")
        dispute.status = DisputeStatus.WITHDRAWN
        dispute.resolved_at = self.now()
        for offer in await self.uow.disputes.open_offers(dispute.id):
            offer.status = OfferStatus.CLOSED
        m.status = m.status_before_dispute or MilestoneStatus.FUNDED
        m.status_before_dispute = None
        if (
            m.status is MilestoneStatus.DELIVERED
            and m.auto_release_at is not None
            and dispute.filer_role is PartyRole.FREELANCER
        ):
            # A withdrawn dispute never buys its filer time. The freelancer's froze the
            # money the employer was reviewing: their review clock stood still. An
            # employer's kept running, so filing and withdrawing cannot hold a delivery's
            # money (past the window, it is released).
            m.auto_release_at += self.now() - dispute.created_at
        Escrow(self.ctx).log(m, "dispute_withdrawn", actor.user_id)
        self.emit(DisputeWithdrawn(recipients=(dispute.respondent_id,), dispute_id=dispute.id))
        return dispute

    # --- deciding ------------------------------------------------------------------

    @atomic
    async def resolve(
        self,
        actor: Actor,
        dispute_id: int,
        resolution: DisputeResolution,
        *,
        release_amount: int | None = None,
        note: str = "",
    ) -> Settlement:
        """An admin's verdict: release all, refund all, or split."""
        self.require_admin(actor)
        await self.active_user(actor)
        dispute, m, contract = await self._locked(dispute_id)
        self._judgeable(actor, dispute)
        if resolution is DisputeResolution.RELEASE:
            amount = m.escrow
        elif resolution is DisputeResolution.REFUND:
            amount = 0
        elif resolution is DisputeResolution.SPLIT:
            amount = self.check_split(release_amount or 0, m.escrow)
        else:
            raise ValidationFailed("dispute.verdict", "The verdict is release, refund or split.")
        dispute.resolution_note = text.clean(note)[: self.settings.dispute_reason_max] or None
        result = await self._settle(dispute, m, contract, amount, resolution, actor.user_id)
        AuditService(self.ctx).record(
            actor,
            audit.DISPUTE_VERDICT,
            ("dispute", dispute.id),
            concerns=Concerns(contract.freelancer_id, contract.employer_id),
            details={
                "verdict": resolution.value,
                "milestone_id": m.id,
                "released": result.released,
                "fee": result.fee,
                "refunded": result.refunded,
            },
            reason=dispute.resolution_note,
        )
        self.emit(
            DisputeResolved(
                recipients=(dispute.filed_by_id, dispute.respondent_id),
                dispute_id=dispute.id,
                resolution=resolution,
            )
        )
        return await Escrow(self.ctx).told_if_settled(result, contract, actor.user_id)

    async def _settle(
        self,
        dispute: Dispute,
        m: Milestone,
        contract: Contract,
        release: int,
        resolution: DisputeResolution,
        by: int | None,
    ) -> Settlement:
        refund = m.escrow - release
        m.status = m.status_before_dispute or MilestoneStatus.FUNDED  # let settle close it
        m.status_before_dispute = None
        result = await Escrow(self.ctx).settle(
            m,
            contract,
            release=release,
            refund=refund,
            key=f"dispute:{dispute.id}:settle",
            actor_id=by,
            kind=f"dispute_{resolution.value}",
        )
        for offer in await self.uow.disputes.open_offers(dispute.id):
            offer.status = OfferStatus.CLOSED
        dispute.status = DisputeStatus.RESOLVED
        dispute.resolution = resolution
        dispute.resolved_at = self.now()
        dispute.resolved_by_id = by
        dispute.released_amount = release
        dispute.refunded_amount = refund
        return result

    # --- timers --------------------------------------------------------------------

    @atomic
    async def answer_silence_if_due(self, dispute_id: int) -> Silence | None:
        """The respondent stayed silent past the window (see :func:`silence_escalates`).

        A silent employer: the freelancer's claim stands and the money moves. A silent
        freelancer: an admin decides, with the record saying whether the work was
        delivered; nothing is refunded by default.
        """
        dispute, m, contract = await self._locked(dispute_id)
        if dispute.status is not DisputeStatus.AWAITING_RESPONSE or dispute.respond_by > self.now():
            return None
        parties = (dispute.filed_by_id, dispute.respondent_id)
        if silence_escalates(dispute):
            self._escalate(dispute, None)
            delivered = "the work was delivered" if m.delivered_at else "nothing was delivered"
            note = f"the freelancer did not respond in time; {delivered}"
            Escrow(self.ctx).log(m, "dispute_escalated", None, note=note)
            self.emit(DisputeEscalated(recipients=parties, dispute_id=dispute.id))
            return Silence(dispute, None)
        claim = min(dispute.claimed_amount, m.escrow)
        result = await self._settle(dispute, m, contract, claim, DisputeResolution.DEFAULT, None)
        default = DisputeResolution.DEFAULT
        self.emit(DisputeResolved(recipients=parties, dispute_id=dispute.id, resolution=default))
        return Silence(dispute, await Escrow(self.ctx).told_if_settled(result, contract, None))

    @atomic
    async def escalate_if_due(self, dispute_id: int) -> bool:
        """Negotiation past its window goes to an admin without anyone having to ask."""
        dispute, m, _ = await self._locked(dispute_id)
        if (
            dispute.status is not DisputeStatus.NEGOTIATION
            or dispute.negotiation_ends_at is None
            or dispute.negotiation_ends_at > self.now()
        ):
            return False
        self._escalate(dispute, None)
        Escrow(self.ctx).log(m, "dispute_escalated", None, note="negotiation window ended")
        parties = (dispute.filed_by_id, dispute.respondent_id)
        self.emit(DisputeEscalated(recipients=parties, dispute_id=dispute.id))
        return True

    # --- for conversations that ask one thing at a time ------------------------------

    async def opening(self, actor: Actor, milestone_id: int) -> DisputeOpening:
        """Whether ``actor`` could dispute this milestone, checked before asking for a reason.

        The refusals are those of :meth:`open`, which checks again under a lock. A
        milestone already in dispute is not refused: its open dispute comes back in
        ``existing`` so the caller can show that one instead.
        """
        await self.active_user(actor)
        m = await self.uow.milestones.get(milestone_id)
        if m is None:
            raise NotFound("milestone.not_found", "This milestone does not exist.")
        contract = await self.uow.contracts.get(m.contract_id)
        assert contract is not None
        role, respondent, window = self._side(actor, contract)
        existing = None
        if m.status is MilestoneStatus.DISPUTED:
            existing = await self.uow.disputes.open_for_milestone(m.id)
        if existing is None:
            self._disputable(m)
        employer = role is PartyRole.EMPLOYER
        must_name = employer and self._delivered(m)
        return DisputeOpening(m, contract, role, respondent, window, existing, must_name, employer)

    def _side(self, actor: Actor, contract: Contract) -> tuple[PartyRole, int, timedelta]:
        """The filer's side, the respondent, and how long the respondent has to answer:
        the same for both sides."""
        window = self.settings.dispute_response_window
        if actor.user_id == contract.employer_id:
            return PartyRole.EMPLOYER, contract.freelancer_id, window
        if actor.user_id == contract.freelancer_id:
            return PartyRole.FREELANCER, contract.employer_id, window
        raise NotAllowed("contract.not_party", "This contract is not yours.")

    @staticmethod
    def _delivered(m: Milestone) -> bool:
        """Work was handed in at least once (changes asked for since do not undo that)."""
        return m.delivered_at is not None

    def check_named(
        self, m: Milestone, contract: Contract, role: PartyRole, positions: Sequence[int]
    ) -> list[str]:
        """The deliverables an employer names as missing or wrong, by position in the
        contract's terms: at least one once work was delivered. A freelancer's dispute
        is about being paid, and names none."""
        picked = list(positions)
        if role is PartyRole.FREELANCER:
            if picked:
                raise ValidationFailed(
                    "dispute.deliverables_employer_only",
                    "Only the employer names missing or wrong deliverables.",
                )
            return []
        agreed = list(contract.deliverables)
        if len(set(picked)) < len(picked) or any(
            isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < len(agreed)
            for p in picked
        ):
            raise ValidationFailed(
                "dispute.deliverable_unknown", "Pick deliverables from the agreed terms."
            )
        if not picked and self._delivered(m):
            raise ValidationFailed(
                "dispute.deliverables_required",
                "The work was delivered: name which of the agreed deliverables are missing "
                "or wrong.",
            )
        return [agreed[p] for p in sorted(picked)]

    # --- evidence --------------------------------------------------------------------

    def check_evidence_file(self, evidence: EvidenceFile) -> EvidenceFile:
        """A Telegram file of a kind evidence may be, with a caption within the limit."""
        if evidence.kind not in EVIDENCE_KINDS or not 0 < len(evidence.file_id) <= 255:
            raise ValidationFailed(
                "dispute.evidence_kind", "Evidence is a file, a photo or a video."
            )
        caption = text.clean(evidence.caption)[: self.settings.dispute_reason_max] or None
        return EvidenceFile(evidence.file_id, evidence.kind, caption)

    def _evidence_full(self) -> LimitReached:
        limit = self.settings.evidence_max
        return LimitReached(
            "dispute.evidence_full",
            f"Each side may attach at most {limit} files to a dispute.",
            limit=limit,
        )

    async def _room_for_evidence(self, dispute: Dispute, author_id: int) -> None:
        """EVIDENCE_MAX files per side and dispute: one side cannot bury the record."""
        if await self.uow.disputes.evidence_count(dispute.id, author_id) >= (
            self.settings.evidence_max
        ):
            raise self._evidence_full()

    def _stage(self, dispute: Dispute, author_id: int) -> EvidenceStage:
        if dispute.status is DisputeStatus.AWAITING_RESPONSE:
            filer = author_id == dispute.filed_by_id
            return EvidenceStage.FILED if filer else EvidenceStage.RESPONSE
        if dispute.status is DisputeStatus.NEGOTIATION:
            return EvidenceStage.NEGOTIATION
        return EvidenceStage.ARBITRATION

    def _attach(
        self, dispute: Dispute, author_id: int, evidence: EvidenceFile, stage: EvidenceStage
    ) -> DisputeEvidence:
        return self.uow.disputes.add_evidence(
            DisputeEvidence(
                dispute_id=dispute.id,
                author_id=author_id,
                file_id=evidence.file_id,
                file_kind=evidence.kind,
                caption=evidence.caption,
                stage=stage,
                created_at=self.now(),
            )
        )

    async def check_evidence(self, actor: Actor, dispute_id: int) -> Dispute:
        """Whether ``actor`` may attach evidence now: a side of a dispute still open,
        with room left. What :meth:`add_evidence` checks, before any file is sent."""
        await self.active_user(actor)
        dispute = await self.get(actor, dispute_id)
        if actor.user_id not in (dispute.filed_by_id, dispute.respondent_id):
            raise NotAllowed("dispute.not_party", "This dispute is not yours.")
        if dispute.status not in OPEN_DISPUTE:
            raise InvalidState("dispute.closed", "This dispute is already settled.")
        await self._room_for_evidence(dispute, actor.user_id)
        return dispute

    @atomic
    async def add_evidence(
        self, actor: Actor, dispute_id: int, evidence: EvidenceFile
    ) -> DisputeEvidence:
        """Attach a file to an open dispute, at whatever stage it is; the other side sees it."""
        dispute, _, _ = await self._party(actor, dispute_id)
        evidence = self.check_evidence_file(evidence)
        await self._room_for_evidence(dispute, actor.user_id)
        row = self._attach(dispute, actor.user_id, evidence, self._stage(dispute, actor.user_id))
        await self.uow.flush()
        told = (self._other(dispute, actor.user_id),)
        self.emit(EvidenceAdded(recipients=told, dispute_id=dispute.id, evidence_id=row.id))
        return row

    def _disputable(self, m: Milestone) -> None:
        """Only funded money not yet released, and not once silence has released it."""
        if m.status not in DISPUTABLE or m.escrow <= 0:
            raise InvalidState(
                "dispute.nothing_to_dispute",
                "Only money that is funded and not yet released can be disputed.",
            )
        if (
            m.status is MilestoneStatus.DELIVERED
            and m.auto_release_at is not None
            and m.auto_release_at <= self.now()
        ):
            # Silence past the review window has decided: this money is the freelancer's.
            raise InvalidState(
                "dispute.nothing_to_dispute",
                "The time to review this delivery is over; it is being released.",
                reason="review_over",
            )

    def check_claim(self, amount: int, escrow: int) -> int:
        """The claim rule of :meth:`open`, for a conversation that asks for the amount alone."""
        if not 0 < whole_amount(amount) <= escrow:
            raise ValidationFailed(
                "dispute.claim_range",
                f"Claim between 1 and {escrow} (minor units).",
                minimum=1,
                maximum=escrow,
            )
        return amount

    def check_offer(self, release_amount: int, escrow: int) -> int:
        """The range rule of :meth:`offer`: from nothing to all of it for the freelancer."""
        if not 0 <= whole_amount(release_amount) <= escrow:
            raise ValidationFailed(
                "dispute.offer_range",
                f"Offer between 0 and {escrow} (minor units) for the freelancer.",
                minimum=0,
                maximum=escrow,
            )
        return release_amount

    def check_split(self, release_amount: int, escrow: int) -> int:
        """The split rule of :meth:`resolve`: more than nothing, less than everything."""
        if not 0 < whole_amount(release_amount) < escrow:
            raise ValidationFailed(
                "dispute.split_range",
                f"A split gives the freelancer more than nothing and less than {escrow} "
                "(minor units).",
                maximum=escrow,
            )
        return release_amount

    def check_reason(self, reason: str) -> str:
        """The reason rule of :meth:`open`: the cleaned text, or the refusal ``open`` gives."""
        return text.bounded(reason, "dispute.reason", 10, self.settings.dispute_reason_max)

    def check_response(self, response: str) -> str:
        """The response rule of :meth:`respond`."""
        return text.bounded(response, "dispute.response", 1, self.settings.dispute_reason_max)

    async def get_offer(self, actor: Actor, offer_id: int) -> DisputeOffer:
        """One offer, for either side of its dispute or an admin (a button names only it)."""
        offer = await self.uow.disputes.offer(offer_id)
        if offer is None:
            raise NotFound("dispute.offer_not_found", "This offer does not exist.")
        await self.get(actor, offer.dispute_id)
        return offer
