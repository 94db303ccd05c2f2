"""Milestones on screen: the card, its buttons and history, the milestone, delivery,
changes and cancel wizards, and the work alerts and reminders about a milestone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.render import button, clip, e
from bot.texts.awards import terms
from bot.texts.common import day, files_ask, quoted, sandbox_note, when
from core.money import Currency
from storage.enums import MilestoneStatus
from storage.models import Contract, Milestone, MilestoneEvent

MILESTONE_STATUS = {
    MilestoneStatus.REQUESTED: "📝 requested by the freelancer",
    MilestoneStatus.REJECTED: "✖ request rejected",
    MilestoneStatus.PENDING: "⏳ waiting for funding",
    MilestoneStatus.FUNDED: "🔒 funded, work in progress",
    MilestoneStatus.DELIVERED: "📦 delivered, waiting for review",
    MilestoneStatus.DISPUTED: "⚖️ in dispute",
    MilestoneStatus.RELEASED: "✅ released",
    MilestoneStatus.REFUNDED: "↩️ refunded",
    MilestoneStatus.CANCELLED: "✖ cancelled",
}


SPLIT = "➗ split"


def milestone_status(m: Milestone) -> str:
    """A milestone's state in words; a closed one that paid both sides was split."""
    if m.status is MilestoneStatus.RELEASED and m.refunded_amount:
        return SPLIT
    return MILESTONE_STATUS[m.status]


NEW_MILESTONE = "➕ New milestone"


REQUEST_MILESTONE = "➕ Request milestone"


ACCEPT_REQUEST = "✅ Accept request"


REJECT_REQUEST = "✖ Reject request"


DELIVER = "📦 Deliver work"


EXTRA_MILESTONE = "➕ New milestone for the extra work"


DISPUTE = "⚖️ Open a dispute"


HISTORY = "📜 History"


WITHDRAW_REQUEST = "✖ Withdraw request"


CANCEL_MILESTONE = "✖ Cancel milestone"


CANCEL_AND_REFUND = "↩️ Cancel & refund"


CONFIRM_CANCEL = "✅ Yes, cancel it"


OPEN_MILESTONE = "📄 Open milestone"


SKIP = "Skip"


DONE = "✔ Done"


NO_FILES = "No files"


SEND_DELIVERY = "📦 Deliver"


HAND_OVER_NOW = "🔓 Hand it over in full now"


PROTECT_UNTIL_PAID = "🔒 Protect it until paid"


def request_changes(left: int) -> str:
    """The button says how many of the included change rounds are left."""
    return f"✏️ Request changes ({left} left)"


def milestone_button(m: Milestone, money: Currency) -> str:
    return button(f"📄 {clip(m.description, 28)} · {money.format(m.amount)}")


def money_went(m: Milestone, money: Currency) -> str:
    """Where a closed milestone's money went, or what moved so far of an open one."""
    released, refunded = money.format(m.released_amount), money.format(m.refunded_amount)
    if m.status in (MilestoneStatus.RELEASED, MilestoneStatus.REFUNDED):
        if m.released_amount and m.refunded_amount:
            return f"{SPLIT}: {released} to the freelancer, {refunded} refunded"
        if m.released_amount:
            return f"✅ released {released}"
        return f"↩️ refunded {refunded}"
    moved = [MILESTONE_STATUS[m.status]]
    if m.escrow:
        moved.append(f"escrow {money.format(m.escrow)}")
    if m.released_amount:
        moved.append(f"released {released}")
    return " · ".join(moved)


def milestone_line(n: int, m: Milestone, money: Currency) -> str:
    parts = [f"{n}. {quoted(m.description, 70)} — {money.format(m.amount)}"]
    parts.append(money_went(m, money))
    if m.due_at is not None:
        parts.append(f"due {day(m.due_at)}")
    return " · ".join(parts)


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
        f"📄 <b>Milestone</b> of <b>{e(clip(project_title, 80))}</b>",
        "",
        e(m.description),
        "",
        f"Amount: <b>{money.format(m.amount)}</b>",
        f"Status: {milestone_status(m)}",
        f"In escrow: {money.format(m.escrow)}",
    ]
    if m.released_amount:
        lines.append(
            f"Released: {money.format(m.released_amount)} (fee {money.format(m.fee_amount)})"
        )
    if m.refunded_amount:
        lines.append(f"Refunded: {money.format(m.refunded_amount)}")
    if m.due_at is not None:
        lines.append(f"Due: {day(m.due_at)}")
    if m.status is MilestoneStatus.DELIVERED and m.auto_release_at is not None:
        lines.append(f"Releases automatically on {when(m.auto_release_at)} unless answered.")
    side = "freelancer" if employer else "client"
    lines.append(f"With: {e(other_name)} ({side})")
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


HISTORY_KIND = {
    "created": "created",
    "requested": "requested",
    "request_accepted": "request accepted",
    "request_rejected": "request rejected",
    "funded": "funded",
    "delivered": "delivered",
    "changes_requested": "changes requested",
    "released": "released",
    "refunded": "refunded",
    "cancelled": "cancelled",
    "disputed": "dispute opened",
    "handed_over": "delivery handed over in full",
    "extra_milestone": "new milestone for the extra work",
    "dispute_escalated": "dispute sent to an admin",
    "dispute_response": "dispute answered",
    "dispute_offer": "split offered",
    "dispute_withdrawn": "dispute withdrawn",
}


def history_kind(kind: str) -> str:
    """What happened to a milestone, in words."""
    return HISTORY_KIND.get(kind, kind.replace("_", " "))


def history(
    description: str,
    events: Sequence[MilestoneEvent],
    names: dict[int, str],
    money: Currency,
    badge: str,
) -> str:
    lines = [f"📜 <b>History of</b> {quoted(description)}", ""]
    for ev in events:
        who = e(names.get(ev.actor_id, "someone")) if ev.actor_id is not None else "bidgram"
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
            line += f" ({len(ev.file_ids)} file{'s' if len(ev.file_ids) != 1 else ''})"
        lines.append(line)
    if not events:
        lines.append("Nothing yet.")
    return "\n".join(lines) + sandbox_note(badge)


def ms_description_ask(request: bool, limit: int) -> str:
    verb = "request" if request else "create"
    return (
        f"➕ Let's {verb} a milestone. <b>What is to be delivered?</b>\n"
        f"Describe this part of the work (up to {limit} characters)."
    )


def extra_description_ask(description: str, limit: int) -> str:
    return (
        f"➕ The revision rounds included with {quoted(description)} are used. More work is "
        "a new milestone, funded like any other.\n<b>What is to be delivered?</b> Describe "
        f"the extra work (up to {limit} characters)."
    )


MS_DESCRIPTION_REASK = "Please describe the milestone in a text message."


def ms_amount_ask(money: Currency) -> str:
    return f"<b>How much</b> is this milestone? Send an amount in {money.unit}, for example 150."


def ms_amount_reask(money: Currency) -> str:
    return f"Send the amount as a number in {money.unit}, for example {money.example}."


def ms_due_ask(limit: int) -> str:
    return (
        f"<b>Due in how many days?</b> Send a number from 1 to {limit}, or tap Skip for no "
        "due date."
    )


def ms_due_reask(limit: int) -> str:
    return f"Send a number of days from 1 to {limit}, or tap Skip."


def ms_confirm(
    request: bool, description: str, amount: str, due: datetime | None, badge: str
) -> str:
    title = "Request this milestone?" if request else "Create this milestone?"
    due_line = f"Due: {day(due)}" if due else "Due: no date"
    after = (
        "The employer will be asked to accept it."
        if request
        else "Next you fund it: the money is held in escrow until you release it."
    )
    return (
        f"<b>{title}</b>\n\n{e(description)}\n\nAmount: <b>{amount}</b>\n{due_line}\n\n{after}"
        + sandbox_note(badge)
    )


def ms_created(description: str, amount: str, badge: str) -> str:
    return (
        f"✅ Milestone {quoted(description)} for {amount} created. Fund it so the freelancer can "
        "start: the money is held in escrow until you release it." + sandbox_note(badge)
    )


def ms_requested(description: str, amount: str, badge: str) -> str:
    return (
        f"✅ Milestone {quoted(description)} for {amount} requested. The employer has been asked "
        "to accept it." + sandbox_note(badge)
    )


def request_accepted_reply(description: str, amount: str, badge: str) -> str:
    return (
        f"✅ Accepted {quoted(description)} for {amount}. Fund it so the work can start."
        + sandbox_note(badge)
    )


def request_rejected_reply(description: str) -> str:
    return f"The request {quoted(description)} was rejected; the freelancer has been told."


def deliver_note_ask(description: str, limit: int) -> str:
    return (
        f"📦 Delivering {quoted(description)}.\n<b>What are you delivering?</b> Write a note for "
        f"the employer (up to {limit} characters): what was done, links, how to check it."
    )


DELIVER_NOTE_REASK = "Please write the delivery note as a text message."


def deliver_files_ask(limit: int) -> str:
    return files_ask("Any <b>files</b> to deliver (the work itself, screenshots)?", limit)


def deliver_files_full(limit: int) -> str:
    return f"📎 {limit} files are attached, the most there can be: tap <b>Done</b>."


def _protection(protected: bool) -> str:
    if protected:
        return (
            "🔒 <b>Protected preview</b>: the employer sees the note and files but cannot "
            "forward or save them until money is released for this milestone; then they get "
            "them in full."
        )
    return "🔓 <b>Handed over in full</b>: the employer can forward and save them at once."


def deliver_confirm(description: str, note: str, files: Sequence[str], protected: bool) -> str:
    listing = "\n".join(f"📎 {e(clip(name, 60))}" for name in files) if files else "No files."
    return (
        f"<b>Deliver {quoted(description)}?</b>\n\n<b>Note:</b>\n{e(note)}\n\n{listing}\n\n"
        f"{_protection(protected)}\n\nThe employer will be asked to release the money."
    )


def delivered(description: str, auto_release_at: datetime | None, protected: bool) -> str:
    auto = (
        f" If they do not answer, the money is released to you automatically on "
        f"{when(auto_release_at)}."
        if auto_release_at
        else ""
    )
    kept = " They got a protected preview until they pay." if protected else ""
    return (
        f"📦 Delivered {quoted(description)}. The employer has been asked to release it, ask "
        f"for changes or open a dispute.{auto}{kept}"
    )


def changes_ask(description: str, limit: int, left: int, included: int) -> str:
    last = " It is the last one: after it, more work is a new milestone." if left == 1 else ""
    return (
        f"✏️ What should change in {quoted(description)}? Name it: the freelancer sees "
        f"exactly this (up to {limit} characters). The automatic release is paused until they "
        f"deliver again.\n\nThis uses revision round {included - left + 1} of {included}.{last}"
    )


CHANGES_REASK = "Please write what should change as a text message."


def changes_confirm(description: str, note: str) -> str:
    return f"<b>Ask for changes to {quoted(description)}?</b>\n\n{e(note)}"


def changes_sent(description: str) -> str:
    return f"✏️ Changes requested for {quoted(description)}. The freelancer has been told."


def cancel_confirm(description: str, status: MilestoneStatus, escrow: str, badge: str) -> str:
    return _cancel_confirm(description, status, escrow) + sandbox_note(badge)


def _cancel_confirm(description: str, status: MilestoneStatus, escrow: str) -> str:
    if status in (MilestoneStatus.FUNDED, MilestoneStatus.DELIVERED):
        return (
            f"<b>Cancel {quoted(description)}?</b>\n\nThe {escrow} held in escrow goes back to "
            "the employer. This cannot be undone."
        )
    if status is MilestoneStatus.REQUESTED:
        return f"<b>Withdraw your request {quoted(description)}?</b>"
    return f"<b>Cancel {quoted(description)}?</b> It was never funded; nothing is refunded."


def cancelled(description: str, refunded: str | None, badge: str) -> str:
    back = f" {refunded} went back to the employer." if refunded else ""
    return f"✖ {quoted(description)} is cancelled.{back}" + sandbox_note(badge if refunded else "")


def alert_created(
    project: str, description: str, amount: str, due: datetime | None, badge: str
) -> str:
    due_line = f" Due {day(due)}." if due else ""
    return (
        f"➕ New milestone on <b>{e(clip(project, 80))}</b>: {quoted(description)} for {amount}."
        f"{due_line}\nThe employer will fund it; start once it is funded." + sandbox_note(badge)
    )


def alert_requested(
    project: str, freelancer: str, description: str, amount: str, badge: str
) -> str:
    return (
        f"📝 <b>{e(freelancer)}</b> requests a milestone on <b>{e(clip(project, 80))}</b>:\n"
        f"{quoted(description, 300)} for <b>{amount}</b>." + sandbox_note(badge)
    )


def alert_request_accepted(description: str, amount: str, badge: str) -> str:
    return (
        f"✅ Your milestone request {quoted(description)} for {amount} was accepted. "
        "Start once it is funded." + sandbox_note(badge)
    )


def alert_request_rejected(description: str, reason: str | None) -> str:
    why = f"\nReason: {e(reason)}" if reason else ""
    return f"✖ Your milestone request {quoted(description)} was rejected.{why}"


def alert_funded(project: str, description: str, amount: str, badge: str) -> str:
    return (
        f"🔒 <b>Funded:</b> {quoted(description)} on <b>{e(clip(project, 80))}</b> — {amount} "
        "is held in escrow. You can start; deliver when done." + sandbox_note(badge)
    )


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
    attached = f"\n📎 {files} file{'s' if files != 1 else ''} below." if files else ""
    auto = (
        f"\n\n⏰ If you do nothing, the {escrow} is released automatically on "
        f"<b>{when(auto_release_at)}</b>."
        if auto_release_at
        else ""
    )
    preview = (
        "\n\n🔒 <b>Preview</b>: this note and the files are protected (no forwarding or "
        "saving) until you release the payment; then they are sent to you again in full."
        if protected
        else ""
    )
    changes = (
        f"ask for changes ({rounds_left} revision round{'s' if rounds_left != 1 else ''} left)"
        if rounds_left
        else "pay for more work as a new milestone (the included revision rounds are used)"
    )
    return (
        f"📦 <b>{e(freelancer)} delivered</b> {quoted(description)} on "
        f"<b>{e(clip(project, 80))}</b>.\n\n<b>Note:</b>\n{e(clip(note, 2500))}{attached}"
        f"{preview}\n\nRelease the money, {changes}, or open a dispute naming what is missing."
        + auto
        + sandbox_note(badge)
    )


def delivered_file_caption(n: int, total: int, description: str, protected: bool) -> str:
    mark = "🔒 Preview · " if protected else "📎 "
    return f"{mark}File {n} of {total} for {quoted(description, 60)}"


def alert_handed_over(description: str, note: str, files: int) -> str:
    attached = (
        f"\n📎 {files} file{'s' if files != 1 else ''} below, yours to keep." if files else ""
    )
    return (
        f"🔓 <b>Paid: the delivery of {quoted(description)} is yours in full.</b> Here it is "
        f"again without protection, to forward and save.\n\n<b>Note:</b>\n"
        f"{e(clip(note, 2500))}{attached}"
    )


def handed_over_file_caption(n: int, total: int, description: str) -> str:
    return f"🔓 File {n} of {total} for {quoted(description, 60)}, in full"


def alert_changes(description: str, note: str, left: int) -> str:
    after = (
        f"{left} more revision round{'s' if left != 1 else ''} after this one."
        if left
        else "That was the last included revision round."
    )
    return (
        f"✏️ The employer asked for changes to {quoted(description)}:\n\n{e(clip(note, 3000))}\n\n"
        f"Deliver again when ready: the review window starts afresh. {after}"
    )


def alert_released(description: str, amount: str, fee: str, net: str, badge: str) -> str:
    return (
        f"💰 <b>{net}</b> released to you for {quoted(description)} ({amount} less the platform "
        f"fee {fee}). It is on your balance: /balance" + sandbox_note(badge)
    )


def alert_auto_released(
    description: str, amount: str, fee: str, net: str, freelancer: bool, badge: str
) -> str:
    if freelancer:
        return (
            f"⏰ The review window ended, so {quoted(description)} was released automatically: "
            f"<b>{net}</b> is on your balance ({amount} less the fee {fee})." + sandbox_note(badge)
        )
    return (
        f"⏰ You did not answer the delivery of {quoted(description)} in time, so {amount} was "
        "released to the freelancer automatically." + sandbox_note(badge)
    )


def alert_cancelled(description: str, by_freelancer: bool, refunded: str | None, badge: str) -> str:
    who = "The freelancer" if by_freelancer else "The employer"
    back = f" The {refunded} held in escrow was refunded to you (/balance)." if refunded else ""
    note = sandbox_note(badge if refunded else "")
    return f"✖ {who} cancelled the milestone {quoted(description)}.{back}{note}"


MESSAGE_EMPLOYER = "💬 Message the employer"


MESSAGE_FREELANCER = "💬 Message the freelancer"


def _in(hours: int) -> str:
    """A rough distance in time: "in about 5 hours", "in about 2 days"."""
    if hours < 48:
        return f"in about {hours} hour{'s' if hours != 1 else ''}"
    return f"in about {round(hours / 24)} days"


def alert_due_soon(project: str, description: str, due_at: datetime, hours: int) -> str:
    return (
        f"⏰ {quoted(description)} on <b>{e(clip(project, 80))}</b> is due "
        f"<b>{when(due_at)}</b> ({_in(hours)}). Deliver it when it is ready."
    )


def alert_due_now(project: str, description: str, due_at: datetime) -> str:
    return (
        f"⏰ {quoted(description)} on <b>{e(clip(project, 80))}</b> is due now "
        f"({when(due_at)}). Deliver it, or tell the employer when it will be ready."
    )


def alert_overdue(
    project: str,
    description: str,
    due_at: datetime,
    other: str,
    to_freelancer: bool,
    last: bool,
) -> str:
    head = f"⚠️ {quoted(description)} on <b>{e(clip(project, 80))}</b> was due {when(due_at)}"
    if to_freelancer:
        body = (
            f"{head} and is not delivered yet. Deliver it as soon as you can, or agree a new "
            f"plan with {e(other)}."
        )
    else:
        body = (
            f"{head}, and {e(other)} has not delivered it yet. The money stays in escrow. "
            f"Ask {e(other)} about it; if the work will not come, they can cancel the "
            "milestone (refunding you), or you can open a dispute."
        )
    return body + ("\n\nThis is the last reminder about it." if last else "")


def alert_auto_release_soon(
    project: str,
    freelancer: str,
    description: str,
    escrow: str,
    auto_release_at: datetime,
    hours: int,
    badge: str,
) -> str:
    return (
        f"⏳ {e(freelancer)}'s delivery of {quoted(description)} on "
        f"<b>{e(clip(project, 80))}</b> is waiting for your answer.\n\n"
        f"If you do nothing, the {escrow} is released to {e(freelancer)} automatically on "
        f"<b>{when(auto_release_at)}</b> ({_in(hours)}). Release it now, or ask for changes."
        + sandbox_note(badge)
    )
