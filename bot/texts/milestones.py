"""Milestones on screen: the card, its buttons and history, the milestone, delivery,
changes and cancel wizards, and the work alerts and reminders about a milestone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import _, phrase
from bot.render import button, clip, e
from bot.texts import labels
from bot.texts.awards import terms
from bot.texts.common import day, files_ask, quoted, sandbox_note, when
from core.money import Currency
from storage.enums import MilestoneStatus
from storage.models import Contract, Milestone, MilestoneEvent

_status_label = labels(
    {
        MilestoneStatus.REQUESTED: phrase("📝 requested by the freelancer"),
        MilestoneStatus.REJECTED: phrase("✖ request rejected"),
        MilestoneStatus.PENDING: phrase("⏳ waiting for funding"),
        MilestoneStatus.FUNDED: phrase("🔒 funded, work in progress"),
        MilestoneStatus.DELIVERED: phrase("📦 delivered, waiting for review"),
        MilestoneStatus.DISPUTED: phrase("⚖️ in dispute"),
        MilestoneStatus.RELEASED: phrase("✅ released"),
        MilestoneStatus.REFUNDED: phrase("↩️ refunded"),
        MilestoneStatus.CANCELLED: phrase("✖ cancelled"),
    }
)


split = phrase("➗ split")


def milestone_status(m: Milestone) -> str:
    """A milestone's state in words; a closed one that paid both sides was split."""
    if m.status is MilestoneStatus.RELEASED and m.refunded_amount:
        return split()
    return _status_label(m.status)


# --- buttons ---------------------------------------------------------------------------


new_milestone = phrase("➕ New milestone")

request_milestone = phrase("➕ Request milestone")

accept_request = phrase("✅ Accept request")

reject_request = phrase("✖ Reject request")

deliver = phrase("📦 Deliver work")

extra_milestone = phrase("➕ New milestone for the extra work")

dispute = phrase("⚖️ Open a dispute")

history_button = phrase("📜 History")

withdraw_request = phrase("✖ Withdraw request")

cancel_milestone = phrase("✖ Cancel milestone")

cancel_and_refund = phrase("↩️ Cancel & refund")

confirm_cancel = phrase("✅ Yes, cancel it")

open_milestone = phrase("📄 Open milestone")

send_delivery = phrase("📦 Deliver")

hand_over_now = phrase("🔓 Hand it over in full now")

protect_until_paid = phrase("🔒 Protect it until paid")

message_employer = phrase("💬 Message the employer")

message_freelancer = phrase("💬 Message the freelancer")


def request_changes(left: int) -> str:
    """The button says how many of the included change rounds are left."""
    return _("✏️ Request changes ({left} left)").format(left=left)


def milestone_button(m: Milestone, money: Currency) -> str:
    return button(f"📄 {clip(m.description, 28)} · {money.format(m.amount)}")


def money_went(m: Milestone, money: Currency) -> str:
    """Where a closed milestone's money went, or what moved so far of an open one."""
    released, refunded = money.format(m.released_amount), money.format(m.refunded_amount)
    if m.status in (MilestoneStatus.RELEASED, MilestoneStatus.REFUNDED):
        if m.released_amount and m.refunded_amount:
            return _("➗ split: {released} to the freelancer, {refunded} refunded").format(
                released=released, refunded=refunded
            )
        if m.released_amount:
            return _("✅ released {amount}").format(amount=released)
        return _("↩️ refunded {amount}").format(amount=refunded)
    moved = [_status_label(m.status)]
    if m.escrow:
        moved.append(_("escrow {amount}").format(amount=money.format(m.escrow)))
    if m.released_amount:
        moved.append(_("released {amount}").format(amount=released))
    return " · ".join(moved)


def milestone_line(n: int, m: Milestone, money: Currency) -> str:
    parts = [f"{n}. {quoted(m.description, 70)} — {money.format(m.amount)}"]
    parts.append(money_went(m, money))
    if m.due_at is not None:
        parts.append(_("due {date}").format(date=day(m.due_at)))
    return " · ".join(parts)


def _amount_line(amount: str) -> str:
    return _("Amount: <b>{amount}</b>").format(amount=amount)


def _due_line(due: datetime) -> str:
    return _("Due: {date}").format(date=day(due))


_note_label = phrase("<b>Note:</b>")


def milestone_card(
    m: Milestone,
    contract: Contract,
    project_title: str,
    employer: bool,
    other_name: str,
    money: Currency,
    badge: str,
) -> str:
    lines = [
        _("📄 <b>Milestone</b> of <b>{project}</b>").format(project=e(clip(project_title, 80))),
        "",
        e(m.description),
        "",
        _amount_line(money.format(m.amount)),
        _("Status: {status}").format(status=milestone_status(m)),
        _("In escrow: {amount}").format(amount=money.format(m.escrow)),
    ]
    if m.released_amount:
        lines.append(
            _("Released: {amount} (fee {fee})").format(
                amount=money.format(m.released_amount), fee=money.format(m.fee_amount)
            )
        )
    if m.refunded_amount:
        lines.append(_("Refunded: {amount}").format(amount=money.format(m.refunded_amount)))
    if m.due_at is not None:
        lines.append(_due_line(m.due_at))
    if m.status is MilestoneStatus.DELIVERED and m.auto_release_at is not None:
        lines.append(
            _("Releases automatically on {date} unless answered.").format(
                date=when(m.auto_release_at)
            )
        )
    if employer:
        lines.append(_("With: {name} (freelancer)").format(name=e(other_name)))
    else:
        lines.append(_("With: {name} (client)").format(name=e(other_name)))
    lines += [
        "",
        terms(
            contract.deliverables,
            contract.revision_rounds,
            contract.deadline_at,
            used=m.revisions_used,
        ),
    ]
    return "\n".join(lines) + sandbox_note(badge)


#: What happened to a milestone, in words.
history_kind = labels(
    {
        "created": phrase("created"),
        "requested": phrase("requested"),
        "request_accepted": phrase("request accepted"),
        "request_rejected": phrase("request rejected"),
        "funded": phrase("funded"),
        "delivered": phrase("delivered"),
        "changes_requested": phrase("changes requested"),
        "released": phrase("released"),
        "refunded": phrase("refunded"),
        "cancelled": phrase("cancelled"),
        "disputed": phrase("dispute opened"),
        "handed_over": phrase("delivery handed over in full"),
        "extra_milestone": phrase("new milestone for the extra work"),
        "dispute_escalated": phrase("dispute sent to an admin"),
        "dispute_response": phrase("dispute answered"),
        "dispute_offer": phrase("split offered"),
        "dispute_withdrawn": phrase("dispute withdrawn"),
    },
    otherwise=lambda kind: kind.replace("_", " "),
)


def history(
    description: str,
    events: Sequence[MilestoneEvent],
    names: dict[int, str],
    money: Currency,
    badge: str,
) -> str:
    lines = [_("📜 <b>History of</b> {description}").format(description=quoted(description)), ""]
    for ev in events:
        who = e(names.get(ev.actor_id, _("someone"))) if ev.actor_id is not None else "bidgram"
        what = history_kind(ev.kind)
        amount = f" {money.format(ev.amount)}" if ev.amount is not None else ""
        line = f"• {day(ev.created_at)} — {who}: {what}{amount}"
        if ev.kind == "delivered" and ev.protected:
            line += " 🔒"
        if ev.note and ev.kind in (
            "delivered",
            "changes_requested",
            "request_rejected",
            "extra_milestone",
        ):
            line += f"\n   “{e(clip(ev.note, 300))}”"
        if ev.file_ids:
            count = len(ev.file_ids)
            line += " " + _("({count} file)", "({count} files)", count).format(count=count)
        lines.append(line)
    if not events:
        lines.append(_("Nothing yet."))
    return "\n".join(lines) + sandbox_note(badge)


def ms_description_ask(request: bool, limit: int) -> str:
    if request:
        text = _(
            "➕ Let's request a milestone. <b>What is to be delivered?</b>\n"
            "Describe this part of the work (up to {limit} characters)."
        )
    else:
        text = _(
            "➕ Let's create a milestone. <b>What is to be delivered?</b>\n"
            "Describe this part of the work (up to {limit} characters)."
        )
    return text.format(limit=limit)


def extra_description_ask(description: str, limit: int) -> str:
    return _(
        "➕ The revision rounds included with {description} are used. More work is a new "
        "milestone, funded like any other.\n<b>What is to be delivered?</b> Describe the "
        "extra work (up to {limit} characters)."
    ).format(description=quoted(description), limit=limit)


ms_description_reask = phrase("Please describe the milestone in a text message.")


def ms_amount_ask(money: Currency) -> str:
    return _(
        "<b>How much</b> is this milestone? Send an amount in {unit}, for example 150."
    ).format(unit=money.unit)


def ms_amount_reask(money: Currency) -> str:
    return _("Send the amount as a number in {unit}, for example {example}.").format(
        unit=money.unit, example=money.example
    )


def ms_due_ask(limit: int) -> str:
    return _(
        "<b>Due in how many days?</b> Send a number from 1 to {limit}, or tap Skip for no due date."
    ).format(limit=limit)


def ms_due_reask(limit: int) -> str:
    return _("Send a number of days from 1 to {limit}, or tap Skip.").format(limit=limit)


def ms_confirm(
    request: bool, description: str, amount: str, due: datetime | None, badge: str
) -> str:
    title = _("Request this milestone?") if request else _("Create this milestone?")
    due_line = _due_line(due) if due else _("Due: no date")
    after = (
        _("The employer will be asked to accept it.")
        if request
        else _("Next you fund it: the money is held in escrow until you release it.")
    )
    return (
        f"<b>{title}</b>\n\n{e(description)}\n\n{_amount_line(amount)}\n{due_line}\n\n{after}"
        + sandbox_note(badge)
    )


def ms_created(description: str, amount: str, badge: str) -> str:
    return _(
        "✅ Milestone {description} for {amount} created. Fund it so the freelancer can "
        "start: the money is held in escrow until you release it."
    ).format(description=quoted(description), amount=amount) + sandbox_note(badge)


def ms_requested(description: str, amount: str, badge: str) -> str:
    return _(
        "✅ Milestone {description} for {amount} requested. The employer has been asked "
        "to accept it."
    ).format(description=quoted(description), amount=amount) + sandbox_note(badge)


def request_accepted_reply(description: str, amount: str, badge: str) -> str:
    return _("✅ Accepted {description} for {amount}. Fund it so the work can start.").format(
        description=quoted(description), amount=amount
    ) + sandbox_note(badge)


def request_rejected_reply(description: str) -> str:
    return _("The request {description} was rejected; the freelancer has been told.").format(
        description=quoted(description)
    )


def deliver_note_ask(description: str, limit: int) -> str:
    return _(
        "📦 Delivering {description}.\n<b>What are you delivering?</b> Write a note for "
        "the employer (up to {limit} characters): what was done, links, how to check it."
    ).format(description=quoted(description), limit=limit)


deliver_note_reask = phrase("Please write the delivery note as a text message.")


def deliver_files_ask(limit: int) -> str:
    return files_ask(_("Any <b>files</b> to deliver (the work itself, screenshots)?"), limit)


def deliver_files_full(limit: int) -> str:
    text = _(
        "📎 {limit} file is attached, the most there can be: tap <b>Done</b>.",
        "📎 {limit} files are attached, the most there can be: tap <b>Done</b>.",
        limit,
    )
    return text.format(limit=limit)


def _protection(protected: bool) -> str:
    if protected:
        return _(
            "🔒 <b>Protected preview</b>: the employer sees the note and files but cannot "
            "forward or save them until money is released for this milestone; then they get "
            "them in full."
        )
    return _("🔓 <b>Handed over in full</b>: the employer can forward and save them at once.")


def deliver_confirm(description: str, note: str, files: Sequence[str], protected: bool) -> str:
    listing = "\n".join(f"📎 {e(clip(name, 60))}" for name in files) if files else _("No files.")
    head = _("<b>Deliver {description}?</b>").format(description=quoted(description))
    tail = _("The employer will be asked to release the money.")
    return (
        f"{head}\n\n{_note_label()}\n{e(note)}\n\n{listing}\n\n{_protection(protected)}\n\n{tail}"
    )


def delivered(description: str, auto_release_at: datetime | None, protected: bool) -> str:
    text = _(
        "📦 Delivered {description}. The employer has been asked to release it, ask for "
        "changes or open a dispute."
    ).format(description=quoted(description))
    if auto_release_at:
        text += " " + _(
            "If they do not answer, the money is released to you automatically on {date}."
        ).format(date=when(auto_release_at))
    if protected:
        text += " " + _("They got a protected preview until they pay.")
    return text


def changes_ask(description: str, limit: int, left: int, included: int) -> str:
    text = _(
        "✏️ What should change in {description}? Name it: the freelancer sees exactly this "
        "(up to {limit} characters). The automatic release is paused until they deliver "
        "again.\n\nThis uses revision round {round} of {included}."
    ).format(
        description=quoted(description), limit=limit, round=included - left + 1, included=included
    )
    if left == 1:
        text += " " + _("It is the last one: after it, more work is a new milestone.")
    return text


changes_reask = phrase("Please write what should change as a text message.")


def changes_confirm(description: str, note: str) -> str:
    head = _("<b>Ask for changes to {description}?</b>").format(description=quoted(description))
    return f"{head}\n\n{e(note)}"


def changes_sent(description: str) -> str:
    return _("✏️ Changes requested for {description}. The freelancer has been told.").format(
        description=quoted(description)
    )


def cancel_confirm(description: str, status: MilestoneStatus, escrow: str, badge: str) -> str:
    return _cancel_confirm(description, status, escrow) + sandbox_note(badge)


def _cancel_confirm(description: str, status: MilestoneStatus, escrow: str) -> str:
    if status in (MilestoneStatus.FUNDED, MilestoneStatus.DELIVERED):
        return _(
            "<b>Cancel {description}?</b>\n\nThe {escrow} held in escrow goes back to the "
            "employer. This cannot be undone."
        ).format(description=quoted(description), escrow=escrow)
    if status is MilestoneStatus.REQUESTED:
        return _("<b>Withdraw your request {description}?</b>").format(
            description=quoted(description)
        )
    return _("<b>Cancel {description}?</b> It was never funded; nothing is refunded.").format(
        description=quoted(description)
    )


def cancelled(description: str, refunded: str | None, badge: str) -> str:
    text = _("✖ {description} is cancelled.").format(description=quoted(description))
    if refunded:
        text += " " + _("{amount} went back to the employer.").format(amount=refunded)
    return text + sandbox_note(badge if refunded else "")


def alert_created(
    project: str, description: str, amount: str, due: datetime | None, badge: str
) -> str:
    text = _("➕ New milestone on <b>{project}</b>: {description} for {amount}.").format(
        project=e(clip(project, 80)), description=quoted(description), amount=amount
    )
    if due:
        text += " " + _("Due {date}.").format(date=day(due))
    return (
        text + "\n" + _("The employer will fund it; start once it is funded.") + sandbox_note(badge)
    )


def alert_requested(
    project: str, freelancer: str, description: str, amount: str, badge: str
) -> str:
    return _(
        "📝 <b>{name}</b> requests a milestone on <b>{project}</b>:\n"
        "{description} for <b>{amount}</b>."
    ).format(
        name=e(freelancer),
        project=e(clip(project, 80)),
        description=quoted(description, 300),
        amount=amount,
    ) + sandbox_note(badge)


def alert_request_accepted(description: str, amount: str, badge: str) -> str:
    return _(
        "✅ Your milestone request {description} for {amount} was accepted. "
        "Start once it is funded."
    ).format(description=quoted(description), amount=amount) + sandbox_note(badge)


def _reason(reason: str | None) -> str:
    return "\n" + _("Reason: {reason}").format(reason=e(reason)) if reason else ""


def alert_request_rejected(description: str, reason: str | None) -> str:
    text = _("✖ Your milestone request {description} was rejected.").format(
        description=quoted(description)
    )
    return text + _reason(reason)


def alert_funded(project: str, description: str, amount: str, badge: str) -> str:
    return _(
        "🔒 <b>Funded:</b> {description} on <b>{project}</b> — {amount} is held in escrow. "
        "You can start; deliver when done."
    ).format(
        description=quoted(description), project=e(clip(project, 80)), amount=amount
    ) + sandbox_note(badge)


def alert_delivered(
    project: str,
    freelancer: str,
    description: str,
    note: str,
    files: int,
    escrow: str,
    auto_release_at: datetime | None,
    badge: str,
    *,
    protected: bool,
    rounds_left: int,
) -> str:
    head = _("📦 <b>{name} delivered</b> {description} on <b>{project}</b>.").format(
        name=e(freelancer), description=quoted(description), project=e(clip(project, 80))
    )
    text = f"{head}\n\n{_note_label()}\n{e(clip(note, 2500))}"
    if files:
        text += "\n" + _("📎 {count} file below.", "📎 {count} files below.", files).format(
            count=files
        )
    if protected:
        text += "\n\n" + _(
            "🔒 <b>Preview</b>: this note and the files are protected (no forwarding or "
            "saving) until you release the payment; then they are sent to you again in full."
        )
    if rounds_left:
        answers = _(
            "Release the money, ask for changes ({count} revision round left), or open a "
            "dispute naming what is missing.",
            "Release the money, ask for changes ({count} revision rounds left), or open a "
            "dispute naming what is missing.",
            rounds_left,
        )
        answers = answers.format(count=rounds_left)
    else:
        answers = _(
            "Release the money, pay for more work as a new milestone (the included revision "
            "rounds are used), or open a dispute naming what is missing."
        )
    text += "\n\n" + answers
    if auto_release_at:
        text += "\n\n" + _(
            "⏰ If you do nothing, the {escrow} is released automatically on <b>{date}</b>."
        ).format(escrow=escrow, date=when(auto_release_at))
    return text + sandbox_note(badge)


def delivered_file_caption(n: int, total: int, description: str, protected: bool) -> str:
    if protected:
        text = _("🔒 Preview · File {n} of {total} for {description}")
    else:
        text = _("📎 File {n} of {total} for {description}")
    return text.format(n=n, total=total, description=quoted(description, 60))


def alert_handed_over(description: str, note: str, files: int) -> str:
    head = _(
        "🔓 <b>Paid: the delivery of {description} is yours in full.</b> Here it is again "
        "without protection, to forward and save."
    ).format(description=quoted(description))
    text = f"{head}\n\n{_note_label()}\n{e(clip(note, 2500))}"
    if files:
        text += "\n" + _(
            "📎 {count} file below, yours to keep.", "📎 {count} files below, yours to keep.", files
        ).format(count=files)
    return text


def handed_over_file_caption(n: int, total: int, description: str) -> str:
    return _("🔓 File {n} of {total} for {description}, in full").format(
        n=n, total=total, description=quoted(description, 60)
    )


def alert_changes(description: str, note: str, left: int) -> str:
    after = _(
        "{count} more revision round after this one.",
        "{count} more revision rounds after this one.",
        left,
    )
    after = after.format(count=left) if left else _("That was the last included revision round.")
    head = _("✏️ The employer asked for changes to {description}:").format(
        description=quoted(description)
    )
    again = _("Deliver again when ready: the review window starts afresh.")
    return f"{head}\n\n{e(clip(note, 3000))}\n\n{again} {after}"


def alert_released(description: str, amount: str, fee: str, net: str, badge: str) -> str:
    return _(
        "💰 <b>{net}</b> released to you for {description} ({amount} less the platform "
        "fee {fee}). It is on your balance: /balance"
    ).format(net=net, description=quoted(description), amount=amount, fee=fee) + sandbox_note(badge)


def alert_auto_released(
    description: str, amount: str, fee: str, net: str, freelancer: bool, badge: str
) -> str:
    if freelancer:
        text = _(
            "⏰ The review window ended, so {description} was released automatically: "
            "<b>{net}</b> is on your balance ({amount} less the fee {fee})."
        ).format(description=quoted(description), net=net, amount=amount, fee=fee)
    else:
        text = _(
            "⏰ You did not answer the delivery of {description} in time, so {amount} was "
            "released to the freelancer automatically."
        ).format(description=quoted(description), amount=amount)
    return text + sandbox_note(badge)


def alert_cancelled(description: str, by_freelancer: bool, refunded: str | None, badge: str) -> str:
    if by_freelancer:
        text = _("✖ The freelancer cancelled the milestone {description}.")
    else:
        text = _("✖ The employer cancelled the milestone {description}.")
    text = text.format(description=quoted(description))
    if refunded:
        text += " " + _("The {amount} held in escrow was refunded to you (/balance).").format(
            amount=refunded
        )
    return text + sandbox_note(badge if refunded else "")


def _in(hours: int) -> str:
    """A rough distance in time: "in about 5 hours", "in about 2 days"."""
    if hours < 48:
        return _("in about {count} hour", "in about {count} hours", hours).format(count=hours)
    days = round(hours / 24)
    return _("in about {count} day", "in about {count} days", days).format(count=days)


def alert_due_soon(project: str, description: str, due_at: datetime, hours: int) -> str:
    return _(
        "⏰ {description} on <b>{project}</b> is due <b>{date}</b> ({distance}). "
        "Deliver it when it is ready."
    ).format(
        description=quoted(description),
        project=e(clip(project, 80)),
        date=when(due_at),
        distance=_in(hours),
    )


def alert_due_now(project: str, description: str, due_at: datetime) -> str:
    return _(
        "⏰ {description} on <b>{project}</b> is due now ({date}). Deliver it, or tell the "
        "employer when it will be ready."
    ).format(description=quoted(description), project=e(clip(project, 80)), date=when(due_at))


def alert_overdue(
    project: str,
    description: str,
    due_at: datetime,
    other: str,
    to_freelancer: bool,
    last: bool,
) -> str:
    if to_freelancer:
        body = _(
            "⚠️ {description} on <b>{project}</b> was due {date} and is not delivered yet. "
            "Deliver it as soon as you can, or agree a new plan with {name}."
        )
    else:
        body = _(
            "⚠️ {description} on <b>{project}</b> was due {date}, and {name} has not "
            "delivered it yet. The money stays in escrow. Ask {name} about it; if the work "
            "will not come, they can cancel the milestone (refunding you), or you can open "
            "a dispute."
        )
    text = body.format(
        description=quoted(description),
        project=e(clip(project, 80)),
        date=when(due_at),
        name=e(other),
    )
    return text + ("\n\n" + _("This is the last reminder about it.") if last else "")


def alert_auto_release_soon(
    project: str,
    freelancer: str,
    description: str,
    escrow: str,
    auto_release_at: datetime,
    hours: int,
    badge: str,
) -> str:
    head = _(
        "⏳ {name}'s delivery of {description} on <b>{project}</b> is waiting for your answer."
    ).format(name=e(freelancer), description=quoted(description), project=e(clip(project, 80)))
    ask = _(
        "If you do nothing, the {escrow} is released to {name} automatically on "
        "<b>{date}</b> ({distance}). Release it now, or ask for changes."
    ).format(escrow=escrow, name=e(freelancer), date=when(auto_release_at), distance=_in(hours))
    return f"{head}\n\n{ask}" + sandbox_note(badge)


def finish_words() -> set[str]:
    """What may be typed instead of pressing Done or Skip at the files step: in English,
    and in the reader's words."""
    english = {"done", "skip", "no", "none"}
    return english | {_("done"), _("skip"), _("no"), _("none")}
