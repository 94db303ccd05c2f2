"""Funding gateways: how money enters escrow.

A gateway is described here; the bot talks to Telegram for the ones that need it
and calls :meth:`core.services.payments.PaymentService.confirm` when Telegram says
the money arrived. The sandbox gateway confirms at once and is labelled as such
everywhere, so nobody mistakes it for real money.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ValidationFailed


@dataclass(frozen=True)
class FundingGateway:
    name: str  # stable id, part of ledger account codes: external:<name>
    label: str  # what people see
    sandbox: bool  # test money only (the sandbox, or Telegram's test environment)
    instant: bool  # confirmed by the service itself, no external confirmation
    refundable_to_source: bool  # a full refund can go back to the payer's card / Stars


SANDBOX = FundingGateway("sandbox", "Sandbox (test money, not real)", True, True, False)
STARS = FundingGateway("stars", "Telegram Stars", False, False, True)
TELEGRAM_PAYMENTS = FundingGateway("telegram", "Card via Telegram Payments", False, False, False)
#: Money paid out by operators leaves through here.
PAYOUTS = FundingGateway("payouts", "Payouts", False, False, False)

KNOWN = {g.name: g for g in (SANDBOX, STARS, TELEGRAM_PAYMENTS)}


class Gateways:
    """The gateways this deployment accepts money through."""

    def __init__(self, enabled: list[FundingGateway] | None = None) -> None:
        self._enabled = {g.name: g for g in (enabled or [SANDBOX])}

    def get(self, name: str) -> FundingGateway:
        try:
            return self._enabled[name]
        except KeyError:
            raise ValidationFailed(
                "payment.gateway_unknown",
                f"Payment method {name!r} is not available here.",
                gateway=name,
            ) from None

    @property
    def enabled(self) -> list[FundingGateway]:
        return list(self._enabled.values())

    @property
    def test_money(self) -> FundingGateway | None:
        """The gateway that takes play money (the sandbox, or a gateway on Telegram's test
        environment), if any: every screen that shows its money says it is not real."""
        return next((g for g in self._enabled.values() if g.sandbox), None)
