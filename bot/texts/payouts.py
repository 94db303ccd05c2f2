"""The balance and payouts on screen: the balance screen, the payout wizard, and what
the freelancer is told when a payout is paid or rejected. Amounts arrive formatted."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import _, phrase
from bot.render import button, clip, e
from bot.texts import labels
from bot.texts.common import day, sandbox_note
from core.money import Currency
from storage.enums import PayoutStatus
from storage.models import Payout

request_payout = phrase("💸 Request payout")


def payout_all(amount: str) -> str:
    return button(_("All: {amount}").format(amount=amount))


confirm_payout = phrase("✅ Request payout")

open_balance = phrase("💰 Balance")


payout_status = labels(
    {
        PayoutStatus.REQUESTED: phrase("⏳ requested"),
        PayoutStatus.PAID: phrase("✅ paid"),
        PayoutStatus.REJECTED: phrase("✖ rejected"),
    }
)


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
        _("💰 <b>Your balance</b>"),
        "",
        _("Available: <b>{amount}</b>").format(amount=available),
        _("On hold for payouts: {amount}").format(amount=on_hold),
        _("Smallest payout: {amount}").format(amount=minimum),
    ]
    if refunding:
        lines.insert(
            4, _("On its way back to your Telegram Stars: {amount}").format(amount=refunding)
        )
    if payouts:
        lines += ["", _("<b>Recent payouts</b>")]
        for p in payouts:
            note = f" — {e(clip(p.note, 100))}" if p.note else ""
            lines.append(
                f"• {money.format(p.amount)} → {e(clip(p.destination, 40))}: "
                f"{payout_status(p.status)} ({day(p.requested_at)}){note}"
            )
    else:
        lines += ["", _("No payouts yet.")]
    return "\n".join(lines) + sandbox_note(badge)


def payout_amount_ask(available: str, minimum: str, badge: str) -> str:
    return _(
        "💸 How much do you want to be paid out? You have <b>{available}</b> available "
        "(smallest payout {minimum}). Send an amount, or tap “All”."
    ).format(available=available, minimum=minimum) + sandbox_note(badge)


def payout_amount_reask(money: Currency) -> str:
    return _("Send the amount as a number in {unit} (for example {example}), or tap “All”.").format(
        unit=money.unit, example=money.example
    )


destination_ask = phrase(
    "Where should we send it? Write the details an operator needs: a card number, an "
    "IBAN, a wallet address… (3–500 characters)."
)

destination_reask = phrase("Please write the payout details as text.")


def payout_confirm(amount: str, destination: str, badge: str) -> str:
    return _(
        "<b>Request a payout of {amount}</b>\nTo: {destination}\n\n"
        "The amount is set aside until an operator pays it."
    ).format(amount=amount, destination=e(destination)) + sandbox_note(badge)


def payout_requested(amount: str, badge: str) -> str:
    return _(
        "✅ Payout of {amount} requested. An operator will pay it and you will be told. "
        "Until then the money is on hold: /balance"
    ).format(amount=amount) + sandbox_note(badge)


def payout_paid(amount: str, destination: str, badge: str) -> str:
    return _("💸 Your payout of {amount} to {destination} was <b>paid</b>.").format(
        amount=amount, destination=e(clip(destination, 80))
    ) + sandbox_note(badge)


def payout_rejected(amount: str, note: str | None, badge: str) -> str:
    text = _(
        "✖ Your payout request of {amount} was <b>rejected</b>; the money is available on "
        "your balance again."
    ).format(amount=amount)
    if note:
        text += "\n" + _("Reason: {reason}").format(reason=e(note))
    return text + sandbox_note(badge)
