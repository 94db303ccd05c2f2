"""Payments: money arriving from a gateway, credited exactly once.

A confirmation names the gateway's own charge id; the ledger key is built from
it, so the same confirmation delivered twice (a retried webhook, a replayed
update) moves money once. Money that arrives for a milestone that no longer
needs it (cancelled meanwhile, paid twice) lands on the payer's balance: it is
never dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from core import ledger
from core.actors import Actor
from core.context import Service, atomic
from core.errors import Conflict, InvalidState, NotAllowed, NotFound, ValidationFailed
from core.gateways import KNOWN
from core.services.escrow import Escrow
from storage.enums import ContractStatus, MilestoneStatus, PaymentStatus
from storage.models import Milestone, Payment


@dataclass(frozen=True)
class Confirmation:
    payment: Payment
    milestone: Milestone
    funded: bool  # the milestone is now funded by this payment
    credited_to_balance: int  # money kept on the payer's balance instead


class PaymentService(Service):
    async def get(self, payment_id: int) -> Payment:
        payment = await self.uow.payments.get(payment_id)
        if payment is None:
            raise NotFound("payment.not_found", "This payment does not exist.")
        return payment

    async def check_payable(
        self, payment_id: int, amount: int, currency: str, payer: Actor | None = None
    ) -> Payment:
        """Re-check a payment right before the money is taken (Telegram's pre-checkout).

        ``payer`` is who is about to pay: an invoice forwarded to someone else is refused,
        since the money would be credited to the employer who opened it.
        """
        payment = await self.get(payment_id)
        if payer is not None and payer.user_id != payment.payer_id:
            raise NotAllowed("payment.not_yours", "This invoice was issued to someone else.")
        if payment.status is not PaymentStatus.PENDING:
            raise InvalidState("payment.not_pending", "This invoice was already paid.")
        if amount != payment.amount or currency != payment.currency:
            raise ValidationFailed("payment.amount_changed", "The amount no longer matches.")
        m = await self.uow.milestones.get(payment.milestone_id)
        assert m is not None
        contract = await self.uow.contracts.get(m.contract_id)
        assert contract is not None
        if m.status is not MilestoneStatus.PENDING or contract.status is not ContractStatus.ACTIVE:
            raise InvalidState(
                "payment.milestone_not_fundable", "This milestone no longer needs funding."
            )
        payer_user = await self.uow.users.get(payment.payer_id)
        if payer_user is None or payer_user.is_banned:
            raise InvalidState("user.banned", "Your account is suspended.")
        return payment

    @atomic
    async def confirm(self, payment_id: int, external_id: str, amount: int) -> Confirmation:
        """The gateway says ``amount`` arrived for ``payment_id`` under ``external_id``."""
        if not external_id or len(external_id) > 255:
            raise ValidationFailed(
                "payment.external_id", "A payment confirmation needs its charge id."
            )
        if amount <= 0:
            raise ValidationFailed("payment.amount", "A payment must bring money.")
        draft = await self.get(payment_id)
        # Lock order: milestone, then payment.
        m = await self.uow.milestones.lock(draft.milestone_id)
        payment = await self.uow.payments.lock(payment_id)
        assert m is not None and payment is not None
        if payment.status is PaymentStatus.SUCCEEDED and payment.external_id == external_id:
            raise Conflict("payment.already_confirmed", "This payment was already credited.")
        duplicate = await self.uow.payments.by_external(payment.gateway, external_id)
        if duplicate is not None:
            raise Conflict("payment.already_confirmed", "This payment was already credited.")
        if payment.status is not PaymentStatus.PENDING:
            # A second, different charge for the same invoice: record it on its own.
            payment = self.uow.payments.add(
                Payment(
                    milestone_id=m.id,
                    payer_id=payment.payer_id,
                    gateway=payment.gateway,
                    amount=amount,
                    currency=payment.currency,
                    status=PaymentStatus.PENDING,
                    created_at=self.now(),
                    refunded_amount=0,
                )
            )
        now = self.now()
        payment.status = PaymentStatus.SUCCEEDED
        payment.external_id = external_id
        payment.confirmed_at = now
        try:
            await self.uow.flush()
        except IntegrityError:  # the same charge id was just confirmed for another invoice
            raise Conflict(
                "payment.already_confirmed", "This payment was already credited."
            ) from None
        await ledger.Ledger(self.uow).post(
            f"pay:{payment.gateway}:{external_id}",
            "deposit",
            [
                (ledger.external(payment.gateway), -amount),
                (ledger.available(payment.payer_id), amount),
            ],
            milestone_id=m.id,
            now=now,
        )
        contract = await self.uow.contracts.get(m.contract_id)
        assert contract is not None
        escrow = Escrow(self.ctx)
        fundable = (
            m.status is MilestoneStatus.PENDING
            and contract.status is ContractStatus.ACTIVE
            and amount == m.amount
            and payment.payer_id == contract.employer_id
        )
        if fundable:
            await escrow.fund(m, payment.payer_id, amount, f"pay:{payment.id}:escrow")
            escrow.log(m, "funded", payment.payer_id, amount=amount, note=payment.gateway)
            self.emit(
                "milestone.funded",
                [contract.freelancer_id, contract.employer_id],
                milestone_id=m.id,
            )
            return Confirmation(payment, m, True, 0)
        self.emit(
            "payment.credited_to_balance", [payment.payer_id], milestone_id=m.id, amount=amount
        )
        return Confirmation(payment, m, False, amount)

    # --- giving money back the way it came -----------------------------------------

    async def _returnable(self, payment: Payment, m: Milestone) -> bool:
        """The payment's own money is back on the payer's balance, untouched by a release."""
        gateway = KNOWN.get(payment.gateway)
        if (
            gateway is None
            or not gateway.refundable_to_source
            or payment.status is not PaymentStatus.SUCCEEDED
            or payment.refunded_amount
        ):
            return False
        funded_escrow = await ledger.Ledger(self.uow).find(f"pay:{payment.id}:escrow")
        # Funded the milestone: only a full refund of it returns this money (a source
        # refund is all or nothing). Otherwise it was kept on the balance from the start.
        return funded_escrow is None or m.status is MilestoneStatus.REFUNDED

    async def refundable_to_source(self, milestone_id: int) -> list[Payment]:
        """Payments for a milestone that can go back to the payer's Telegram Stars now.

        That is when the milestone's escrow was refunded in full (the freelancer
        cancelled, a dispute refunded it), or when the payment arrived after the
        milestone stopped needing it and was kept on the balance.
        """
        m = await self.uow.milestones.get(milestone_id)
        if m is None:
            raise NotFound("milestone.not_found", "This milestone does not exist.")
        payments = await self.uow.payments.succeeded_for_milestone(milestone_id)
        return [p for p in payments if await self._returnable(p, m)]

    @atomic
    async def refund_to_source(
        self, payment_id: int, send: Callable[[Payment], Awaitable[object]]
    ) -> Payment:
        """Return a payment in full the way it came, around the gateway's own refund call.

        The amount moves from the payer's balance to the gateway's external account
        (idempotency key ``refund:<payment id>:source``) and is recorded on the
        payment; then ``send`` (the bot's refundStarPayment) runs inside the same
        savepoint. If ``send`` raises, nothing here is written and the money stays
        on the payer's balance.
        """
        draft = await self.get(payment_id)
        # Lock order: milestone, then payment (as in confirm).
        m = await self.uow.milestones.lock(draft.milestone_id)
        payment = await self.uow.payments.lock(payment_id)
        assert m is not None and payment is not None
        if payment.refunded_amount:
            raise Conflict("payment.already_refunded", "This payment was already refunded.")
        if not await self._returnable(payment, m):
            raise InvalidState(
                "payment.not_refundable",
                "This payment cannot go back to its source: its money is held or was paid out.",
            )
        now = self.now()
        await ledger.Ledger(self.uow).post(
            f"refund:{payment.id}:source",
            "refund_to_source",
            [
                (ledger.available(payment.payer_id), -payment.amount),
                (ledger.external(payment.gateway), payment.amount),
            ],
            milestone_id=m.id,
            now=now,
        )
        payment.refunded_amount = payment.amount
        await self.uow.flush()
        await send(payment)
        self.emit(
            "payment.refunded",
            [payment.payer_id],
            payment_id=payment.id,
            milestone_id=m.id,
            amount=payment.amount,
        )
        return payment
