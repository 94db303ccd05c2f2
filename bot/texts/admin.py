"""The admin panel: figures, the disputes and payouts queues, a dispute's record, bans.

Admins may see usernames and ids; nothing here is ever shown to anyone else. Worded
through the catalogues (``bot.i18n``), so each text is read in its reader's language.
"""

from __future__ import annotations

from bot.i18n import _, counted, phrase
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
    split,
    when,
)
from bot.texts.messages import FILE_KINDS, flagged
from bot.texts.milestones import history_kind, milestone_status
from bot.texts.projects import statuses as project_statuses
from core.money import Currency, release_fee
from core.services.admin import PlatformFigures
from core.services.disputes import DisputeRecord
from storage.enums import DisputeStatus, PartyRole, PayoutStatus
from storage.models import Dispute, Message, MilestoneEvent, Payout, Project, User

# --- buttons -------------------------------------------------------------------------


disputes_queue_button = phrase("⚖️ Disputes queue")

payouts_queue_button = phrase("💸 Payouts queue")

ban_unban = phrase("🚫 Ban / unban")

refresh = phrase("🔄 Refresh")

panel_button = phrase("« Admin panel")

queue_button = phrase("« Disputes queue")

previous_page = phrase("‹ Previous")

next_page = phrase("Next ›")

open_record = phrase("🛡 Open the record")

release_all = phrase("✅ Release all")

refund_all = phrase("↩️ Refund all")

split_button = phrase("➗ Split")

confirm_button = phrase("✅ Confirm the verdict")

more_files_button = phrase("📎 More files")

mark_paid_no_note = phrase("✅ Mark paid without a note")

ban_button = phrase("🚫 Ban")

unban_button = phrase("✅ Unban")


def files_button(count: int) -> str:
    return _("📎 Files ({count})").format(count=count)


def paid_button(payout_id: int) -> str:
    return _("✅ Paid #{id}").format(id=payout_id)


def reject_button(payout_id: int) -> str:
    return _("❌ Reject #{id}").format(id=payout_id)


def dispute_button(dispute: Dispute, title: str) -> str:
    return f"#{dispute.id} · {title}"


# --- who is who (admins only) ----------------------------------------------------------


def who(user: User) -> str:
    """A person as an admin sees them: name, @username, bidgram id."""
    handle = f" @{e(user.username)}" if user.username else ""
    return f"{e(user.display_name)}{handle} (#{user.id})"


def file_kind(kind: str | None) -> str:
    """What a file is, in a word: a document, a photo..."""
    if not kind:
        return _("file")
    found = FILE_KINDS.get(kind)
    return found() if found else e(kind)


# --- the panel -----------------------------------------------------------------------


def panel(f: PlatformFigures, money: Currency) -> str:
    return _(
        "🛡 <b>Admin panel</b>\n"
        "\n"
        "Users: <b>{users}</b>\n"
        "Open projects: <b>{open}</b>\n"
        "Projects in progress: <b>{in_progress}</b>\n"
        "Money in escrow: <b>{escrow}</b>\n"
        "Fees earned: <b>{fees}</b>\n"
        "Disputes in arbitration: <b>{disputes}</b>\n"
        "Payouts waiting: <b>{payouts}</b>"
    ).format(
        users=f.users,
        open=f.open_projects,
        in_progress=f.in_progress_projects,
        escrow=money.format(f.escrow),
        fees=money.format(f.fees),
        disputes=f.disputes_in_arbitration,
        payouts=f.payouts_requested,
    )


def disputes_queue(rows: list[tuple[Dispute, Project, int]], page: int, money: Currency) -> str:
    if not rows:
        return _("⚖️ <b>Disputes queue</b>\n\nNo dispute is waiting for an arbiter.")
    lines = [_("⚖️ <b>Disputes waiting for an arbiter</b> · page {page}").format(page=page + 1), ""]
    for dispute, project, escrow in rows:
        since = when(dispute.escalated_at) if dispute.escalated_at else "—"
        lines.append(
            _("#{id} · {title} · {amount} held · escalated {since}").format(
                id=dispute.id,
                title=e(clip(project.title, 60)),
                amount=money.format(escrow),
                since=since,
            )
        )
    return "\n".join(lines)


def payouts_queue(rows: list[tuple[Payout, User]], page: int, money: Currency) -> str:
    if not rows:
        return _("💸 <b>Payouts queue</b>\n\nNo payout is waiting.")
    lines = [_("💸 <b>Payouts waiting</b> · page {page}").format(page=page + 1), ""]
    for payout, user in rows:
        lines += [
            _(
                "<b>#{id}</b> · {amount} to {person}\n"
                "To: <code>{destination}</code>\n"
                "Requested {when}"
            ).format(
                id=payout.id,
                amount=money.format(payout.amount),
                person=who(user),
                destination=e(payout.destination),
                when=when(payout.requested_at),
            ),
            "",
        ]
    return "\n".join(lines).rstrip()


# --- a dispute's whole record ----------------------------------------------------------


def record(
    rec: DisputeRecord, v: DisputeView, people: dict[int, User], money: Currency, fee_bps: int
) -> str:
    """Everything about a dispute in one text, for ``render.pages``: one fact per line."""
    d, m, c, p = rec.dispute, rec.milestone, rec.contract, rec.project
    none = _("none")

    def name(user_id: int | None) -> str:
        if user_id is None:
            return _("bidgram (timer)")
        user = people.get(user_id)
        return who(user) if user else f"#{user_id}"

    if d.filer_role is PartyRole.EMPLOYER:
        filed = _("Filed {when} by {name}, the employer")
    else:
        filed = _("Filed {when} by {name}, the freelancer")
    lines = [
        _("🛡 <b>Dispute #{id}</b> · {status}").format(id=d.id, status=dispute_status(d.status)),
        filed.format(when=when(d.created_at), name=name(d.filed_by_id)),
        _("Against {name}").format(name=name(d.respondent_id)),
        claim(v, money, role=False),
        _("Held in escrow now: <b>{amount}</b>").format(amount=money.format(m.escrow)),
        delivered_line(rec.deliveries),
    ]
    if d.deliverables:
        lines.append(named(d.deliverables))
    lines.append(_("<b>Reason:</b> {reason}").format(reason=e(d.reason)))
    if d.response:
        lines.append(
            _("<b>Response</b> ({when}): {response}").format(
                when=when(d.responded_at or d.created_at), response=e(d.response)
            )
        )
    elif d.status is DisputeStatus.ARBITRATION and d.escalated_by_id is None:
        lines.append(
            _("<b>No response:</b> {name} did not answer in time").format(
                name=name(d.respondent_id)
            )
        )
    if d.status is DisputeStatus.RESOLVED:
        lines.append(_("<b>Resolved:</b> {how}").format(how=how(v)))
    lines += ["", _("<b>Offers</b>")]
    lines += [
        _("{when} · {name}: {amount} to the freelancer · {status}").format(
            when=when(o.created_at),
            name=name(o.by_user_id),
            amount=money.format(o.release_amount),
            status=offer_status(o.status),
        )
        for o in rec.offers
    ] or [none]
    lines += ["", terms(c.deliverables, c.revision_rounds, c.deadline_at, used=m.revisions_used)]
    lines += ["", _("<b>Deliveries</b> ({count})").format(count=len(rec.deliveries))]
    lines += [delivery_line(ev) for ev in rec.deliveries] or [none]
    lines += [
        "",
        _("<b>Change requests</b> ({count} of {rounds})").format(
            count=len(rec.change_requests), rounds=c.revision_rounds
        ),
    ]
    lines += [f"{when(ev.created_at)}: {e(ev.note or '')}" for ev in rec.change_requests] or [none]
    lines += ["", _("<b>Evidence</b> ({count})").format(count=len(rec.evidence))]
    lines += [
        f"{when(x.created_at)} · {name(x.author_id)} · {file_kind(x.file_kind)} "
        f"{evidence_stage(x.stage)}" + (f": {e(x.caption)}" if x.caption else "")
        for x in rec.evidence
    ] or [none]
    if rec.earlier:
        lines += ["", _("<b>Earlier disputes of this milestone</b>")]
        lines += [
            " · ".join(
                [
                    _("#{id} · {status} · filed {when} by {name}").format(
                        id=x.id,
                        status=dispute_status(x.status),
                        when=when(x.created_at),
                        name=name(x.filed_by_id),
                    ),
                    *(
                        [
                            _("named: {deliverables}").format(
                                deliverables=e(", ".join(x.deliverables))
                            )
                        ]
                        if x.deliverables
                        else []
                    ),
                    e(clip(x.reason, 200)),
                ]
            )
            for x in rec.earlier
        ]
    agreed = _(
        "Agreed {amount} in {days} day · started {started} · deadline {deadline}",
        "Agreed {amount} in {days} days · started {started} · deadline {deadline}",
        c.delivery_days,
    )
    bid = _(
        "<b>Bid:</b> {amount}, {days} day",
        "<b>Bid:</b> {amount}, {days} days",
        rec.bid.delivery_days if rec.bid is not None else 0,
    )
    lines += [
        "",
        _("<b>Project #{id}:</b> {title} ({status})").format(
            id=p.id, title=e(p.title), status=project_statuses()[p.status]
        ),
        _("Budget {low}–{high}").format(
            low=money.format(p.budget_min), high=money.format(p.budget_max)
        ),
        e(p.description),
        "",
        _("<b>Contract #{id}</b>: employer {employer}, freelancer {freelancer}").format(
            id=c.id, employer=name(c.employer_id), freelancer=name(c.freelancer_id)
        ),
        agreed.format(
            amount=money.format(c.agreed_amount),
            days=c.delivery_days,
            started=when(c.started_at),
            deadline=when(c.deadline_at),
        ),
    ]
    if rec.bid is not None:
        lines += [
            bid.format(amount=money.format(rec.bid.amount), days=rec.bid.delivery_days),
            e(rec.bid.proposal),
        ]
    lines += ["", _("<b>Milestones</b>")]
    lines += [
        _(
            "#{id} {description} · {amount} · {status} · funded {funded}, released "
            "{released}, refunded {refunded}"
        ).format(
            id=ms.id,
            description=e(clip(ms.description, 80)),
            amount=money.format(ms.amount),
            status=milestone_status(ms),
            funded=money.format(ms.funded_amount),
            released=money.format(ms.released_amount),
            refunded=money.format(ms.refunded_amount),
        )
        + (" " + _("← disputed") if ms.id == m.id else "")
        for ms in rec.milestones
    ]
    lines += [
        "",
        _("<b>History of milestone #{id}</b> ({description})").format(
            id=m.id, description=e(m.description)
        ),
    ]
    for event in rec.history:
        amount = f" {money.format(event.amount)}" if event.amount is not None else ""
        files = " · " + files_count(len(event.file_ids)) if event.file_ids else ""
        note = f": {e(event.note)}" if event.note else ""
        lines.append(
            f"{when(event.created_at)} · {name(event.actor_id)} · "
            f"{history_kind(event.kind)}{amount}{files}{note}"
        )
    lines += ["", _("<b>Messages between them</b> ({count})").format(count=len(rec.messages))]
    lines += [message_line(msg, name(msg.sender_id)) for msg in rec.messages] or [none]
    return "\n".join(lines)


files_count = counted("📎 {count} file", "📎 {count} files")


def delivery_line(delivery: MilestoneEvent) -> str:
    """One delivery in the record: when, how many files, its note."""
    count = len(delivery.file_ids)
    if delivery.protected:
        text = _(
            "{when} · {count} file · protected preview: {note}",
            "{when} · {count} files · protected preview: {note}",
            count,
        )
    else:
        text = _("{when} · {count} file: {note}", "{when} · {count} files: {note}", count)
    return text.format(when=when(delivery.created_at), count=count, note=e(delivery.note or ""))


def delivered_line(deliveries: list[MilestoneEvent]) -> str:
    """Whether the work was delivered: what an admin deciding a silent side's case needs."""
    if not deliveries:
        return _("📦 Work delivered: <b>no</b>")
    count = len(deliveries)
    first, last = when(deliveries[0].created_at), when(deliveries[-1].created_at)
    once = _(
        "📦 Work delivered: <b>yes</b>, {count} time, first {first}",
        "📦 Work delivered: <b>yes</b>, {count} times, first {first}",
        count,
    )
    again = _(
        "📦 Work delivered: <b>yes</b>, {count} time, first {first}, last {last}",
        "📦 Work delivered: <b>yes</b>, {count} times, first {first}, last {last}",
        count,
    )
    if count == 1:
        return once.format(count=count, first=first)
    return again.format(count=count, first=first, last=last)


def message_line(message: Message, sender: str) -> str:
    file = f"📎 {file_kind(message.file_kind)} " if message.file_id else ""
    return f"{when(message.created_at)} · {sender}: {file}{e(message.text)}{flagged(message.flags)}"


def record_page(dispute_id: int, page: int, pages: int, body: str) -> str:
    head = _("<i>Record of dispute #{id} · page {page} of {pages}</i>").format(
        id=dispute_id, page=page + 1, pages=pages
    )
    return f"{head}\n\n{body}"


def delivery_file(sender: str, when_: str) -> str:
    return _("📎 Delivered by {sender} · {when}").format(sender=e(sender), when=when_)


def message_file(sender: str, when_: str) -> str:
    return _("📎 Sent by {sender} in their messages · {when}").format(sender=e(sender), when=when_)


def evidence_file(sender: str, when_: str) -> str:
    return _("📎 Evidence from {sender} · {when}").format(sender=e(sender), when=when_)


more_files = counted("{count} more file in this record.", "{count} more files in this record.")

no_files = phrase("This record has no files.")


# --- verdicts ------------------------------------------------------------------------


def ask_split(dispute_id: int, escrow: int, money: Currency) -> str:
    return _(
        "➗ <b>Split dispute #{id}</b>\n\n"
        "How much of {escrow} goes <b>to the freelancer</b>? The rest is refunded to the "
        "employer. Send an amount in {unit}, like {example}."
    ).format(id=dispute_id, escrow=money.format(escrow), unit=money.unit, example=money.example)


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
        _("🛡 <b>Verdict on dispute #{id}</b>").format(id=dispute_id),
        "",
        split(release, escrow, money, fee_bps, released=released, fee_taken=fee_taken),
    ]
    if fee_bps and release:
        fee = release_fee(release, fee_bps, released=released, fee_taken=fee_taken)
        lines.append(
            _("(platform fee {percent}: {fee})").format(
                percent=percent(fee_bps), fee=money.format(fee)
            )
        )
    lines += [
        "",
        _("<b>Note to both sides:</b> {note}").format(note=e(note))
        if note
        else _("No note. Send one now to explain the decision to both sides (optional)."),
        "",
        _("Both sides are told at once, and the money moves. This cannot be undone."),
    ]
    return "\n".join(lines)


def verdict_done(dispute_id: int, released: int, fee: int, refunded: int, money: Currency) -> str:
    return _(
        "✅ Dispute #{id} resolved. Released {released} (fee {fee}), refunded {refunded}. "
        "Both sides have been told."
    ).format(
        id=dispute_id,
        released=money.format(released),
        fee=money.format(fee),
        refunded=money.format(refunded),
    )


resolved = phrase("Verdict recorded: the money has moved.")

note_not_text = phrase("Please send the note as text, or press a button above.")

confirm_please = phrase("Send a note, press Confirm, or /cancel.")


# --- payouts -------------------------------------------------------------------------


def ask_paid_note(payout: Payout, user: User, money: Currency) -> str:
    return _(
        "✅ <b>Mark payout #{id} as paid</b>: {amount} to {person}\n"
        "To: <code>{destination}</code>\n\n"
        "Send a note for the records (a transfer reference, for example), or press the button."
    ).format(
        id=payout.id,
        amount=money.format(payout.amount),
        person=who(user),
        destination=e(payout.destination),
    )


def ask_reject_reason(payout: Payout, user: User, money: Currency) -> str:
    return _(
        "❌ <b>Reject payout #{id}</b>: {amount} to {person}\n\n"
        "Why? The user is told this reason and the money goes back to their balance."
    ).format(id=payout.id, amount=money.format(payout.amount), person=who(user))


def payout_paid(payout: Payout, money: Currency) -> str:
    return _("✅ Payout #{id} of {amount} marked paid.").format(
        id=payout.id, amount=money.format(payout.amount)
    )


def payout_rejected(payout: Payout, money: Currency) -> str:
    return _(
        "❌ Payout #{id} of {amount} rejected; the money is back on the user's balance."
    ).format(id=payout.id, amount=money.format(payout.amount))


def payout_requested(payout: Payout, user: User, money: Currency) -> str:
    return _(
        "💸 <b>Payout requested</b> #{id}: {amount} to {person}\nTo: <code>{destination}</code>"
    ).format(
        id=payout.id,
        amount=money.format(payout.amount),
        person=who(user),
        destination=e(payout.destination),
    )


def payout_decided(payout: Payout) -> str:
    if payout.status is PayoutStatus.PAID:
        return _("Payout #{id} is already paid.").format(id=payout.id)
    if payout.status is PayoutStatus.REJECTED:
        return _("Payout #{id} is already rejected.").format(id=payout.id)
    return _("Payout #{id} is still waiting.").format(id=payout.id)


reason_not_text = phrase("Please send the reason as text (or /cancel).")


# --- bans ----------------------------------------------------------------------------


ask_who = phrase(
    "🚫 <b>Ban or unban</b>\n\nSend the person's bidgram id (like 123 or #123, shown in the "
    "queues) or their @username."
)

who_not_text = phrase("Please send an id like 123 or a @username as text (or /cancel).")


def user_card(user: User) -> str:
    lines = [
        f"👤 {who(user)}",
        _("Telegram id: <code>{id}</code>").format(id=user.telegram_id),
        _("Joined {when}").format(when=when(user.created_at)),
    ]
    if user.is_banned:
        if user.banned_at:
            state = _("🚫 <b>Suspended</b> since {when}").format(when=when(user.banned_at))
        else:
            state = _("🚫 <b>Suspended</b>")
        reason = f": {e(user.ban_reason)}" if user.ban_reason else ""
        lines.append(f"{state}{reason}")
    else:
        lines.append(_("Active"))
    return "\n".join(lines)


def ask_ban_reason(user: User) -> str:
    return _(
        "🚫 <b>Ban {person}</b>\n\nWhy? They are told this reason; everything they try "
        "afterwards is refused until they are unbanned."
    ).format(person=who(user))


def banned(user: User) -> str:
    return _("🚫 {person} is suspended and has been told.").format(person=who(user))


def ask_unban_reason(user: User) -> str:
    return _(
        "✅ <b>Unban {person}</b>\n\nWhy? The reason goes on the admins' audit trail; "
        "they are told they can use bidgram again."
    ).format(person=who(user))


unban_no_reason = phrase("✅ Unban without a reason")

already_banned = phrase("This person is already suspended.")

not_banned = phrase("This person is not suspended.")

unbanned_answer = phrase("Unbanned.")


def unbanned(user: User) -> str:
    return _("✅ {person} can use bidgram again and has been told.").format(person=who(user))


# --- alerts to the person concerned ------------------------------------------------------


def you_are_banned(reason: str | None) -> str:
    text = _(
        "🚫 Your bidgram account has been suspended by an administrator. Until it is "
        "restored, bidgram will not act on your messages or buttons."
    )
    if reason:
        text += "\n\n" + _("Reason: {reason}").format(reason=e(reason))
    return text


you_are_unbanned = phrase("✅ Your bidgram account is active again. Welcome back: /start")
