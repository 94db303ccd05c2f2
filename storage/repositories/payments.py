"""Payments from the gateways, and the journal of charges received (receipts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from storage.enums import RefundStatus
from storage.models import Payment, PaymentReceipt
from storage.repositories.base import Repository, insert_ignore


class PaymentRepository(Repository[Payment]):
    model = Payment

    async def by_external(self, gateway: str, external_id: str) -> Payment | None:
        stmt = select(Payment).where(Payment.gateway == gateway, Payment.external_id == external_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def succeeded_for_milestone(self, milestone_id: int) -> list[Payment]:
        stmt = (
            select(Payment)
            .where(Payment.milestone_id == milestone_id, Payment.external_id.is_not(None))
            .order_by(Payment.id)
        )
        return await self._all(stmt)

    async def claim_refunds(self, now: datetime, until: datetime, limit: int) -> list[Payment]:
        """Pending refunds due to be asked of the gateway, leased until ``until`` (another
        process skips them meanwhile; a process that dies lets the lease run out)."""
        stmt = (
            select(Payment)
            .where(Payment.refund_status == RefundStatus.PENDING, Payment.refund_next_at <= now)
            .order_by(Payment.refund_next_at, Payment.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        payments = await self._all(stmt)
        for payment in payments:
            payment.refund_next_at = until
        await self.session.flush()
        return payments

    async def count_refunds_pending(self) -> int:
        stmt = select(func.count()).where(Payment.refund_status == RefundStatus.PENDING)
        return int((await self.session.execute(stmt)).scalar_one())


class PaymentReceiptRepository(Repository[PaymentReceipt]):
    """The payment journal (see ``PaymentReceipt``)."""

    model = PaymentReceipt

    async def record(self, values: dict[str, Any]) -> None:
        """Journal a charge; the same charge again changes nothing."""
        await insert_ignore(self.session, PaymentReceipt, values)

    async def lock_by_charge(self, charge_id: str) -> PaymentReceipt | None:
        stmt = select(PaymentReceipt).where(PaymentReceipt.charge_id == charge_id)
        found = await self.lock_many(stmt)
        return found[0] if found else None

    async def uncredited(self, received_before: datetime, limit: int) -> list[PaymentReceipt]:
        stmt = (
            select(PaymentReceipt)
            .where(
                PaymentReceipt.credited_at.is_(None),
                PaymentReceipt.received_at <= received_before,
            )
            .order_by(PaymentReceipt.received_at, PaymentReceipt.id)
            .limit(limit)
        )
        return await self._all(stmt)

    async def count_uncredited(self) -> int:
        stmt = select(func.count()).where(PaymentReceipt.credited_at.is_(None))
        return int((await self.session.execute(stmt)).scalar_one())
