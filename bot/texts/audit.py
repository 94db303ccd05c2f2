"""The admins' audit trail as the admin panel shows it: one line per entry (when, who,
what, why), newest first. Admins only; entries about the admin reading are never among
them (``core.services.audit``)."""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import _, phrase
from bot.render import clip, e
from bot.texts.disputes import when
from core.money import Currency
from core.services import audit
from core.services.audit import TrailPage
from storage.models import AdminAction, User

audit_button = phrase("📜 Audit trail")

by_admin = phrase("🛡 By an admin…")

about_person = phrase("👤 About a person…")

everything = phrase("📜 All entries")

ask_admin = phrase(
    "🛡 <b>Whose actions?</b>\n\nSend the admin's bidgram id (like 12 or #12) or their @username."
)

ask_person = phrase(
    "👤 <b>About whom?</b>\n\nSend the person's bidgram id (like 12 or #12) or their @username."
)

who_not_text = phrase("Please send an id like 12 or a @username as text (or /cancel).")


def verdict_name(verdict: object) -> str:
    """A verdict as the trail words it; an unknown one as recorded."""
    names = {
        "release": _("all released to the freelancer"),
        "refund": _("all refunded to the employer"),
        "split": _("split"),
    }
    return names.get(str(verdict), e(verdict))


def _name(user: User | None, user_id: int | None) -> str:
    """A person in one short line: name and bidgram id (the id is what filters take)."""
    if user_id is None:
        return _("nobody")
    if user is None:
        return f"#{user_id}"
    return f"{e(clip(user.display_name, 32))} (#{user.id})"


def trail(
    page: TrailPage, number: int, by: User | None, about: User | None, money: Currency
) -> str:
    """One page of the trail, with the filter it is read through."""
    lines = [_("📜 <b>Audit trail</b> · page {page}").format(page=number + 1)]
    if by is not None:
        lines.append(_("Actions by {name}").format(name=_name(by, by.id)))
    if about is not None:
        lines.append(_("Actions about {name}").format(name=_name(about, about.id)))
    lines.append("")
    if page.entries:
        lines += [entry(x, page.people, money) for x in page.entries]
    else:
        lines.append(_("Nothing on the record here."))
    lines += ["", _("<i>Entries about you are kept for the other admins, not shown to you.</i>")]
    return "\n".join(lines)


def entry(x: AdminAction, people: dict[int, User], money: Currency) -> str:
    """When · who · what · why."""
    operator = x.actor_id is None
    actor = f"⚙️ {e(x.by)}" if operator else _name(people.get(x.actor_id or 0), x.actor_id)

    def name(user_id: int | None) -> str:
        return _name(people.get(user_id) if user_id else None, user_id)

    if x.reason:
        why = _("why: {reason}").format(reason=e(clip(x.reason, 160)))
    else:
        why = _("<i>no reason given</i>")
    return f"{when(x.created_at)} · {actor} · {what(x, name, money)} · {why}"


def outcome(value: object) -> str:
    """How a replayed update went (``bot.updates.Outcome``); an unknown one as recorded."""
    names = {
        "handled": _("handled"),
        "retry": _("retry"),
        "dead": _("dead"),
        "dropped": _("dropped"),
    }
    return names.get(str(value), e(value))


def what(x: AdminAction, name: Callable[[int | None], str], money: Currency) -> str:
    d = x.details
    person, sid = name(x.user_id), x.subject_id
    if x.action == audit.USER_BAN:
        return _("🚫 banned {person}").format(person=person)
    if x.action == audit.USER_UNBAN:
        return _("✅ unbanned {person}").format(person=person)
    if x.action == audit.DISPUTE_VERDICT:
        return _(
            "⚖️ verdict on dispute #{id}: {verdict}, {released} released, {refunded} refunded "
            "(freelancer {freelancer}, employer {employer})"
        ).format(
            id=sid,
            verdict=verdict_name(d.get("verdict")),
            released=money.format(int(d["released"])),
            refunded=money.format(int(d["refunded"])),
            freelancer=person,
            employer=name(x.other_user_id),
        )
    if x.action == audit.PAYOUT_PAID:
        return _("💸 paid payout #{id}, {amount} to {person} ({destination})").format(
            id=sid,
            amount=money.format(int(d["amount"])),
            person=person,
            destination=e(clip(str(d.get("destination", "")), 60)),
        )
    if x.action == audit.PAYOUT_REJECTED:
        return _("❌ rejected payout #{id}, {amount} to {person}").format(
            id=sid, amount=money.format(int(d["amount"])), person=person
        )
    if x.action == audit.REPORT_DISMISS:
        return _("✔ dismissed report #{id} about {person}").format(id=sid, person=person)
    if x.action == audit.REPORT_WARN:
        return _("⚠️ warned {person} (report #{id})").format(id=sid, person=person)
    if x.action == audit.REPORT_BAN:
        closed = len(d.get("closed_with_it") or [])
        if not closed:
            return _("🚫 banned {person} (report #{id})").format(id=sid, person=person)
        more = _(
            "🚫 banned {person} (report #{id}, {count} more report closed with it)",
            "🚫 banned {person} (report #{id}, {count} more reports closed with it)",
            closed,
        )
        return more.format(id=sid, person=person, count=closed)
    if x.action == audit.DEAD_LETTER_REPLAY:
        return _("🔁 replayed failed update #{id} of {person}: {outcome}").format(
            id=sid, person=person, outcome=outcome(d.get("outcome", "?"))
        )
    return f"{e(x.action)} {e(x.subject_kind)} #{sid}"
