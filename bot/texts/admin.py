"""The admin panel: figures, the disputes and payouts queues, a dispute's record, bans.

Admins may see usernames and ids; nothing here is ever shown to anyone else.
"""

from __future__ import annotations

from bot.render import clip, e
from bot.texts.awards import terms
from bot.texts.disputes import (
    DisputeView,
    claim,
    dispute_status,
    evidence_stage,
    how,
    named,
    offer_status,
    percent,
    role_name,
    split,
    when,
)
from bot.texts.messages import flagged
from bot.texts.milestones import history_kind, milestone_status
from bot.texts.projects import statuses as project_statuses
from core.money import Currency, release_fee
from core.services.admin import PlatformFigures
from core.services.disputes import DisputeRecord
from storage.enums import DisputeStatus
from storage.models import Dispute, Message, MilestoneEvent, Payout, Project, User

# --- buttons -------------------------------------------------------------------------

DISPUTES_QUEUE = "⚖️ Disputes queue"
PAYOUTS_QUEUE = "💸 Payouts queue"
BAN_UNBAN = "🚫 Ban / unban"
REFRESH = "🔄 Refresh"
PANEL = "« Admin panel"
QUEUE = "« Disputes queue"
PREVIOUS = "‹ Previous"
NEXT = "Next ›"
OPEN_RECORD = "🛡 Open the record"
RELEASE_ALL = "✅ Release all"
REFUND_ALL = "↩️ Refund all"
SPLIT = "➗ Split"
CONFIRM = "✅ Confirm the verdict"
MORE_FILES = "📎 More files"
MARK_PAID_NO_NOTE = "✅ Mark paid without a note"
BAN = "🚫 Ban"
UNBAN = "✅ Unban"


def files_button(count: int) -> str:
    return f"📎 Files ({count})"


def paid_button(payout_id: int) -> str:
    return f"✅ Paid #{payout_id}"


def reject_button(payout_id: int) -> str:
    return f"❌ Reject #{payout_id}"


def dispute_button(dispute: Dispute, title: str) -> str:
    return f"#{dispute.id} · {title}"


# --- who is who (admins only) ----------------------------------------------------------


def who(user: User) -> str:
    """A person as an admin sees them: name, @username, bidgram id."""
    handle = f" @{e(user.username)}" if user.username else ""
    return f"{e(user.display_name)}{handle} (#{user.id})"


# --- the panel -----------------------------------------------------------------------


def panel(f: PlatformFigures, money: Currency) -> str:
    return "\n".join(
        [
            "🛡 <b>Admin panel</b>",
            "",
            f"Users: <b>{f.users}</b>",
            f"Open projects: <b>{f.open_projects}</b>",
            f"Projects in progress: <b>{f.in_progress_projects}</b>",
            f"Money in escrow: <b>{money.format(f.escrow)}</b>",
            f"Fees earned: <b>{money.format(f.fees)}</b>",
            f"Disputes in arbitration: <b>{f.disputes_in_arbitration}</b>",
            f"Payouts waiting: <b>{f.payouts_requested}</b>",
        ]
    )


def disputes_queue(rows: list[tuple[Dispute, Project, int]], page: int, money: Currency) -> str:
    if not rows:
        return "⚖️ <b>Disputes queue</b>\n\nNo dispute is waiting for an arbiter."
    lines = [f"⚖️ <b>Disputes waiting for an arbiter</b> · page {page + 1}", ""]
    for dispute, project, escrow in rows:
        since = when(dispute.escalated_at) if dispute.escalated_at else "—"
        lines.append(
            f"#{dispute.id} · {e(clip(project.title, 60))} · {money.format(escrow)} held · "
            f"escalated {since}"
        )
    return "\n".join(lines)


def payouts_queue(rows: list[tuple[Payout, User]], page: int, money: Currency) -> str:
    if not rows:
        return "💸 <b>Payouts queue</b>\n\nNo payout is waiting."
    lines = [f"💸 <b>Payouts waiting</b> · page {page + 1}", ""]
    for payout, user in rows:
        lines += [
            f"<b>#{payout.id}</b> · {money.format(payout.amount)} to {who(user)}",
            f"To: <code>{e(payout.destination)}</code>",
            f"Requested {when(payout.requested_at)}",
            "",
        ]
    return "\n".join(lines).rstrip()


# --- a dispute's whole record ----------------------------------------------------------


def record(
    rec: DisputeRecord, v: DisputeView, people: dict[int, User], money: Currency, fee_bps: int
) -> str:
    """Everything about a dispute in one text, for ``render.pages``: one fact per line."""
    d, m, c, p = rec.dispute, rec.milestone, rec.contract, rec.project

    def name(user_id: int | None) -> str:
        if user_id is None:
            return "bidgram (timer)"
        user = people.get(user_id)
        return who(user) if user else f"#{user_id}"

    lines = [
        f"🛡 <b>Dispute #{d.id}</b> · {dispute_status(d.status)}",
        f"Filed {when(d.created_at)} by {name(d.filed_by_id)}, the {role_name(d.filer_role)}",
        f"Against {name(d.respondent_id)}",
        claim(v, money, role=False),
        f"Held in escrow now: <b>{money.format(m.escrow)}</b>",
        delivered_line(rec.deliveries),
    ]
    if d.deliverables:
        lines.append(named(d.deliverables))
    lines.append(f"<b>Reason:</b> {e(d.reason)}")
    if d.response:
        lines.append(f"<b>Response</b> ({when(d.responded_at or d.created_at)}): {e(d.response)}")
    elif d.status is DisputeStatus.ARBITRATION and d.escalated_by_id is None:
        lines.append(f"<b>No response:</b> {name(d.respondent_id)} did not answer in time")
    if d.status is DisputeStatus.RESOLVED:
        lines.append(f"<b>Resolved:</b> {how(v)}")
    lines += ["", "<b>Offers</b>"]
    lines += [
        f"{when(o.created_at)} · {name(o.by_user_id)}: {money.format(o.release_amount)} to the "
        f"freelancer · {offer_status(o.status)}"
        for o in rec.offers
    ] or ["none"]
    lines += ["", terms(c.deliverables, c.revision_rounds, c.deadline_at, used=m.revisions_used)]
    lines += ["", f"<b>Deliveries</b> ({len(rec.deliveries)})"]
    lines += [
        f"{when(ev.created_at)} · {len(ev.file_ids)} file(s)"
        f"{' · protected preview' if ev.protected else ''}: {e(ev.note or '')}"
        for ev in rec.deliveries
    ] or ["none"]
    lines += ["", f"<b>Change requests</b> ({len(rec.change_requests)} of {c.revision_rounds})"]
    lines += [f"{when(ev.created_at)}: {e(ev.note or '')}" for ev in rec.change_requests] or [
        "none"
    ]
    lines += ["", f"<b>Evidence</b> ({len(rec.evidence)})"]
    lines += [
        f"{when(x.created_at)} · {name(x.author_id)} · {x.file_kind} {evidence_stage(x.stage)}"
        + (f": {e(x.caption)}" if x.caption else "")
        for x in rec.evidence
    ] or ["none"]
    if rec.earlier:
        lines += ["", "<b>Earlier disputes of this milestone</b>"]
        lines += [
            f"#{x.id} · {dispute_status(x.status)} · filed {when(x.created_at)} by "
            f"{name(x.filed_by_id)}"
            + (f" · named: {e(', '.join(x.deliverables))}" if x.deliverables else "")
            + f" · {e(clip(x.reason, 200))}"
            for x in rec.earlier
        ]
    lines += [
        "",
        f"<b>Project #{p.id}:</b> {e(p.title)} ({project_statuses()[p.status]})",
        f"Budget {money.format(p.budget_min)}–{money.format(p.budget_max)}",
        e(p.description),
        "",
        f"<b>Contract #{c.id}</b>: employer {name(c.employer_id)}, freelancer "
        f"{name(c.freelancer_id)}",
        f"Agreed {money.format(c.agreed_amount)} in {c.delivery_days} days · started "
        f"{when(c.started_at)} · deadline {when(c.deadline_at)}",
    ]
    if rec.bid is not None:
        lines += [
            f"<b>Bid:</b> {money.format(rec.bid.amount)}, {rec.bid.delivery_days} days",
            e(rec.bid.proposal),
        ]
    lines += ["", "<b>Milestones</b>"]
    lines += [
        f"#{ms.id} {e(clip(ms.description, 80))} · {money.format(ms.amount)} · "
        f"{milestone_status(ms)} · funded {money.format(ms.funded_amount)}, released "
        f"{money.format(ms.released_amount)}, refunded {money.format(ms.refunded_amount)}"
        + (" ← disputed" if ms.id == m.id else "")
        for ms in rec.milestones
    ]
    lines += ["", f"<b>History of milestone #{m.id}</b> ({e(m.description)})"]
    for event in rec.history:
        amount = f" {money.format(event.amount)}" if event.amount is not None else ""
        files = f" · 📎 {len(event.file_ids)} file(s)" if event.file_ids else ""
        note = f": {e(event.note)}" if event.note else ""
        lines.append(
            f"{when(event.created_at)} · {name(event.actor_id)} · "
            f"{history_kind(event.kind)}{amount}{files}{note}"
        )
    lines += ["", f"<b>Messages between them</b> ({len(rec.messages)})"]
    lines += [message_line(msg, name(msg.sender_id)) for msg in rec.messages] or ["none"]
    return "\n".join(lines)


def delivered_line(deliveries: list[MilestoneEvent]) -> str:
    """Whether the work was delivered: what an admin deciding a silent side's case needs."""
    if not deliveries:
        return "📦 Work delivered: <b>no</b>"
    first, last = deliveries[0].created_at, deliveries[-1].created_at
    again = f", last {when(last)}" if len(deliveries) > 1 else ""
    return f"📦 Work delivered: <b>yes</b>, {len(deliveries)} time(s), first {when(first)}{again}"


def message_line(message: Message, sender: str) -> str:
    file = f"📎 {message.file_kind or 'file'} " if message.file_id else ""
    return f"{when(message.created_at)} · {sender}: {file}{e(message.text)}{flagged(message.flags)}"


def record_page(dispute_id: int, page: int, pages: int, body: str) -> str:
    return f"<i>Record of dispute #{dispute_id} · page {page + 1} of {pages}</i>\n\n{body}"


def delivery_file(sender: str, when_: str) -> str:
    return f"📎 Delivered by {e(sender)} · {when_}"


def message_file(sender: str, when_: str) -> str:
    return f"📎 Sent by {e(sender)} in their messages · {when_}"


def evidence_file(sender: str, when_: str) -> str:
    return f"📎 Evidence from {e(sender)} · {when_}"


def more_files(left: int) -> str:
    return f"{left} more file(s) in this record."


NO_FILES = "This record has no files."


# --- verdicts ------------------------------------------------------------------------


def ask_split(dispute_id: int, escrow: int, money: Currency) -> str:
    return (
        f"➗ <b>Split dispute #{dispute_id}</b>\n\n"
        f"How much of {money.format(escrow)} goes <b>to the freelancer</b>? The rest is "
        f"refunded to the employer. Send an amount in {money.unit}, like {money.example}."
    )


def confirm_verdict(
    dispute_id: int,
    release: int,
    escrow: int,
    note: str,
    money: Currency,
    fee_bps: int,
    *,
    released: int = 0,
    fee_taken: int = 0,
) -> str:
    """``released``, ``fee_taken``: the milestone's, as for :func:`split`."""
    lines = [
        f"🛡 <b>Verdict on dispute #{dispute_id}</b>",
        "",
        split(release, escrow, money, fee_bps, released=released, fee_taken=fee_taken),
    ]
    if fee_bps and release:
        fee = release_fee(release, fee_bps, released=released, fee_taken=fee_taken)
        lines.append(f"(platform fee {percent(fee_bps)}: {money.format(fee)})")
    lines += [
        "",
        f"<b>Note to both sides:</b> {e(note)}"
        if note
        else "No note. Send one now to explain the decision to both sides (optional).",
        "",
        "Both sides are told at once, and the money moves. This cannot be undone.",
    ]
    return "\n".join(lines)


def verdict_done(dispute_id: int, released: int, fee: int, refunded: int, money: Currency) -> str:
    return (
        f"✅ Dispute #{dispute_id} resolved. Released {money.format(released)} (fee "
        f"{money.format(fee)}), refunded {money.format(refunded)}. Both sides have been told."
    )


RESOLVED = "Verdict recorded: the money has moved."


NOTE_NOT_TEXT = "Please send the note as text, or press a button above."
CONFIRM_PLEASE = "Send a note, press Confirm, or /cancel."

# --- payouts -------------------------------------------------------------------------


def ask_paid_note(payout: Payout, user: User, money: Currency) -> str:
    return (
        f"✅ <b>Mark payout #{payout.id} as paid</b>: {money.format(payout.amount)} to "
        f"{who(user)}\nTo: <code>{e(payout.destination)}</code>\n\n"
        "Send a note for the records (a transfer reference, for example), or press the button."
    )


def ask_reject_reason(payout: Payout, user: User, money: Currency) -> str:
    return (
        f"❌ <b>Reject payout #{payout.id}</b>: {money.format(payout.amount)} to {who(user)}\n\n"
        "Why? The user is told this reason and the money goes back to their balance."
    )


def payout_paid(payout: Payout, money: Currency) -> str:
    return f"✅ Payout #{payout.id} of {money.format(payout.amount)} marked paid."


def payout_rejected(payout: Payout, money: Currency) -> str:
    return (
        f"❌ Payout #{payout.id} of {money.format(payout.amount)} rejected; the money is back "
        "on the user's balance."
    )


def payout_requested(payout: Payout, user: User, money: Currency) -> str:
    return (
        f"💸 <b>Payout requested</b> #{payout.id}: {money.format(payout.amount)} to {who(user)}\n"
        f"To: <code>{e(payout.destination)}</code>"
    )


def payout_decided(payout: Payout) -> str:
    return f"Payout #{payout.id} is already {payout.status.value}."


REASON_NOT_TEXT = "Please send the reason as text (or /cancel)."

# --- bans ----------------------------------------------------------------------------

ASK_WHO = (
    "🚫 <b>Ban or unban</b>\n\nSend the person's bidgram id (like 123 or #123, shown in the "
    "queues) or their @username."
)
WHO_NOT_TEXT = "Please send an id like 123 or a @username as text (or /cancel)."


def user_card(user: User) -> str:
    lines = [
        f"👤 {who(user)}",
        f"Telegram id: <code>{user.telegram_id}</code>",
        f"Joined {when(user.created_at)}",
    ]
    if user.is_banned:
        since = f" since {when(user.banned_at)}" if user.banned_at else ""
        reason = f": {e(user.ban_reason)}" if user.ban_reason else ""
        lines.append(f"🚫 <b>Suspended</b>{since}{reason}")
    else:
        lines.append("Active")
    return "\n".join(lines)


def ask_ban_reason(user: User) -> str:
    return (
        f"🚫 <b>Ban {who(user)}</b>\n\nWhy? They are told this reason; everything they try "
        "afterwards is refused until they are unbanned."
    )


def banned(user: User) -> str:
    return f"🚫 {who(user)} is suspended and has been told."


def ask_unban_reason(user: User) -> str:
    return (
        f"✅ <b>Unban {who(user)}</b>\n\nWhy? The reason goes on the admins' audit trail; "
        "they are told they can use bidgram again."
    )


UNBAN_NO_REASON = "✅ Unban without a reason"
ALREADY_BANNED = "This person is already suspended."
NOT_BANNED = "This person is not suspended."
UNBANNED = "Unbanned."


def unbanned(user: User) -> str:
    return f"✅ {who(user)} can use bidgram again and has been told."


# --- alerts to the person concerned ------------------------------------------------------


def you_are_banned(reason: str | None) -> str:
    why = f"\n\nReason: {e(reason)}" if reason else ""
    return (
        "🚫 Your bidgram account has been suspended by an administrator. Until it is "
        f"restored, bidgram will not act on your messages or buttons.{why}"
    )


YOU_ARE_UNBANNED = "✅ Your bidgram account is active again. Welcome back: /start"
