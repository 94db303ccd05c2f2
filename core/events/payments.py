"""Events of payments: money kept on the balance, refunds to the payer's Stars."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class CreditedToBalance(Event, kind="payment.credited_to_balance"):
    """A payment that could not fund its milestone stays on the payer's balance."""

    milestone_id: int
    amount: int


@dataclass(frozen=True, kw_only=True)
class RefundStarted(Event, kind="payment.refund_started"):
    """Nobody is told: it wakes the refund loop."""

    milestone_id: int


@dataclass(frozen=True, kw_only=True)
class RefundFinished(Event):
    payment_id: int
    milestone_id: int | None
    amount: int


@dataclass(frozen=True, kw_only=True)
class Refunded(RefundFinished, kind="payment.refunded"):
    pass


@dataclass(frozen=True, kw_only=True)
class RefundRefused(RefundFinished, kind="payment.refund_refused"):
    pass
