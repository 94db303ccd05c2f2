"""Disputes as the two sides see them: opening one, the dispute screen, its alerts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.render import MESSAGE_LIMIT, button, clip, e, pages
from core.money import Currency, fee_for, release_fee
from core.services.disputes import silence_escalates
from storage.enums import (
    DisputeResolution,
    DisputeStatus,
    EvidenceStage,
    OfferStatus,
    PartyRole,
)
from storage.models import Contract, Dispute, DisputeEvidence, DisputeOffer, Milestone, Project

# --- buttons -------------------------------------------------------------------------

RESPOND = "✍️ Respond"
OFFER = "🤝 Offer a split"
COUNTER = "🤝 Counter-offer"
ESCALATE = "🛡 Escalate to an admin"
WITHDRAW = "↩️ Withdraw the dispute"
WITHDRAW_YES = "↩️ Yes, withdraw it"
ESCALATE_YES = "🛡 Yes, send it to an admin"
BACK = "« Back to the dispute"
VIEW = "⚖️ View the dispute"
REFRESH = "🔄 Refresh"
OPEN_IT = "⚖️ Open the dispute"
SEND_RESPONSE = "✍️ Send my response"
SEND_OFFER = "🤝 Send this offer"
ADD_EVIDENCE = "📎 Add evidence"
NEXT = "Next ›"
SKIP = "Skip"
DONE = "✔ Done"


def deliverable_button(line: str, picked: bool) -> str:
    return button(f"{'☑️' if picked else '⬜'} {line}")


def all_of_it(amount: str) -> str:
    return f"All of it ({amount})"


def accept(amount: str) -> str:
    return f"✅ Accept: {amount} to the freelancer"


def message_button(name: str) -> str:
    return f"💬 Message {name}"


# --- shared pieces -------------------------------------------------------------------


def messages(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Messages of at most ``limit`` UTF-16 units (``render.pages`` counts them)."""
    return pages(text, limit)


def when(moment: datetime) -> str:
    return f"{moment:%d %b %Y, %H:%M} UTC"


def days(window: timedelta) -> str:
    hours = round(window.total_seconds() / 3600)
    if hours % 24 == 0:
        count = hours // 24
        return f"{count} day" if count == 1 else f"{count} days"
    return f"{hours} hour" if hours == 1 else f"{hours} hours"


def percent(bps: int) -> str:
    return f"{bps / 100:g}%"


def role_name(role: PartyRole) -> str:
    return "employer" if role is PartyRole.EMPLOYER else "freelancer"


@dataclass(frozen=True)
class DisputeView:
    """A dispute with everything its screen and alerts mention."""

    dispute: Dispute
    milestone: Milestone
    contract: Contract
    project: Project
    offers: list[DisputeOffer]
    names: dict[int, str]  # user id -> first name, for both sides
    evidence: list[DisputeEvidence] = field(default_factory=list)
    actions: tuple[str, ...] = ()  # what the viewer may do now (core.views.disputes)

    def name(self, user_id: int | None) -> str:
        return e(self.names.get(user_id or 0, "someone"))

    @property
    def filer(self) -> str:
        return self.name(self.dispute.filed_by_id)

    @property
    def respondent(self) -> str:
        return self.name(self.dispute.respondent_id)

    @property
    def open_offer(self) -> DisputeOffer | None:
        return next((o for o in self.offers if o.status is OfferStatus.OPEN), None)

    @property
    def is_open(self) -> bool:
        return self.dispute.status not in (DisputeStatus.RESOLVED, DisputeStatus.WITHDRAWN)

    def other(self, user_id: int) -> int:
        d = self.dispute
        return d.respondent_id if user_id == d.filed_by_id else d.filed_by_id

    def title(self) -> str:
        return (
            f"⚖️ <b>Dispute #{self.dispute.id}</b> · {e(self.project.title)}\n"
            f"Milestone: {e(self.milestone.description)}"
        )


#: A dispute's state, in words (the screens, the admin's record).
DISPUTE_STATUS = {
    DisputeStatus.AWAITING_RESPONSE: "waiting for a response",
    DisputeStatus.NEGOTIATION: "negotiating",
    DisputeStatus.ARBITRATION: "with an admin",
    DisputeStatus.RESOLVED: "resolved",
    DisputeStatus.WITHDRAWN: "withdrawn",
}
OFFER_STATUS = {
    OfferStatus.OPEN: "on the table",
    OfferStatus.ACCEPTED: "accepted",
    OfferStatus.SUPERSEDED: "replaced by a later offer",
    OfferStatus.CLOSED: "closed with the dispute",
}
EVIDENCE_STAGE = {
    EvidenceStage.FILED: "with the dispute",
    EvidenceStage.RESPONSE: "while it awaited a response",
    EvidenceStage.NEGOTIATION: "while negotiating",
    EvidenceStage.ARBITRATION: "while with an admin",
}


def named(deliverables: Sequence[str]) -> str:
    """The agreed deliverables the employer named as missing or wrong."""
    return "<b>Missing or wrong:</b>\n" + "\n".join(f"✗ {e(line)}" for line in deliverables)


def claim(
    v: DisputeView, money: Currency, viewer_id: int | None = None, *, role: bool = True
) -> str:
    """What the filer asks for, said to ``viewer_id``; ``role``: name the filer's side
    (unless the text already said it)."""
    amount = money.format(v.dispute.claimed_amount)
    way = "released" if v.dispute.filer_role is PartyRole.FREELANCER else "refunded"
    if viewer_id == v.dispute.filed_by_id:
        return f"You ask for <b>{amount}</b> to be {way} to you."
    side = f" ({role_name(v.dispute.filer_role)})" if role else ""
    return f"{v.filer}{side} asks for <b>{amount}</b> to be {way} to them."


def split(
    release: int,
    escrow: int,
    money: Currency,
    fee_bps: int,
    *,
    released: int = 0,
    fee_taken: int = 0,
) -> str:
    """What a split of ``escrow`` giving ``release`` to the freelancer means for each side.

    ``released`` and ``fee_taken`` are what the milestone already released and took as
    fee: the fee of this release depends on them, and the text must show what is charged.
    """
    fee = release_fee(release, fee_bps, released=released, fee_taken=fee_taken)
    lines = [f"To the freelancer: <b>{money.format(release)}</b>"]
    if fee:
        lines[0] += f" (they receive {money.format(release - fee)} after the platform fee)"
    lines.append(f"Back to the employer: <b>{money.format(escrow - release)}</b>")
    return "\n".join(lines)


def if_silent(v: DisputeView) -> str:
    """What the respondent's silence leads to (core's rule, in words)."""
    if silence_escalates(v.dispute):
        return "an admin decides (nothing is refunded just because of silence)"
    return f"{v.filer}'s claim stands"


def status_line(v: DisputeView) -> str:
    d = v.dispute
    if d.status is DisputeStatus.AWAITING_RESPONSE:
        return (
            f"⏳ Waiting for {v.respondent}'s response until <b>{when(d.respond_by)}</b>. "
            f"Without one, {if_silent(v)}."
        )
    if d.status is DisputeStatus.NEGOTIATION:
        until = f" until <b>{when(d.negotiation_ends_at)}</b>" if d.negotiation_ends_at else ""
        return (
            f"🤝 Negotiating{until}: either side may offer a split, and accepting one settles "
            "it. After that, an admin decides."
        )
    if d.status is DisputeStatus.ARBITRATION:
        since = f" since {when(d.escalated_at)}" if d.escalated_at else ""
        return f"🛡 With an admin{since}, who reads the whole record and decides."
    if d.status is DisputeStatus.WITHDRAWN:
        at = f" on {when(d.resolved_at)}" if d.resolved_at else ""
        return f"↩️ Withdrawn by {v.filer}{at}."
    return f"✅ Resolved: {how(v)}."


def how(v: DisputeView) -> str:
    resolution = v.dispute.resolution
    if resolution is DisputeResolution.AGREED:
        return "both sides agreed on a split"
    if resolution is DisputeResolution.DEFAULT:
        return f"{v.respondent} did not respond in time, so {v.filer}'s claim stood"
    if resolution is DisputeResolution.RELEASE:
        return "an admin released all of it to the freelancer"
    if resolution is DisputeResolution.REFUND:
        return "an admin refunded all of it to the employer"
    return "an admin split it"


def settled_fee(v: DisputeView, fee_bps: int) -> int:
    """The fee the dispute's release paid, read from the milestone it closed.

    Settling a dispute moves all the escrow, so it was the milestone's last release: its
    fee is the milestone's fee total less what the earlier releases took, which is the
    fee on their running total.
    """
    m, released = v.milestone, v.dispute.released_amount
    earlier = fee_for(m.released_amount - released, fee_bps)
    return min(max(m.fee_amount - earlier, 0), released)


def outcome(v: DisputeView, money: Currency, fee_bps: int) -> str:
    d = v.dispute
    released, refunded = d.released_amount, d.refunded_amount
    fee = settled_fee(v, fee_bps)
    lines = [f"Released to {v.name(v.contract.freelancer_id)}: <b>{money.format(released)}</b>"]
    if released and fee:
        lines[0] += f" ({money.format(released - fee)} after the platform fee)"
    lines.append(f"Refunded to {v.name(v.contract.employer_id)}: <b>{money.format(refunded)}</b>")
    if d.resolution_note:
        lines.append(f"Admin's note: {e(d.resolution_note)}")
    return "\n".join(lines)


def offer_line(v: DisputeView, offer: DisputeOffer, money: Currency) -> str:
    release = money.format(offer.release_amount)
    back = money.format(max(v.milestone.escrow - offer.release_amount, 0))
    return (
        f"{v.name(offer.by_user_id)} offers <b>{release}</b> to the freelancer and "
        f"<b>{back}</b> back to the employer."
    )


def screen(v: DisputeView, viewer_id: int, money: Currency, fee_bps: int) -> str:
    """The dispute screen both sides see, at every step."""
    d = v.dispute

    def who(user_id: int) -> str:
        return "you" if user_id == viewer_id else v.name(user_id)

    lines = [
        v.title(),
        "",
        status_line(v),
        "",
        f"Filed by {who(d.filed_by_id)}, the {role_name(d.filer_role)}, on {when(d.created_at)}.",
        claim(v, money, viewer_id, role=False),
    ]
    if d.deliverables:
        lines.append(named(d.deliverables))
    lines.append(f"<b>Reason:</b> {e(d.reason)}")
    if d.response:
        answered = "You" if d.respondent_id == viewer_id else v.respondent
        lines.append(f"<b>{answered} responded:</b> {e(d.response)}")
    if v.evidence:
        by = {uid: sum(1 for x in v.evidence if x.author_id == uid) for uid in v.names}
        counts = ", ".join(f"{v.name(uid)} {n}" for uid, n in by.items() if n)
        lines.append(f"📎 Evidence: {len(v.evidence)} file(s) ({counts})")
    if v.is_open:
        lines.append(f"Held in escrow: <b>{money.format(v.milestone.escrow)}</b>")
        offer = v.open_offer
        lines += ["", "<b>On the table:</b> " + (offer_line(v, offer, money) if offer else "—")]
    elif d.status is DisputeStatus.RESOLVED:
        lines += ["", outcome(v, money, fee_bps)]
    return "\n".join(lines)


# --- opening a dispute ---------------------------------------------------------------


def ask_deliverables(
    milestone: Milestone, project: Project, money: Currency, required: bool
) -> str:
    must = (
        "The work was delivered, so name at least one: a dispute of delivered work says "
        "what is missing."
        if required
        else "Nothing was delivered yet: name what is missing if you like, or go on."
    )
    return (
        f"⚖️ <b>Dispute a milestone</b> · {e(project.title)}\n"
        f"Milestone: {e(milestone.description)}\n"
        f"Held in escrow: <b>{money.format(milestone.escrow)}</b>.\n\n"
        f"<b>Which of the agreed deliverables are missing or wrong?</b> Tap each one, then "
        f"Next. {must}"
    )


def ask_reason(milestone: Milestone, project: Project, money: Currency, maximum: int) -> str:
    return (
        f"⚖️ <b>Dispute a milestone</b> · {e(project.title)}\n"
        f"Milestone: {e(milestone.description)}\n"
        f"Held in escrow: <b>{money.format(milestone.escrow)}</b>. It stays frozen until the "
        "dispute ends.\n\n"
        f"What went wrong? Describe it in a few sentences (10–{maximum} characters). The other "
        "side reads it, and so does an admin if it comes to that."
    )


def ask_amount(role: PartyRole, escrow: int, money: Currency, fee_bps: int) -> str:
    held = money.format(escrow)
    if role is PartyRole.EMPLOYER:
        meaning = (
            f"How much do you want <b>refunded to you</b>? Anything up to {held}; the rest "
            "would be released to the freelancer."
        )
    else:
        fee = f" (the platform fee of {percent(fee_bps)} comes out of it)" if fee_bps else ""
        meaning = (
            f"How much do you want <b>released to you</b>{fee}? Anything up to {held}; the "
            "rest would go back to the employer."
        )
    return (
        f"{meaning}\n\nSend an amount in {money.unit}, like {money.example}, or press the button."
    )


def ask_evidence(maximum: int) -> str:
    return (
        f"📎 <b>Evidence</b>: send files, photos or screenshots that show it (up to {maximum}), "
        "then tap Done. None? Tap Skip. You can add more later, at every stage."
    )


def evidence_added(count: int, maximum: int) -> str:
    more = "Send more, or tap Done." if count < maximum else "That is the most you can attach."
    return f"📎 Evidence {count} of at most {maximum} attached. {more}"


PICK_DELIVERABLES = "Tap the deliverables that are missing or wrong, then Next (or /cancel)."
EVIDENCE_REASK = "Send a file, a photo or a video as evidence, or tap Done (or /cancel)."


def confirm_open(
    role: PartyRole,
    reason: str,
    amount: int,
    escrow: int,
    respondent: str,
    respond_within: timedelta,
    money: Currency,
    deliverables: Sequence[str],
    evidence: int,
) -> str:
    if role is PartyRole.EMPLOYER:
        wanted = f"You ask for <b>{money.format(amount)}</b> of {money.format(escrow)} back."
        silent = "an admin decides, with the whole record (nothing is refunded by default)"
    else:
        wanted = f"You ask for <b>{money.format(amount)}</b> of {money.format(escrow)} released."
        silent = "your claim stands"
    lines = ["<b>Open this dispute?</b>", ""]
    if deliverables:
        lines.append(named(deliverables))
    lines += [f"<b>Reason:</b> {e(reason)}", wanted]
    if evidence:
        lines.append(f"📎 {evidence} file(s) of evidence")
    lines += [
        "",
        f"{e(respondent)} will have {days(respond_within)} to respond (the same time either "
        f"side gets); if they do not, {silent}. Then either of you can offer a split, or ask "
        "an admin to decide.",
    ]
    return "\n".join(lines)


OPENED = "Dispute opened. The other side has been told."
REASON_NOT_TEXT = "Please describe what went wrong in a text message (or /cancel)."


def amount_not_text(money: Currency) -> str:
    return f"Please send the amount as a number in {money.unit}, like {money.example} (or /cancel)."


CONFIRM_PLEASE = "Press a button above to confirm, or /cancel."


# --- answering and negotiating -------------------------------------------------------


def ask_response(v: DisputeView, money: Currency, maximum: int) -> str:
    return (
        f"✍️ <b>Your response</b> to {v.filer}'s dispute #{v.dispute.id}\n"
        f"{claim(v, money)}\n\n"
        f"Explain your side in one message (up to {maximum} characters). {v.filer} reads it, "
        "and so does an admin if it comes to that."
    )


def confirm_response(response: str) -> str:
    return (
        f"<b>Your response:</b>\n{e(response)}\n\n"
        "Send it? After that, either of you can offer a split."
    )


RESPONSE_NOT_TEXT = "Please write your response as a text message (or /cancel)."
RESPONDED = "Response sent."


def ask_offer(v: DisputeView, money: Currency) -> str:
    held = money.format(v.milestone.escrow)
    current = v.open_offer
    now = f"\n\nOn the table now: {offer_line(v, current, money)}" if current else ""
    return (
        f"🤝 <b>Offer a split</b> of {held} (dispute #{v.dispute.id})\n\n"
        f"How much should go <b>to the freelancer</b>? Send an amount from "
        f"{money.format(0)} to {held}; the rest goes back to the employer.{now}"
    )


def confirm_offer(
    release: int,
    escrow: int,
    other: str,
    money: Currency,
    fee_bps: int,
    *,
    released: int = 0,
    fee_taken: int = 0,
) -> str:
    """``released``, ``fee_taken``: the milestone's, as for :func:`split`."""
    shares = split(release, escrow, money, fee_bps, released=released, fee_taken=fee_taken)
    return (
        "<b>Send this offer?</b>\n\n"
        f"{shares}\n\n"
        f"If {e(other)} accepts, the money moves at once and the dispute ends."
    )


OFFER_SENT = "Offer sent."
MOVED_ON = "This dispute has moved on since that button was sent. Here is where it stands now."
ESCALATED = "Sent to an admin."
WITHDRAWN = "Dispute withdrawn."
SETTLED = "Settled: the money has moved."


def confirm_escalate(v: DisputeView) -> str:
    return (
        f"<b>Send dispute #{v.dispute.id} to an admin?</b>\n\n"
        "An admin reads the whole record (the terms, the deliveries, the change requests, "
        "the evidence and your messages here) and decides: release, refund or a split. "
        "Offers stop, and the admin's decision is final."
    )


def confirm_withdraw(v: DisputeView) -> str:
    return (
        f"<b>Withdraw dispute #{v.dispute.id}?</b>\n\n"
        "The milestone goes back to where it was and its money stays in escrow, to be "
        "released (or disputed again) as usual."
    )


# --- alerts --------------------------------------------------------------------------

ALERT_QUOTE = 600  # characters of a reason or response quoted in an alert; View shows all


def alert_needs_arbiter(v: DisputeView, money: Currency) -> str:
    return (
        f"{v.title()}\n\n🛡 This dispute needs an arbiter. Held in escrow: "
        f"<b>{money.format(v.milestone.escrow)}</b>.\n{claim(v, money)}"
    )


def alert_opened(v: DisputeView, money: Currency) -> str:
    missing = f"{named(v.dispute.deliverables)}\n" if v.dispute.deliverables else ""
    return (
        f"{v.title()}\n\n"
        f"⚖️ {v.filer} opened a dispute.\n{missing}"
        f"<b>Reason:</b> {e(clip(v.dispute.reason, ALERT_QUOTE))}\n{claim(v, money)}\n\n"
        f"Respond by <b>{when(v.dispute.respond_by)}</b>, or {if_silent(v)}. "
        "You can also offer a split right away, and attach evidence."
    )


def alert_evidence(v: DisputeView, evidence: DisputeEvidence) -> str:
    """A file's caption: short enough for Telegram's 1024 characters, quote included."""
    caption = f": {e(clip(evidence.caption, 400))}" if evidence.caption else ""
    return (
        f"⚖️ <b>Dispute #{v.dispute.id}</b> · {e(clip(v.project.title, 80))}\n"
        f"📎 {v.name(evidence.author_id)} attached evidence{caption}"
    )


def alert_responded(v: DisputeView) -> str:
    response = e(clip(v.dispute.response, ALERT_QUOTE)) if v.dispute.response else "—"
    return (
        f"{v.title()}\n\n✍️ {v.respondent} responded to your dispute:\n{response}\n\n"
        f"{status_line(v)}"
    )


def alert_offer(v: DisputeView, offer: DisputeOffer, money: Currency, fee_bps: int) -> str:
    m = v.milestone
    shares = split(
        offer.release_amount,
        m.escrow,
        money,
        fee_bps,
        released=m.released_amount,
        fee_taken=m.fee_amount,
    )
    return (
        f"{v.title()}\n\n🤝 {v.name(offer.by_user_id)} offers a split:\n"
        f"{shares}\n\n"
        "Accept it to settle the dispute now, or make a counter-offer."
    )


def alert_settled(v: DisputeView, money: Currency, fee_bps: int) -> str:
    offer = next((o for o in v.offers if o.status is OfferStatus.ACCEPTED), None)
    acceptor = v.name(v.other(offer.by_user_id)) if offer else "The other side"
    return (
        f"{v.title()}\n\n✅ {acceptor} accepted your offer. The dispute is settled.\n\n"
        f"{outcome(v, money, fee_bps)}"
    )


def alert_escalated(v: DisputeView) -> str:
    d = v.dispute
    if d.escalated_by_id:
        who = f"{v.name(d.escalated_by_id)} asked an admin to decide"
    elif d.responded_at is None:
        who = f"{v.respondent} did not respond in time, so an admin decides (no automatic refund)"
    else:
        who = "The negotiation time ran out"
    return (
        f"{v.title()}\n\n🛡 {who}. An admin will read the whole record (the terms, the "
        "deliveries, the change requests, the evidence, your messages here) and decide."
    )


def alert_withdrawn(v: DisputeView) -> str:
    return (
        f"{v.title()}\n\n↩️ {v.filer} withdrew the dispute. The milestone is back to where it "
        "was and its money stays in escrow."
    )


def alert_resolved(v: DisputeView, money: Currency, fee_bps: int) -> str:
    return f"{v.title()}\n\n✅ Resolved: {how(v)}.\n\n{outcome(v, money, fee_bps)}"


MY_DISPUTES_EMPTY = "You have no disputes. Long may it last."


def my_disputes(views: list[DisputeView], viewer_id: int, money: Currency) -> str:
    lines = ["<b>Your disputes</b>", ""]
    for v in views:
        side = "you filed" if v.dispute.filed_by_id == viewer_id else f"filed by {v.filer}"
        lines.append(
            f"⚖️ <b>#{v.dispute.id}</b> · {e(v.project.title)} — {side}, "
            f"claim {money.format(v.dispute.claimed_amount)}\n{status_line(v)}"
        )
    return "\n\n".join([lines[0], *lines[2:]])


def list_button(v: DisputeView) -> str:
    return f"⚖️ #{v.dispute.id} · {v.project.title}"
