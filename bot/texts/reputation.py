"""The record: how each side behaved, in one line on cards and alerts, in full on profiles.

Every figure comes from core (``core.services.reputation``); these only word it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.render import percent
from core.money import Currency
from core.services.reputation import EmployerRecord, FreelancerRecord


def span(value: timedelta) -> str:
    """A wait in the unit that reads best: minutes, hours, then days."""
    minutes = value.total_seconds() / 60
    if minutes < 90:
        return f"~{max(1, round(minutes))} min"
    if minutes < 48 * 60:
        return f"~{round(minutes / 60)} h"
    return f"~{round(minutes / 1440)} d"


def _count(n: int, word: str, words: str = "") -> str:
    return f"{n} {word if n == 1 else words or word + 's'}"


def employer_line(rec: EmployerRecord) -> str:
    """An employer's record under a project card or a new-project alert."""
    if rec.empty:
        return "📒 New employer: nothing funded or hired yet"
    parts = [f"{_count(rec.funded, 'milestone')} funded, {rec.released} released"]
    if rec.release_wait is not None:
        parts.append(f"pays {span(rec.release_wait)} after delivery")
    if rec.hire_rate is not None:
        parts.append(f"hires {percent(rec.hire_rate)}")
    parts.append(f"disputes: {rec.disputes_opened} opened, {rec.disputes_lost} lost")
    return "📒 " + " · ".join(parts)


def employer_full(rec: EmployerRecord, money: Currency) -> str:
    """An employer's record on a profile."""
    wait = f"{span(rec.release_wait)} (median)" if rec.release_wait is not None else "—"
    hires = (
        f"{percent(rec.hire_rate)} ({rec.hired} of {_count(rec.decided, 'decided project')})"
        if rec.hire_rate is not None
        else "—"
    )
    return "\n".join(
        [
            "<b>📒 As an employer</b>",
            f"Milestones funded: {rec.funded} ({money.format(rec.funded_amount)}) · released: "
            f"{rec.released} ({money.format(rec.released_amount)})",
            f"From delivery to release: {wait}",
            f"Hire rate: {hires}",
            f"Disputes opened: {rec.disputes_opened} · lost: {rec.disputes_lost}",
        ]
    )


def freelancer_line(rec: FreelancerRecord) -> str:
    """A freelancer's record under a bid alert."""
    if rec.empty:
        return "📒 New freelancer: no deliveries yet"
    parts = []
    if rec.on_time_rate is not None:
        deliveries = _count(rec.delivered, "delivery", "deliveries")
        parts.append(f"on time {percent(rec.on_time_rate)} ({deliveries})")
    if rec.reply_time is not None:
        parts.append(f"replies in {span(rec.reply_time)}")
    parts.append(f"disputes lost: {rec.disputes_lost}")
    return "📒 " + " · ".join(parts)


def freelancer_full(rec: FreelancerRecord) -> str:
    """A freelancer's record on a profile."""
    on_time = (
        f"{percent(rec.on_time_rate)} ({rec.on_time} of {rec.delivered} milestones, by first "
        "delivery)"
        if rec.on_time_rate is not None
        else "—"
    )
    replies = (
        f"{span(rec.reply_time)} (median of {rec.replies})" if rec.reply_time is not None else "—"
    )
    return "\n".join(
        [
            "<b>📒 On the record</b>",
            f"On time: {on_time}",
            f"Replies in the chat: {replies}",
            f"Disputes lost: {rec.disputes_lost}",
        ]
    )
