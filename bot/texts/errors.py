"""Core's refusals in the reader's words.

Core refuses with a stable ``code`` and structured ``details`` (amounts in minor units,
limits as numbers, fields as codes) and never words anything for people: its
``message`` is English for developers and logs. :func:`refusal` words every code in the
current reader's language, amounts through the reader's money. A code nobody worded
yet (or details it lacks) gets a generic refusal and a log warning;
``tests/bot/test_refusals.py`` walks core for every code it raises and checks each has
its own words, in every language.

Refusals are plain text (an alert takes no HTML); whoever sends one as a message
escapes it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from babel.numbers import get_decimal_symbol

from bot.i18n import _, i18n, phrase
from core.errors import DomainError
from core.money import STARS, Currency
from core.text import LINK_FIELDS, TEXT_FIELDS

log = logging.getLogger("bidgram.errors")

Details = Mapping[str, Any]
Wording = Callable[[Details, Currency], str]


def refusal(error: DomainError, money: Currency) -> str:
    """Why ``error`` refused, in the reader's language (plain text)."""
    wording = _wordings().get(error.code)
    if wording is None:
        log.warning("refusal %s has no wording: %s", error.code, error.message)
        return generic()
    try:
        return wording(error.details, money)
    except (KeyError, IndexError, TypeError, ValueError):
        log.warning("refusal %s lacks what its wording needs: %r", error.code, error.details)
        return generic()


#: What a refusal without words of its own says.
generic = phrase("This cannot be done. Nothing was changed.")


def _text_field(field: str) -> str:
    """A typed text's name, as the field-length refusals say it."""
    labels = {
        "ban.reason": _("Reason"),
        "bid.proposal": _("The proposal"),
        "dispute.reason": _("The reason"),
        "dispute.response": _("The response"),
        "milestone.changes": _("What to change"),
        "milestone.description": _("The description"),
        "milestone.note": _("The delivery note"),
        "payout.destination": _("Where to pay"),
        "payout.note": _("The reason"),
        "profile.bio": _("Bio"),
        "profile.headline": _("Headline"),
        "profile.portfolio": _("Portfolio link"),
        "project.description": _("The description"),
        "project.title": _("The title"),
        "report.note": _("The note"),
        "review.text": _("The review"),
    }
    return labels[field]


def _empty(d: Details, m: Currency) -> str:
    return _("{field} cannot be empty.").format(field=_text_field(d["field"]))


def _too_short(d: Details, m: Currency) -> str:
    minimum = int(d["minimum"])
    return _(
        "{field} needs at least {minimum} character.",
        "{field} needs at least {minimum} characters.",
        minimum,
    ).format(field=_text_field(d["field"]), minimum=minimum)


def _too_long(d: Details, m: Currency) -> str:
    maximum = int(d["maximum"])
    return _(
        "{field} can be at most {maximum} character (got {length}).",
        "{field} can be at most {maximum} characters (got {length}).",
        maximum,
    ).format(field=_text_field(d["field"]), maximum=maximum, length=int(d["length"]))


def _bad_url(d: Details, m: Currency) -> str:
    return _("'{link}' is not a web link (https://...).").format(link=d["link"])


#: What each refusal of a field ``core.text`` checks says, by the code's last part.
_TEXT_KINDS: dict[str, Wording] = {
    "empty": _empty,
    "too_short": _too_short,
    "too_long": _too_long,
    "bad_url": _bad_url,
}


def _example(digits: int) -> str:
    """An amount as the reader may type it: "150", or "150 or 150.50"."""
    if digits == 0:
        return "150"
    point = get_decimal_symbol(i18n.current_locale)
    fraction = "150" + point + "5".ljust(digits, "0")
    return _("{whole} or {fraction}").format(whole="150", fraction=fraction)


def _money_format(d: Details, m: Currency) -> str:
    digits = int(d["digits"])
    if d["currency"] == STARS:
        return _("Send an amount in Stars, like {example}.").format(example=_example(digits))
    return _("Send an amount in {currency}, like {example}.").format(
        currency=d["currency"], example=_example(digits)
    )


def _money_precision(d: Details, m: Currency) -> str:
    digits = int(d["digits"])
    if digits == 0 and d["currency"] == STARS:
        return _(
            "Amounts in Stars are whole numbers: send one like 150, with nothing after the point."
        )
    if digits == 0:
        return _(
            "Amounts in {currency} are whole numbers: send one like 150, with nothing after "
            "the point."
        ).format(currency=d["currency"])
    return _(
        "Use at most {digits} digit after the point.",
        "Use at most {digits} digits after the point.",
        digits,
    ).format(digits=digits)


def _project_not_open(d: Details, m: Currency) -> str:
    reason = d.get("reason")
    if reason == "choosing":
        return _("Bidding on this project is over: the employer is choosing among the bids.")
    if reason == "award":
        return _("This project can no longer be awarded.")
    return _("This project is no longer open for bids.")


def _not_owner(d: Details, m: Currency) -> str:
    reason = d.get("reason")
    if reason == "award":
        return _("Only the employer who posted it can award it.")
    if reason == "withdraw":
        return _("Only the employer can withdraw this offer.")
    if reason == "bids":
        return _("Only the employer who posted it can see its bids.")
    return _("Only the employer who posted it can do this.")


def _dispute_closed(d: Details, m: Currency) -> str:
    """Settled; an admin about to decide hears how (``status``)."""
    if d.get("status") == "resolved":
        return _("This dispute is already resolved: there is nothing left to decide.")
    if d.get("status") == "withdrawn":
        return _("This dispute is already withdrawn: there is nothing left to decide.")
    return _("This dispute is already settled.")


def _payout_decided(d: Details, m: Currency) -> str:
    if d.get("status") == "paid":
        return _("This payout is already paid.")
    if d.get("status") == "rejected":
        return _("This payout is already rejected.")
    return _("This payout is already decided.")


def _delivery_days(d: Details, m: Currency) -> str:
    return _(
        "Delivery takes between 1 and {maximum} day.",
        "Delivery takes between 1 and {maximum} days.",
        d["maximum"],
    ).format(maximum=d["maximum"])


def _bids_a_day(d: Details, m: Currency) -> str:
    return _(
        "You can place {limit} bid a day. Try again tomorrow.",
        "You can place {limit} bids a day. Try again tomorrow.",
        d["limit"],
    ).format(limit=d["limit"])


def _due_days(d: Details, m: Currency) -> str:
    return _(
        "The due date is 1 to {maximum} day from now.",
        "The due date is 1 to {maximum} days from now.",
        d["maximum"],
    ).format(maximum=d["maximum"])


def _revisions_used(d: Details, m: Currency) -> str:
    return _(
        "The {rounds} revision round this milestone includes is used: release it, create "
        "a new milestone for the extra work, or open a dispute.",
        "The {rounds} revision rounds this milestone includes are used: release it, "
        "create a new milestone for the extra work, or open a dispute.",
        d["rounds"],
    ).format(rounds=d["rounds"])


def _evidence_full(d: Details, m: Currency) -> str:
    return _(
        "Each side may attach at most {limit} file to a dispute.",
        "Each side may attach at most {limit} files to a dispute.",
        d["limit"],
    ).format(limit=d["limit"])


def _reports_a_day(d: Details, m: Currency) -> str:
    return _(
        "You can file {limit} report a day. Try again tomorrow.",
        "You can file {limit} reports a day. Try again tomorrow.",
        d["limit"],
    ).format(limit=d["limit"])


@functools.cache
def _wordings() -> dict[str, Wording]:
    """Every code core refuses with, and its words (each read when said, in the reader's
    language)."""
    words: dict[str, Wording] = {
        # --- the person -------------------------------------------------------------
        "user.unknown": lambda d, m: _("Please send /start first."),
        "user.banned": lambda d, m: _(
            "🚫 Your account is suspended. Contact the administrators if you think this "
            "is a mistake."
        ),
        "user.not_found": lambda d, m: (
            _("Nobody here is {who}.").format(who=d["lookup"])
            if "lookup" in d
            else _("No such user.")
        ),
        "user.lookup": lambda d, m: _(
            "Send a user id like 123 (or #123) or a username like @name."
        ),
        "admin.only": lambda d, m: _("Only an administrator can do this."),
        "conflict.duplicate": lambda d, m: _(
            "This was just done at the same moment from somewhere else."
        ),
        "language.unsupported": lambda d, m: _("bidgram speaks {languages}.").format(
            languages=", ".join(d["languages"])
        ),
        "time_zone.unknown": lambda d, m: _(
            "That is not a time zone name, e.g. Europe/Madrid or Asia/Almaty."
        ),
        "audit.about_self": lambda d, m: _(
            "Entries about you are kept from you: another administrator can read them."
        ),
        "ban.self": lambda d, m: _("You cannot ban yourself."),
        "ban.admin": lambda d, m: _("Administrators cannot be banned."),
        "unban.self": lambda d, m: _("You cannot unban yourself."),
        "unban.not_banned": lambda d, m: _("This person is not suspended."),
        # --- amounts ----------------------------------------------------------------
        "money.format": _money_format,
        "money.precision": _money_precision,
        "money.not_whole": lambda d, m: _(
            "An amount must be a whole number of minor units (cents)."
        ),
        "money.out_of_range": lambda d, m: _("This amount is out of range."),
        # --- profiles and skills ----------------------------------------------------
        "profile.rate_range": lambda d, m: _(
            "The hourly rate must be above zero and at most {maximum}."
        ).format(maximum=m.format(d["maximum"])),
        "profile.portfolio_too_many": lambda d, m: _(
            "At most {maximum} portfolio link.", "At most {maximum} portfolio links.", d["maximum"]
        ).format(maximum=d["maximum"]),
        "skills.none": lambda d, m: _("Pick at least one skill."),
        "skills.too_many": lambda d, m: _(
            "Pick at most {maximum} skill.", "Pick at most {maximum} skills.", d["maximum"]
        ).format(maximum=d["maximum"]),
        "skills.unknown": lambda d, m: _("Unknown skill: {skills}.").format(
            skills=", ".join(str(d["unknown"]).split(","))
        ),
        # --- projects and search ----------------------------------------------------
        "project.not_found": lambda d, m: _("This project does not exist."),
        "project.not_owner": _not_owner,
        "project.not_open": _project_not_open,
        "project.not_draft": lambda d, m: _("This project is already published."),
        "project.not_editable": lambda d, m: _("A project can only be edited while it is open."),
        "project.ended": lambda d, m: _("This project has already ended."),
        "project.money_in_escrow": lambda d, m: _(
            "Money is held in escrow for this project: release it, or ask the freelancer to "
            "cancel the milestone, or open a dispute first."
        ),
        "project.partly_paid": lambda d, m: _(
            "Part of this project was already paid: end the contract instead."
        ),
        "project.budget_too_small": lambda d, m: _("The smallest budget is {minimum}.").format(
            minimum=m.format(d["minimum"])
        ),
        "project.budget_too_large": lambda d, m: _("The budget can be at most {maximum}.").format(
            maximum=m.format(d["maximum"])
        ),
        "project.budget_order": lambda d, m: _("The lowest budget cannot exceed the highest."),
        "project.too_many_files": lambda d, m: _(
            "At most {maximum} file.", "At most {maximum} files.", d["maximum"]
        ).format(maximum=d["maximum"]),
        "project.bad_file": lambda d, m: _("That file cannot be attached."),
        "project.action": lambda d, m: _("This action is not available."),
        "search.cursor": lambda d, m: _("That page link is no longer valid."),
        "search.limit": lambda d, m: _("Page size must be between {minimum} and {maximum}.").format(
            minimum=d["minimum"], maximum=d["maximum"]
        ),
        "alerts.off": lambda d, m: _(
            "Your new-project alerts are off. Choose skills in /alerts to turn them on."
        ),
        "alerts.no_skills": lambda d, m: _(
            "Pick at least one skill. To stop alerts, turn them off."
        ),
        "alerts.budget_negative": lambda d, m: _("The minimum budget cannot be negative."),
        "alerts.budget_too_large": lambda d, m: _(
            "The minimum budget can be at most {maximum}."
        ).format(maximum=m.format(d["maximum"])),
        "alerts.already_paused": lambda d, m: _("Your new-project alerts are already paused."),
        "alerts.not_paused": lambda d, m: _("Your new-project alerts are already on."),
        # --- bids -------------------------------------------------------------------
        "bid.not_found": lambda d, m: _("This bid does not exist."),
        "bid.not_owner": lambda d, m: _("This is not your bid."),
        "bid.own_project": lambda d, m: _("You cannot bid on your own project."),
        "bid.profile_incomplete": lambda d, m: _(
            "Complete your freelancer profile before bidding: /profile. Employers decide by it."
        ),
        "bid.amount_positive": lambda d, m: _("The bid amount must be above zero."),
        "bid.amount_too_large": lambda d, m: _("A bid can be at most {maximum}.").format(
            maximum=m.format(d["maximum"])
        ),
        "bid.delivery_days": _delivery_days,
        "bid.exists": lambda d, m: _("You already bid on this project; edit your bid instead."),
        "bid.closed": lambda d, m: _("Your bid on this project is closed."),
        "bid.daily_limit": _bids_a_day,
        "bid.awarded": lambda d, m: _(
            "You have been offered this project: accept or decline the offer."
        ),
        "bid.not_active": lambda d, m: _("This bid is no longer active."),
        # --- offers -----------------------------------------------------------------
        "award.not_found": lambda d, m: _("This offer does not exist."),
        "award.pending_exists": lambda d, m: _(
            "You already offered this project to someone; wait for their answer or withdraw "
            "the offer."
        ),
        "award.freelancer_banned": lambda d, m: _("This freelancer's account is suspended."),
        "award.deliverables_count": lambda d, m: _(
            "List 1 to {maximum} deliverables, one per line."
        ).format(maximum=d["maximum"]),
        "award.deliverable_too_long": lambda d, m: _(
            "Each deliverable is at most {maximum} characters: shorten “{deliverable}…”."
        ).format(maximum=d["maximum"], deliverable=d["deliverable"]),
        "award.deliverable_repeated": lambda d, m: _("A deliverable is listed twice."),
        "award.revision_rounds": lambda d, m: _(
            "Include 0 to {maximum} revision rounds per milestone."
        ).format(maximum=d["maximum"]),
        "award.due_days": _due_days,
        "award.already_accepted": lambda d, m: (
            _("This project already has a freelancer.")
            if d.get("reason") == "taken"
            else _("This offer was already accepted.")
        ),
        "award.accepted": lambda d, m: (
            _("This offer was already answered.")
            if d.get("reason") == "answered"
            else _("This offer was already accepted.")
        ),
        "award.declined": lambda d, m: (
            _("This offer was already answered.")
            if d.get("reason") == "answered"
            else _("This offer is no longer valid (declined).")
        ),
        "award.withdrawn": lambda d, m: (
            _("This offer was already answered.")
            if d.get("reason") == "answered"
            else _("This offer is no longer valid (withdrawn).")
        ),
        "award.lapsed": lambda d, m: (
            _("This offer was already answered.")
            if d.get("reason") == "answered"
            else _("This offer is no longer valid (lapsed).")
            if d.get("reason") == "no_longer_valid"
            else _("This offer has expired.")
        ),
        "award.not_yours": lambda d, m: _("This offer was made to someone else."),
        "award.action": lambda d, m: _("This action is not available."),
        # --- contracts and milestones -----------------------------------------------
        "contract.not_found": lambda d, m: _("This contract does not exist."),
        "contract.not_party": lambda d, m: _("This contract is not yours."),
        "contract.ended": lambda d, m: _("This contract has already ended."),
        "contract.money_in_escrow": lambda d, m: _(
            "Money is still held in escrow: release it, cancel the milestone or settle the "
            "dispute first."
        ),
        "contract.freelancer_asks": lambda d, m: _("You can end this contract yourself."),
        "contract.not_settled": lambda d, m: _(
            "Money is still held or a milestone is still open on this contract: it is not "
            "ready to end."
        ),
        "contract.action": lambda d, m: _("This action is not available."),
        "milestone.not_found": lambda d, m: _("This milestone does not exist."),
        "milestone.employer_only": lambda d, m: _("Only the employer can do this."),
        "milestone.freelancer_only": lambda d, m: _("Only the hired freelancer can do this."),
        "milestone.review_window_over": lambda d, m: _(
            "The time to review this delivery is over; it is being released."
        ),
        "milestone.disputed": lambda d, m: _("This milestone is in dispute; its money is frozen."),
        "milestone.amount_positive": lambda d, m: _("The amount must be above zero."),
        "milestone.amount_too_large": lambda d, m: _(
            "A milestone can be at most {maximum}."
        ).format(maximum=m.format(d["maximum"])),
        "milestone.due_past": lambda d, m: _("The due date must be in the future."),
        "milestone.due_days": _due_days,
        "milestone.not_requested": lambda d, m: _("This milestone request was already answered."),
        "milestone.already_funded": lambda d, m: _("This milestone is already funded."),
        "milestone.not_fundable": lambda d, m: _("This milestone cannot be funded now."),
        "milestone.balance_short": lambda d, m: _(
            "Your balance ({available}) does not cover {amount}."
        ).format(available=m.format(d["available"]), amount=m.format(d["amount"])),
        "milestone.already_delivered": lambda d, m: _(
            "Already delivered: the employer has been asked to release it."
        ),
        "milestone.not_funded": lambda d, m: _(
            "Work can be delivered once the milestone is funded."
        ),
        "milestone.files": lambda d, m: _(
            "At most {maximum} file.", "At most {maximum} files.", d["maximum"]
        ).format(maximum=d["maximum"]),
        "milestone.revisions_used": _revisions_used,
        "milestone.revisions_left": lambda d, m: _(
            "This milestone still includes a revision round: ask for changes."
        ),
        "milestone.not_delivered": lambda d, m: _("Nothing has been delivered to review."),
        "milestone.request_key_reused": lambda d, m: _(
            "This request was already carried out with a different amount."
        ),
        "milestone.not_releasable": lambda d, m: (
            _("This milestone is not funded yet.")
            if d.get("reason") == "unfunded"
            else _("This milestone's money has already been paid out or refunded.")
        ),
        "milestone.release_exceeds": lambda d, m: _(
            "Only {held} is held for this milestone."
        ).format(held=m.format(d["held"])),
        "milestone.reject_instead": lambda d, m: _("Reject the request instead."),
        "milestone.closed": lambda d, m: _("This milestone is already closed."),
        "milestone.employer_cannot_cancel_funded": lambda d, m: _(
            "Funded money can only be returned by the freelancer, or through a dispute."
        ),
        "milestone.action": lambda d, m: _("This action is not available."),
        "escrow.amount": lambda d, m: _("Nothing to move."),
        "escrow.exceeds": lambda d, m: _("Only {held} is held for this milestone.").format(
            held=m.format(d["held"])
        ),
        "ledger.insufficient_funds": lambda d, m: _("There is not enough money for this."),
        "ledger.idempotency_conflict": lambda d, m: _(
            "This request was already processed with different amounts."
        ),
        # --- disputes ---------------------------------------------------------------
        "dispute.not_found": lambda d, m: _("This dispute does not exist."),
        "dispute.not_party": lambda d, m: _("This dispute is not yours."),
        "dispute.exists": lambda d, m: _("This milestone is already in dispute."),
        "dispute.closed": _dispute_closed,
        "dispute.in_arbitration": lambda d, m: (
            _("This dispute is already with an admin.")
            if d.get("reason") == "escalated"
            else _("An admin is deciding this dispute now.")
        ),
        "dispute.awaiting_response": lambda d, m: _(
            "The other side still has time to respond; escalation opens after that."
        ),
        "dispute.filer_only": lambda d, m: _("Only the side that filed it can withdraw it."),
        "dispute.arbiter_is_party": lambda d, m: _("You cannot judge your own dispute."),
        "dispute.response_window_over": lambda d, m: (
            _("The time to respond is over; an admin decides this dispute now.")
            if d["escalates"]
            else _("The time to respond is over; the dispute closes in the filer's favour.")
        ),
        "dispute.respondent_only": lambda d, m: _("Only the other side responds to a dispute."),
        "dispute.already_responded": lambda d, m: _("You have already responded."),
        "dispute.offer_not_found": lambda d, m: _("This offer does not exist."),
        "dispute.own_offer": lambda d, m: _("The other side has to accept your offer."),
        "dispute.offer_not_open": lambda d, m: _("This offer is no longer on the table."),
        "dispute.offer_stale": lambda d, m: _("This offer no longer fits the escrow."),
        "dispute.verdict": lambda d, m: _("The verdict is release, refund or split."),
        "dispute.action": lambda d, m: _("This action is not available."),
        "dispute.deliverables_employer_only": lambda d, m: _(
            "Only the employer names missing or wrong deliverables."
        ),
        "dispute.deliverable_unknown": lambda d, m: _("Pick deliverables from the agreed terms."),
        "dispute.deliverables_required": lambda d, m: _(
            "The work was delivered: tap at least one agreed deliverable that is missing or "
            "wrong, then Next."
        ),
        "dispute.evidence_kind": lambda d, m: _("Evidence is a file, a photo or a video."),
        "dispute.evidence_full": _evidence_full,
        "dispute.nothing_to_dispute": lambda d, m: (
            _("The time to review this delivery is over; it is being released.")
            if d.get("reason") == "review_over"
            else _("Only money that is funded and not yet released can be disputed.")
        ),
        "dispute.claim_range": lambda d, m: _("Claim between {minimum} and {maximum}.").format(
            minimum=m.format(d["minimum"]), maximum=m.format(d["maximum"])
        ),
        "dispute.offer_range": lambda d, m: _(
            "Offer between {minimum} and {maximum} for the freelancer."
        ).format(minimum=m.format(d["minimum"]), maximum=m.format(d["maximum"])),
        "dispute.split_range": lambda d, m: _(
            "A split gives the freelancer more than nothing and less than {maximum}."
        ).format(maximum=m.format(d["maximum"])),
        # --- messages and reports ---------------------------------------------------
        "message.muted": lambda d, m: _("This employer does not take messages from you."),
        "message.declined_closed": lambda d, m: _(
            "Your bid was declined and the project is closed: the employer no longer takes "
            "messages about it."
        ),
        "message.not_allowed": lambda d, m: (
            _("This conversation is not yours.")
            if d.get("reason") == "not_yours"
            else _("Messages go between the employer and the project's bidders.")
        ),
        "message.recipient_unavailable": lambda d, m: _("This person cannot receive messages."),
        "message.too_long": lambda d, m: _("A message can be at most {maximum} characters.").format(
            maximum=d["maximum"]
        ),
        "message.bad_file": lambda d, m: _("This kind of file cannot be sent."),
        "message.empty": lambda d, m: _("The message is empty."),
        "message.not_found": lambda d, m: _("This message does not exist."),
        "message.reply_unknown": lambda d, m: _(
            "That message was not relayed from anyone; use the Message button instead."
        ),
        "report.kind": lambda d, m: _("That cannot be reported."),
        "report.reason": lambda d, m: _("Choose what is wrong from the list."),
        "report.self": lambda d, m: _("You cannot report yourself."),
        "report.duplicate": lambda d, m: _(
            "You have already reported this; an admin is looking at it."
        ),
        "report.daily_limit": _reports_a_day,
        "report.not_found": lambda d, m: _("This report does not exist."),
        "report.outcome": lambda d, m: _("Dismiss, warn or ban."),
        "report.decided": lambda d, m: _("This report was already decided."),
        "report.judge_self": lambda d, m: _("You cannot decide a report about yourself."),
        # --- reviews ----------------------------------------------------------------
        "review.not_ended": lambda d, m: _("Reviews open when the contract has ended."),
        "review.nothing_at_stake": lambda d, m: _(
            "Nothing was ever funded on this contract, so there is nothing to review."
        ),
        "review.window_closed": lambda d, m: _("The time to review this contract is over."),
        "review.rating": lambda d, m: _("Rate from 1 to 5 stars."),
        "review.exists": lambda d, m: _("You have already reviewed this contract."),
        # --- money in and out -------------------------------------------------------
        "payment.not_found": lambda d, m: _("This payment does not exist."),
        "payment.not_yours": lambda d, m: _("This invoice was issued to someone else."),
        "payment.not_pending": lambda d, m: _("This invoice was already paid."),
        "payment.currency_changed": lambda d, m: _(
            "This invoice was issued in {invoiced}, but the payment is in {currency}. Nothing "
            "was charged: fund the milestone again for a new invoice."
        ).format(invoiced=d["invoiced"], currency=d["currency"]),
        "payment.amount_changed": lambda d, m: _(
            "This invoice is for {amount}, but the payment is for another amount. Nothing was "
            "charged: fund the milestone again for a new invoice."
        ).format(amount=m.format(d["amount"])),
        "payment.milestone_not_fundable": lambda d, m: _("This milestone no longer needs funding."),
        "payment.external_id": lambda d, m: _("A payment confirmation needs its charge id."),
        "payment.amount": lambda d, m: _("A payment must bring money."),
        "payment.already_confirmed": lambda d, m: _("This payment was already credited."),
        "payment.not_journaled": lambda d, m: _("This charge was never received."),
        "payment.gateway_unknown": lambda d, m: _("This payment method is not available here."),
        "payout.too_small": lambda d, m: _("The smallest payout is {minimum}.").format(
            minimum=m.format(d["minimum"])
        ),
        "payout.balance_too_small": lambda d, m: _(
            "You have {available}; the smallest payout is {minimum}."
        ).format(available=m.format(d["available"]), minimum=m.format(d["minimum"])),
        "payout.exceeds_balance": lambda d, m: _("You have {available} available.").format(
            available=m.format(d["available"])
        ),
        "payout.not_found": lambda d, m: _("This payout does not exist."),
        "payout.decided": _payout_decided,
        "payout.own": lambda d, m: _("Another administrator has to decide your own payout."),
        # --- deleting an account ----------------------------------------------------
        "account.money_in_escrow": lambda d, m: _(
            "{amount} is held in escrow on your contracts: it has to be released or refunded first."
        ).format(amount=m.format(d["amount"])),
        "account.open_dispute": lambda d, m: _(
            "You are a side of a dispute that is still open: it has to be settled first."
        ),
        "account.payout_pending": lambda d, m: _(
            "A payout of {amount} is waiting for an administrator: wait until it is paid or "
            "rejected."
        ).format(amount=m.format(d["amount"])),
        "account.refund_pending": lambda d, m: _(
            "{amount} is on its way back to where you paid it from: wait until the refund is done."
        ).format(amount=m.format(d["amount"])),
        "account.payment_pending": lambda d, m: _(
            "A payment of yours is still being credited: try again in a few minutes."
        ),
        "account.balance": lambda d, m: _(
            "You have {available} on your balance: withdraw it first (/balance); money is "
            "never thrown away."
        ).format(available=m.format(d["available"])),
        "account.contract_active": lambda d, m: _(
            "You have a contract that is still running: end it first, so the other side is "
            "not left waiting."
        ),
    }
    for field in TEXT_FIELDS:
        for kind in ("empty", "too_short", "too_long"):
            words[f"{field}.{kind}"] = _TEXT_KINDS[kind]
    for field in LINK_FIELDS:
        words[f"{field}.bad_url"] = _TEXT_KINDS["bad_url"]
    return words
