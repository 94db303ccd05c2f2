"""Payments on screen: funding, invoices, releases and refunds (the balance and payouts
are ``bot.texts.payouts``).

Amounts arrive already formatted by ``settings.money.format`` (plain text with no
HTML specials); anything a person typed is escaped here.
"""

from __future__ import annotations

from datetime import datetime

from bot.render import button, clip, e
from bot.texts.common import sandbox_note
from core.gateways import SANDBOX, STARS, FundingGateway
from core.money import Currency


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
CONFIRM = "✅ Confirm"
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
