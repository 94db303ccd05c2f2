"""The record: how each side behaved, in one line on cards and alerts, in full on profiles.

Every figure comes from core (``core.services.reputation``); these only word it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import _
from bot.render import percent
from core.money import Currency
from core.services.reputation import EmployerRecord, FreelancerRecord


def span(value: timedelta) -> str:
    """A wait in the unit that reads best: minutes, hours, then days."""
    minutes = value.total_seconds() / 60
    if minutes < 90:
        return _("~{count} min").format(count=max(1, round(minutes)))
    if minutes < 48 * 60:
        return _("~{count} h").format(count=round(minutes / 60))
    return _("~{count} d").format(count=round(minutes / 1440))


def employer_line(rec: EmployerRecord) -> str:
    """An employer's record under a project card or a new-project alert."""
    if rec.empty:
        return _("📒 New employer: nothing funded or hired yet")
    funded = _(
        "{count} milestone funded, {released} released",
        "{count} milestones funded, {released} released",
        rec.funded,
    )
    parts = [funded.format(count=rec.funded, released=rec.released)]
    if rec.release_wait is not None:
        parts.append(_("pays {wait} after delivery").format(wait=span(rec.release_wait)))
    if rec.hire_rate is not None:
        parts.append(_("hires {rate}").format(rate=percent(rec.hire_rate)))
    parts.append(
        _("disputes: {opened} opened, {lost} lost").format(
            opened=rec.disputes_opened, lost=rec.disputes_lost
        )
    )
    return "📒 " + " · ".join(parts)


def employer_full(rec: EmployerRecord, money: Currency) -> str:
    """An employer's record on a profile."""
    wait = (
        _("{wait} (median)").format(wait=span(rec.release_wait))
        if rec.release_wait is not None
        else "—"
    )
    hires = "—"
    if rec.hire_rate is not None:
        template = _(
            "{rate} ({hired} of {count} decided project)",
            "{rate} ({hired} of {count} decided projects)",
            rec.decided,
        )
        hires = template.format(rate=percent(rec.hire_rate), hired=rec.hired, count=rec.decided)
    return "\n".join(
        [
            _("<b>📒 As an employer</b>"),
            _(
                "Milestones funded: {funded} ({funded_amount}) · released: {released} "
                "({released_amount})"
            ).format(
                funded=rec.funded,
                funded_amount=money.format(rec.funded_amount),
                released=rec.released,
                released_amount=money.format(rec.released_amount),
            ),
            _("From delivery to release: {wait}").format(wait=wait),
            _("Hire rate: {hires}").format(hires=hires),
            _("Disputes opened: {opened} · lost: {lost}").format(
                opened=rec.disputes_opened, lost=rec.disputes_lost
            ),
        ]
    )


def freelancer_line(rec: FreelancerRecord) -> str:
    """A freelancer's record under a bid alert."""
    if rec.empty:
        return _("📒 New freelancer: no deliveries yet")
    parts = []
    if rec.on_time_rate is not None:
        template = _(
            "on time {rate} ({count} delivery)",
            "on time {rate} ({count} deliveries)",
            rec.delivered,
        )
        parts.append(template.format(rate=percent(rec.on_time_rate), count=rec.delivered))
    if rec.reply_time is not None:
        parts.append(_("replies in {wait}").format(wait=span(rec.reply_time)))
    parts.append(_("disputes lost: {lost}").format(lost=rec.disputes_lost))
    return "📒 " + " · ".join(parts)


def freelancer_full(rec: FreelancerRecord) -> str:
    """A freelancer's record on a profile."""
    on_time = "—"
    if rec.on_time_rate is not None:
        template = _(
            "{rate} ({on_time} of {count} milestones, by first delivery)",
            "{rate} ({on_time} of {count} milestones, by first delivery)",
            rec.delivered,
        )
        on_time = template.format(
            rate=percent(rec.on_time_rate), on_time=rec.on_time, count=rec.delivered
        )
    replies = (
        _("{wait} (median of {count})").format(wait=span(rec.reply_time), count=rec.replies)
        if rec.reply_time is not None
        else "—"
    )
    return "\n".join(
        [
            _("<b>📒 On the record</b>"),
            _("On time: {on_time}").format(on_time=on_time),
            _("Replies in the chat: {replies}").format(replies=replies),
            _("Disputes lost: {lost}").format(lost=rec.disputes_lost),
        ]
    )
