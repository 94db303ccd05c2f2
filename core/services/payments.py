"""Payments: money arriving from a gateway, credited exactly once.

A confirmation names the gateway's own charge id; the ledger key is built from
it, so the same confirmation delivered twice (a retried webhook, a replayed
update) moves money once. Money that arrives for a milestone that no longer
needs it (cancelled meanwhile, paid twice) lands on the payer's balance: it is
never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import ledger
from core.context import Service, atomic
from core.errors import Conflict, InvalidState, NotFound, ValidationFailed
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

    async def check_payable(self, payment_id: int, amount: int, currency: str) -> Payment:
        """Re-check a payment right before the money is taken (Telegram's pre-checkout)."""
        payment = await self.get(payment_id)
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
        payer = await self.uow.users.get(payment.payer_id)
        if payer is None or payer.is_banned:
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
        await self.uow.flush()
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
