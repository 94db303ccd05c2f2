"""Events of payouts: requested (to the admins), paid or rejected (to the payee)."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class PayoutEvent(Event):
    payout_id: int


@dataclass(frozen=True, kw_only=True)
class PayoutRequested(PayoutEvent, kind="payout.requested"):
    pass


@dataclass(frozen=True, kw_only=True)
class PayoutPaid(PayoutEvent, kind="payout.paid"):
    amount: int


@dataclass(frozen=True, kw_only=True)
class PayoutRejected(PayoutEvent, kind="payout.rejected"):
    pass
