"""Payments: money arriving from a gateway, credited exactly once.

A confirmation names the gateway's own charge id; the ledger key is built from
it, so the same confirmation delivered twice (a retried webhook, a replayed
update) moves money once. Money that arrives for a milestone that no longer
needs it (cancelled meanwhile, paid twice) lands on the payer's balance: it is
never dropped.

Telegram reports a charge once it has taken the money, so the charge is first
written to the payment journal (``receive``) in a transaction of its own, before
anything else can fail; ``credit`` then confirms it, in the update or, should that
fail, from the sweep (``credit_waiting``) until it succeeds. Refunds going back
to the source live in ``core.services.refunds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core import ledger
from core.actors import Actor
from core.context import Service, atomic
from core.errors import (
    Conflict,
    DomainError,
    InvalidState,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from core.events.milestones import MilestoneFunded
from core.events.payments import CreditedToBalance
from core.money import whole_amount
from core.services.escrow import Escrow
from storage.enums import ContractStatus, MilestoneStatus, PaymentStatus
from storage.errors import UniqueViolation
from storage.models import Milestone, Payment, PaymentReceipt

#: The update that journaled a charge gets this long to credit it before the sweep does.
RECEIPT_GRACE = timedelta(minutes=1)


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
        if currency != payment.currency:
            raise ValidationFailed(
                "payment.currency_changed",
                f"This invoice was issued in {payment.currency}, but the payment is in "
                f"{currency}. Nothing was charged: fund the milestone again for a new invoice.",
                invoiced=payment.currency,
                currency=currency,
            )
        if whole_amount(amount) != payment.amount:
            raise ValidationFailed(
                "payment.amount_changed",
                f"This invoice is for {payment.amount} (minor units), but the payment is for "
                f"{amount}. Nothing was charged: fund the milestone again for a new invoice.",
                amount=payment.amount,
                paid=amount,
            )
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
        if whole_amount(amount) <= 0:
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
        except UniqueViolation:  # the same charge id was just confirmed for another invoice
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
            parties = (contract.freelancer_id, contract.employer_id)
            self.emit(MilestoneFunded(recipients=parties, milestone_id=m.id))
            return Confirmation(payment, m, True, 0)
        payer = (payment.payer_id,)
        self.emit(CreditedToBalance(recipients=payer, milestone_id=m.id, amount=amount))
        return Confirmation(payment, m, False, amount)

    # --- the payment journal -------------------------------------------------------

    async def receive(
        self,
        charge_id: str,
        payload: str,
        payment_id: int | None,
        telegram_user_id: int,
        amount: int,
        currency: str,
    ) -> None:
        """Journal a charge the gateway reports (the same charge again changes nothing).

        Nothing is checked that could refuse it: the money was taken, so it is written
        down as reported and judged when it is credited.
        """
        await self.uow.receipts.record(
            {
                "charge_id": charge_id[:255],
                "payload": payload[:128],
                "payment_id": payment_id,
                "telegram_user_id": telegram_user_id,
                "amount": amount,
                "currency": currency[:8],
                "received_at": self.now(),
                "attempts": 0,
            }
        )

    @atomic
    async def credit(self, charge_id: str) -> Confirmation | None:
        """Credit a journaled charge, exactly once: ``Conflict`` if it already was.

        A charge for an invoice that does not exist, or that ``confirm`` refuses, is
        marked ``unmatched`` with the reason (an operator looks at those) and ``None``
        is returned; it is not tried again.
        """
        receipt = await self.uow.receipts.lock_by_charge(charge_id)
        if receipt is None:
            raise NotFound("payment.not_journaled", "This charge was never received.")
        if receipt.credited_at is not None:
            raise Conflict("payment.already_confirmed", "This payment was already credited.")
        confirmation: Confirmation | None = None
        outcome, reason = "credited", None
        try:
            if receipt.payment_id is None:
                raise NotFound("payment.not_found", "This payment does not exist.")
            async with self.uow.savepoint():  # a refused confirmation is recorded, not raised
                confirmation = await self.confirm(receipt.payment_id, charge_id, receipt.amount)
        except Conflict as error:
            if error.code not in ("payment.already_confirmed", "conflict.duplicate"):
                raise
            outcome = "duplicate"  # credited before the journal existed, or by a twin
        except DomainError as error:
            outcome, reason = "unmatched", f"{error.code}: {error.message}"
        self._settle_receipt(receipt, outcome, reason)
        await self.uow.flush()
        return confirmation

    def _settle_receipt(self, receipt: PaymentReceipt, outcome: str, reason: str | None) -> None:
        receipt.credited_at = self.now()
        receipt.outcome = outcome
        receipt.attempts += 1
        receipt.last_error = reason

    async def waiting(self) -> list[PaymentReceipt]:
        """Charges journaled a while ago and still not credited (the sweep's work)."""
        return await self.uow.receipts.uncredited(self.now() - RECEIPT_GRACE, limit=100)

    async def note_credit_failure(self, receipt_id: int, error: str) -> None:
        """Count a failed attempt (after its savepoint rolled back), for operators."""
        receipt = await self.uow.receipts.get(receipt_id)
        if receipt is not None:
            receipt.attempts += 1
            receipt.last_error = error[:2000]
            await self.uow.flush()
