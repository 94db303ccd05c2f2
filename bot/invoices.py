"""What an invoice carries: ``pay:<payment id>``, and reading it back.

Shared by the payment handlers (which send invoices and credit payments) and the
update middleware (which journals a successful payment before anything else runs).
"""

from __future__ import annotations

PAYLOAD_PREFIX = "pay:"
_LARGEST_ID = 2**63 - 1


def invoice_payload(payment_id: int) -> str:
    return f"{PAYLOAD_PREFIX}{payment_id}"


def payment_id_of(payload: str) -> int | None:
    """The payment an invoice payload names, or None for anything we did not send."""
    if not payload.startswith(PAYLOAD_PREFIX):
        return None
    raw = payload[len(PAYLOAD_PREFIX) :]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19):
        return None
    value = int(raw)
    return value if 1 <= value <= _LARGEST_ID else None
