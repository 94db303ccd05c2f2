"""The admins' audit trail as the admin panel shows it: one line per entry (when, who,
what, why), newest first. Admins only; entries about the admin reading are never among
them (``core.services.audit``)."""

from __future__ import annotations

from collections.abc import Callable

from bot.render import clip, e
from bot.texts.disputes import when
from core.money import Currency
from core.services import audit
from core.services.audit import TrailPage
from storage.models import AdminAction, User

AUDIT = "📜 Audit trail"
BY_ADMIN = "🛡 By an admin…"
ABOUT_PERSON = "👤 About a person…"
EVERYTHING = "📜 All entries"

ASK_ADMIN = (
    "🛡 <b>Whose actions?</b>\n\nSend the admin's bidgram id (like 12 or #12) or their @username."
)
ASK_PERSON = (
    "👤 <b>About whom?</b>\n\nSend the person's bidgram id (like 12 or #12) or their @username."
)
WHO_NOT_TEXT = "Please send an id like 12 or a @username as text (or /cancel)."

VERDICTS = {
    "release": "all released to the freelancer",
    "refund": "all refunded to the employer",
    "split": "split",
}


def _name(user: User | None, user_id: int | None) -> str:
    """A person in one short line: name and bidgram id (the id is what filters take)."""
    if user_id is None:
        return "nobody"
    if user is None:
        return f"#{user_id}"
    return f"{e(clip(user.display_name, 32))} (#{user.id})"


def trail(
    page: TrailPage, number: int, by: User | None, about: User | None, money: Currency
) -> str:
    """One page of the trail, with the filter it is read through."""
    lines = [f"📜 <b>Audit trail</b> · page {number + 1}"]
    if by is not None:
        lines.append(f"Actions by {_name(by, by.id)}")
    if about is not None:
        lines.append(f"Actions about {_name(about, about.id)}")
    lines.append("")
    if page.entries:
        lines += [entry(x, page.people, money) for x in page.entries]
    else:
        lines.append("Nothing on the record here.")
    lines += ["", "<i>Entries about you are kept for the other admins, not shown to you.</i>"]
    return "\n".join(lines)


def entry(x: AdminAction, people: dict[int, User], money: Currency) -> str:
    """When · who · what · why."""
    operator = x.actor_id is None
    actor = f"⚙️ {e(x.by)}" if operator else _name(people.get(x.actor_id or 0), x.actor_id)

    def name(user_id: int | None) -> str:
        return _name(people.get(user_id) if user_id else None, user_id)

    why = f"why: {e(clip(x.reason, 160))}" if x.reason else "<i>no reason given</i>"
    return f"{when(x.created_at)} · {actor} · {what(x, name, money)} · {why}"


def what(x: AdminAction, name: Callable[[int | None], str], money: Currency) -> str:
    d = x.details
    person, sid = name(x.user_id), x.subject_id
    if x.action == audit.USER_BAN:
        return f"🚫 banned {person}"
    if x.action == audit.USER_UNBAN:
        return f"✅ unbanned {person}"
    if x.action == audit.DISPUTE_VERDICT:
        verdict = VERDICTS.get(str(d.get("verdict")), e(d.get("verdict")))
        return (
            f"⚖️ verdict on dispute #{sid}: {verdict}, {money.format(int(d['released']))} "
            f"released, {money.format(int(d['refunded']))} refunded (freelancer {person}, "
            f"employer {name(x.other_user_id)})"
        )
    if x.action == audit.PAYOUT_PAID:
        to = e(clip(str(d.get("destination", "")), 60))
        return f"💸 paid payout #{sid}, {money.format(int(d['amount']))} to {person} ({to})"
    if x.action == audit.PAYOUT_REJECTED:
        return f"❌ rejected payout #{sid}, {money.format(int(d['amount']))} to {person}"
    if x.action == audit.REPORT_DISMISS:
        return f"✔ dismissed report #{sid} about {person}"
    if x.action == audit.REPORT_WARN:
        return f"⚠️ warned {person} (report #{sid})"
    if x.action == audit.REPORT_BAN:
        closed = len(d.get("closed_with_it") or [])
        more = f", {closed} more report(s) closed with it" if closed else ""
        return f"🚫 banned {person} (report #{sid}{more})"
    if x.action == audit.DEAD_LETTER_REPLAY:
        return f"🔁 replayed failed update #{sid} of {person}: {e(d.get('outcome', '?'))}"
    return f"{e(x.action)} {e(x.subject_kind)} #{sid}"
