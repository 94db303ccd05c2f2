"""/privacy: a person's own data, exported or deleted. What each does is decided in
``core.services.privacy``; these texts say it as a person reads it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import _, counted, phrase
from bot.render import e
from bot.texts.common import deleted_name
from bot.texts.errors import refusal
from core.errors import DomainError
from core.money import Currency
from core.services.privacy import DeletionPlan

privacy = phrase("🔒 My data and account")

export = phrase("📦 Export my data")

delete = phrase("🗑 Delete my account")

yes_delete = phrase("🗑 Yes, delete my account")

keep = phrase("✖ Keep my account")

back = phrase("« My data")

screen = phrase(
    "🔒 <b>Your data on bidgram</b>\n\n"
    "📦 <b>Export</b> sends you a JSON file with everything bidgram holds about you: your "
    "account, freelancer profile, alert settings, projects, bids, offers, contracts with "
    "their milestones and history, payments, balance and every ledger entry, payouts, "
    "disputes, the messages you sent and received, reviews by and about you, your reports, "
    "mutes and safety notes.\n\n"
    "🗑 <b>Delete</b> erases what is only yours and keeps, under an anonymous name, what "
    "the people you worked with and the books need. You see exactly what before anything "
    "happens."
)

export_sent = phrase("Your data is on its way.")


def export_caption(day: str) -> str:
    return _(
        "📦 Everything bidgram holds about you, as of {day} (UTC). Keep it safe: it "
        "includes your payout details."
    ).format(day=e(day))


def refused(refusals: Sequence[DomainError], money: Currency) -> str:
    reasons = "\n".join(f"• {e(refusal(r, money))}" for r in refusals)
    return _(
        "🗑 <b>Your account cannot be deleted yet</b>\n\n"
        "{reasons}\n\nOnce that is settled, try again from /privacy."
    ).format(reasons=reasons)


#: What deleting an account closes first, each with how many.
_projects_cancelled = counted(
    "{count} open project cancelled (its bidders are told)",
    "{count} open projects cancelled (their bidders are told)",
)
_offers_declined = counted(
    "{count} offer to you declined (the employer is told)",
    "{count} offers to you declined (the employers are told)",
)
_bids_withdrawn = counted(
    "{count} bid withdrawn (the employer is told)",
    "{count} bids withdrawn (the employers are told)",
)


def confirm(plan: DeletionPlan, user_id: int) -> str:
    closing = [
        text(count)
        for text, count in (
            (_projects_cancelled, plan.projects),
            (_offers_declined, plan.offers),
            (_bids_withdrawn, plan.bids),
        )
        if count
    ]
    first = (
        "\n\n" + _("<b>Closed first:</b> {items}.").format(items="; ".join(closing))
        if closing
        else ""
    )
    erased = _(
        "🗑 <b>Delete your account?</b>\n\n"
        "<b>Erased:</b> your freelancer profile, skills and portfolio; your alert settings; "
        "whom you muted; the description and files of projects that never became a "
        "contract (and the title, unless someone bid on it); "
        "proposals that did not win a contract; messages you sent outside a contract; "
        "where you asked to be paid on payouts that were never paid."
    )
    kept = _(
        "<b>Kept, as “{name}”:</b> what the people you worked with "
        "and the books need: your contracts (project, terms, milestones, deliveries, "
        "disputes and the messages about them), reviews, payments, payouts that were paid "
        "and every ledger entry; and the admins' records.\n\n"
        "<b>This cannot be undone.</b> Nothing reaches you from this account any more; if "
        "you come back, you start afresh."
    ).format(name=e(deleted_name(user_id)))
    return f"{erased}{first}\n\n{kept}"


deleted = phrase(
    "🗑 Your bidgram account is deleted. Thank you for having been here.\n\n"
    "If you ever come back, /start begins a new account."
)

stale = phrase("This button belongs to an account that no longer exists.")
