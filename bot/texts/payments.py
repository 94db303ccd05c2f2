"""Payments on screen: funding, invoices, releases and refunds (the balance and payouts
are ``bot.texts.payouts``).

Amounts arrive already formatted by ``settings.money.format`` (plain text with no
HTML specials); anything a person typed is escaped here.
"""

from __future__ import annotations

from bot.i18n import _, phrase
from bot.render import button, clip, e
from bot.texts.common import sandbox_note
from core.gateways import SANDBOX, STARS, FundingGateway
from core.money import Currency

# --- buttons ---------------------------------------------------------------------------


def fund_button(gateway: FundingGateway, amount: str) -> str:
    """The pay button: it says when the money is not real."""
    if gateway.name == SANDBOX.name:
        template = _("💳 Fund {amount} (sandbox)")
    elif gateway.name == STARS.name:
        template = _("Pay {amount} (test Stars)") if gateway.sandbox else _("Pay {amount}")
    elif gateway.sandbox:
        template = _("💳 Pay {amount} (test payment)")
    else:
        template = _("💳 Pay {amount}")
    return button(template.format(amount=amount))


pay_from_balance = phrase("💼 Pay from balance")


def release_button(amount: str) -> str:
    return button(_("✅ Release {amount}").format(amount=amount))


release_part = phrase("➗ Release part")


def confirm_release(amount: str) -> str:
    return button(_("✅ Yes, release {amount}").format(amount=amount))


not_now = phrase("Not now")

confirm_reask = phrase("Use the buttons: confirm to go ahead, or Cancel to leave.")


# --- funding ---------------------------------------------------------------------------


def funded_sandbox(description: str, amount: str, badge: str) -> str:
    return _(
        "✅ <b>Milestone funded</b>: {amount} is held in escrow for “{description}”.\n"
        "The freelancer has been told to start. The money is released only when you say so "
        "(or automatically if you leave a delivery unanswered)."
    ).format(amount=amount, description=e(clip(description, 80))) + sandbox_note(badge)


def funded_from_balance(description: str, amount: str, badge: str) -> str:
    return _(
        "✅ <b>Milestone funded from your balance</b>: {amount} is held in escrow for "
        "“{description}”. The freelancer has been told to start."
    ).format(amount=amount, description=e(clip(description, 80))) + sandbox_note(badge)


def invoice_title(milestone_id: int, test: bool) -> str:
    """Plain text, at most 32 characters (Telegram's limit)."""
    title = _("Milestone #{id} escrow (test)") if test else _("Milestone #{id} escrow")
    return clip(title.format(id=milestone_id), 32)


def invoice_description(project_title: str, description: str, badge: str) -> str:
    """Plain text (invoices are not HTML), at most 255 characters; the test label first."""
    label = f"{badge}. " if badge else ""
    return clip(f"{label}{project_title}: {description}", 255)


def invoice_label(test: bool) -> str:
    """The invoice's one price line."""
    return _("Escrow (test)") if test else _("Escrow")


def invoice_sent(amount: str, badge: str) -> str:
    return _(
        "🧾 Here is the invoice for {amount}. Once paid, the money is held in escrow until "
        "you release it."
    ).format(amount=amount) + sandbox_note(badge)


invoice_on_its_way = phrase("Invoice sent below.")


def paid_and_funded(description: str, amount: str, badge: str) -> str:
    return _(
        "✅ <b>Payment received</b>: {amount} is now held in escrow for “{description}”. "
        "The freelancer has been told to start."
    ).format(amount=amount, description=e(clip(description, 80))) + sandbox_note(badge)


payment_received = phrase("✅ Payment received, thank you.")

payment_already_received = phrase(
    "✅ This payment was already received and credited. Nothing was charged or credited twice."
)

invoice_unknown = phrase("This invoice is not valid any more. Open the contract and fund it again.")


def credited_to_balance(amount: str, description: str) -> str:
    return _(
        "💼 Your payment of {amount} arrived, but the milestone “{description}” no longer "
        "needed it, so the money is on your bidgram balance. Use it to fund another "
        "milestone, or request a payout: /balance"
    ).format(amount=amount, description=e(clip(description, 80)))


def refunded_to_stars(amount: str) -> str:
    return _("⭐ {amount} went back to your Telegram Stars.").format(amount=amount)


def refund_refused(amount: str) -> str:
    return _(
        "⭐ Telegram could not return {amount} to your Stars, so it stays on your bidgram "
        "balance: use it to fund work or ask for a payout (/balance)."
    ).format(amount=amount)


# --- releasing -------------------------------------------------------------------------


def release_confirm(
    description: str, freelancer: str, amount: str, fee: str, net: str, escrow: str, badge: str
) -> str:
    return _(
        "<b>Release {amount}</b> for “{description}”?\n\n"
        "Held in escrow: {escrow}\n"
        "Platform fee: {fee}\n"
        "<b>{name} receives: {net}</b>\n\n"
        "Released money cannot be taken back."
    ).format(
        amount=amount,
        description=e(clip(description, 80)),
        escrow=escrow,
        fee=fee,
        name=e(freelancer),
        net=net,
    ) + sandbox_note(badge)


def part_amount_ask(description: str, escrow: str, money: Currency, badge: str) -> str:
    return _(
        "How much of the {escrow} held for “{description}” do you want to release now? "
        "Send an amount in {unit} (for example {example}). The rest stays in escrow."
    ).format(
        escrow=escrow,
        description=e(clip(description, 80)),
        unit=money.unit,
        example=money.example,
    ) + sandbox_note(badge)


def part_amount_reask(money: Currency) -> str:
    return _("Send the amount as a number in {unit}, for example {example}.").format(
        unit=money.unit, example=money.example
    )


def released(
    description: str, freelancer: str, amount: str, fee: str, net: str, left: str, badge: str
) -> str:
    text = _(
        "✅ <b>Released {amount}</b> for “{description}”: {name} receives {net} "
        "(platform fee {fee})."
    ).format(
        amount=amount, description=e(clip(description, 80)), name=e(freelancer), net=net, fee=fee
    )
    if left:
        text += "\n" + _("Still in escrow: {amount}.").format(amount=left)
    return text + sandbox_note(badge)


already_done = phrase("This was already done; nothing moved again.")

dismissed = phrase("OK, nothing was changed.")
