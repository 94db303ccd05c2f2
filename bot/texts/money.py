"""Money on screen: funding, invoices, releases, refunds, the balance and payouts.

Amounts arrive already formatted by ``settings.money.format`` (plain text with no
HTML specials); anything a person typed is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.render import button, clip, e
from bot.texts.common import sandbox_note
from core.gateways import SANDBOX, STARS, FundingGateway
from core.money import Currency
from storage.enums import PayoutStatus
from storage.models import Payout


def when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


# --- buttons ---------------------------------------------------------------------------

FUND_SANDBOX = "💳 Fund {amount} (sandbox)"
FUND_STARS = "Pay {amount}"
FUND_TEST_STARS = "Pay {amount} (test Stars)"
FUND_CARD = "💳 Pay {amount}"
FUND_TEST_CARD = "💳 Pay {amount} (test payment)"
PAY_FROM_BALANCE = "💼 Pay from balance"
RELEASE = "✅ Release {amount}"
RELEASE_PART = "➗ Release part"
CONFIRM_RELEASE = "✅ Yes, release {amount}"
NOT_NOW = "Not now"
REQUEST_PAYOUT = "💸 Request payout"
PAYOUT_ALL = "All: {amount}"
CONFIRM_PAYOUT = "✅ Request payout"
CONFIRM = "✅ Confirm"
OPEN_BALANCE = "💰 Balance"
CONFIRM_REASK = "Use the buttons: confirm to go ahead, or Cancel to leave."


def fund_button(gateway: FundingGateway, amount: str) -> str:
    """The pay button: it says when the money is not real."""
    if gateway.name == SANDBOX.name:
        template = FUND_SANDBOX
    elif gateway.name == STARS.name:
        template = FUND_TEST_STARS if gateway.sandbox else FUND_STARS
    else:
        template = FUND_TEST_CARD if gateway.sandbox else FUND_CARD
    return button(template.format(amount=amount))


def label(template: str, amount: str) -> str:
    return button(template.format(amount=amount))


# --- funding ---------------------------------------------------------------------------


def funded_sandbox(description: str, amount: str, badge: str) -> str:
    return (
        f"✅ <b>Milestone funded</b>: {amount} is held in escrow for "
        f"“{e(clip(description, 80))}”.\n"
        "The freelancer has been told to start. The money is released only when you say so "
        "(or automatically if you leave a delivery unanswered)." + sandbox_note(badge)
    )


def funded_from_balance(description: str, amount: str, badge: str) -> str:
    return (
        f"✅ <b>Milestone funded from your balance</b>: {amount} is held in escrow for "
        f"“{e(clip(description, 80))}”. The freelancer has been told to start."
        + sandbox_note(badge)
    )


def invoice_title(milestone_id: int, test: bool) -> str:
    """Plain text, at most 32 characters (Telegram's limit)."""
    return clip(f"Milestone #{milestone_id} escrow{' (test)' if test else ''}", 32)


def invoice_description(project_title: str, description: str, badge: str) -> str:
    """Plain text (invoices are not HTML), at most 255 characters; the test label first."""
    label = f"{badge}. " if badge else ""
    return clip(f"{label}{project_title}: {description}", 255)


def invoice_label(test: bool) -> str:
    """The invoice's one price line."""
    return "Escrow (test)" if test else "Escrow"


def invoice_sent(amount: str, badge: str) -> str:
    return (
        f"🧾 Here is the invoice for {amount}. Once paid, the money is held in escrow until "
        "you release it." + sandbox_note(badge)
    )


INVOICE_ON_ITS_WAY = "Invoice sent below."


def paid_and_funded(description: str, amount: str, badge: str) -> str:
    return (
        f"✅ <b>Payment received</b>: {amount} is now held in escrow for "
        f"“{e(clip(description, 80))}”. The freelancer has been told to start."
        + sandbox_note(badge)
    )


PAYMENT_RECEIVED = "✅ Payment received, thank you."
PAYMENT_ALREADY_RECEIVED = (
    "✅ This payment was already received and credited. Nothing was charged or credited twice."
)
INVOICE_UNKNOWN = "This invoice is not valid any more. Open the contract and fund it again."


def credited_to_balance(amount: str, description: str) -> str:
    return (
        f"💼 Your payment of {amount} arrived, but the milestone “{e(clip(description, 80))}” "
        "no longer needed it, so the money is on your bidgram balance. Use it to fund another "
        "milestone, or request a payout: /balance"
    )


def refunded_to_stars(amount: str) -> str:
    return f"⭐ {amount} went back to your Telegram Stars."


def refund_refused(amount: str) -> str:
    return (
        f"⭐ Telegram could not return {amount} to your Stars, so it stays on your "
        "bidgram balance: use it to fund work or ask for a payout (/balance)."
    )


# --- releasing -------------------------------------------------------------------------


def release_confirm(
    description: str, freelancer: str, amount: str, fee: str, net: str, escrow: str, badge: str
) -> str:
    return (
        f"<b>Release {amount}</b> for “{e(clip(description, 80))}”?\n\n"
        f"Held in escrow: {escrow}\n"
        f"Platform fee: {fee}\n"
        f"<b>{e(freelancer)} receives: {net}</b>\n\n"
        "Released money cannot be taken back." + sandbox_note(badge)
    )


def part_amount_ask(description: str, escrow: str, money: Currency, badge: str) -> str:
    return (
        f"How much of the {escrow} held for “{e(clip(description, 80))}” do you want to release "
        f"now? Send an amount in {money.unit} (for example {money.example}). The rest stays "
        "in escrow." + sandbox_note(badge)
    )


def part_amount_reask(money: Currency) -> str:
    return f"Send the amount as a number in {money.unit}, for example {money.example}."


def released(
    description: str, freelancer: str, amount: str, fee: str, net: str, left: str, badge: str
) -> str:
    rest = f"\nStill in escrow: {left}." if left else ""
    return (
        f"✅ <b>Released {amount}</b> for “{e(clip(description, 80))}”: {e(freelancer)} receives "
        f"{net} (platform fee {fee}).{rest}" + sandbox_note(badge)
    )


ALREADY_DONE = "This was already done; nothing moved again."
DISMISSED = "OK, nothing was changed."


# --- balance and payouts ---------------------------------------------------------------

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
