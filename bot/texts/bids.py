"""Bids and awards: the bid conversation, the employer's review, offers, and their alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.render import button, clip, e
from bot.texts.awards import rounds, terms
from bot.texts.profiles import field_names, profile_line
from bot.texts.projects import budget, when
from core.money import Currency
from core.services.bids import BidView
from storage.enums import BidStatus
from storage.models import Award, Bid, Project

BID_STATUS: dict[BidStatus, str] = {
    BidStatus.ACTIVE: "🟢 Active",
    BidStatus.RETRACTED: "↩️ Retracted",
    BidStatus.DECLINED: "✖ Declined by the employer",
    BidStatus.AWARDED: "🎉 Offer waiting for your answer",
    BidStatus.HIRED: "🤝 Hired",
    BidStatus.CLOSED: "⛔ Closed",
}

# buttons
BID = "💼 Bid on this project"
EDIT_BID = "✏️ Edit my bid"
RETRACT = "↩️ Retract my bid"
YES_RETRACT = "Yes, retract it"
NO_KEEP = "No, keep it"
PLACE = "✅ Place bid"
SAVE = "✅ Save"
MESSAGE = "💬 Message"
AWARD = "🏆 Award"
DECLINE = "✖ Decline"
VIEW_BID = "👁 View bid"
YES_AWARD = "🏆 Yes, award"
ACCEPT = "✅ Accept offer and terms"
EDIT_DELIVERABLES = "✏️ Deliverables"
EDIT_DUE = "📅 Due date"
DECLINE_OFFER = "✖ Decline"
YES_DECLINE = "Yes, decline the offer"
WITHDRAW = "↩️ Withdraw offer"
YES_WITHDRAW = "Yes, withdraw it"
OPEN_CONTRACT = "🤝 Open contract"
OPEN_PROJECT = "📄 Open project"
BACK_TO_BIDS = "« All bids"
VIEW_BIDS = "💼 View bids"
SORT = {"newest": "Newest", "lowest": "Lowest price", "rating": "Best rated"}
DAYS = "{} days"
PREV = "‹ Prev"
NEXT = "Next ›"
EDIT_AMOUNT = "Amount"
EDIT_DAYS = "Delivery days"
EDIT_PROPOSAL = "Proposal"


def days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


# --- the bid conversation --------------------------------------------------------------------


def profile_first(missing: Sequence[str]) -> str:
    names = ", ".join(field_names().get(m, m) for m in missing)
    return (
        "📋 <b>Complete your profile first.</b> Employers choose by it, so bids need a "
        f"complete profile. Still missing: <b>{e(names)}</b>.\n\n"
        "It takes a minute; then come back and bid."
    )


PROFILE_FIRST_ALERT = "Complete your freelancer profile first."


def already_bid(bid: Bid, money: Currency) -> str:
    return (
        f"You already bid {money.format(bid.amount)} in {days(bid.delivery_days)} on this "
        "project. You can edit or retract your bid."
    )


def ask_amount(project: Project, money: Currency) -> str:
    return (
        f"💼 <b>Bid on {e(clip(project.title, 80))}</b> <i>(step 1 of 3)</i>\n\n"
        f"The employer's budget: {budget(project.budget_min, project.budget_max, money)}.\n"
        f"How much do you ask, in {e(money.unit)}? Tap a suggestion or type an amount."
    )


def ask_days(maximum: int) -> str:
    return (
        "<i>Step 2 of 3</i>\n\nIn how many <b>days</b> will you deliver? "
        f"Tap or type a number (1–{maximum})."
    )


def ask_proposal(minimum: int, maximum: int) -> str:
    return (
        "<i>Step 3 of 3</i>\n\nYour <b>proposal</b> "
        f"({minimum}–{maximum} characters): why you, how you would do it, "
        "questions you have."
    )


def ask_new_amount(money: Currency) -> str:
    return f"Send the new <b>amount</b> in {e(money.unit)}, like {money.example}."


def ask_new_days(maximum: int) -> str:
    return f"Send the new number of <b>days</b> (1–{maximum})."


def ask_new_proposal(minimum: int, maximum: int) -> str:
    return f"Send the new <b>proposal</b> ({minimum}–{maximum} characters)."


EDIT_WHAT = "What would you like to change in your bid?"
BAD_DAYS = "Send the number of days as digits, e.g. <code>7</code>."


def not_text(what: str) -> str:
    return f"Please send the {e(what)} as a text message."


def bid_summary(title: str, amount: int, n_days: int, proposal: str, money: Currency) -> str:
    return (
        f"📋 <b>Your bid on {e(title)}</b>\n\n"
        f"💰 {money.format(amount)} · ⏱ {days(n_days)}\n\n{e(proposal)}\n\n"
        "Place this bid?"
    )


def bid_placed(title: str) -> str:
    return f"✅ Your bid on <b>{e(title)}</b> is in. You will hear here when the employer answers."


def bid_edited(title: str) -> str:
    return f"✅ Your bid on <b>{e(title)}</b> is updated. The employer has been told."


def confirm_retract(title: str) -> str:
    return f"Retract your bid on <b>{e(title)}</b>? You can bid again while it is open."


def retracted(title: str) -> str:
    return f"↩️ Your bid on <b>{e(title)}</b> is retracted."


def my_bid_line(bid: Bid, money: Currency) -> str:
    return (
        f"📌 Your bid: {money.format(bid.amount)} in {days(bid.delivery_days)} · "
        f"{BID_STATUS[bid.status]}"
    )


# --- my bids -------------------------------------------------------------------------------

NO_BIDS = "You have not bid on anything yet. Find work and bid!"
FIND_WORK = "🔎 Find work"


def my_bids(items: Sequence[tuple[Bid, Project]], money: Currency, first: int) -> str:
    lines = ["💼 <b>Your bids</b>", ""]
    for n, (bid, project) in enumerate(items, first):
        lines.append(
            f"{n}. <b>{e(clip(project.title, 80))}</b>\n    {money.format(bid.amount)} · "
            f"{days(bid.delivery_days)} · {BID_STATUS[bid.status]}"
        )
    return "\n".join(lines)


def my_bid_button(n: int, project: Project) -> str:
    return button(f"{n}. {project.title}")


# --- the employer's review -----------------------------------------------------------------


def bid_list(project: Project, views: Sequence[BidView], money: Currency, first: int) -> str:
    lines = [f"💼 <b>Bids on {e(clip(project.title, 80))}</b>", ""]
    if not views:
        lines.append("No bids yet. You will get an alert for each new bid.")
    for n, v in enumerate(views, first):
        b = v.bid
        status = "" if b.status is BidStatus.ACTIVE else f" · {BID_STATUS[b.status]}"
        lines.append(
            f"{n}. {profile_line(v.bidder.first_name, v.reputation)}{status}\n"
            f"    💰 {money.format(b.amount)} · ⏱ {days(b.delivery_days)}\n"
            f"    <i>{e(clip(' '.join(b.proposal.split()), 140))}</i>"
        )
    return "\n".join(lines)


def bid_button(n: int, view: BidView, money: Currency) -> str:
    return button(f"{n}. {view.bidder.first_name} · {money.format(view.bid.amount)}")


def sort_label(order: str, current: str) -> str:
    return ("• " if order == current else "") + SORT[order]


def bid_detail(project: Project, bid: Bid, money: Currency) -> str:
    status = "" if bid.status is BidStatus.ACTIVE else f"\n{BID_STATUS[bid.status]}"
    return (
        f"💼 <b>Bid on {e(clip(project.title, 80))}</b>{status}\n"
        f"💰 {money.format(bid.amount)} · ⏱ {days(bid.delivery_days)}\n\n"
        f"<b>Proposal</b>\n{e(bid.proposal)}"
    )


BID_CLOSED = "Your bid on this project is closed."
OFFER_WAITING = "You have been offered this project: accept or decline the offer."


def confirm_award(
    name: str,
    amount: int,
    hours: int,
    money: Currency,
    deliverables: Sequence[str],
    revision_rounds: int,
    due_at: datetime,
) -> str:
    return (
        f"Offer the project to <b>{e(name)}</b> for {money.format(amount)}?\n"
        f"They have {hours} hours to accept. Until then you cannot award anyone else "
        "(you can withdraw the offer).\n\n"
        f"{terms(deliverables, revision_rounds, due_at)}\n\n"
        "They accept these terms with the offer: changes are capped by the revision rounds, "
        "and a dispute names which deliverable is missing. Change them below before sending."
    )


def rounds_button(count: int) -> str:
    return f"🔁 {rounds(count)}"


def ask_deliverables(current: Sequence[str], most: int, longest: int) -> str:
    listing = "\n".join(f"• {e(line)}" for line in current)
    return (
        "✏️ <b>What is to be delivered?</b> Send the deliverables in one message, one per "
        f"line: 1 to {most} lines of up to {longest} characters. Now:\n{listing}"
    )


DELIVERABLES_REASK = "Send the deliverables as a text message, one per line (or /cancel)."


def ask_rounds(most: int) -> str:
    return (
        "🔁 <b>How many revision rounds does each milestone include?</b> Each is one request "
        f"for changes; after them, more work is a new milestone. 0 to {most}."
    )


def ask_due(maximum: int) -> str:
    return f"📅 <b>Due in how many days?</b> Send a number from 1 to {maximum}."


DUE_REASK = "Send the number of days as digits, e.g. <code>14</code> (or /cancel)."
CONFIRM_TERMS = "Use the buttons above: send the offer, or change a term first (or /cancel)."


def offer_sent(name: str, until: str) -> str:
    return f"🏆 Offer sent to <b>{e(name)}</b>. They have until {e(until)} to accept."


def bid_declined(name: str) -> str:
    return f"✖ You declined {e(name)}'s bid. They have been told."


# --- answering an offer --------------------------------------------------------------------


def confirm_decline_offer(title: str) -> str:
    return f"Decline the offer for <b>{e(title)}</b>? The employer may award someone else."


def hired(title: str) -> str:
    return (
        f"🎉 You accepted <b>{e(title)}</b>. The contract has started: the employer funds "
        "milestones, and you get paid when the work is approved."
    )


def offer_declined(title: str) -> str:
    return f"You declined the offer for <b>{e(title)}</b>. The employer has been told."


def confirm_withdraw(title: str) -> str:
    return f"Withdraw your offer for <b>{e(title)}</b>? You can then award someone else."


def withdrawn(title: str) -> str:
    return f"↩️ Offer for <b>{e(title)}</b> withdrawn. The bid stays; you can award anyone."


# --- alerts --------------------------------------------------------------------------------


def alert_new_project(card: str) -> str:
    return f"🆕 <b>A new project matches your skills</b>\n\n{card}"


DIGEST_SHOWN = 10


def digest_new_projects(lines: Sequence[str], more: int) -> str:
    """Many new projects at once: one message, a line each (``lines`` are escaped)."""
    head = f"🆕 <b>{len(lines) + more} new projects match your skills</b>\n"
    body = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
    tail = f"\n\n…and {more} more: use Find work to see them all." if more else ""
    return f"{head}\n{body}{tail}"


def digest_line(title: str, budget_text: str) -> str:
    return f"<b>{e(title)}</b> · {budget_text}"


DIGEST_ALL_CLOSED = "🆕 New projects matched your skills, but they have all closed already."


def alert_project_edited(title: str) -> str:
    return f"✏️ The employer changed <b>{e(title)}</b>. Check that your bid still fits."


def alert_project_cancelled(title: str) -> str:
    return f"✖ <b>{e(title)}</b> was cancelled by the employer. Your bid is closed."


POST_AGAIN = "📝 Post it again"


def alert_bidding_ended(title: str, bids: int, award_by: datetime) -> str:
    """The employer's prompt when bidding ends with bids: pick one while there is time."""
    count = f"{bids} bid{'s' if bids != 1 else ''}"
    return (
        f"🏁 <b>Bidding is over</b> on <b>{e(clip(title, 80))}</b>: you have {count}.\n\n"
        f"Award one by <b>{when(award_by)}</b>; after that the project closes and the "
        "bidders are told nobody was hired."
    )


def alert_project_closed_employer(title: str, reason: str) -> str:
    """Why it closed: ``no_bids`` (none came), ``nobody_left`` (no bid left to award),
    ``not_awarded`` (the decision window passed)."""
    if reason == "nobody_left":
        return (
            f"⛔ <b>{e(clip(title, 80))}</b> is closed: no bid is left to award. Post it "
            "again to get new bids."
        )
    if reason == "no_bids":
        return (
            f"⛔ Bidding on <b>{e(clip(title, 80))}</b> ended with no bids, so the project is "
            "closed. Post it again, perhaps with a clearer brief, more skills or another "
            "budget, to reach more freelancers."
        )
    return (
        f"⛔ <b>{e(clip(title, 80))}</b> is closed: nobody was awarded in time, and the "
        "bidders have been told. Post it again whenever you are ready."
    )


def alert_project_closed_bidder(title: str) -> str:
    return (
        f"⛔ <b>{e(clip(title, 80))}</b> has closed without an award: nobody was hired. "
        "Your bid is closed."
    )


def alert_bid_placed(title: str, name: str, rep_line: str, bid: Bid, money: Currency) -> str:
    return (
        f"💼 <b>New bid on {e(clip(title, 80))}</b>\n\n"
        f"{e(name)} · {rep_line}\n💰 {money.format(bid.amount)} · ⏱ {days(bid.delivery_days)}\n\n"
        f"<i>{e(clip(' '.join(bid.proposal.split()), 600))}</i>"
    )


def alert_bid_edited(title: str, name: str, bid: Bid, money: Currency) -> str:
    return (
        f"✏️ {e(name)} changed their bid on <b>{e(clip(title, 80))}</b>: "
        f"{money.format(bid.amount)} in {days(bid.delivery_days)}."
    )


def alert_bid_retracted(title: str, name: str) -> str:
    return f"↩️ {e(name)} retracted their bid on <b>{e(clip(title, 80))}</b>."


def alert_bid_declined(title: str) -> str:
    return f"The employer declined your bid on <b>{e(clip(title, 80))}</b>. Keep bidding!"


def alert_award_offered(title: str, bid: Bid, award: Award, money: Currency) -> str:
    return (
        f"🎉 <b>You are offered {e(clip(title, 80))}!</b>\n\n"
        f"💰 {money.format(bid.amount)} · ⏱ {days(bid.delivery_days)}\n\n"
        f"{terms(award.deliverables, award.revision_rounds, award.due_at)}\n\n"
        "Accepting the offer accepts these terms: every later step refers to them.\n"
        f"Answer by {when(award.expires_at)}, or the offer lapses."
    )


def alert_award_accepted(title: str, name: str) -> str:
    return (
        f"🤝 {e(name)} accepted <b>{e(clip(title, 80))}</b>. The contract has started: "
        "create and fund the first milestone."
    )


def alert_award_declined(title: str, name: str) -> str:
    return (
        f"{e(name)} declined your offer for <b>{e(clip(title, 80))}</b>. "
        "The project is open again: award someone else."
    )


def alert_award_withdrawn(title: str) -> str:
    return f"↩️ The employer withdrew the offer for <b>{e(clip(title, 80))}</b>. Your bid stays."


def alert_award_lapsed_employer(title: str, name: str) -> str:
    return (
        f"⌛ {e(name)} did not answer your offer for <b>{e(clip(title, 80))}</b> in time. "
        "The project is open again: you may award someone else."
    )


def alert_award_lapsed_freelancer(title: str) -> str:
    return (
        f"⌛ The offer for <b>{e(clip(title, 80))}</b> lapsed: it was not accepted in time. "
        "Your bid stays."
    )


def alert_awarded_to_other(title: str) -> str:
    return f"<b>{e(clip(title, 80))}</b> went to another freelancer. Thanks for bidding!"
