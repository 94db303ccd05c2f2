"""Reports, mutes and the safety note: what the reporter, the reported person and the
admins read. Admins may see usernames and ids (``admin.who``); nobody else ever does.

Worded through the catalogues (``bot.i18n``): every text is a function, read in the
reader's language when it is called.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import _, phrase
from bot.render import button, clip, e
from bot.texts import labels
from bot.texts.admin import who
from bot.texts.common import shown
from bot.texts.disputes import when
from bot.texts.messages import flag_names, flagged
from core.services.reports import ReportView
from storage.enums import ReportReason, ReportStatus, ReportTarget
from storage.models import Message, Report, User

# --- buttons ---------------------------------------------------------------------------


report = phrase("🚩 Report")

send_report = phrase("🚩 Send report")

mute = phrase("🔇 Mute")

unmute = phrase("🔈 Unmute")

dismiss = phrase("✔ Dismiss")

warn = phrase("⚠️ Warn")

ban = phrase("🚫 Ban")

dismiss_no_note = phrase("✔ Dismiss without a note")

standard_warning = phrase("⚠️ Send the standard warning")

standard_ban = phrase("🚫 Ban with the standard reason")

yes_ban = phrase("🚫 Yes, ban")

back_to_queue = phrase("« Reports")

open_report = phrase("🚩 Open the report")


def reasons() -> dict[ReportReason, str]:
    """What a reporter picks from, in order."""
    return {
        ReportReason.SCAM: _("💸 Asks for money or payment outside escrow"),
        ReportReason.OFF_PLATFORM: _("📵 Pushes to talk or deal outside bidgram"),
        ReportReason.ABUSE: _("😡 Abusive or offensive"),
        ReportReason.SPAM: _("🗑 Spam or fake"),
        ReportReason.OTHER: _("❓ Something else"),
    }


#: A reason in a word or two (the admins' lists).
short_reason = labels(
    {
        ReportReason.SCAM: phrase("scam"),
        ReportReason.OFF_PLATFORM: phrase("off-platform"),
        ReportReason.ABUSE: phrase("abuse"),
        ReportReason.SPAM: phrase("spam"),
        ReportReason.OTHER: phrase("other"),
    }
)


#: What was reported, as a noun on its own (a label, never inside a sentence).
what = labels(
    {
        ReportTarget.MESSAGE: phrase("message"),
        ReportTarget.BID: phrase("bid"),
        ReportTarget.PROJECT: phrase("project"),
        ReportTarget.PROFILE: phrase("profile"),
    }
)


def file_kind(kind: str | None) -> str:
    """A message's file, by its kind ("photo"), in the reader's words."""
    return {
        None: _("file"),
        "document": _("document"),
        "photo": _("photo"),
        "video": _("video"),
        "voice": _("voice message"),
        "audio": _("audio"),
    }.get(kind, kind or _("file"))


def queue_button(open_reports: int) -> str:
    return _("🚩 Reports ({count})").format(count=open_reports)


# --- the person reporting ------------------------------------------------------------------


def ask_reason(kind: ReportTarget, name: str) -> str:
    title = {
        ReportTarget.MESSAGE: _("🚩 <b>Report {name}'s message</b>"),
        ReportTarget.BID: _("🚩 <b>Report {name}'s bid</b>"),
        ReportTarget.PROJECT: _("🚩 <b>Report {name}'s project</b>"),
        ReportTarget.PROFILE: _("🚩 <b>Report {name}'s profile</b>"),
    }[kind]
    return (
        title.format(name=e(name))
        + "\n\n"
        + _(
            "What is wrong? An admin reads the report with what was reported; {name} is not "
            "told who reported it."
        ).format(name=e(name))
    )


reason_as_button = phrase("Choose what is wrong on the buttons above (or /cancel).")

ask_note = phrase(
    "Anything the admin should know? Type a few words, or press <b>Send report</b> to "
    "send it as it is."
)

note_as_text = phrase("Please type the note as text, or press Send report (or /cancel).")

filed = phrase(
    "🚩 Thank you: your report is with the admins. You will hear here what they decide.\n\n"
    "Remember: bidgram never asks you to pay to get paid, and money sent outside escrow "
    "is not protected."
)


# --- the safety note and mutes ---------------------------------------------------------------


safety_note = phrase(
    "🛡 <b>Safety note</b>: bidgram never asks you to pay to get paid; money sent outside "
    "escrow is not protected. Keep payments and talks here, where they are on the record. "
    "If someone pushes you to pay or to move elsewhere, report the message."
)


def muted(name: str) -> str:
    return _(
        "🔇 You muted <b>{name}</b>: their messages and bid alerts no longer reach you. "
        "Their bids stay in your list, and you can still write to them."
    ).format(name=e(name))


def unmuted(name: str) -> str:
    return _("🔈 <b>{name}</b> can write to you again, and their bid alerts reach you.").format(
        name=e(name)
    )


# --- admins ----------------------------------------------------------------------------------


def _subject(report: Report, subject: User, title: str | None) -> str:
    if title:
        return _("{who}: their {what} on «{title}»").format(
            who=who(subject), what=what(report.target_kind), title=e(clip(title, 60))
        )
    return _("{who}: their {what}").format(who=who(subject), what=what(report.target_kind))


def alert_filed(report: Report, subject: User, reporter: User, title: str | None) -> str:
    text = (
        _("🚩 <b>New report #{id}</b> ({reason})").format(
            id=report.id, reason=short_reason(report.reason)
        )
        + "\n"
        + _("About {subject}").format(subject=_subject(report, subject, title))
        + "\n"
        + _("By {who}").format(who=who(reporter))
    )
    if report.flags:
        text += "\n" + _("⚠️ flagged: {flags}").format(flags=e(flag_names(report.flags)))
    return text


def queue(rows: Sequence[tuple[Report, User]], page: int) -> str:
    if not rows:
        return _("🚩 <b>Reports</b>\n\nNo report is waiting.")
    lines = [_("🚩 <b>Reports waiting</b> · page {page}").format(page=page + 1), ""]
    for report, subject in rows:
        lines.append(
            _("#{id} · {reason} · {what} of {who} · {date}").format(
                id=report.id,
                reason=short_reason(report.reason),
                what=what(report.target_kind),
                who=who(subject),
                date=when(report.created_at),
            )
        )
    return "\n".join(lines)


def queue_entry(report: Report, subject: User) -> str:
    name = shown(subject) or _("user")
    return button(f"#{report.id} · {short_reason(report.reason)} · {name}")


def _thread_line(message: Message, names: dict[int, str]) -> str:
    body = e(clip(message.text, 200)) if message.text else ""
    file = f"📎 {file_kind(message.file_kind)} " if message.file_id else ""
    name = e(names.get(message.sender_id, f"#{message.sender_id}"))
    return f"{when(message.created_at)} · {name}: {file}{body}{flagged(message.flags)}"


_as_reported = labels(
    {
        ReportTarget.MESSAGE: phrase("<b>The message as reported</b>"),
        ReportTarget.BID: phrase("<b>The bid as reported</b>"),
        ReportTarget.PROJECT: phrase("<b>The project as reported</b>"),
        ReportTarget.PROFILE: phrase("<b>The profile as reported</b>"),
    }
)


def _heading(r: Report) -> str:
    text = {
        ReportStatus.OPEN: _("🚩 <b>Report #{id}</b> · open · filed {date}"),
        ReportStatus.DISMISSED: _("🚩 <b>Report #{id}</b> · dismissed · filed {date}"),
        ReportStatus.WARNED: _("🚩 <b>Report #{id}</b> · warned · filed {date}"),
        ReportStatus.BANNED: _("🚩 <b>Report #{id}</b> · banned · filed {date}"),
    }[r.status]
    return text.format(id=r.id, date=when(r.created_at))


def screen(v: ReportView) -> str:
    """A report as an admin decides it: what, about whom, by whom, why, and the context."""
    r = v.report
    title = v.project.title if v.project is not None else None
    lines = [
        _heading(r),
        _("<b>About:</b> {subject}").format(subject=_subject(r, v.subject, title)),
        _("<b>By:</b> {who}").format(who=who(v.reporter)),
        _("<b>Reason:</b> {reason}").format(reason=e(reasons()[r.reason])),
    ]
    if r.note:
        lines.append(_("<b>Their note:</b> {note}").format(note=e(r.note)))
    if r.flags:
        lines.append(_("⚠️ <b>Flagged:</b> {flags}").format(flags=e(flag_names(r.flags))))
    lines += ["", _as_reported(r.target_kind), e(clip(r.context, 1800))]
    if v.thread:
        names = {v.subject.id: shown(v.subject), v.reporter.id: shown(v.reporter)}
        lines += ["", _("<b>The conversation up to it</b>")]
        lines += [_thread_line(m, names) for m in v.thread]
    earlier = v.earlier
    counts = {
        "open": earlier[ReportStatus.OPEN],
        "dismissed": earlier[ReportStatus.DISMISSED],
        "warned": earlier[ReportStatus.WARNED],
        "banned": earlier[ReportStatus.BANNED],
    }
    if shown(v.subject):
        history = _(
            "<b>Reports about {name}:</b> {open} open, {dismissed} dismissed, {warned} warned, "
            "{banned} banned"
        ).format(name=e(shown(v.subject)), **counts)
    else:
        history = _(
            "<b>Reports about them:</b> {open} open, {dismissed} dismissed, {warned} warned, "
            "{banned} banned"
        ).format(**counts)
    if v.subject.is_banned:
        history += " · " + _("🚫 suspended now")
    lines += ["", history]
    if r.status is not ReportStatus.OPEN and r.decision_note:
        lines.append(_("<b>Decision note:</b> {note}").format(note=e(r.decision_note)))
    return "\n".join(lines)


def ask_dismissal(report: Report, subject: User) -> str:
    return (
        _("✔ <b>Dismiss report #{id}</b> about {who}").format(id=report.id, who=who(subject))
        + "\n\n"
        + _(
            "Why? A note for the admins' audit trail (nobody else reads it), or dismiss "
            "without one."
        )
    )


def ask_warning(report: Report, subject: User) -> str:
    return (
        _("⚠️ <b>Warn {who}</b> about report #{id}").format(id=report.id, who=who(subject))
        + "\n\n"
        + _("Type the warning they will read, or send the standard one.")
    )


def ask_ban_reason(report: Report, subject: User) -> str:
    return (
        _("🚫 <b>Ban {who}</b> over report #{id}").format(id=report.id, who=who(subject))
        + "\n\n"
        + _("Why? They are told this reason. Or use the standard one.")
    )


def confirm_ban(subject: User, reason: str) -> str:
    why = e(reason) if reason else _("<i>the standard reason</i>")
    return (
        _("🚫 Ban {who}?").format(who=who(subject))
        + "\n\n"
        + _("Reason: {reason}").format(reason=why)
        + "\n\n"
        + _(
            "Everything they try is refused until an admin unbans them. Their other open "
            "reports close with this one, and every reporter is told."
        )
    )


note_not_text = phrase("Please type it as text, or press a button above (or /cancel).")


def decided(report: Report, reporter: User) -> str:
    name = e(shown(reporter)) if shown(reporter) else _("the reporter")
    text = {
        ReportStatus.OPEN: _("✅ Report #{id} open; {name} is told."),
        ReportStatus.DISMISSED: _("✅ Report #{id} dismissed; {name} is told."),
        ReportStatus.WARNED: _("✅ Report #{id} decided: a warning was sent; {name} is told."),
        ReportStatus.BANNED: _(
            "✅ Report #{id} decided: the account is suspended; {name} is told."
        ),
    }[report.status]
    return text.format(id=report.id, name=name)


def already_decided(report: Report) -> str:
    text = {
        ReportStatus.OPEN: _("Report #{id} is already open."),
        ReportStatus.DISMISSED: _("Report #{id} is already dismissed."),
        ReportStatus.WARNED: _("Report #{id} is already warned."),
        ReportStatus.BANNED: _("Report #{id} is already banned."),
    }[report.status]
    return text.format(id=report.id)


# --- the outcome, to the people concerned ----------------------------------------------------


def outcome_for_reporter(report: Report, subject_name: str) -> str:
    about = {
        ReportTarget.MESSAGE: _("🚩 An admin reviewed your report about {name}'s message:"),
        ReportTarget.BID: _("🚩 An admin reviewed your report about {name}'s bid:"),
        ReportTarget.PROJECT: _("🚩 An admin reviewed your report about {name}'s project:"),
        ReportTarget.PROFILE: _("🚩 An admin reviewed your report about {name}'s profile:"),
    }[report.target_kind].format(name=e(subject_name) if subject_name else _("someone"))
    if report.status is ReportStatus.WARNED:
        result = _("they have been warned. Thank you for keeping bidgram safe.")
    elif report.status is ReportStatus.BANNED:
        result = _("their account is suspended. Thank you for keeping bidgram safe.")
    else:
        result = _("the admins found nothing against the rules this time.")
    return f"{about} {result}"


def warning(report: Report, note: str | None) -> str:
    about = {
        ReportTarget.MESSAGE: _(
            "⚠️ <b>A warning from bidgram's admins</b> about your message ({reason})."
        ),
        ReportTarget.BID: _("⚠️ <b>A warning from bidgram's admins</b> about your bid ({reason})."),
        ReportTarget.PROJECT: _(
            "⚠️ <b>A warning from bidgram's admins</b> about your project ({reason})."
        ),
        ReportTarget.PROFILE: _(
            "⚠️ <b>A warning from bidgram's admins</b> about your profile ({reason})."
        ),
    }[report.target_kind].format(reason=short_reason(report.reason))
    why = (
        e(note)
        if note
        else _(
            "Keep talks and payments on bidgram: never ask for fees or deposits, and never "
            "push anyone to pay outside escrow."
        )
    )
    again = _("Another confirmed report may suspend your account.")
    return f"{about}\n\n{why}\n\n{again}"
