"""Payouts: a user asks for their balance, an operator pays it and marks it paid."""

from __future__ import annotations

from dataclasses import dataclass

from core import ledger, text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import InsufficientFunds, InvalidState, NotAllowed, NotFound, ValidationFailed
from core.events.payouts import PayoutPaid, PayoutRejected, PayoutRequested
from core.gateways import PAYOUTS
from core.money import whole_amount
from core.services import audit
from core.services.audit import AuditService, Concerns
from storage.enums import PayoutStatus
from storage.models import Payout


@dataclass(frozen=True)
class Balance:
    available: int
    on_hold: int  # requested payouts not paid yet
    refunding: int = 0  # on its way back to where it came from (Telegram Stars)


class PayoutService(Service):
    async def balance(self, user_id: int) -> Balance:
        codes = ledger.available(user_id), ledger.payout_hold(user_id), ledger.refund_hold(user_id)
        found = await ledger.Ledger(self.uow).balances(*codes)
        return Balance(*(found[code] for code in codes))

    @atomic
    async def request(self, actor: Actor, amount: int, destination: str) -> Payout:
        user = await self.active_user(actor)
        s = self.settings
        if whole_amount(amount) < s.min_payout:
            raise ValidationFailed(
                "payout.too_small",
                f"The smallest payout is {s.min_payout} (minor units).",
                minimum=s.min_payout,
            )
        destination = text.bounded(destination, "payout.destination", 3, 500)
        payout = self.uow.payouts.add(
            Payout(
                user_id=user.id,
                amount=amount,
                destination=destination,
                status=PayoutStatus.REQUESTED,
                requested_at=self.now(),
            )
        )
        await self.uow.flush()
        await ledger.Ledger(self.uow).post(
            f"payout:{payout.id}:hold",
            "payout_hold",
            [(ledger.available(user.id), -amount), (ledger.payout_hold(user.id), amount)],
            now=self.now(),
        )
        self.emit(PayoutRequested(payout_id=payout.id))
        return payout

    async def _requested(self, actor: Actor, payout_id: int) -> Payout:
        self.require_admin(actor)
        await self.active_user(actor)
        payout = await self.uow.payouts.lock(payout_id)
        if payout is None:
            raise NotFound("payout.not_found", "This payout does not exist.")
        if payout.status is not PayoutStatus.REQUESTED:
            raise InvalidState(
                "payout.decided",
                f"This payout is already {payout.status.value}.",
                status=payout.status.value,
            )
        if payout.user_id == actor.user_id:
            raise NotAllowed("payout.own", "Another administrator has to decide your own payout.")
        return payout

    @atomic
    async def mark_paid(self, actor: Actor, payout_id: int, note: str = "") -> Payout:
        payout = await self._requested(actor, payout_id)
        await ledger.Ledger(self.uow).post(
            f"payout:{payout.id}:paid",
            "payout",
            [
                (ledger.payout_hold(payout.user_id), -payout.amount),
                (ledger.external(PAYOUTS.name), payout.amount),
            ],
            now=self.now(),
        )
        payout.status = PayoutStatus.PAID
        payout.decided_at = self.now()
        payout.decided_by_id = actor.user_id
        payout.note = text.clean(note)[:500] or None
        self._record(actor, audit.PAYOUT_PAID, payout)
        self.emit(
            PayoutPaid(recipients=(payout.user_id,), payout_id=payout.id, amount=payout.amount)
        )
        return payout

    @atomic
    async def reject(self, actor: Actor, payout_id: int, note: str) -> Payout:
        payout = await self._requested(actor, payout_id)
        await ledger.Ledger(self.uow).post(
            f"payout:{payout.id}:rejected",
            "payout_rejected",
            [
                (ledger.payout_hold(payout.user_id), -payout.amount),
                (ledger.available(payout.user_id), payout.amount),
            ],
            now=self.now(),
        )
        payout.status = PayoutStatus.REJECTED
        payout.decided_at = self.now()
        payout.decided_by_id = actor.user_id
        payout.note = text.bounded(note, "payout.note", 1, 500)
        self._record(actor, audit.PAYOUT_REJECTED, payout)
        self.emit(PayoutRejected(recipients=(payout.user_id,), payout_id=payout.id))
        return payout

    def _record(self, actor: Actor, action: str, payout: Payout) -> None:
        """On the record: the amount, where it was to go, and the admin's note (a paid
        payout's transfer reference, a rejection's reason)."""
        AuditService(self.ctx).record(
            actor,
            action,
            ("payout", payout.id),
            concerns=Concerns(payout.user_id),
            details={"amount": payout.amount, "destination": payout.destination},
            reason=payout.note,
        )

    async def queue(self, actor: Actor, limit: int = 10, offset: int = 0) -> list[Payout]:
        self.require_admin(actor)
        return await self.uow.payouts.queue(limit, offset)

    async def of_user(self, actor: Actor, limit: int = 10) -> list[Payout]:
        return await self.uow.payouts.of_user(actor.user_id, limit)

    async def check_amount(self, actor: Actor, amount: int | None = None) -> int:
        """The amount a payout request would take now; ``None`` means the whole balance.

        Lets the payout wizard refuse an amount at its step instead of at the end.
        """
        user = await self.active_user(actor)
        s = self.settings
        available = (await self.balance(user.id)).available
        if amount is None:
            if available < s.min_payout:
                raise InsufficientFunds(
                    "payout.balance_too_small",
                    f"You have {available}; the smallest payout is {s.min_payout} (minor units).",
                    available=available,
                    minimum=s.min_payout,
                )
            return available
        if whole_amount(amount) < s.min_payout:
            raise ValidationFailed(
                "payout.too_small",
                f"The smallest payout is {s.min_payout} (minor units).",
                minimum=s.min_payout,
            )
        if amount > available:
            raise InsufficientFunds(
                "payout.exceeds_balance",
                f"You have {available} (minor units) available.",
                available=available,
            )
        return amount

    def check_destination(self, destination: str) -> str:
        """The payout details rule (where to pay), for the wizard's destination step."""
        return text.bounded(destination, "payout.destination", 3, 500)

    async def get(self, actor: Actor, payout_id: int) -> Payout:
        """One payout, for the person it pays or an admin (the queue's buttons name only it)."""
        payout = await self.uow.payouts.get(payout_id)
        if payout is None or (payout.user_id != actor.user_id and not actor.is_admin):
            raise NotFound("payout.not_found", "This payout does not exist.")
        return payout
