"""Invoices, charges and refunds.

Telegram Stars (currency ``XTR``) have their own rules: no provider token, exactly one price,
and refunds through ``refundStarPayment`` that succeed once per charge. The ledger keeps the
invoice terms the bot sent (the pre-checkout query and the successful_payment must echo
them) and every charge, so a test can pay, re-deliver the payment and refund it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from emulator.errors import bad_request

STARS = "XTR"
MAX_STARS_AMOUNT = 100_000
# Telegram's supported currencies, kept as one compact string for readability.
_CURRENCY_CODES = (
    "XTR AED AFN ALL AMD ARS AUD AZN BAM BDT BGN BHD BND BOB BRL BYN CAD CHF CLP CNY "
    "COP CRC CZK DKK DOP DZD EGP ETB EUR GBP GEL GHS GTQ HKD HNL HRK HUF IDR ILS INR "
    "IQD IRR ISK JMD JOD JPY KES KGS KRW KZT LBP LKR MAD MDL MMK MNT MOP MUR MVR MXN "
    "MYR MZN NGN NIO NOK NPR NZD PAB PEN PHP PKR PLN PYG QAR RON RSD RUB SAR SEK SGD "
    "SYP THB TJS TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND YER ZAR "
)
SUPPORTED_CURRENCIES = frozenset(_CURRENCY_CODES.split())


@dataclass(frozen=True)
class InvoiceTerms:
    """What the bot asked the user to pay for."""

    title: str
    description: str
    payload: str
    currency: str
    prices: tuple[tuple[str, int], ...]
    provider_token: str | None = None
    start_parameter: str | None = None

    @property
    def total_amount(self) -> int:
        return sum(amount for _, amount in self.prices)

    def invoice_json(self) -> dict[str, Any]:
        """The ``Invoice`` object shown in the chat (payload and prices stay private)."""
        return {
            "title": self.title,
            "description": self.description,
            "start_parameter": self.start_parameter or "",
            "currency": self.currency,
            "total_amount": self.total_amount,
        }


def validate_invoice(
    *,
    title: str,
    description: str,
    payload: str,
    currency: str,
    prices: list[tuple[str, int]],
    provider_token: str | None,
    start_parameter: str | None = None,
    has_tips: bool = False,
) -> InvoiceTerms:
    """Apply sendInvoice/createInvoiceLink rules; raise ``Bad Request: ...`` on violations."""
    if not 1 <= len(title) <= 32:
        raise bad_request("INVOICE_TITLE_INVALID" if title else "invoice title must be non-empty")
    if not 1 <= len(description) <= 255:
        raise bad_request("INVOICE_DESCRIPTION_INVALID")
    if not 1 <= len(payload.encode("utf-8")) <= 128:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    if currency not in SUPPORTED_CURRENCIES:
        raise bad_request("CURRENCY_INVALID")
    if not prices:
        raise bad_request("prices must be non-empty")
    for label, amount in prices:
        if not label:
            raise bad_request("price label must be non-empty")
        if amount <= 0 and currency == STARS:
            raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    total = sum(amount for _, amount in prices)
    if currency == STARS:
        if provider_token:
            raise bad_request("PAYMENT_PROVIDER_INVALID")
        if len(prices) != 1:
            raise bad_request("STARS_INVOICE_INVALID")
        if has_tips:
            raise bad_request("tips are not supported for payments in Telegram Stars")
        if not 1 <= total <= MAX_STARS_AMOUNT:
            raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    else:
        if not provider_token:
            raise bad_request("PAYMENT_PROVIDER_INVALID")
        if total <= 0:
            raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    return InvoiceTerms(
        title,
        description,
        payload,
        currency,
        tuple(prices),
        provider_token or None,
        start_parameter,
    )


@dataclass(frozen=True)
class Charge:
    """A completed payment."""

    telegram_payment_charge_id: str
    provider_payment_charge_id: str
    user_id: int
    currency: str
    total_amount: int
    invoice_payload: str
    update: dict[str, Any] = field(default_factory=dict, repr=False)
    """The update that delivered the successful_payment message (for re-delivery)."""
    refunded: bool = False

    def successful_payment_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "total_amount": self.total_amount,
            "invoice_payload": self.invoice_payload,
            "telegram_payment_charge_id": self.telegram_payment_charge_id,
            "provider_payment_charge_id": self.provider_payment_charge_id,
        }


@dataclass(frozen=True)
class Refund:
    """A successful refundStarPayment call."""

    user_id: int
    telegram_payment_charge_id: str
    amount: int


class PaymentLedger:
    """Invoices sent, charges made and refunds granted."""

    def __init__(self) -> None:
        self.invoices: dict[tuple[int, int], InvoiceTerms] = {}
        self.links: dict[str, InvoiceTerms] = {}
        self.charges: dict[str, Charge] = {}
        self.refunds: list[Refund] = []

    @staticmethod
    def new_charge_ids(currency: str) -> tuple[str, str]:
        """(telegram_payment_charge_id, provider_payment_charge_id) for a new charge.

        Stars charges have no payment provider; their provider id is empty.
        """
        if currency == STARS:
            return f"stxA{secrets.token_urlsafe(60)}", ""
        return f"{secrets.randbits(40)}_{secrets.randbits(30)}", f"prov_{secrets.token_hex(12)}"

    def add_charge(self, charge: Charge) -> Charge:
        self.charges[charge.telegram_payment_charge_id] = charge
        return charge

    def refund(self, user_id: int, charge_id: str) -> Refund:
        """refundStarPayment semantics: once per known Stars charge of that user."""
        charge = self.charges.get(charge_id)
        if charge is None or charge.user_id != user_id or charge.currency != STARS:
            raise bad_request("CHARGE_NOT_FOUND")
        if charge.refunded:
            raise bad_request("CHARGE_ALREADY_REFUNDED")
        self.charges[charge_id] = replace(charge, refunded=True)
        refund = Refund(user_id, charge_id, charge.total_amount)
        self.refunds.append(refund)
        return refund
