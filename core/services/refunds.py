"""Refunds to the source: money going back the way it came (Telegram Stars).

The gateway is called outside any transaction, and its reply can be lost (a timeout
after Telegram did the refund, a crash before our commit). So a refund moves in three
steps, each its own ledger transaction with its own key:

1. *start* (in the transaction that refunded the escrow): the payment's amount moves
   from the payer's balance to their refund hold (``refund:<id>:hold``), so it can be
   neither spent nor paid out while the gateway is asked;
2. the bot asks the gateway, after that commit, as often as it takes (the sweep retries
   what is still pending);
3. *finish*: done (the gateway refunded it, or says it already had) moves the hold out
   to the gateway's external account (``refund:<id>:source``); refused moves it back to
   the balance (``refund:<id>:kept``), where it can fund work or be paid out.

Whatever fails in between, the money is in exactly one place and goes back once.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from core import ledger
from core.context import Service
from core.errors import NotFound
from core.events.payments import Refunded, RefundRefused, RefundStarted
from core.gateways import KNOWN
from storage.enums import MilestoneStatus, PaymentStatus, RefundStatus
from storage.models import Milestone, Payment

#: A claimed refund is asked again after this if its process never reported back.
REFUND_LEASE = timedelta(minutes=2)
#: Waits between attempts of a refund the gateway could not take (then every hour).
REFUND_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))
REFUND_BACKOFF_CAP = timedelta(hours=1)


class RefundOutcome(StrEnum):
    DONE = "done"  # the gateway refunded the charge (now or before)
    REFUSED = "refused"  # the gateway will not refund it: the money stays with us
    RETRY = "retry"  # no answer or a temporary failure: ask again later


def retry_delay(attempts: int) -> timedelta:
    if attempts <= len(REFUND_BACKOFF):
        return REFUND_BACKOFF[max(attempts, 1) - 1]
    return REFUND_BACKOFF_CAP


class RefundService(Service):
    async def returnable(self, payment: Payment, m: Milestone) -> bool:
        """The payment's own money is back on the payer's balance, untouched by a release."""
        gateway = KNOWN.get(payment.gateway)
        if (
            gateway is None
            or not gateway.refundable_to_source
            or payment.status is not PaymentStatus.SUCCEEDED
            or payment.refund_status is not None
            or payment.refunded_amount
        ):
            return False
        funded_escrow = await ledger.Ledger(self.uow).find(f"pay:{payment.id}:escrow")
        # Funded the milestone: only a full refund of it returns this money (a source
        # refund is all or nothing). Otherwise it was kept on the balance from the start.
        return funded_escrow is None or m.status is MilestoneStatus.REFUNDED

    async def refundable(self, milestone_id: int) -> list[Payment]:
        """Payments for a milestone that can go back to the payer's Telegram Stars now.

        That is when the milestone's escrow was refunded in full (the freelancer
        cancelled, a dispute refunded it), or when the payment arrived after the
        milestone stopped needing it and was kept on the balance.
        """
        m = await self.uow.milestones.get(milestone_id)
        if m is None:
            raise NotFound("milestone.not_found", "This milestone does not exist.")
        payments = await self.uow.payments.succeeded_for_milestone(milestone_id)
        return [p for p in payments if await self.returnable(p, m)]

    async def start(self, m: Milestone) -> list[Payment]:
        """Hold the money of every payment of ``m`` that can go back to its source, and
        mark those refunds pending (step 1). The caller holds the milestone's lock."""
        started: list[Payment] = []
        for candidate in await self.uow.payments.succeeded_for_milestone(m.id):
            payment = await self.uow.payments.lock(candidate.id)
            assert payment is not None
            if not await self.returnable(payment, m):
                continue
            now = self.now()
            await ledger.Ledger(self.uow).post(
                f"refund:{payment.id}:hold",
                "refund_hold",
                [
                    (ledger.available(payment.payer_id), -payment.amount),
                    (ledger.refund_hold(payment.payer_id), payment.amount),
                ],
                milestone_id=m.id,
                now=now,
            )
            payment.refund_status = RefundStatus.PENDING
            payment.refund_started_at = now
            payment.refund_next_at = now
            payment.refund_attempts = 0
            started.append(payment)
        if started:
            await self.uow.flush()
            self.emit(RefundStarted(milestone_id=m.id))  # wakes the refunder
        return started

    async def claim_due(self, limit: int = 20) -> list[Payment]:
        """Pending refunds to ask the gateway about now, leased to the caller (step 2)."""
        now = self.now()
        return await self.uow.payments.claim_refunds(now, now + REFUND_LEASE, limit)

    async def finish(
        self, payment_id: int, outcome: RefundOutcome, reason: str | None = None
    ) -> Payment:
        """Record what the gateway answered (step 3); a refund already finished stays as
        it is, so a late or repeated answer changes nothing."""
        payment = await self.uow.payments.lock(payment_id)
        if payment is None:
            raise NotFound("payment.not_found", "This payment does not exist.")
        if payment.refund_status is not RefundStatus.PENDING:
            return payment
        now = self.now()
        if outcome is RefundOutcome.RETRY:
            payment.refund_attempts += 1
            payment.refund_next_at = now + retry_delay(payment.refund_attempts)
            payment.refund_error = (reason or "no answer")[:2000]
            await self.uow.flush()
            return payment
        done = outcome is RefundOutcome.DONE
        # Done: the hold leaves to the gateway. Refused: it goes back to the balance.
        step, kind, to = (
            ("source", "refund_to_source", ledger.external(payment.gateway))
            if done
            else ("kept", "refund_kept", ledger.available(payment.payer_id))
        )
        await ledger.Ledger(self.uow).post(
            f"refund:{payment.id}:{step}",
            kind,
            [(ledger.refund_hold(payment.payer_id), -payment.amount), (to, payment.amount)],
            milestone_id=payment.milestone_id,
            now=now,
        )
        payment.refund_status = RefundStatus.DONE if done else RefundStatus.REFUSED
        payment.refund_next_at = None
        payment.refund_error = None if done else (reason or "refused")[:2000]
        if done:
            payment.refunded_amount = payment.amount
        finished = Refunded if done else RefundRefused
        self.emit(
            finished(
                recipients=(payment.payer_id,),
                payment_id=payment.id,
                milestone_id=payment.milestone_id,
                amount=payment.amount,
            )
        )
        await self.uow.flush()
        return payment

    async def pending_count(self) -> int:
        """Refunds still waiting for the gateway (for ``bidgram status``)."""
        return await self.uow.payments.count_refunds_pending()
