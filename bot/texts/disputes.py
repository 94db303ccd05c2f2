"""Disputes as the two sides see them: opening one, the dispute screen, its alerts.

Worded through the catalogues (``bot.i18n``): every text is a function, read in the
reader's language when it is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from babel.numbers import format_percent

from bot.i18n import SOURCE_LANGUAGE, _, i18n, phrase
from bot.render import MESSAGE_LIMIT, button, clip, e, pages
from bot.texts import common, labels
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


respond = phrase("✍️ Respond")

offer = phrase("🤝 Offer a split")

counter = phrase("🤝 Counter-offer")

escalate = phrase("🛡 Escalate to an admin")

withdraw = phrase("↩️ Withdraw the dispute")

withdraw_yes = phrase("↩️ Yes, withdraw it")

escalate_yes = phrase("🛡 Yes, send it to an admin")

back = phrase("« Back to the dispute")

view = phrase("⚖️ View the dispute")

refresh = phrase("🔄 Refresh")

open_it = phrase("⚖️ Open the dispute")

send_response = phrase("✍️ Send my response")

send_offer = phrase("🤝 Send this offer")

add_evidence = phrase("📎 Add evidence")

next_step = phrase("Next ›")

skip = phrase("Skip")

done = phrase("✔ Done")


def deliverable_button(line: str, picked: bool) -> str:
    return button(f"{'☑️' if picked else '⬜'} {line}")


def all_of_it(amount: str) -> str:
    return _("All of it ({amount})").format(amount=amount)


def accept(amount: str) -> str:
    return _("✅ Accept: {amount} to the freelancer").format(amount=amount)


def message_button(name: str) -> str:
    return _("💬 Message {name}").format(name=name)


# --- shared pieces -------------------------------------------------------------------


def messages(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Messages of at most ``limit`` UTF-16 units (``render.pages`` counts them)."""
    return pages(text, limit)


def when(moment: datetime) -> str:
    """A date and time in the reader's zone and language (``common.when``)."""
    return common.when(moment)


def days(window: timedelta) -> str:
    hours = round(window.total_seconds() / 3600)
    if hours % 24 == 0:
        count = hours // 24
        return _("{count} day", "{count} days", count).format(count=count)
    return _("{count} hour", "{count} hours", hours).format(count=hours)


def percent(bps: int) -> str:
    """A fee rate, as the reader writes a percentage ("2.5%", "2,5 %")."""
    language = i18n.current_locale
    if language == SOURCE_LANGUAGE:
        return f"{bps / 100:g}%"
    rate = Decimal(bps).scaleb(-4)
    return str(format_percent(rate, locale=language, decimal_quantization=False))


def role_name(role: PartyRole) -> str:
    return _("employer") if role is PartyRole.EMPLOYER else _("freelancer")


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
        found = self.names.get(user_id or 0)
        return e(found) if found is not None else _("someone")

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
        return _("⚖️ <b>Dispute #{id}</b> · {title}\nMilestone: {milestone}").format(
            id=self.dispute.id, title=e(self.project.title), milestone=e(self.milestone.description)
        )


#: A dispute's state, in words (the screens, the admin's record).
dispute_status = labels(
    {
        DisputeStatus.AWAITING_RESPONSE: phrase("waiting for a response"),
        DisputeStatus.NEGOTIATION: phrase("negotiating"),
        DisputeStatus.ARBITRATION: phrase("with an admin"),
        DisputeStatus.RESOLVED: phrase("resolved"),
        DisputeStatus.WITHDRAWN: phrase("withdrawn"),
    }
)


offer_status = labels(
    {
        OfferStatus.OPEN: phrase("on the table"),
        OfferStatus.ACCEPTED: phrase("accepted"),
        OfferStatus.SUPERSEDED: phrase("replaced by a later offer"),
        OfferStatus.CLOSED: phrase("closed with the dispute"),
    }
)


evidence_stage = labels(
    {
        EvidenceStage.FILED: phrase("with the dispute"),
        EvidenceStage.RESPONSE: phrase("while it awaited a response"),
        EvidenceStage.NEGOTIATION: phrase("while negotiating"),
        EvidenceStage.ARBITRATION: phrase("while with an admin"),
    }
)


def named(deliverables: Sequence[str]) -> str:
    """The agreed deliverables the employer named as missing or wrong."""
    return _("<b>Missing or wrong:</b>") + "\n" + "\n".join(f"✗ {e(line)}" for line in deliverables)


def claim(
    v: DisputeView, money: Currency, viewer_id: int | None = None, *, role: bool = True
) -> str:
    """What the filer asks for, said to ``viewer_id``; ``role``: name the filer's side
    (unless the text already said it)."""
    amount = money.format(v.dispute.claimed_amount)
    freelancer = v.dispute.filer_role is PartyRole.FREELANCER
    if viewer_id == v.dispute.filed_by_id:
        if freelancer:
            return _("You ask for <b>{amount}</b> to be released to you.").format(amount=amount)
        return _("You ask for <b>{amount}</b> to be refunded to you.").format(amount=amount)
    if not role:
        text = (
            _("{name} asks for <b>{amount}</b> to be released to them.")
            if freelancer
            else _("{name} asks for <b>{amount}</b> to be refunded to them.")
        )
    elif freelancer:
        text = _("{name} (freelancer) asks for <b>{amount}</b> to be released to them.")
    else:
        text = _("{name} (employer) asks for <b>{amount}</b> to be refunded to them.")
    return text.format(name=v.filer, amount=amount)


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
    if fee:
        to_freelancer = _(
            "To the freelancer: <b>{amount}</b> (they receive {net} after the platform fee)"
        ).format(amount=money.format(release), net=money.format(release - fee))
    else:
        to_freelancer = _("To the freelancer: <b>{amount}</b>").format(amount=money.format(release))
    back_to_employer = _("Back to the employer: <b>{amount}</b>").format(
        amount=money.format(escrow - release)
    )
    return f"{to_freelancer}\n{back_to_employer}"


def status_line(v: DisputeView) -> str:
    d = v.dispute
    if d.status is DisputeStatus.AWAITING_RESPONSE:
        if silence_escalates(d):
            text = _(
                "⏳ Waiting for {respondent}'s response until <b>{date}</b>. Without one, an "
                "admin decides (nothing is refunded just because of silence)."
            )
        else:
            text = _(
                "⏳ Waiting for {respondent}'s response until <b>{date}</b>. Without one, "
                "{filer}'s claim stands."
            )
        return text.format(respondent=v.respondent, date=when(d.respond_by), filer=v.filer)
    if d.status is DisputeStatus.NEGOTIATION:
        if d.negotiation_ends_at:
            return _(
                "🤝 Negotiating until <b>{date}</b>: either side may offer a split, and "
                "accepting one settles it. After that, an admin decides."
            ).format(date=when(d.negotiation_ends_at))
        return _(
            "🤝 Negotiating: either side may offer a split, and accepting one settles it. "
            "After that, an admin decides."
        )
    if d.status is DisputeStatus.ARBITRATION:
        if d.escalated_at:
            return _(
                "🛡 With an admin since {date}, who reads the whole record and decides."
            ).format(date=when(d.escalated_at))
        return _("🛡 With an admin, who reads the whole record and decides.")
    if d.status is DisputeStatus.WITHDRAWN:
        if d.resolved_at:
            return _("↩️ Withdrawn by {name} on {date}.").format(
                name=v.filer, date=when(d.resolved_at)
            )
        return _("↩️ Withdrawn by {name}.").format(name=v.filer)
    return _("✅ Resolved: {how}.").format(how=how(v))


def how(v: DisputeView) -> str:
    resolution = v.dispute.resolution
    if resolution is DisputeResolution.AGREED:
        return _("both sides agreed on a split")
    if resolution is DisputeResolution.DEFAULT:
        return _("{respondent} did not respond in time, so {filer}'s claim stood").format(
            respondent=v.respondent, filer=v.filer
        )
    if resolution is DisputeResolution.RELEASE:
        return _("an admin released all of it to the freelancer")
    if resolution is DisputeResolution.REFUND:
        return _("an admin refunded all of it to the employer")
    return _("an admin split it")


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
    freelancer = v.name(v.contract.freelancer_id)
    if released and fee:
        first = _("Released to {name}: <b>{amount}</b> ({net} after the platform fee)").format(
            name=freelancer, amount=money.format(released), net=money.format(released - fee)
        )
    else:
        first = _("Released to {name}: <b>{amount}</b>").format(
            name=freelancer, amount=money.format(released)
        )
    lines = [
        first,
        _("Refunded to {name}: <b>{amount}</b>").format(
            name=v.name(v.contract.employer_id), amount=money.format(refunded)
        ),
    ]
    if d.resolution_note:
        lines.append(_("Admin's note: {note}").format(note=e(d.resolution_note)))
    return "\n".join(lines)


def offer_line(v: DisputeView, offer: DisputeOffer, money: Currency) -> str:
    release = money.format(offer.release_amount)
    back = money.format(max(v.milestone.escrow - offer.release_amount, 0))
    return _(
        "{name} offers <b>{release}</b> to the freelancer and <b>{back}</b> back to the employer."
    ).format(name=v.name(offer.by_user_id), release=release, back=back)


def _filed_by(v: DisputeView, viewer_id: int) -> str:
    d = v.dispute
    date = when(d.created_at)
    employer = d.filer_role is PartyRole.EMPLOYER
    if d.filed_by_id == viewer_id:
        if employer:
            return _("Filed by you, the employer, on {date}.").format(date=date)
        return _("Filed by you, the freelancer, on {date}.").format(date=date)
    if employer:
        text = _("Filed by {name}, the employer, on {date}.")
    else:
        text = _("Filed by {name}, the freelancer, on {date}.")
    return text.format(name=v.name(d.filed_by_id), date=date)


def reason_line(reason: str) -> str:
    return _("<b>Reason:</b> {reason}").format(reason=reason)


def _evidence_count(total: int, counts: str) -> str:
    text = _("📎 Evidence: {count} file ({counts})", "📎 Evidence: {count} files ({counts})", total)
    return text.format(count=total, counts=counts)


def screen(v: DisputeView, viewer_id: int, money: Currency, fee_bps: int) -> str:
    """The dispute screen both sides see, at every step."""
    d = v.dispute
    lines = [
        v.title(),
        "",
        status_line(v),
        "",
        _filed_by(v, viewer_id),
        claim(v, money, viewer_id, role=False),
    ]
    if d.deliverables:
        lines.append(named(d.deliverables))
    lines.append(reason_line(e(d.reason)))
    if d.response:
        if d.respondent_id == viewer_id:
            lines.append(_("<b>You responded:</b> {response}").format(response=e(d.response)))
        else:
            lines.append(
                _("<b>{name} responded:</b> {response}").format(
                    name=v.respondent, response=e(d.response)
                )
            )
    if v.evidence:
        by = {uid: sum(1 for x in v.evidence if x.author_id == uid) for uid in v.names}
        counts = ", ".join(f"{v.name(uid)} {n}" for uid, n in by.items() if n)
        lines.append(_evidence_count(len(v.evidence), counts))
    if v.is_open:
        lines.append(held(money.format(v.milestone.escrow)))
        offer = v.open_offer
        lines += [
            "",
            _("<b>On the table:</b> {offer}").format(
                offer=offer_line(v, offer, money) if offer else "—"
            ),
        ]
    elif d.status is DisputeStatus.RESOLVED:
        lines += ["", outcome(v, money, fee_bps)]
    return "\n".join(lines)


def held(amount: str) -> str:
    return _("Held in escrow: <b>{amount}</b>").format(amount=amount)


# --- opening a dispute ---------------------------------------------------------------


def _dispute_a_milestone(milestone: Milestone, project: Project) -> str:
    return _("⚖️ <b>Dispute a milestone</b> · {title}\nMilestone: {milestone}").format(
        title=e(project.title), milestone=e(milestone.description)
    )


def ask_deliverables(
    milestone: Milestone, project: Project, money: Currency, required: bool
) -> str:
    must = (
        _(
            "The work was delivered, so name at least one: a dispute of delivered work says "
            "what is missing."
        )
        if required
        else _("Nothing was delivered yet: name what is missing if you like, or go on.")
    )
    return (
        _dispute_a_milestone(milestone, project)
        + "\n"
        + _("Held in escrow: <b>{amount}</b>.").format(amount=money.format(milestone.escrow))
        + "\n\n"
        + _(
            "<b>Which of the agreed deliverables are missing or wrong?</b> Tap each one, then Next."
        )
        + f" {must}"
    )


def ask_reason(milestone: Milestone, project: Project, money: Currency, maximum: int) -> str:
    return (
        _dispute_a_milestone(milestone, project)
        + "\n"
        + _("Held in escrow: <b>{amount}</b>. It stays frozen until the dispute ends.").format(
            amount=money.format(milestone.escrow)
        )
        + "\n\n"
        + _(
            "What went wrong? Describe it in a few sentences (10–{maximum} characters). The "
            "other side reads it, and so does an admin if it comes to that."
        ).format(maximum=maximum)
    )


def ask_amount(role: PartyRole, escrow: int, money: Currency, fee_bps: int) -> str:
    held = money.format(escrow)
    if role is PartyRole.EMPLOYER:
        meaning = _(
            "How much do you want <b>refunded to you</b>? Anything up to {held}; the rest "
            "would be released to the freelancer."
        ).format(held=held)
    elif fee_bps:
        meaning = _(
            "How much do you want <b>released to you</b> (the platform fee of {percent} comes "
            "out of it)? Anything up to {held}; the rest would go back to the employer."
        ).format(percent=percent(fee_bps), held=held)
    else:
        meaning = _(
            "How much do you want <b>released to you</b>? Anything up to {held}; the rest "
            "would go back to the employer."
        ).format(held=held)
    send = _("Send an amount in {unit}, like {example}, or press the button.").format(
        unit=money.unit, example=money.example
    )
    return f"{meaning}\n\n{send}"


def ask_evidence(maximum: int) -> str:
    return _(
        "📎 <b>Evidence</b>: send files, photos or screenshots that show it (up to {maximum}), "
        "then tap Done. None? Tap Skip. You can add more later, at every stage."
    ).format(maximum=maximum)


def evidence_added(count: int, maximum: int) -> str:
    if count < maximum:
        text = _("📎 Evidence {count} of at most {maximum} attached. Send more, or tap Done.")
    else:
        text = _(
            "📎 Evidence {count} of at most {maximum} attached. That is the most you can attach."
        )
    return text.format(count=count, maximum=maximum)


pick_deliverables = phrase(
    "Tap the deliverables that are missing or wrong, then Next (or /cancel)."
)

evidence_reask = phrase("Send a file, a photo or a video as evidence, or tap Done (or /cancel).")


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
    asked, held = money.format(amount), money.format(escrow)
    if role is PartyRole.EMPLOYER:
        wanted = _("You ask for <b>{amount}</b> of {escrow} back.")
        then = _(
            "{name} will have {time} to respond (the same time either side gets); if they do "
            "not, an admin decides, with the whole record (nothing is refunded by default). "
            "Then either of you can offer a split, or ask an admin to decide."
        )
    else:
        wanted = _("You ask for <b>{amount}</b> of {escrow} released.")
        then = _(
            "{name} will have {time} to respond (the same time either side gets); if they do "
            "not, your claim stands. Then either of you can offer a split, or ask an admin to "
            "decide."
        )
    lines = [_("<b>Open this dispute?</b>"), ""]
    if deliverables:
        lines.append(named(deliverables))
    lines += [reason_line(e(reason)), wanted.format(amount=asked, escrow=held)]
    if evidence:
        lines.append(
            _("📎 {count} file of evidence", "📎 {count} files of evidence", evidence).format(
                count=evidence
            )
        )
    lines += ["", then.format(name=e(respondent), time=days(respond_within))]
    return "\n".join(lines)


opened = phrase("Dispute opened. The other side has been told.")

reason_not_text = phrase("Please describe what went wrong in a text message (or /cancel).")


def amount_not_text(money: Currency) -> str:
    return _("Please send the amount as a number in {unit}, like {example} (or /cancel).").format(
        unit=money.unit, example=money.example
    )


confirm_please = phrase("Press a button above to confirm, or /cancel.")


# --- answering and negotiating -------------------------------------------------------


def ask_response(v: DisputeView, money: Currency, maximum: int) -> str:
    return (
        _("✍️ <b>Your response</b> to {name}'s dispute #{id}").format(name=v.filer, id=v.dispute.id)
        + "\n"
        + claim(v, money)
        + "\n\n"
        + _(
            "Explain your side in one message (up to {maximum} characters). {name} reads it, "
            "and so does an admin if it comes to that."
        ).format(maximum=maximum, name=v.filer)
    )


def confirm_response(response: str) -> str:
    return (
        _("<b>Your response:</b>")
        + f"\n{e(response)}\n\n"
        + _("Send it? After that, either of you can offer a split.")
    )


response_not_text = phrase("Please write your response as a text message (or /cancel).")

responded = phrase("Response sent.")


def ask_offer(v: DisputeView, money: Currency) -> str:
    held = money.format(v.milestone.escrow)
    current = v.open_offer
    text = (
        _("🤝 <b>Offer a split</b> of {held} (dispute #{id})").format(held=held, id=v.dispute.id)
        + "\n\n"
        + _(
            "How much should go <b>to the freelancer</b>? Send an amount from {zero} to "
            "{held}; the rest goes back to the employer."
        ).format(zero=money.format(0), held=held)
    )
    if current:
        text += "\n\n" + _("On the table now: {offer}").format(offer=offer_line(v, current, money))
    return text


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
        _("<b>Send this offer?</b>")
        + f"\n\n{shares}\n\n"
        + _("If {name} accepts, the money moves at once and the dispute ends.").format(
            name=e(other)
        )
    )


offer_sent = phrase("Offer sent.")

moved_on = phrase(
    "This dispute has moved on since that button was sent. Here is where it stands now."
)

escalated = phrase("Sent to an admin.")

withdrawn = phrase("Dispute withdrawn.")

settled = phrase("Settled: the money has moved.")


def confirm_escalate(v: DisputeView) -> str:
    return (
        _("<b>Send dispute #{id} to an admin?</b>").format(id=v.dispute.id)
        + "\n\n"
        + _(
            "An admin reads the whole record (the terms, the deliveries, the change requests, "
            "the evidence and your messages here) and decides: release, refund or a split. "
            "Offers stop, and the admin's decision is final."
        )
    )


def confirm_withdraw(v: DisputeView) -> str:
    return (
        _("<b>Withdraw dispute #{id}?</b>").format(id=v.dispute.id)
        + "\n\n"
        + _(
            "The milestone goes back to where it was and its money stays in escrow, to be "
            "released (or disputed again) as usual."
        )
    )


# --- alerts --------------------------------------------------------------------------

ALERT_QUOTE = 600  # characters of a reason or response quoted in an alert; View shows all


def alert_needs_arbiter(v: DisputeView, money: Currency) -> str:
    needs = _("🛡 This dispute needs an arbiter. Held in escrow: <b>{amount}</b>.").format(
        amount=money.format(v.milestone.escrow)
    )
    return f"{v.title()}\n\n{needs}\n{claim(v, money)}"


def alert_opened(v: DisputeView, money: Currency) -> str:
    missing = f"{named(v.dispute.deliverables)}\n" if v.dispute.deliverables else ""
    if silence_escalates(v.dispute):
        respond_by = _(
            "Respond by <b>{date}</b>, or an admin decides (nothing is refunded just because "
            "of silence). You can also offer a split right away, and attach evidence."
        )
    else:
        respond_by = _(
            "Respond by <b>{date}</b>, or {filer}'s claim stands. You can also offer a split "
            "right away, and attach evidence."
        )
    return (
        f"{v.title()}\n\n"
        + _("⚖️ {name} opened a dispute.").format(name=v.filer)
        + f"\n{missing}"
        + reason_line(e(clip(v.dispute.reason, ALERT_QUOTE)))
        + f"\n{claim(v, money)}\n\n"
        + respond_by.format(date=when(v.dispute.respond_by), filer=v.filer)
    )


def alert_evidence(v: DisputeView, evidence: DisputeEvidence) -> str:
    """A file's caption: short enough for Telegram's 1024 characters, quote included."""
    head = _("⚖️ <b>Dispute #{id}</b> · {title}").format(
        id=v.dispute.id, title=e(clip(v.project.title, 80))
    )
    name = v.name(evidence.author_id)
    if evidence.caption:
        attached = _("📎 {name} attached evidence: {caption}").format(
            name=name, caption=e(clip(evidence.caption, 400))
        )
    else:
        attached = _("📎 {name} attached evidence").format(name=name)
    return f"{head}\n{attached}"


def alert_responded(v: DisputeView) -> str:
    response = e(clip(v.dispute.response, ALERT_QUOTE)) if v.dispute.response else "—"
    said = _("✍️ {name} responded to your dispute:").format(name=v.respondent)
    return f"{v.title()}\n\n{said}\n{response}\n\n{status_line(v)}"


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
    offers = _("🤝 {name} offers a split:").format(name=v.name(offer.by_user_id))
    accept_it = _("Accept it to settle the dispute now, or make a counter-offer.")
    return f"{v.title()}\n\n{offers}\n{shares}\n\n{accept_it}"


def alert_settled(v: DisputeView, money: Currency, fee_bps: int) -> str:
    offer = next((o for o in v.offers if o.status is OfferStatus.ACCEPTED), None)
    if offer:
        accepted = _("✅ {name} accepted your offer. The dispute is settled.").format(
            name=v.name(v.other(offer.by_user_id))
        )
    else:
        accepted = _("✅ The other side accepted your offer. The dispute is settled.")
    return f"{v.title()}\n\n{accepted}\n\n{outcome(v, money, fee_bps)}"


def alert_escalated(v: DisputeView) -> str:
    d = v.dispute
    if d.escalated_by_id:
        who = _("🛡 {name} asked an admin to decide.").format(name=v.name(d.escalated_by_id))
    elif d.responded_at is None:
        who = _(
            "🛡 {name} did not respond in time, so an admin decides (no automatic refund)."
        ).format(name=v.respondent)
    else:
        who = _("🛡 The negotiation time ran out.")
    reads = _(
        "An admin will read the whole record (the terms, the deliveries, the change requests, "
        "the evidence, your messages here) and decide."
    )
    return f"{v.title()}\n\n{who} {reads}"


def alert_withdrawn(v: DisputeView) -> str:
    withdrew = _(
        "↩️ {name} withdrew the dispute. The milestone is back to where it was and its money "
        "stays in escrow."
    ).format(name=v.filer)
    return f"{v.title()}\n\n{withdrew}"


def alert_resolved(v: DisputeView, money: Currency, fee_bps: int) -> str:
    resolved = _("✅ Resolved: {how}.").format(how=how(v))
    return f"{v.title()}\n\n{resolved}\n\n{outcome(v, money, fee_bps)}"


my_disputes_empty = phrase("You have no disputes. Long may it last.")


def my_disputes(views: list[DisputeView], viewer_id: int, money: Currency) -> str:
    entries = [_("<b>Your disputes</b>")]
    for v in views:
        claimed = money.format(v.dispute.claimed_amount)
        if v.dispute.filed_by_id == viewer_id:
            entry = _("⚖️ <b>#{id}</b> · {title} — you filed, claim {amount}").format(
                id=v.dispute.id, title=e(v.project.title), amount=claimed
            )
        else:
            entry = _("⚖️ <b>#{id}</b> · {title} — filed by {name}, claim {amount}").format(
                id=v.dispute.id, title=e(v.project.title), name=v.filer, amount=claimed
            )
        entries.append(f"{entry}\n{status_line(v)}")
    return "\n\n".join(entries)


def list_button(v: DisputeView) -> str:
    return f"⚖️ #{v.dispute.id} · {v.project.title}"
