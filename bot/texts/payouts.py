"""The balance and payouts on screen: the balance screen, the payout wizard, and what
the freelancer is told when a payout is paid or rejected. Amounts arrive formatted."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render import clip, e
from bot.texts.common import sandbox_note
from core.money import Currency
from storage.enums import PayoutStatus
from storage.models import Payout

REQUEST_PAYOUT = "💸 Request payout"


PAYOUT_ALL = "All: {amount}"


CONFIRM_PAYOUT = "✅ Request payout"


OPEN_BALANCE = "💰 Balance"


PAYOUT_STATUS = {
    PayoutStatus.REQUESTED: "⏳ requested",
    PayoutStatus.PAID: "✅ paid",
    PayoutStatus.REJECTED: "✖ rejected",
}


def balance(
    available: str,
    on_hold: str,
    refunding: str | None,
    payouts: Sequence[Payout],
    money: Currency,
    minimum: str,
    badge: str,
) -> str:
    lines = [
        "💰 <b>Your balance</b>",
        "",
        f"Available: <b>{available}</b>",
        f"On hold for payouts: {on_hold}",
        f"Smallest payout: {minimum}",
    ]
    if refunding:
        lines.insert(4, f"On its way back to your Telegram Stars: {refunding}")
    if payouts:
        lines += ["", "<b>Recent payouts</b>"]
        for p in payouts:
            note = f" — {e(clip(p.note, 100))}" if p.note else ""
            lines.append(
                f"• {money.format(p.amount)} → {e(clip(p.destination, 40))}: "
                f"{PAYOUT_STATUS[p.status]} ({p.requested_at:%d %b %Y}){note}"
            )
    else:
        lines += ["", "No payouts yet."]
    return "\n".join(lines) + sandbox_note(badge)


def payout_amount_ask(available: str, minimum: str, badge: str) -> str:
    return (
        f"💸 How much do you want to be paid out? You have <b>{available}</b> available "
        f"(smallest payout {minimum}). Send an amount, or tap “All”." + sandbox_note(badge)
    )


def payout_amount_reask(money: Currency) -> str:
    return (
        f"Send the amount as a number in {money.unit} (for example {money.example}), or tap “All”."
    )


DESTINATION_ASK = (
    "Where should we send it? Write the details an operator needs: a card number, an IBAN, "
    "a wallet address… (3–500 characters)."
)


DESTINATION_REASK = "Please write the payout details as text."


def payout_confirm(amount: str, destination: str, badge: str) -> str:
    return (
        f"<b>Request a payout of {amount}</b>\nTo: {e(destination)}\n\n"
        "The amount is set aside until an operator pays it." + sandbox_note(badge)
    )


def payout_requested(amount: str, badge: str) -> str:
    return (
        f"✅ Payout of {amount} requested. An operator will pay it and you will be told. "
        "Until then the money is on hold: /balance" + sandbox_note(badge)
    )


def payout_paid(amount: str, destination: str, badge: str) -> str:
    return (
        f"💸 Your payout of {amount} to {e(clip(destination, 80))} was <b>paid</b>."
        + sandbox_note(badge)
    )


def payout_rejected(amount: str, note: str | None, badge: str) -> str:
    reason = f"\nReason: {e(note)}" if note else ""
    return (
        f"✖ Your payout request of {amount} was <b>rejected</b>; the money is available on your "
        f"balance again.{reason}" + sandbox_note(badge)
    )
