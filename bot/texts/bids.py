"""Bids and awards: the bid conversation, the employer's review, offers, and their alerts.

Worded through the catalogues (``bot.i18n``): every text is a function, read in the
current reader's language when it is called."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import _, counted, phrase
from bot.render import button, clip, e
from bot.texts import titled
from bot.texts.awards import rounds, terms
from bot.texts.common import shown
from bot.texts.profiles import field_names, profile_line
from bot.texts.projects import budget, when
from core.money import Currency
from core.services.bids import BidView
from storage.enums import BidStatus
from storage.models import Award, Bid, Project


def bid_statuses() -> dict[BidStatus, str]:
    """Each bid status, as the reader reads it."""
    return {
        BidStatus.ACTIVE: _("🟢 Active"),
        BidStatus.RETRACTED: _("↩️ Retracted"),
        BidStatus.DECLINED: _("✖ Declined by the employer"),
        BidStatus.AWARDED: _("🎉 Offer waiting for your answer"),
        BidStatus.HIRED: _("🤝 Hired"),
        BidStatus.CLOSED: _("⛔ Closed"),
    }


# --- buttons ---------------------------------------------------------------------------------


bid_on_this = phrase("💼 Bid on this project")

edit_bid = phrase("✏️ Edit my bid")

retract = phrase("↩️ Retract my bid")

yes_retract = phrase("Yes, retract it")

no_keep = phrase("No, keep it")

place = phrase("✅ Place bid")

message = phrase("💬 Message")

award = phrase("🏆 Award")

decline = phrase("✖ Decline")

view_bid = phrase("👁 View bid")

yes_award = phrase("🏆 Yes, award")

accept = phrase("✅ Accept offer and terms")

edit_deliverables = phrase("✏️ Deliverables")

edit_due = phrase("📅 Due date")

decline_offer = phrase("✖ Decline")

yes_decline = phrase("Yes, decline the offer")

withdraw = phrase("↩️ Withdraw offer")

yes_withdraw = phrase("Yes, withdraw it")

open_contract = phrase("🤝 Open contract")

open_project = phrase("📄 Open project")

back_to_bids = phrase("« All bids")

view_bids = phrase("💼 View bids")


def view_bids_count(count: int) -> str:
    """View bids, with how many there are."""
    return f"{view_bids()} ({count})"


def sorts() -> dict[str, str]:
    """The bid list's orders, named."""
    return {"newest": _("Newest"), "lowest": _("Lowest price"), "rating": _("Best rated")}


prev_page = phrase("‹ Prev")

next_page = phrase("Next ›")

edit_amount = phrase("Amount")

edit_days = phrase("Delivery days")

edit_proposal = phrase("Proposal")

days = counted("{count} day", "{count} days")


# --- the bid conversation --------------------------------------------------------------------


def profile_first(missing: Sequence[str]) -> str:
    names = ", ".join(field_names().get(m, m) for m in missing)
    return _(
        "📋 <b>Complete your profile first.</b> Employers choose by it, so bids need a "
        "complete profile. Still missing: <b>{missing}</b>.\n\n"
        "It takes a minute; then come back and bid."
    ).format(missing=e(names))


profile_first_alert = phrase("Complete your freelancer profile first.")


def already_bid(bid: Bid, money: Currency) -> str:
    return _(
        "You already bid {amount} in {days} on this project. You can edit or retract your bid."
    ).format(amount=money.format(bid.amount), days=days(bid.delivery_days))


def ask_amount(project: Project, money: Currency) -> str:
    return _(
        "💼 <b>Bid on {title}</b> <i>(step 1 of 3)</i>\n\n"
        "The employer's budget: {budget}.\n"
        "How much do you ask, in {unit}? Tap a suggestion or type an amount."
    ).format(
        title=e(clip(project.title, 80)),
        budget=budget(project.budget_min, project.budget_max, money),
        unit=e(money.unit),
    )


def ask_days(maximum: int) -> str:
    return _(
        "<i>Step 2 of 3</i>\n\nIn how many <b>days</b> will you deliver? "
        "Tap or type a number (1–{maximum})."
    ).format(maximum=maximum)


def ask_proposal(minimum: int, maximum: int) -> str:
    return _(
        "<i>Step 3 of 3</i>\n\nYour <b>proposal</b> "
        "({minimum}–{maximum} characters): why you, how you would do it, "
        "questions you have."
    ).format(minimum=minimum, maximum=maximum)


def ask_new_amount(money: Currency) -> str:
    return _("Send the new <b>amount</b> in {unit}, like {example}.").format(
        unit=e(money.unit), example=money.example
    )


def ask_new_days(maximum: int) -> str:
    return _("Send the new number of <b>days</b> (1–{maximum}).").format(maximum=maximum)


def ask_new_proposal(minimum: int, maximum: int) -> str:
    return _("Send the new <b>proposal</b> ({minimum}–{maximum} characters).").format(
        minimum=minimum, maximum=maximum
    )


edit_what = phrase("What would you like to change in your bid?")

bad_days = phrase("Send the number of days as digits, e.g. <code>7</code>.")


def not_text(what: str) -> str:
    """What a text step says to anything but text; ``what`` is the step: ``amount``,
    ``days``, ``proposal``, ``new_value`` (else any answer)."""
    asks = {
        "amount": _("Please send the amount as a text message."),
        "days": _("Please send the number of days as a text message."),
        "proposal": _("Please send the proposal as a text message."),
        "new_value": _("Please send the new value as a text message."),
    }
    return asks.get(what) or _("Please send the answer as a text message.")


def bid_summary(title: str, amount: int, n_days: int, proposal: str, money: Currency) -> str:
    return _(
        "📋 <b>Your bid on {title}</b>\n\n💰 {amount} · ⏱ {days}\n\n{proposal}\n\nPlace this bid?"
    ).format(title=e(title), amount=money.format(amount), days=days(n_days), proposal=e(proposal))


bid_placed = titled(
    phrase("✅ Your bid on <b>{title}</b> is in. You will hear here when the employer answers.")
)

bid_edited = titled(phrase("✅ Your bid on <b>{title}</b> is updated. The employer has been told."))

confirm_retract = titled(
    phrase("Retract your bid on <b>{title}</b>? You can bid again while it is open.")
)

retracted = titled(phrase("↩️ Your bid on <b>{title}</b> is retracted."))


def my_bid_line(bid: Bid, money: Currency) -> str:
    return _("📌 Your bid: {amount} in {days} · {status}").format(
        amount=money.format(bid.amount),
        days=days(bid.delivery_days),
        status=bid_statuses()[bid.status],
    )


# --- my bids -------------------------------------------------------------------------------


no_bids = phrase("You have not bid on anything yet. Find work and bid!")

find_work = phrase("🔎 Find work")


def my_bids(items: Sequence[tuple[Bid, Project]], money: Currency, first: int) -> str:
    lines = [_("💼 <b>Your bids</b>"), ""]
    status = bid_statuses()
    for n, (bid, project) in enumerate(items, first):
        lines.append(
            f"{n}. <b>{e(clip(project.title, 80))}</b>\n    {money.format(bid.amount)} · "
            f"{days(bid.delivery_days)} · {status[bid.status]}"
        )
    return "\n".join(lines)


def my_bid_button(n: int, project: Project) -> str:
    return button(f"{n}. {project.title}")


# --- the employer's review -----------------------------------------------------------------


def bid_list(project: Project, views: Sequence[BidView], money: Currency, first: int) -> str:
    lines = [_("💼 <b>Bids on {title}</b>").format(title=e(clip(project.title, 80))), ""]
    if not views:
        lines.append(_("No bids yet. You will get an alert for each new bid."))
    status = bid_statuses()
    for n, v in enumerate(views, first):
        b = v.bid
        state = "" if b.status is BidStatus.ACTIVE else f" · {status[b.status]}"
        lines.append(
            f"{n}. {profile_line(shown(v.bidder), v.reputation)}{state}\n"
            f"    💰 {money.format(b.amount)} · ⏱ {days(b.delivery_days)}\n"
            f"    <i>{e(clip(' '.join(b.proposal.split()), 140))}</i>"
        )
    return "\n".join(lines)


def bid_button(n: int, view: BidView, money: Currency) -> str:
    return button(f"{n}. {shown(view.bidder)} · {money.format(view.bid.amount)}")


def sort_label(order: str, current: str) -> str:
    return ("• " if order == current else "") + sorts()[order]


def bid_detail(project: Project, bid: Bid, money: Currency) -> str:
    status = "" if bid.status is BidStatus.ACTIVE else f"\n{bid_statuses()[bid.status]}"
    return (
        _("💼 <b>Bid on {title}</b>").format(title=e(clip(project.title, 80)))
        + f"{status}\n"
        + f"💰 {money.format(bid.amount)} · ⏱ {days(bid.delivery_days)}\n\n"
        + _("<b>Proposal</b>")
        + f"\n{e(bid.proposal)}"
    )


bid_closed = phrase("Your bid on this project is closed.")

offer_waiting = phrase("You have been offered this project: accept or decline the offer.")


def confirm_award(
    name: str,
    amount: int,
    hours: int,
    money: Currency,
    deliverables: Sequence[str],
    revision_rounds: int,
    due_at: datetime,
) -> str:
    offer = _("Offer the project to <b>{name}</b> for {amount}?").format(
        name=e(name), amount=money.format(amount)
    )
    window = _(
        "They have {hours} hour to accept. Until then you cannot award anyone else "
        "(you can withdraw the offer).",
        "They have {hours} hours to accept. Until then you cannot award anyone else "
        "(you can withdraw the offer).",
        hours,
    ).format(hours=hours)
    accepted = _(
        "They accept these terms with the offer: changes are capped by the revision rounds, "
        "and a dispute names which deliverable is missing. Change them below before sending."
    )
    return f"{offer}\n{window}\n\n{terms(deliverables, revision_rounds, due_at)}\n\n{accepted}"


def rounds_button(count: int) -> str:
    return f"🔁 {rounds(count)}"


def ask_deliverables(current: Sequence[str], most: int, longest: int) -> str:
    listing = "\n".join(f"• {e(line)}" for line in current)
    return (
        _(
            "✏️ <b>What is to be delivered?</b> Send the deliverables in one message, one per "
            "line: 1 to {most} lines of up to {longest} characters. Now:"
        ).format(most=most, longest=longest)
        + f"\n{listing}"
    )


deliverables_reask = phrase("Send the deliverables as a text message, one per line (or /cancel).")


def ask_rounds(most: int) -> str:
    return _(
        "🔁 <b>How many revision rounds does each milestone include?</b> Each is one request "
        "for changes; after them, more work is a new milestone. 0 to {most}."
    ).format(most=most)


def ask_due(maximum: int) -> str:
    return _("📅 <b>Due in how many days?</b> Send a number from 1 to {maximum}.").format(
        maximum=maximum
    )


due_reask = phrase("Send the number of days as digits, e.g. <code>14</code> (or /cancel).")

confirm_terms = phrase(
    "Use the buttons above: send the offer, or change a term first (or /cancel)."
)


def offer_sent(name: str, until: str) -> str:
    return _("🏆 Offer sent to <b>{name}</b>. They have until {until} to accept.").format(
        name=e(name), until=e(until)
    )


def bid_declined(name: str) -> str:
    return _("✖ You declined {name}'s bid. They have been told.").format(name=e(name))


# --- answering an offer --------------------------------------------------------------------


confirm_decline_offer = titled(
    phrase("Decline the offer for <b>{title}</b>? The employer may award someone else.")
)

hired = titled(
    phrase(
        "🎉 You accepted <b>{title}</b>. The contract has started: the employer funds "
        "milestones, and you get paid when the work is approved."
    )
)

offer_declined = titled(
    phrase("You declined the offer for <b>{title}</b>. The employer has been told.")
)

confirm_withdraw = titled(
    phrase("Withdraw your offer for <b>{title}</b>? You can then award someone else.")
)

withdrawn = titled(
    phrase("↩️ Offer for <b>{title}</b> withdrawn. The bid stays; you can award anyone.")
)


# --- alerts --------------------------------------------------------------------------------


def alert_new_project(card: str) -> str:
    return _("🆕 <b>A new project matches your skills</b>") + f"\n\n{card}"


DIGEST_SHOWN = 10


def digest_new_projects(lines: Sequence[str], more: int) -> str:
    """Many new projects at once: one message, a line each (``lines`` are escaped)."""
    total = len(lines) + more
    head = (
        _(
            "🆕 <b>{count} new project matches your skills</b>",
            "🆕 <b>{count} new projects match your skills</b>",
            total,
        ).format(count=total)
        + "\n"
    )
    rest = _(
        "…and {count} more: use Find work to see them all.",
        "…and {count} more: use Find work to see them all.",
        more,
    ).format(count=more)
    body = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
    tail = f"\n\n{rest}" if more else ""
    return f"{head}\n{body}{tail}"


def digest_line(title: str, budget_text: str) -> str:
    return f"<b>{e(title)}</b> · {budget_text}"


digest_all_closed = phrase("🆕 New projects matched your skills, but they have all closed already.")

alert_project_edited = titled(
    phrase("✏️ The employer changed <b>{title}</b>. Check that your bid still fits.")
)

alert_project_cancelled = titled(
    phrase("✖ <b>{title}</b> was cancelled by the employer. Your bid is closed.")
)

post_again = phrase("📝 Post it again")


def alert_bidding_ended(title: str, bids: int, award_by: datetime) -> str:
    """The employer's prompt when bidding ends with bids: pick one while there is time."""
    return _(
        "🏁 <b>Bidding is over</b> on <b>{title}</b>: you have {count} bid.\n\n"
        "Award one by <b>{when}</b>; after that the project closes and the "
        "bidders are told nobody was hired.",
        "🏁 <b>Bidding is over</b> on <b>{title}</b>: you have {count} bids.\n\n"
        "Award one by <b>{when}</b>; after that the project closes and the "
        "bidders are told nobody was hired.",
        bids,
    ).format(title=e(clip(title, 80)), count=bids, when=when(award_by))


def alert_project_closed_employer(title: str, reason: str) -> str:
    """Why it closed: ``no_bids`` (none came), ``nobody_left`` (no bid left to award),
    ``not_awarded`` (the decision window passed)."""
    if reason == "nobody_left":
        text = _(
            "⛔ <b>{title}</b> is closed: no bid is left to award. Post it again to get new bids."
        )
    elif reason == "no_bids":
        text = _(
            "⛔ Bidding on <b>{title}</b> ended with no bids, so the project is "
            "closed. Post it again, perhaps with a clearer brief, more skills or another "
            "budget, to reach more freelancers."
        )
    else:
        text = _(
            "⛔ <b>{title}</b> is closed: nobody was awarded in time, and the "
            "bidders have been told. Post it again whenever you are ready."
        )
    return text.format(title=e(clip(title, 80)))


alert_project_closed_bidder = titled(
    phrase("⛔ <b>{title}</b> has closed without an award: nobody was hired. Your bid is closed."),
    80,
)


def alert_bid_placed(title: str, name: str, rep_line: str, bid: Bid, money: Currency) -> str:
    return (
        _("💼 <b>New bid on {title}</b>").format(title=e(clip(title, 80)))
        + f"\n\n{e(name)} · {rep_line}\n💰 {money.format(bid.amount)} · "
        f"⏱ {days(bid.delivery_days)}\n\n"
        f"<i>{e(clip(' '.join(bid.proposal.split()), 600))}</i>"
    )


def alert_bid_edited(title: str, name: str, bid: Bid, money: Currency) -> str:
    return _("✏️ {name} changed their bid on <b>{title}</b>: {amount} in {days}.").format(
        name=e(name),
        title=e(clip(title, 80)),
        amount=money.format(bid.amount),
        days=days(bid.delivery_days),
    )


def alert_bid_retracted(title: str, name: str) -> str:
    return _("↩️ {name} retracted their bid on <b>{title}</b>.").format(
        name=e(name), title=e(clip(title, 80))
    )


alert_bid_declined = titled(
    phrase("The employer declined your bid on <b>{title}</b>. Keep bidding!"), 80
)


def alert_award_offered(title: str, bid: Bid, award: Award, money: Currency) -> str:
    head = _("🎉 <b>You are offered {title}!</b>").format(title=e(clip(title, 80)))
    price = f"💰 {money.format(bid.amount)} · ⏱ {days(bid.delivery_days)}"
    agreed = terms(award.deliverables, award.revision_rounds, award.due_at)
    answer = _(
        "Accepting the offer accepts these terms: every later step refers to them.\n"
        "Answer by {when}, or the offer lapses."
    ).format(when=when(award.expires_at))
    return f"{head}\n\n{price}\n\n{agreed}\n\n{answer}"


def alert_award_accepted(title: str, name: str) -> str:
    return _(
        "🤝 {name} accepted <b>{title}</b>. The contract has started: "
        "create and fund the first milestone."
    ).format(name=e(name), title=e(clip(title, 80)))


def alert_award_declined(title: str, name: str) -> str:
    return _(
        "{name} declined your offer for <b>{title}</b>. "
        "The project is open again: award someone else."
    ).format(name=e(name), title=e(clip(title, 80)))


alert_award_withdrawn = titled(
    phrase("↩️ The employer withdrew the offer for <b>{title}</b>. Your bid stays."), 80
)


def alert_award_lapsed_employer(title: str, name: str) -> str:
    return _(
        "⌛ {name} did not answer your offer for <b>{title}</b> in time. "
        "The project is open again: you may award someone else."
    ).format(name=e(name), title=e(clip(title, 80)))


alert_award_lapsed_freelancer = titled(
    phrase("⌛ The offer for <b>{title}</b> lapsed: it was not accepted in time. Your bid stays."),
    80,
)

alert_awarded_to_other = titled(
    phrase("<b>{title}</b> went to another freelancer. Thanks for bidding!"), 80
)
