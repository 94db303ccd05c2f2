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

from bot.i18n import Counted, Phrase, _, counted, i18n, phrase
from bot.texts import labels
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
    if isinstance(wording, Phrase):
        return wording()
    try:
        return wording(error.details, money)
    except (KeyError, IndexError, TypeError, ValueError):
        log.warning("refusal %s lacks what its wording needs: %r", error.code, error.details)
        return generic()


#: What a refusal without words of its own says.
generic = phrase("This cannot be done. Nothing was changed.")


def _worded(text: Phrase, *amounts: str) -> Wording:
    """``text`` with its placeholders filled from the details, as they are; those named in
    ``amounts`` are minor units, written in the reader's money."""

    def wording(d: Details, m: Currency) -> str:
        return text().format(**{**d, **{amount: m.format(d[amount]) for amount in amounts}})

    return wording


def _by(detail: str, *, otherwise: Phrase, **cases: Phrase) -> Wording:
    """A refusal that says more when one of its details tells why (``reason``,
    ``status``): the phrase for that detail's value, else ``otherwise``."""

    def wording(d: Details, m: Currency) -> str:
        return cases.get(str(d.get(detail)), otherwise)()

    return wording


def _counting(detail: str, text: Counted) -> Wording:
    """``text`` in the form for the number in ``detail`` (a limit, a maximum), its
    placeholders filled from the details."""

    def wording(d: Details, m: Currency) -> str:
        return text(int(d[detail]), **d)

    return wording


_answered = phrase("This offer was already answered.")


def _unless_answered(text: Phrase) -> Wording:
    """An offer no longer pending (``core.services.awards.answered``): ``text`` says what
    became of it, unless whoever was refused came to withdraw it (``reason`` is
    ``answered``): for them it was simply answered already."""
    return _by("reason", answered=_answered, otherwise=text)


#: A typed text's name, as the field-length refusals say it.
_text_field = labels(
    {
        "ban.reason": phrase("Reason"),
        "bid.proposal": phrase("The proposal"),
        "dispute.reason": phrase("The reason"),
        "dispute.response": phrase("The response"),
        "milestone.changes": phrase("What to change"),
        "milestone.description": phrase("The description"),
        "milestone.note": phrase("The delivery note"),
        "payout.destination": phrase("Where to pay"),
        "payout.note": phrase("The reason"),
        "profile.bio": phrase("Bio"),
        "profile.headline": phrase("Headline"),
        "profile.portfolio": phrase("Portfolio link"),
        "project.description": phrase("The description"),
        "project.title": phrase("The title"),
        "report.note": phrase("The note"),
        "review.text": phrase("The review"),
    }
)


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


_delivery_days = _counting(
    "maximum",
    counted(
        "Delivery takes between 1 and {maximum} day.",
        "Delivery takes between 1 and {maximum} days.",
    ),
)


_bids_a_day = _counting(
    "limit",
    counted(
        "You can place {limit} bid a day. Try again tomorrow.",
        "You can place {limit} bids a day. Try again tomorrow.",
    ),
)


_due_days = _counting(
    "maximum",
    counted(
        "The due date is 1 to {maximum} day from now.",
        "The due date is 1 to {maximum} days from now.",
    ),
)


_revisions_used = _counting(
    "rounds",
    counted(
        "The {rounds} revision round this milestone includes is used: release it, create "
        "a new milestone for the extra work, or open a dispute.",
        "The {rounds} revision rounds this milestone includes are used: release it, "
        "create a new milestone for the extra work, or open a dispute.",
    ),
)


_evidence_full = _counting(
    "limit",
    counted(
        "Each side may attach at most {limit} file to a dispute.",
        "Each side may attach at most {limit} files to a dispute.",
    ),
)


_reports_a_day = _counting(
    "limit",
    counted(
        "You can file {limit} report a day. Try again tomorrow.",
        "You can file {limit} reports a day. Try again tomorrow.",
    ),
)


@functools.cache
def _wordings() -> dict[str, Wording | Phrase]:
    """Every code core refuses with, and its words (each read when said, in the reader's
    language)."""
    words: dict[str, Wording | Phrase] = {
        # --- the person -------------------------------------------------------------
        "user.unknown": phrase("Please send /start first."),
        "user.banned": phrase(
            "🚫 Your account is suspended. Contact the administrators if you think this "
            "is a mistake."
        ),
        "user.not_found": lambda d, m: (
            _("Nobody here is {who}.").format(who=d["lookup"])
            if "lookup" in d
            else _("No such user.")
        ),
        "user.lookup": phrase("Send a user id like 123 (or #123) or a username like @name."),
        "admin.only": phrase("Only an administrator can do this."),
        "conflict.duplicate": phrase("This was just done at the same moment from somewhere else."),
        "language.unsupported": lambda d, m: _("bidgram speaks {languages}.").format(
            languages=", ".join(d["languages"])
        ),
        "time_zone.unknown": phrase(
            "That is not a time zone name, e.g. Europe/Madrid or Asia/Almaty."
        ),
        "audit.about_self": phrase(
            "Entries about you are kept from you: another administrator can read them."
        ),
        "ban.self": phrase("You cannot ban yourself."),
        "ban.admin": phrase("Administrators cannot be banned."),
        "unban.self": phrase("You cannot unban yourself."),
        "unban.not_banned": phrase("This person is not suspended."),
        # --- amounts ----------------------------------------------------------------
        "money.format": _money_format,
        "money.precision": _money_precision,
        "money.not_whole": phrase("An amount must be a whole number of minor units (cents)."),
        "money.out_of_range": phrase("This amount is out of range."),
        # --- profiles and skills ----------------------------------------------------
        "profile.rate_range": _worded(
            phrase("The hourly rate must be above zero and at most {maximum}."), "maximum"
        ),
        "profile.portfolio_too_many": _counting(
            "maximum",
            counted("At most {maximum} portfolio link.", "At most {maximum} portfolio links."),
        ),
        "skills.none": phrase("Pick at least one skill."),
        "skills.too_many": _counting(
            "maximum", counted("Pick at most {maximum} skill.", "Pick at most {maximum} skills.")
        ),
        "skills.unknown": lambda d, m: _("Unknown skill: {skills}.").format(
            skills=", ".join(str(d["unknown"]).split(","))
        ),
        # --- projects and search ----------------------------------------------------
        "project.not_found": phrase("This project does not exist."),
        "project.not_owner": _by(
            "reason",
            award=phrase("Only the employer who posted it can award it."),
            withdraw=phrase("Only the employer can withdraw this offer."),
            bids=phrase("Only the employer who posted it can see its bids."),
            otherwise=phrase("Only the employer who posted it can do this."),
        ),
        "project.not_open": _by(
            "reason",
            choosing=phrase(
                "Bidding on this project is over: the employer is choosing among the bids."
            ),
            award=phrase("This project can no longer be awarded."),
            otherwise=phrase("This project is no longer open for bids."),
        ),
        "project.not_draft": phrase("This project is already published."),
        "project.not_editable": phrase("A project can only be edited while it is open."),
        "project.ended": phrase("This project has already ended."),
        "project.money_in_escrow": phrase(
            "Money is held in escrow for this project: release it, or ask the freelancer to "
            "cancel the milestone, or open a dispute first."
        ),
        "project.partly_paid": phrase(
            "Part of this project was already paid: end the contract instead."
        ),
        "project.budget_too_small": _worded(phrase("The smallest budget is {minimum}."), "minimum"),
        "project.budget_too_large": _worded(
            phrase("The budget can be at most {maximum}."), "maximum"
        ),
        "project.budget_order": phrase("The lowest budget cannot exceed the highest."),
        "project.too_many_files": _counting(
            "maximum", counted("At most {maximum} file.", "At most {maximum} files.")
        ),
        "project.bad_file": phrase("That file cannot be attached."),
        "project.action": phrase("This action is not available."),
        "search.cursor": phrase("That page link is no longer valid."),
        "search.limit": _worded(phrase("Page size must be between {minimum} and {maximum}.")),
        "alerts.off": phrase(
            "Your new-project alerts are off. Choose skills in /alerts to turn them on."
        ),
        "alerts.no_skills": phrase("Pick at least one skill. To stop alerts, turn them off."),
        "alerts.budget_negative": phrase("The minimum budget cannot be negative."),
        "alerts.budget_too_large": _worded(
            phrase("The minimum budget can be at most {maximum}."), "maximum"
        ),
        "alerts.already_paused": phrase("Your new-project alerts are already paused."),
        "alerts.not_paused": phrase("Your new-project alerts are already on."),
        # --- bids -------------------------------------------------------------------
        "bid.not_found": phrase("This bid does not exist."),
        "bid.not_owner": phrase("This is not your bid."),
        "bid.own_project": phrase("You cannot bid on your own project."),
        "bid.profile_incomplete": phrase(
            "Complete your freelancer profile before bidding: /profile. Employers decide by it."
        ),
        "bid.amount_positive": phrase("The bid amount must be above zero."),
        "bid.amount_too_large": _worded(phrase("A bid can be at most {maximum}."), "maximum"),
        "bid.delivery_days": _delivery_days,
        "bid.exists": phrase("You already bid on this project; edit your bid instead."),
        "bid.closed": phrase("Your bid on this project is closed."),
        "bid.daily_limit": _bids_a_day,
        "bid.awarded": phrase("You have been offered this project: accept or decline the offer."),
        "bid.not_active": phrase("This bid is no longer active."),
        # --- offers -----------------------------------------------------------------
        "award.not_found": phrase("This offer does not exist."),
        "award.pending_exists": phrase(
            "You already offered this project to someone; wait for their answer or withdraw "
            "the offer."
        ),
        "award.freelancer_banned": phrase("This freelancer's account is suspended."),
        "award.deliverables_count": _worded(
            phrase("List 1 to {maximum} deliverables, one per line.")
        ),
        "award.deliverable_too_long": _worded(
            phrase("Each deliverable is at most {maximum} characters: shorten “{deliverable}…”.")
        ),
        "award.deliverable_repeated": phrase("A deliverable is listed twice."),
        "award.revision_rounds": _worded(
            phrase("Include 0 to {maximum} revision rounds per milestone.")
        ),
        "award.due_days": _due_days,
        "award.already_accepted": _by(
            "reason",
            taken=phrase("This project already has a freelancer."),
            otherwise=phrase("This offer was already accepted."),
        ),
        "award.accepted": _unless_answered(phrase("This offer was already accepted.")),
        "award.declined": _unless_answered(phrase("This offer is no longer valid (declined).")),
        "award.withdrawn": _unless_answered(phrase("This offer is no longer valid (withdrawn).")),
        "award.lapsed": _by(
            "reason",
            answered=_answered,
            no_longer_valid=phrase("This offer is no longer valid (lapsed)."),
            otherwise=phrase("This offer has expired."),
        ),
        "award.not_yours": phrase("This offer was made to someone else."),
        "award.action": phrase("This action is not available."),
        # --- contracts and milestones -----------------------------------------------
        "contract.not_found": phrase("This contract does not exist."),
        "contract.not_party": phrase("This contract is not yours."),
        "contract.ended": phrase("This contract has already ended."),
        "contract.money_in_escrow": phrase(
            "Money is still held in escrow: release it, cancel the milestone or settle the "
            "dispute first."
        ),
        "contract.freelancer_asks": phrase("You can end this contract yourself."),
        "contract.not_settled": phrase(
            "Money is still held or a milestone is still open on this contract: it is not "
            "ready to end."
        ),
        "contract.action": phrase("This action is not available."),
        "milestone.not_found": phrase("This milestone does not exist."),
        "milestone.employer_only": phrase("Only the employer can do this."),
        "milestone.freelancer_only": phrase("Only the hired freelancer can do this."),
        "milestone.review_window_over": phrase(
            "The time to review this delivery is over; it is being released."
        ),
        "milestone.disputed": phrase("This milestone is in dispute; its money is frozen."),
        "milestone.amount_positive": phrase("The amount must be above zero."),
        "milestone.amount_too_large": _worded(
            phrase("A milestone can be at most {maximum}."), "maximum"
        ),
        "milestone.due_past": phrase("The due date must be in the future."),
        "milestone.due_days": _due_days,
        "milestone.not_requested": phrase("This milestone request was already answered."),
        "milestone.already_funded": phrase("This milestone is already funded."),
        "milestone.not_fundable": phrase("This milestone cannot be funded now."),
        "milestone.balance_short": _worded(
            phrase("Your balance ({available}) does not cover {amount}."), "available", "amount"
        ),
        "milestone.already_delivered": phrase(
            "Already delivered: the employer has been asked to release it."
        ),
        "milestone.not_funded": phrase("Work can be delivered once the milestone is funded."),
        "milestone.files": _counting(
            "maximum", counted("At most {maximum} file.", "At most {maximum} files.")
        ),
        "milestone.revisions_used": _revisions_used,
        "milestone.revisions_left": phrase(
            "This milestone still includes a revision round: ask for changes."
        ),
        "milestone.not_delivered": phrase("Nothing has been delivered to review."),
        "milestone.request_key_reused": phrase(
            "This request was already carried out with a different amount."
        ),
        "milestone.not_releasable": _by(
            "reason",
            unfunded=phrase("This milestone is not funded yet."),
            otherwise=phrase("This milestone's money has already been paid out or refunded."),
        ),
        "milestone.release_exceeds": _worded(
            phrase("Only {held} is held for this milestone."), "held"
        ),
        "milestone.reject_instead": phrase("Reject the request instead."),
        "milestone.closed": phrase("This milestone is already closed."),
        "milestone.employer_cannot_cancel_funded": phrase(
            "Funded money can only be returned by the freelancer, or through a dispute."
        ),
        "milestone.action": phrase("This action is not available."),
        "escrow.amount": phrase("Nothing to move."),
        "escrow.exceeds": _worded(phrase("Only {held} is held for this milestone."), "held"),
        "ledger.insufficient_funds": phrase("There is not enough money for this."),
        "ledger.idempotency_conflict": phrase(
            "This request was already processed with different amounts."
        ),
        # --- disputes ---------------------------------------------------------------
        "dispute.not_found": phrase("This dispute does not exist."),
        "dispute.not_party": phrase("This dispute is not yours."),
        "dispute.exists": phrase("This milestone is already in dispute."),
        # Settled; an admin about to decide hears how.
        "dispute.closed": _by(
            "status",
            resolved=phrase("This dispute is already resolved: there is nothing left to decide."),
            withdrawn=phrase("This dispute is already withdrawn: there is nothing left to decide."),
            otherwise=phrase("This dispute is already settled."),
        ),
        "dispute.in_arbitration": _by(
            "reason",
            escalated=phrase("This dispute is already with an admin."),
            otherwise=phrase("An admin is deciding this dispute now."),
        ),
        "dispute.awaiting_response": phrase(
            "The other side still has time to respond; escalation opens after that."
        ),
        "dispute.filer_only": phrase("Only the side that filed it can withdraw it."),
        "dispute.arbiter_is_party": phrase("You cannot judge your own dispute."),
        "dispute.response_window_over": lambda d, m: (
            _("The time to respond is over; an admin decides this dispute now.")
            if d["escalates"]
            else _("The time to respond is over; the dispute closes in the filer's favour.")
        ),
        "dispute.respondent_only": phrase("Only the other side responds to a dispute."),
        "dispute.already_responded": phrase("You have already responded."),
        "dispute.offer_not_found": phrase("This offer does not exist."),
        "dispute.own_offer": phrase("The other side has to accept your offer."),
        "dispute.offer_not_open": phrase("This offer is no longer on the table."),
        "dispute.offer_stale": phrase("This offer no longer fits the escrow."),
        "dispute.verdict": phrase("The verdict is release, refund or split."),
        "dispute.action": phrase("This action is not available."),
        "dispute.deliverables_employer_only": phrase(
            "Only the employer names missing or wrong deliverables."
        ),
        "dispute.deliverable_unknown": phrase("Pick deliverables from the agreed terms."),
        "dispute.deliverables_required": phrase(
            "The work was delivered: tap at least one agreed deliverable that is missing or "
            "wrong, then Next."
        ),
        "dispute.evidence_kind": phrase("Evidence is a file, a photo or a video."),
        "dispute.evidence_full": _evidence_full,
        "dispute.nothing_to_dispute": _by(
            "reason",
            review_over=phrase("The time to review this delivery is over; it is being released."),
            otherwise=phrase("Only money that is funded and not yet released can be disputed."),
        ),
        "dispute.claim_range": _worded(
            phrase("Claim between {minimum} and {maximum}."), "minimum", "maximum"
        ),
        "dispute.offer_range": _worded(
            phrase("Offer between {minimum} and {maximum} for the freelancer."),
            "minimum",
            "maximum",
        ),
        "dispute.split_range": _worded(
            phrase("A split gives the freelancer more than nothing and less than {maximum}."),
            "maximum",
        ),
        # --- messages and reports ---------------------------------------------------
        "message.muted": phrase("This employer does not take messages from you."),
        "message.declined_closed": phrase(
            "Your bid was declined and the project is closed: the employer no longer takes "
            "messages about it."
        ),
        "message.not_allowed": _by(
            "reason",
            not_yours=phrase("This conversation is not yours."),
            otherwise=phrase("Messages go between the employer and the project's bidders."),
        ),
        "message.recipient_unavailable": phrase("This person cannot receive messages."),
        "message.too_long": _worded(phrase("A message can be at most {maximum} characters.")),
        "message.bad_file": phrase("This kind of file cannot be sent."),
        "message.empty": phrase("The message is empty."),
        "message.not_found": phrase("This message does not exist."),
        "message.reply_unknown": phrase(
            "That message was not relayed from anyone; use the Message button instead."
        ),
        "report.kind": phrase("That cannot be reported."),
        "report.reason": phrase("Choose what is wrong from the list."),
        "report.self": phrase("You cannot report yourself."),
        "report.duplicate": phrase("You have already reported this; an admin is looking at it."),
        "report.daily_limit": _reports_a_day,
        "report.not_found": phrase("This report does not exist."),
        "report.outcome": phrase("Dismiss, warn or ban."),
        "report.decided": phrase("This report was already decided."),
        "report.judge_self": phrase("You cannot decide a report about yourself."),
        # --- reviews ----------------------------------------------------------------
        "review.not_ended": phrase("Reviews open when the contract has ended."),
        "review.nothing_at_stake": phrase(
            "Nothing was ever funded on this contract, so there is nothing to review."
        ),
        "review.window_closed": phrase("The time to review this contract is over."),
        "review.rating": phrase("Rate from 1 to 5 stars."),
        "review.exists": phrase("You have already reviewed this contract."),
        # --- money in and out -------------------------------------------------------
        "payment.not_found": phrase("This payment does not exist."),
        "payment.not_yours": phrase("This invoice was issued to someone else."),
        "payment.not_pending": phrase("This invoice was already paid."),
        "payment.currency_changed": _worded(
            phrase(
                "This invoice was issued in {invoiced}, but the payment is in {currency}. Nothing "
                "was charged: fund the milestone again for a new invoice."
            )
        ),
        "payment.amount_changed": _worded(
            phrase(
                "This invoice is for {amount}, but the payment is for another amount. Nothing was "
                "charged: fund the milestone again for a new invoice."
            ),
            "amount",
        ),
        "payment.milestone_not_fundable": phrase("This milestone no longer needs funding."),
        "payment.external_id": phrase("A payment confirmation needs its charge id."),
        "payment.amount": phrase("A payment must bring money."),
        "payment.already_confirmed": phrase("This payment was already credited."),
        "payment.not_journaled": phrase("This charge was never received."),
        "payment.gateway_unknown": phrase("This payment method is not available here."),
        "payout.too_small": _worded(phrase("The smallest payout is {minimum}."), "minimum"),
        "payout.balance_too_small": _worded(
            phrase("You have {available}; the smallest payout is {minimum}."),
            "available",
            "minimum",
        ),
        "payout.exceeds_balance": _worded(phrase("You have {available} available."), "available"),
        "payout.not_found": phrase("This payout does not exist."),
        "payout.decided": _by(
            "status",
            paid=phrase("This payout is already paid."),
            rejected=phrase("This payout is already rejected."),
            otherwise=phrase("This payout is already decided."),
        ),
        "payout.own": phrase("Another administrator has to decide your own payout."),
        # --- deleting an account ----------------------------------------------------
        "account.money_in_escrow": _worded(
            phrase(
                "{amount} is held in escrow on your contracts: it has to be released or "
                "refunded first."
            ),
            "amount",
        ),
        "account.open_dispute": phrase(
            "You are a side of a dispute that is still open: it has to be settled first."
        ),
        "account.payout_pending": _worded(
            phrase(
                "A payout of {amount} is waiting for an administrator: wait until it is paid or "
                "rejected."
            ),
            "amount",
        ),
        "account.refund_pending": _worded(
            phrase(
                "{amount} is on its way back to where you paid it from: wait until the "
                "refund is done."
            ),
            "amount",
        ),
        "account.payment_pending": phrase(
            "A payment of yours is still being credited: try again in a few minutes."
        ),
        "account.balance": _worded(
            phrase(
                "You have {available} on your balance: withdraw it first (/balance); money is "
                "never thrown away."
            ),
            "available",
        ),
        "account.contract_active": phrase(
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
