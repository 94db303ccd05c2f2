"""/privacy: a person's own data, exported or deleted. What each does is decided in
``core.services.privacy``; these texts say it as a person reads it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render import e
from bot.texts.errors import refusal
from core.errors import DomainError
from core.money import Currency
from core.services.privacy import DeletionPlan, anonymous_name

PRIVACY = "🔒 My data and account"
EXPORT = "📦 Export my data"
DELETE = "🗑 Delete my account"
YES_DELETE = "🗑 Yes, delete my account"
KEEP = "✖ Keep my account"
BACK = "« My data"

SCREEN = (
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

EXPORT_SENT = "Your data is on its way."


def export_caption(day: str) -> str:
    return (
        f"📦 Everything bidgram holds about you, as of {e(day)} (UTC). Keep it safe: it "
        "includes your payout details."
    )


def refused(refusals: Sequence[DomainError], money: Currency) -> str:
    reasons = "\n".join(f"• {e(refusal(r, money))}" for r in refusals)
    return (
        "🗑 <b>Your account cannot be deleted yet</b>\n\n"
        f"{reasons}\n\nOnce that is settled, try again from /privacy."
    )


def confirm(plan: DeletionPlan, user_id: int) -> str:
    closing = []
    if plan.projects:
        closing.append(f"{plan.projects} open project(s) cancelled (their bidders are told)")
    if plan.offers:
        closing.append(f"{plan.offers} offer(s) to you declined (the employer is told)")
    if plan.bids:
        closing.append(f"{plan.bids} bid(s) withdrawn (the employer is told)")
    first = f"\n\n<b>Closed first:</b> {'; '.join(closing)}." if closing else ""
    return (
        "🗑 <b>Delete your account?</b>\n\n"
        "<b>Erased:</b> your freelancer profile, skills and portfolio; your alert settings; "
        "whom you muted; the description and files of projects that never became a "
        "contract (and the title, unless someone bid on it); "
        "proposals that did not win a contract; messages you sent outside a contract; "
        "where you asked to be paid on payouts that were never paid."
        f"{first}\n\n"
        f"<b>Kept, as “{e(anonymous_name(user_id))}”:</b> what the people you worked with "
        "and the books need: your contracts (project, terms, milestones, deliveries, "
        "disputes and the messages about them), reviews, payments, payouts that were paid "
        "and every ledger entry; and the admins' records.\n\n"
        "<b>This cannot be undone.</b> Nothing reaches you from this account any more; if "
        "you come back, you start afresh."
    )


DELETED = (
    "🗑 Your bidgram account is deleted. Thank you for having been here.\n\n"
    "If you ever come back, /start begins a new account."
)
STALE = "This button belongs to an account that no longer exists."
