"""Milestones: agree, fund, deliver, release, ask for changes, cancel.

The employer cannot take funded money back alone: only the freelancer may cancel
a funded milestone (refunding the employer); otherwise it takes a dispute. Once
work is delivered the employer has a window to answer; silence releases it.

Change requests are capped by the revision rounds the contract's terms include:
each one names what to change and stops the release clock until the work is
delivered again, so past the cap the employer releases, pays for the extra work as
a new milestone, or disputes; asking again can no longer hold the money.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core import ledger, text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import (
    Conflict,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidState,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from core.events.milestones import (
    ChangesRequested,
    MilestoneAutoReleased,
    MilestoneCancelled,
    MilestoneCreated,
    MilestoneDelivered,
    MilestoneFunded,
    MilestonePaid,
    MilestoneReleased,
    MilestoneRequested,
    RequestAccepted,
    RequestRejected,
)
from core.money import whole_amount
from core.services.contracts import ContractService
from core.services.escrow import Escrow, Settlement, version
from storage.enums import ContractStatus, MilestoneStatus, PaymentStatus
from storage.models import Contract, Milestone, MilestoneEvent, Payment

MOVABLE = (MilestoneStatus.FUNDED, MilestoneStatus.DELIVERED)


@dataclass(frozen=True)
class FundingStarted:
    milestone: Milestone
    payment: Payment
    funded: bool  # True when the gateway confirmed at once (sandbox)


@dataclass(frozen=True)
class ReleasePreview:
    """What a release would move, worked out before anything moves (the confirm step)."""

    milestone: Milestone
    amount: int  # gross, taken from escrow
    fee: int  # the platform's cut
    net: int  # what the freelancer receives


@dataclass(frozen=True)
class Cancelled:
    """What a cancel did: the escrow it gave back, whether it was the same request again
    (nothing moved this time), and whether the contract is now settled."""

    milestone: Milestone
    refunded: int
    replayed: bool
    contract_settled: bool


#: What a party may be offered on one milestone (see ``MilestoneService.check``).
MILESTONE_ACTIONS = (
    "accept_request",
    "reject_request",
    "fund",
    "fund_balance",
    "deliver",
    "release",
    "request_changes",
    "extra_milestone",  # past the included revision rounds, instead of request_changes
    "cancel",
    "dispute",
)


class MilestoneService(Service):
    @property
    def escrow(self) -> Escrow:
        return Escrow(self.ctx)

    async def get(self, milestone_id: int) -> Milestone:
        m = await self.uow.milestones.get(milestone_id)
        if m is None:
            raise NotFound("milestone.not_found", "This milestone does not exist.")
        return m

    async def _locked(self, actor: Actor | None, milestone_id: int) -> tuple[Milestone, Contract]:
        if actor is not None:
            await self.active_user(actor)
        m = await self.uow.milestones.lock(milestone_id)
        if m is None:
            raise NotFound("milestone.not_found", "This milestone does not exist.")
        contract = await self.uow.contracts.get(m.contract_id)
        assert contract is not None
        return m, contract

    @staticmethod
    def _employer(actor: Actor, contract: Contract) -> None:
        if actor.user_id != contract.employer_id:
            raise NotAllowed("milestone.employer_only", "Only the employer can do this.")

    @staticmethod
    def _freelancer(actor: Actor, contract: Contract) -> None:
        if actor.user_id != contract.freelancer_id:
            raise NotAllowed("milestone.freelancer_only", "Only the hired freelancer can do this.")

    def _in_review_window(self, m: Milestone) -> None:
        """Past the review window silence has decided: the delivery is due for release."""
        if m.auto_release_at is not None and m.auto_release_at <= self.now():
            raise InvalidState(
                "milestone.review_window_over",
                "The time to review this delivery is over; it is being released.",
            )

    @staticmethod
    def _not_frozen(m: Milestone) -> None:
        if m.status is MilestoneStatus.DISPUTED:
            raise InvalidState(
                "milestone.disputed", "This milestone is in dispute; its money is frozen."
            )

    async def for_contract(self, actor: Actor, contract_id: int) -> list[Milestone]:
        contract = await self.uow.contracts.get(contract_id)
        if contract is None:
            raise NotFound("contract.not_found", "This contract does not exist.")
        if (
            actor.user_id not in (contract.employer_id, contract.freelancer_id)
            and not actor.is_admin
        ):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        return await self.uow.milestones.for_contract(contract_id)

    async def history(self, actor: Actor, milestone_id: int) -> list[MilestoneEvent]:
        m = await self.get(milestone_id)
        contract = await self.uow.contracts.get(m.contract_id)
        assert contract is not None
        if (
            actor.user_id not in (contract.employer_id, contract.freelancer_id)
            and not actor.is_admin
        ):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        return await self.uow.milestones.history(milestone_id)

    # --- agreeing ------------------------------------------------------------------

    def _terms(self, description: str, amount: int, due_at: datetime | None) -> str:
        s = self.settings
        whole_amount(amount)
        if amount <= 0:
            raise ValidationFailed("milestone.amount_positive", "The amount must be above zero.")
        if amount > s.max_budget:
            raise ValidationFailed(
                "milestone.amount_too_large",
                f"A milestone can be at most {s.max_budget} (minor units).",
                maximum=s.max_budget,
            )
        if due_at is not None and due_at <= self.now():
            raise ValidationFailed("milestone.due_past", "The due date must be in the future.")
        return text.bounded(
            description,
            "milestone.description",
            1,
            s.milestone_description_max,
        )

    async def _active_contract(self, actor: Actor, contract_id: int) -> Contract:
        await self.active_user(actor)
        contract = await self.uow.contracts.lock(contract_id)
        if contract is None:
            raise NotFound("contract.not_found", "This contract does not exist.")
        if actor.user_id not in (contract.employer_id, contract.freelancer_id):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        if contract.status is not ContractStatus.ACTIVE:
            raise InvalidState("contract.ended", "This contract has ended.")
        return contract

    async def _new(
        self,
        actor: Actor,
        contract: Contract,
        description: str,
        amount: int,
        due_at: datetime | None,
        status: MilestoneStatus,
    ) -> Milestone:
        description = self._terms(description, amount, due_at)
        m = self.uow.milestones.add(
            Milestone(
                contract_id=contract.id,
                description=description,
                amount=amount,
                due_at=due_at,
                status=status,
                requested_by_freelancer=status is MilestoneStatus.REQUESTED,
                created_at=self.now(),
                funded_amount=0,
                released_amount=0,
                refunded_amount=0,
                fee_amount=0,
            )
        )
        await self.uow.flush()
        self.escrow.log(
            m,
            "created" if status is MilestoneStatus.PENDING else "requested",
            actor.user_id,
            amount=amount,
            note=description,
        )
        return m

    @atomic
    async def create(
        self,
        actor: Actor,
        contract_id: int,
        *,
        description: str,
        amount: int,
        due_at: datetime | None = None,
    ) -> Milestone:
        contract = await self._active_contract(actor, contract_id)
        self._employer(actor, contract)
        m = await self._new(actor, contract, description, amount, due_at, MilestoneStatus.PENDING)
        self.emit(MilestoneCreated(recipients=(contract.freelancer_id,), milestone_id=m.id))
        return m

    @atomic
    async def create_extra(
        self,
        actor: Actor,
        milestone_id: int,
        *,
        description: str,
        amount: int,
        due_at: datetime | None = None,
    ) -> Milestone:
        """A new milestone for work beyond a delivery's included revision rounds.

        What the employer is offered instead of another change request: more work is
        paid work. The delivered milestone's history records it, for the record.
        """
        m = await self.check(actor, milestone_id, "extra_milestone")  # who, before locking
        contract = await self._active_contract(actor, m.contract_id)  # the contract first,
        m, _ = await self._locked(None, milestone_id)  # as ending it does
        self.check_extra(m, contract)
        extra = await self._new(
            actor, contract, description, amount, due_at, MilestoneStatus.PENDING
        )
        self.escrow.log(m, "extra_milestone", actor.user_id, amount=amount, note=extra.description)
        self.emit(MilestoneCreated(recipients=(contract.freelancer_id,), milestone_id=extra.id))
        return extra

    @atomic
    async def request(
        self,
        actor: Actor,
        contract_id: int,
        *,
        description: str,
        amount: int,
        due_at: datetime | None = None,
    ) -> Milestone:
        """The freelancer proposes a milestone; the employer accepts or rejects it."""
        contract = await self._active_contract(actor, contract_id)
        self._freelancer(actor, contract)
        m = await self._new(actor, contract, description, amount, due_at, MilestoneStatus.REQUESTED)
        self.emit(MilestoneRequested(recipients=(contract.employer_id,), milestone_id=m.id))
        return m

    @atomic
    async def accept_request(self, actor: Actor, milestone_id: int) -> Milestone:
        m, contract = await self._locked(actor, milestone_id)
        self._employer(actor, contract)
        if m.status is not MilestoneStatus.REQUESTED:
            raise InvalidState(
                "milestone.not_requested", "This milestone request was already answered."
            )
        if contract.status is not ContractStatus.ACTIVE:
            raise InvalidState("contract.ended", "This contract has ended.")
        m.status = MilestoneStatus.PENDING
        self.escrow.log(m, "request_accepted", actor.user_id)
        self.emit(RequestAccepted(recipients=(contract.freelancer_id,), milestone_id=m.id))
        return m

    @atomic
    async def reject_request(self, actor: Actor, milestone_id: int, reason: str = "") -> Milestone:
        m, contract = await self._locked(actor, milestone_id)
        self._employer(actor, contract)
        if m.status is not MilestoneStatus.REQUESTED:
            raise InvalidState(
                "milestone.not_requested", "This milestone request was already answered."
            )
        note = text.clean(reason)[: self.settings.delivery_note_max] or None
        m.status = MilestoneStatus.REJECTED
        m.closed_at = self.now()
        self.escrow.log(m, "request_rejected", actor.user_id, note=note)
        self.emit(RequestRejected(recipients=(contract.freelancer_id,), milestone_id=m.id))
        return m

    # --- funding -------------------------------------------------------------------

    def _fundable(self, actor: Actor, m: Milestone, contract: Contract) -> None:
        self._employer(actor, contract)
        if contract.status is not ContractStatus.ACTIVE:
            raise InvalidState("contract.ended", "This contract has ended.")
        if m.status is not MilestoneStatus.PENDING:
            if m.status in (
                MilestoneStatus.FUNDED,
                MilestoneStatus.DELIVERED,
                MilestoneStatus.DISPUTED,
            ):
                raise InvalidState("milestone.already_funded", "This milestone is already funded.")
            raise InvalidState("milestone.not_fundable", "This milestone cannot be funded now.")

    @atomic
    async def start_funding(self, actor: Actor, milestone_id: int, gateway: str) -> FundingStarted:
        """Open a payment for the milestone; the sandbox confirms it on the spot."""
        m, contract = await self._locked(actor, milestone_id)
        self._fundable(actor, m, contract)
        gw = self.ctx.gateways.get(gateway)
        payment = self.uow.payments.add(
            Payment(
                milestone_id=m.id,
                payer_id=actor.user_id,
                gateway=gw.name,
                amount=m.amount,
                currency=self.settings.currency,
                status=PaymentStatus.PENDING,
                created_at=self.now(),
                refunded_amount=0,
            )
        )
        await self.uow.flush()
        if not gw.instant:
            return FundingStarted(m, payment, funded=False)
        from core.services.payments import PaymentService

        await PaymentService(self.ctx).confirm(payment.id, f"sandbox-{payment.id}", payment.amount)
        return FundingStarted(m, payment, funded=m.status is MilestoneStatus.FUNDED)

    @atomic
    async def fund_from_balance(self, actor: Actor, milestone_id: int) -> Milestone:
        """Fund from money already on the employer's balance (refunds, earlier top-ups)."""
        m, contract = await self._locked(actor, milestone_id)
        self._fundable(actor, m, contract)
        await self.escrow.fund(m, actor.user_id, m.amount, f"ms:{m.id}:fund-balance:{version(m)}")
        self.escrow.log(m, "funded", actor.user_id, amount=m.amount, note="from balance")
        self.emit(MilestoneFunded(recipients=(contract.freelancer_id,), milestone_id=m.id))
        return m

    # --- delivering and answering --------------------------------------------------

    @atomic
    async def deliver(
        self,
        actor: Actor,
        milestone_id: int,
        note: str,
        file_ids: Sequence[str] = (),
        *,
        protected: bool = True,
    ) -> Milestone:
        """Hand in the work and ask for release; a fresh review window starts.

        ``protected``: the employer gets the note and files as a protected preview
        (no forwarding or saving) until money is released for this milestone; the
        freelancer may hand them over in full at once instead.
        """
        m, contract = await self._locked(actor, milestone_id)
        self._freelancer(actor, contract)
        self._not_frozen(m)
        if m.status is MilestoneStatus.DELIVERED:
            raise InvalidState(
                "milestone.already_delivered",
                "Already delivered: the employer has been asked to release it.",
            )
        if m.status is not MilestoneStatus.FUNDED:
            raise InvalidState(
                "milestone.not_funded", "Work can be delivered once the milestone is funded."
            )
        note = text.bounded(note, "milestone.note", 1, self.settings.delivery_note_max)
        files = [f for f in file_ids if f]
        if len(files) > self.settings.max_attachments or any(len(f) > 255 for f in files):
            raise ValidationFailed(
                "milestone.files",
                f"At most {self.settings.max_attachments} files.",
                maximum=self.settings.max_attachments,
            )
        now = self.now()
        m.status = MilestoneStatus.DELIVERED
        m.delivered_at = now
        m.auto_release_at = now + self.settings.delivery_review_window
        contract.last_delivered_at = now
        self.escrow.log(
            m, "delivered", actor.user_id, note=note, file_ids=files, protected=protected
        )
        self.emit(MilestoneDelivered(recipients=(contract.employer_id,), milestone_id=m.id))
        return m

    @staticmethod
    def revisions_left(m: Milestone, contract: Contract) -> int:
        """Change rounds this milestone still includes under the contract's terms."""
        return max(contract.revision_rounds - m.revisions_used, 0)

    def _changes_allowed(self, m: Milestone, contract: Contract) -> None:
        if not self.revisions_left(m, contract):
            raise InvalidState(
                "milestone.revisions_used",
                f"The {contract.revision_rounds} revision round(s) this milestone includes "
                "are used: release it, create a new milestone for the extra work, or open "
                "a dispute.",
                rounds=contract.revision_rounds,
            )

    @atomic
    async def request_changes(self, actor: Actor, milestone_id: int, note: str) -> Milestone:
        """Send the delivery back with what to change; the release clock stops until the
        freelancer delivers again, which starts a fresh review window."""
        m, contract = await self._locked(actor, milestone_id)
        self._employer(actor, contract)
        self._not_frozen(m)
        if m.status is not MilestoneStatus.DELIVERED:
            raise InvalidState("milestone.not_delivered", "Nothing has been delivered to review.")
        self._in_review_window(m)
        self._changes_allowed(m, contract)
        note = text.bounded(note, "milestone.changes", 1, self.settings.delivery_note_max)
        m.status = MilestoneStatus.FUNDED
        m.auto_release_at = None
        m.revisions_used += 1
        self.escrow.log(m, "changes_requested", actor.user_id, note=note)
        self.emit(ChangesRequested(recipients=(contract.freelancer_id,), milestone_id=m.id))
        return m

    async def _replayed(
        self, key: str | None, m: Milestone, amount: int | None = None
    ) -> Settlement | None:
        """The earlier result of a request already carried out under ``key``, if any.

        The same key with a different ``amount`` is a client bug, not a retry.
        """
        if key is None:
            return None
        earlier = await ledger.Ledger(self.uow).find(key)
        if earlier is None:
            return None
        moved = -sum(a for code, a in earlier.postings if code == ledger.escrow(m.id))
        fee = sum(a for code, a in earlier.postings if code == ledger.FEES)
        if amount is not None and amount != moved:
            raise IdempotencyConflict(
                "milestone.request_key_reused",
                "This request was already carried out with a different amount.",
            )
        return Settlement(m, moved, fee, 0, replayed=True)

    @atomic
    async def release(
        self,
        actor: Actor,
        milestone_id: int,
        amount: int | None = None,
        *,
        request_key: str | None = None,
    ) -> Settlement:
        """Pay the freelancer all of the escrow, or part of it."""
        m, contract = await self._locked(actor, milestone_id)
        self._employer(actor, contract)
        if amount is not None:  # before the replay check compares it
            whole_amount(amount)
        key = f"ms:{m.id}:release:req:{request_key}" if request_key else None
        if (done := await self._replayed(key, m, amount)) is not None:
            return done
        self._not_frozen(m)
        if m.status not in MOVABLE:
            raise self._not_movable(m)
        amount = m.escrow if amount is None else amount
        if amount <= 0:
            raise ValidationFailed("milestone.amount_positive", "The amount must be above zero.")
        if amount > m.escrow:
            raise ValidationFailed(
                "milestone.release_exceeds",
                f"Only {m.escrow} (minor units) is held for this milestone.",
                held=m.escrow,
            )
        result = await self.escrow.settle(
            m,
            contract,
            release=amount,
            refund=0,
            key=key or f"ms:{m.id}:release:{version(m)}",
            actor_id=actor.user_id,
            kind="release",
        )
        if m.escrow:
            # Part paid: the rest waits for more work, without an auto-release clock.
            m.status = MilestoneStatus.FUNDED
            m.auto_release_at = None
        self._tell_paid(MilestoneReleased, (contract.freelancer_id,), result)
        return await self.escrow.told_if_settled(result, contract, actor.user_id)

    def _tell_paid(
        self, kind: type[MilestonePaid], recipients: tuple[int, ...], result: Settlement
    ) -> None:
        """The release as the settlement computed it: the alert does no arithmetic."""
        self.emit(
            kind(
                recipients=recipients,
                milestone_id=result.milestone.id,
                amount=result.released,
                fee=result.fee,
                paid_to_freelancer=result.paid_to_freelancer,
            )
        )

    @staticmethod
    def _not_movable(m: Milestone) -> InvalidState:
        if m.status in (MilestoneStatus.PENDING, MilestoneStatus.REQUESTED):
            return InvalidState(
                "milestone.not_releasable", "This milestone is not funded yet.", reason="unfunded"
            )
        return InvalidState(
            "milestone.not_releasable",
            "This milestone's money has already been paid out or refunded.",
            reason="settled",
        )

    @atomic
    async def auto_release_if_due(self, milestone_id: int) -> Settlement | None:
        """Release a delivery the employer left unanswered past the window."""
        m, contract = await self._locked(None, milestone_id)
        if (
            m.status is not MilestoneStatus.DELIVERED
            or m.auto_release_at is None
            or m.auto_release_at > self.now()
            or m.escrow == 0
        ):
            return None
        amount = m.escrow
        result = await self.escrow.settle(
            m,
            contract,
            release=amount,
            refund=0,
            key=f"ms:{m.id}:auto-release:{version(m)}",
            actor_id=None,
            kind="auto_release",
        )
        self._tell_paid(
            MilestoneAutoReleased, (contract.freelancer_id, contract.employer_id), result
        )
        return await self.escrow.told_if_settled(result, contract, None)

    @atomic
    async def cancel(
        self, actor: Actor, milestone_id: int, *, request_key: str | None = None
    ) -> Milestone:
        """Withdraw an unfunded milestone, or (freelancer only) refund a funded one."""
        return (await self._cancel(actor, milestone_id, request_key)).milestone

    @atomic
    async def cancel_reporting(
        self, actor: Actor, milestone_id: int, *, request_key: str | None = None
    ) -> Cancelled:
        """:meth:`cancel`, and what it did (so a reply needs no reading before or after)."""
        return await self._cancel(actor, milestone_id, request_key)

    async def _cancel(self, actor: Actor, milestone_id: int, request_key: str | None) -> Cancelled:
        m, contract = await self._locked(actor, milestone_id)
        if actor.user_id not in (contract.employer_id, contract.freelancer_id):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        key = f"ms:{m.id}:cancel:req:{request_key}" if request_key else None
        earlier = await self._replayed(key, m)
        if earlier is not None:
            return Cancelled(m, earlier.released, replayed=True, contract_settled=False)
        self._not_frozen(m)
        held = m.escrow
        now = self.now()
        if m.status is MilestoneStatus.REQUESTED:
            if actor.user_id != contract.freelancer_id:
                raise NotAllowed("milestone.reject_instead", "Reject the request instead.")
            m.status, m.closed_at = MilestoneStatus.CANCELLED, now
        elif m.status is MilestoneStatus.PENDING:
            m.status, m.closed_at = MilestoneStatus.CANCELLED, now
        elif m.status in MOVABLE:
            if actor.user_id != contract.freelancer_id:
                raise NotAllowed(
                    "milestone.employer_cannot_cancel_funded",
                    "Funded money can only be returned by the freelancer, or through a dispute.",
                )
            await self.escrow.settle(
                m,
                contract,
                release=0,
                refund=m.escrow,
                key=key or f"ms:{m.id}:cancel:{version(m)}",
                actor_id=actor.user_id,
                kind="refund",
            )
        else:
            raise InvalidState("milestone.closed", "This milestone is already closed.")
        self.escrow.log(m, "cancelled", actor.user_id)
        other = (
            contract.employer_id
            if actor.user_id == contract.freelancer_id
            else contract.freelancer_id
        )
        self.emit(MilestoneCancelled(recipients=(other,), milestone_id=m.id))
        settled = await ContractService(self.ctx).tell_if_settled(contract, actor.user_id)
        return Cancelled(m, held - m.escrow, replayed=False, contract_settled=settled)

    # --- what may be done now (the bot's buttons and wizards) ----------------------

    async def check(self, actor: Actor, milestone_id: int, action: str) -> Milestone:
        """Refuse ``action`` now with the error the operation itself would raise.

        The bot offers only buttons that will work, and stops a wizard at its first
        step instead of after the person typed everything. What people type
        (amounts, notes) is still checked by the operation.
        """
        await self.active_user(actor)
        m = await self.get(milestone_id)
        contract = await self.uow.contracts.get(m.contract_id)
        assert contract is not None
        available = None
        if action == "fund_balance":
            available = await self._available(actor)
        self.refuse(actor, m, contract, action, available)
        return m

    async def _available(self, actor: Actor) -> int:
        code = ledger.available(actor.user_id)
        return (await ledger.Ledger(self.uow).balances(code))[code]

    def refuse(
        self,
        actor: Actor,
        m: Milestone,
        contract: Contract,
        action: str,
        available: int | None = None,
    ) -> None:
        """:meth:`check`'s rules on what is already loaded (``available``: the actor's
        balance, needed for ``fund_balance`` only), so a screen can ask for every action
        without loading anything again."""
        if actor.user_id not in (contract.employer_id, contract.freelancer_id):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        if action in ("accept_request", "reject_request"):
            self._employer(actor, contract)
            if m.status is not MilestoneStatus.REQUESTED:
                raise InvalidState(
                    "milestone.not_requested", "This milestone request was already answered."
                )
            if action == "accept_request" and contract.status is not ContractStatus.ACTIVE:
                raise InvalidState("contract.ended", "This contract has ended.")
        elif action in ("fund", "fund_balance"):
            self._fundable(actor, m, contract)
            if action == "fund_balance":
                assert available is not None, "fund_balance is checked against a balance"
                if available < m.amount:
                    raise InsufficientFunds(
                        "milestone.balance_short",
                        f"Your balance ({available}) does not cover {m.amount} (minor units).",
                        available=available,
                        amount=m.amount,
                    )
        elif action == "deliver":
            self._freelancer(actor, contract)
            self._not_frozen(m)
            if m.status is MilestoneStatus.DELIVERED:
                raise InvalidState(
                    "milestone.already_delivered",
                    "Already delivered: the employer has been asked to release it.",
                )
            if m.status is not MilestoneStatus.FUNDED:
                raise InvalidState(
                    "milestone.not_funded", "Work can be delivered once the milestone is funded."
                )
        elif action == "release":
            self._employer(actor, contract)
            self._not_frozen(m)
            if m.status not in MOVABLE:
                raise self._not_movable(m)
        elif action in ("request_changes", "extra_milestone"):
            self._employer(actor, contract)
            self._not_frozen(m)
            if m.status is not MilestoneStatus.DELIVERED:
                raise InvalidState(
                    "milestone.not_delivered", "Nothing has been delivered to review."
                )
            if action == "request_changes":
                self._changes_allowed(m, contract)
            else:
                self.check_extra(m, contract)
        elif action == "cancel":
            self._cancellable(actor, m, contract)
        elif action == "dispute":
            from core.services.disputes import DISPUTABLE

            if m.status is MilestoneStatus.DISPUTED:
                raise Conflict("dispute.exists", "This milestone is already in dispute.")
            if m.status not in DISPUTABLE or m.escrow <= 0:
                raise InvalidState(
                    "dispute.nothing_to_dispute",
                    "Only money that is funded and not yet released can be disputed.",
                )
        else:
            raise ValidationFailed("milestone.action", f"Unknown milestone action {action!r}.")

    def check_extra(self, m: Milestone, contract: Contract) -> None:
        """A milestone for extra work is the answer once the included rounds are used."""
        if m.status is not MilestoneStatus.DELIVERED:
            raise InvalidState("milestone.not_delivered", "Nothing has been delivered to review.")
        if self.revisions_left(m, contract):
            raise InvalidState(
                "milestone.revisions_left",
                "This milestone still includes a revision round: ask for changes.",
            )
        if contract.status is not ContractStatus.ACTIVE:
            raise InvalidState("contract.ended", "This contract has ended.")

    def _cancellable(self, actor: Actor, m: Milestone, contract: Contract) -> None:
        """The rules of :meth:`cancel`, without moving anything."""
        self._not_frozen(m)
        if m.status is MilestoneStatus.REQUESTED:
            if actor.user_id != contract.freelancer_id:
                raise NotAllowed("milestone.reject_instead", "Reject the request instead.")
        elif m.status is MilestoneStatus.PENDING:
            return
        elif m.status in MOVABLE:
            if actor.user_id != contract.freelancer_id:
                raise NotAllowed(
                    "milestone.employer_cannot_cancel_funded",
                    "Funded money can only be returned by the freelancer, or through a dispute.",
                )
        else:
            raise InvalidState("milestone.closed", "This milestone is already closed.")

    async def actions(self, actor: Actor, milestone_id: int) -> frozenset[str]:
        """Every action of :data:`MILESTONE_ACTIONS` that :meth:`check` allows right now."""
        await self.active_user(actor)
        m = await self.get(milestone_id)
        contract = await self.uow.contracts.get(m.contract_id)
        assert contract is not None
        return await self.allowed(actor, m, contract)

    async def allowed(self, actor: Actor, m: Milestone, contract: Contract) -> frozenset[str]:
        """:meth:`actions` on a milestone and contract already loaded; the balance is
        read only when funding is possible at all (one query, employers only)."""
        allowed: set[str] = set()
        for action in MILESTONE_ACTIONS:
            available = None
            if action == "fund_balance":
                if "fund" not in allowed:
                    continue  # the same rules as fund, and a balance besides
                available = await self._available(actor)
            try:
                self.refuse(actor, m, contract, action, available)
            except (NotAllowed, InvalidState, InsufficientFunds, Conflict):
                continue
            allowed.add(action)
        return frozenset(allowed)

    async def release_preview(
        self, actor: Actor, milestone_id: int, amount: int | None = None
    ) -> ReleasePreview:
        """The fee and the freelancer's share of a release, checked like the release itself.

        ``amount`` None means all of the escrow. Nothing moves; the release that
        follows re-checks everything under the row lock.
        """
        return self.preview(await self.check(actor, milestone_id, "release"), amount)

    def preview(self, m: Milestone, amount: int | None = None) -> ReleasePreview:
        """:meth:`release_preview` of a milestone already checked for release."""
        amount = m.escrow if amount is None else whole_amount(amount)
        if amount <= 0:
            raise ValidationFailed("milestone.amount_positive", "The amount must be above zero.")
        if amount > m.escrow:
            raise ValidationFailed(
                "milestone.release_exceeds",
                f"Only {m.escrow} (minor units) is held for this milestone.",
                held=m.escrow,
            )
        fee = self.escrow.fee_of(m, amount)
        return ReleasePreview(m, amount, fee, amount - fee)

    async def check_contract(self, actor: Actor, contract_id: int, action: str) -> Contract:
        """Refuse starting ``create`` or ``request`` on a contract, as those would."""
        await self.active_user(actor)
        contract = await self.uow.contracts.get(contract_id)
        if contract is None:
            raise NotFound("contract.not_found", "This contract does not exist.")
        if actor.user_id not in (contract.employer_id, contract.freelancer_id):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        if contract.status is not ContractStatus.ACTIVE:
            raise InvalidState("contract.ended", "This contract has ended.")
        if action == "create":
            self._employer(actor, contract)
        elif action == "request":
            self._freelancer(actor, contract)
        else:
            raise ValidationFailed("milestone.action", f"Unknown contract action {action!r}.")
        return contract

    def check_description(self, description: str) -> str:
        """The milestone description rule, for a wizard's first step."""
        return text.bounded(
            description,
            "milestone.description",
            1,
            self.settings.milestone_description_max,
        )

    def check_amount(self, amount: int) -> int:
        """The milestone amount rules (whole, above zero, at most the maximum budget)."""
        self._terms("-", amount, None)
        return amount

    def due_in_days(self, days: int) -> datetime:
        """A due date ``days`` from now, within the longest delivery time allowed."""
        return self.days_from_now(days, "milestone.due_days")
