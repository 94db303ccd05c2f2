"""Reports, mutes and the safety note: what the reporter, the reported person and the
admins read. Admins may see usernames and ids (``admin.who``); nobody else ever does."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render import button, clip, e
from bot.texts.admin import who
from bot.texts.disputes import when
from bot.texts.messages import flag_names, flagged
from core.services.reports import ReportView
from storage.enums import ReportReason, ReportStatus, ReportTarget
from storage.models import Message, Report, User

# --- buttons ---------------------------------------------------------------------------

REPORT = "🚩 Report"
SEND = "🚩 Send report"
MUTE = "🔇 Mute"
UNMUTE = "🔈 Unmute"
DISMISS = "✔ Dismiss"
WARN = "⚠️ Warn"
BAN = "🚫 Ban"
DISMISS_NO_NOTE = "✔ Dismiss without a note"
STANDARD_WARNING = "⚠️ Send the standard warning"
STANDARD_BAN = "🚫 Ban with the standard reason"
YES_BAN = "🚫 Yes, ban"
QUEUE = "« Reports"
OPEN = "🚩 Open the report"

REASONS: dict[ReportReason, str] = {
    ReportReason.SCAM: "💸 Asks for money or payment outside escrow",
    ReportReason.OFF_PLATFORM: "📵 Pushes to talk or deal outside bidgram",
    ReportReason.ABUSE: "😡 Abusive or offensive",
    ReportReason.SPAM: "🗑 Spam or fake",
    ReportReason.OTHER: "❓ Something else",
}
SHORT_REASONS: dict[ReportReason, str] = {
    ReportReason.SCAM: "scam",
    ReportReason.OFF_PLATFORM: "off-platform",
    ReportReason.ABUSE: "abuse",
    ReportReason.SPAM: "spam",
    ReportReason.OTHER: "other",
}
WHAT: dict[ReportTarget, str] = {
    ReportTarget.MESSAGE: "message",
    ReportTarget.BID: "bid",
    ReportTarget.PROJECT: "project",
    ReportTarget.PROFILE: "profile",
}


def queue_button(open_reports: int) -> str:
    return f"🚩 Reports ({open_reports})"


# --- the person reporting ------------------------------------------------------------------


def ask_reason(kind: ReportTarget, name: str) -> str:
    return (
        f"🚩 <b>Report {e(name)}'s {WHAT[kind]}</b>\n\n"
        "What is wrong? An admin reads the report with what was reported; "
        f"{e(name)} is not told who reported it."
    )


REASON_AS_BUTTON = "Choose what is wrong on the buttons above (or /cancel)."
ASK_NOTE = (
    "Anything the admin should know? Type a few words, or press <b>Send report</b> to send "
    "it as it is."
)
NOTE_AS_TEXT = "Please type the note as text, or press Send report (or /cancel)."
FILED = (
    "🚩 Thank you: your report is with the admins. You will hear here what they decide.\n\n"
    "Remember: bidgram never asks you to pay to get paid, and money sent outside escrow is "
    "not protected."
)


# --- the safety note and mutes ---------------------------------------------------------------


SAFETY_NOTE = (
    "🛡 <b>Safety note</b>: bidgram never asks you to pay to get paid; money sent outside "
    "escrow is not protected. Keep payments and talks here, where they are on the record. "
    "If someone pushes you to pay or to move elsewhere, report the message."
)


def muted(name: str) -> str:
    return (
        f"🔇 You muted <b>{e(name)}</b>: their messages and bid alerts no longer reach you. "
        "Their bids stay in your list, and you can still write to them."
    )


def unmuted(name: str) -> str:
    return f"🔈 <b>{e(name)}</b> can write to you again, and their bid alerts reach you."


# --- admins ----------------------------------------------------------------------------------


def _subject(report: Report, subject: User, title: str | None) -> str:
    about = f" on «{e(clip(title, 60))}»" if title else ""
    return f"{who(subject)}: their {WHAT[report.target_kind]}{about}"


def alert_filed(report: Report, subject: User, reporter: User, title: str | None) -> str:
    return (
        f"🚩 <b>New report #{report.id}</b> ({SHORT_REASONS[report.reason]})\n"
        f"About {_subject(report, subject, title)}\nBy {who(reporter)}"
        + (f"\n⚠️ flagged: {e(flag_names(report.flags))}" if report.flags else "")
    )


def queue(rows: Sequence[tuple[Report, User]], page: int) -> str:
    if not rows:
        return "🚩 <b>Reports</b>\n\nNo report is waiting."
    lines = [f"🚩 <b>Reports waiting</b> · page {page + 1}", ""]
    for report, subject in rows:
        lines.append(
            f"#{report.id} · {SHORT_REASONS[report.reason]} · {WHAT[report.target_kind]} of "
            f"{who(subject)} · {when(report.created_at)}"
        )
    return "\n".join(lines)


def queue_entry(report: Report, subject: User) -> str:
    return button(f"#{report.id} · {SHORT_REASONS[report.reason]} · {subject.first_name or 'user'}")


def _thread_line(message: Message, names: dict[int, str]) -> str:
    body = e(clip(message.text, 200)) if message.text else ""
    file = f"📎 {message.file_kind or 'file'} " if message.file_id else ""
    name = e(names.get(message.sender_id, f"#{message.sender_id}"))
    return f"{when(message.created_at)} · {name}: {file}{body}{flagged(message.flags)}"


def screen(v: ReportView) -> str:
    """A report as an admin decides it: what, about whom, by whom, why, and the context."""
    r = v.report
    title = v.project.title if v.project is not None else None
    lines = [
        f"🚩 <b>Report #{r.id}</b> · {r.status.value} · filed {when(r.created_at)}",
        f"<b>About:</b> {_subject(r, v.subject, title)}",
        f"<b>By:</b> {who(v.reporter)}",
        f"<b>Reason:</b> {e(REASONS[r.reason])}",
    ]
    if r.note:
        lines.append(f"<b>Their note:</b> {e(r.note)}")
    if r.flags:
        lines.append(f"⚠️ <b>Flagged:</b> {e(flag_names(r.flags))}")
    lines += ["", f"<b>The {WHAT[r.target_kind]} as reported</b>", e(clip(r.context, 1800))]
    if v.thread:
        names = {v.subject.id: v.subject.first_name, v.reporter.id: v.reporter.first_name}
        lines += ["", "<b>The conversation up to it</b>"]
        lines += [_thread_line(m, names) for m in v.thread]
    earlier = v.earlier
    lines += [
        "",
        f"<b>Reports about {e(v.subject.first_name or 'them')}:</b> "
        f"{earlier[ReportStatus.OPEN]} open, {earlier[ReportStatus.DISMISSED]} dismissed, "
        f"{earlier[ReportStatus.WARNED]} warned, {earlier[ReportStatus.BANNED]} banned"
        + (" · 🚫 suspended now" if v.subject.is_banned else ""),
    ]
    if r.status is not ReportStatus.OPEN and r.decision_note:
        lines.append(f"<b>Decision note:</b> {e(r.decision_note)}")
    return "\n".join(lines)


def ask_dismissal(report: Report, subject: User) -> str:
    return (
        f"✔ <b>Dismiss report #{report.id}</b> about {who(subject)}\n\n"
        "Why? A note for the admins' audit trail (nobody else reads it), or dismiss without one."
    )


def ask_warning(report: Report, subject: User) -> str:
    return (
        f"⚠️ <b>Warn {who(subject)}</b> about report #{report.id}\n\n"
        "Type the warning they will read, or send the standard one."
    )


def ask_ban_reason(report: Report, subject: User) -> str:
    return (
        f"🚫 <b>Ban {who(subject)}</b> over report #{report.id}\n\n"
        "Why? They are told this reason. Or use the standard one."
    )


def confirm_ban(subject: User, reason: str) -> str:
    why = e(reason) if reason else "<i>the standard reason</i>"
    return (
        f"🚫 Ban {who(subject)}?\n\nReason: {why}\n\n"
        "Everything they try is refused until an admin unbans them. Their other open "
        "reports close with this one, and every reporter is told."
    )


NOTE_NOT_TEXT = "Please type it as text, or press a button above (or /cancel)."


def decided(report: Report, reporter: User) -> str:
    outcome = {
        ReportStatus.DISMISSED: "dismissed",
        ReportStatus.WARNED: "decided: a warning was sent",
        ReportStatus.BANNED: "decided: the account is suspended",
    }.get(report.status, report.status.value)
    return f"✅ Report #{report.id} {outcome}; {e(reporter.first_name or 'the reporter')} is told."


def already_decided(report: Report) -> str:
    return f"Report #{report.id} is already {report.status.value}."


# --- the outcome, to the people concerned ----------------------------------------------------


def outcome_for_reporter(report: Report, subject_name: str) -> str:
    what = f"{e(subject_name or 'someone')}'s {WHAT[report.target_kind]}"
    if report.status is ReportStatus.WARNED:
        result = "they have been warned. Thank you for keeping bidgram safe."
    elif report.status is ReportStatus.BANNED:
        result = "their account is suspended. Thank you for keeping bidgram safe."
    else:
        result = "the admins found nothing against the rules this time."
    return f"🚩 An admin reviewed your report about {what}: {result}"


def warning(report: Report, note: str | None) -> str:
    why = (
        e(note)
        if note
        else (
            "Keep talks and payments on bidgram: never ask for fees or deposits, and never "
            "push anyone to pay outside escrow."
        )
    )
    return (
        f"⚠️ <b>A warning from bidgram's admins</b> about your {WHAT[report.target_kind]} "
        f"({SHORT_REASONS[report.reason]}).\n\n{why}\n\n"
        "Another confirmed report may suspend your account."
    )
