"""Reports: anyone flags a message, bid, project or profile; an admin dismisses, warns
or bans; the reporter is told the outcome."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.actors import Actor
from core.errors import DomainError
from core.marketplace import Marketplace
from storage.enums import ReportReason, ReportStatus, ReportTarget
from storage.models import Report
from tests.core.test_messages import bidding
from tests.harness import Harness

SCAM = "Pay the activation fee to receive your payment."


async def message(h: Harness, sender: Actor, pid: int, to: Actor, body: str = SCAM) -> int:
    async with h.tx() as m:
        return (await m.messages.send(sender, pid, to.user_id, body)).id


async def report(
    h: Harness,
    reporter: Actor,
    kind: ReportTarget,
    target_id: int,
    reason: ReportReason = ReportReason.SCAM,
    note: str = "",
) -> Report:
    async with h.tx() as m:
        return await m.reports.report(reporter, kind, target_id, reason, note)


async def decide(h: Harness, admin: Actor, report_id: int, outcome: str, note: str = "") -> Report:
    async with h.tx() as m:
        return await m.reports.decide(admin, report_id, outcome, note)


def told(h: Harness, kind: str) -> list[tuple[tuple[int, ...], dict[str, Any]]]:
    return [(e.recipients, e.to_payload()) for e in h.events if e.kind == kind]


# --- filing ---------------------------------------------------------------------------


async def test_a_relayed_message_is_reported_with_its_context(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    message_id = await message(h, bidder, pid, employer)
    filed = await report(h, employer, ReportTarget.MESSAGE, message_id, note="  Asked me to pay  ")
    assert (filed.reporter_id, filed.subject_id, filed.project_id) == (
        employer.user_id,
        bidder.user_id,
        pid,
    )
    assert (filed.target_kind, filed.target_id) == (ReportTarget.MESSAGE, message_id)
    assert (filed.reason, filed.status) == (ReportReason.SCAM, ReportStatus.OPEN)
    assert (filed.note, filed.context, filed.flags) == ("Asked me to pay", SCAM, "fee")
    # Admins are told (the renderer finds them), nobody else.
    assert told(h, "report.filed") == [((), {"report_id": filed.id})]


async def test_bids_projects_and_profiles_are_reported_as_they_read_then(h: Harness) -> None:
    employer, bidder, pid, bid_id = await bidding(h)
    on_bid = await report(h, employer, ReportTarget.BID, bid_id, ReportReason.SPAM)
    assert on_bid.subject_id == bidder.user_id
    assert on_bid.context.startswith("💰 300.00 USD · ⏱ 10\nI have built many shop bots")
    async with h.tx() as m:
        await m.bids.edit(bidder, bid_id, proposal="Something else entirely, nothing to see.")
    async with h.tx() as m:
        assert (await m.reports.get(employer, on_bid.id)).context == on_bid.context

    on_project = await report(h, bidder, ReportTarget.PROJECT, pid, ReportReason.OFF_PLATFORM)
    assert on_project.subject_id == employer.user_id
    assert on_project.context.startswith("Build a Telegram bot for my shop\nA bot that")

    stranger = await h.user("Stan")
    on_profile = await report(h, stranger, ReportTarget.PROFILE, bidder.user_id)
    assert (on_profile.subject_id, on_profile.project_id) == (bidder.user_id, None)
    assert "Senior Python developer" in on_profile.context
    assert "https://example.com/work" in on_profile.context


async def test_nobody_reports_themselves(h: Harness) -> None:
    employer, bidder, pid, bid_id = await bidding(h)
    message_id = await message(h, bidder, pid, employer)
    for who, kind, target in (
        (bidder, ReportTarget.MESSAGE, message_id),
        (bidder, ReportTarget.BID, bid_id),
        (employer, ReportTarget.PROJECT, pid),
        (bidder, ReportTarget.PROFILE, bidder.user_id),
    ):
        await h.refused(
            lambda m, w=who, k=kind, t=target: m.reports.report(w, k, t, "scam"), "report.self"
        )


async def test_what_one_cannot_see_cannot_be_reported(h: Harness) -> None:
    employer, bidder, pid, bid_id = await bidding(h)
    message_id = await message(h, bidder, pid, employer)
    stranger = await h.freelancer("Stan")
    draft = await h.draft(employer)
    cases = [
        (ReportTarget.MESSAGE, message_id, "message.not_found"),  # between two others
        (ReportTarget.MESSAGE, 999_999, "message.not_found"),
        (ReportTarget.BID, bid_id, "bid.not_found"),  # only its employer sees a bid
        (ReportTarget.BID, 999_999, "bid.not_found"),
        (ReportTarget.PROJECT, draft, "project.not_found"),
        (ReportTarget.PROJECT, 999_999, "project.not_found"),
        (ReportTarget.PROFILE, 999_999, "user.not_found"),
    ]
    for kind, target, code in cases:
        await h.refused(lambda m, k=kind, t=target: m.reports.report(stranger, k, t, "scam"), code)
    await h.refused(lambda m: m.reports.report(stranger, "wallet", pid, "scam"), "report.kind")


async def test_a_report_needs_a_known_reason_and_a_short_note(h: Harness) -> None:
    _employer, _, pid, _ = await bidding(h)
    stranger = await h.user("Stan")
    await h.refused(
        lambda m: m.reports.report(stranger, ReportTarget.PROJECT, pid, "boring"), "report.reason"
    )
    long_note = "x" * (h.settings.report_note_max + 1)
    await h.refused(
        lambda m: m.reports.report(stranger, ReportTarget.PROJECT, pid, "spam", long_note),
        "report.note.too_long",
    )
    blank = await report(h, stranger, ReportTarget.PROJECT, pid, note="   ")
    assert blank.note is None


async def test_the_same_thing_is_reported_once_while_the_report_is_open(h: Harness) -> None:
    _employer, bidder, pid, _ = await bidding(h)
    admin = await h.admin()
    first = await report(h, bidder, ReportTarget.PROJECT, pid)
    await h.refused(
        lambda m: m.reports.report(bidder, ReportTarget.PROJECT, pid, "abuse"), "report.duplicate"
    )
    await h.refused(lambda m: m.reports.check(bidder, "project", pid), "report.duplicate")
    # Someone else may, and so may the same person once the first report is decided.
    await report(h, await h.user("Stan"), ReportTarget.PROJECT, pid)
    await decide(h, admin, first.id, "dismissed")
    await report(h, bidder, ReportTarget.PROJECT, pid, ReportReason.ABUSE)


async def test_reports_are_limited_per_day(h: Harness) -> None:
    h.settings = h.settings.model_copy(update={"reports_per_day": 2})
    reporter = await h.user("Rita")
    people = [await h.freelancer(f"Person {n}") for n in range(3)]
    await report(h, reporter, ReportTarget.PROFILE, people[0].user_id)
    await report(h, reporter, ReportTarget.PROFILE, people[1].user_id)
    await h.refused(
        lambda m: m.reports.report(reporter, "profile", people[2].user_id, "spam"),
        "report.daily_limit",
    )
    h.clock.advance(days=1, seconds=1)
    await report(h, reporter, ReportTarget.PROFILE, people[2].user_id)


async def test_a_banned_person_cannot_report(h: Harness) -> None:
    _employer, bidder, pid, _ = await bidding(h)
    admin = await h.admin()
    async with h.tx() as m:
        await m.users.ban(admin, bidder.user_id, "Spam")
    await h.refused(
        lambda m: m.reports.report(bidder, ReportTarget.PROJECT, pid, "spam"), "user.banned"
    )


# --- deciding ---------------------------------------------------------------------------


async def test_only_admins_see_the_queue_oldest_first(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    admin = await h.admin()
    first = await report(h, bidder, ReportTarget.PROJECT, pid)
    h.clock.advance(minutes=5)
    second = await report(h, employer, ReportTarget.PROFILE, bidder.user_id)
    async with h.tx() as m:
        assert [r.id for r in await m.reports.queue(admin)] == [first.id, second.id]
        assert await m.reports.count_open(admin) == 2
    await h.refused(lambda m: m.reports.queue(employer), "admin.only")
    await h.refused(lambda m: m.reports.count_open(employer), "admin.only")
    await h.refused(lambda m: m.reports.view(employer, first.id), "admin.only")
    await h.refused(lambda m: m.reports.get(employer, first.id), "report.not_found")
    await decide(h, admin, first.id, "dismissed")
    async with h.tx() as m:
        assert [r.id for r in await m.reports.queue(admin)] == [second.id]


async def test_dismissing_tells_the_reporter_and_nobody_else(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    admin = await h.admin()
    filed = await report(h, bidder, ReportTarget.PROJECT, pid)
    done = await decide(h, admin, filed.id, ReportStatus.DISMISSED, "Nothing wrong here.")
    assert (done.status, done.decided_by_id, done.decided_at) == (
        ReportStatus.DISMISSED,
        admin.user_id,
        h.clock.now(),
    )
    assert done.decision_note == "Nothing wrong here."
    assert told(h, "report.decided") == [((bidder.user_id,), {"report_id": filed.id})]
    assert told(h, "report.warned") == []
    # the person reported is never shown a report they were not warned over
    await h.refused(lambda m: m.reports.get(employer, filed.id), "report.not_found")


async def test_a_warning_reaches_the_reported_person_and_the_reporter_hears(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    admin = await h.admin()
    filed = await report(h, employer, ReportTarget.MESSAGE, await message(h, bidder, pid, employer))
    done = await decide(h, admin, filed.id, "warned", "Keep payments in escrow.")
    assert done.status is ReportStatus.WARNED
    assert told(h, "report.warned") == [((bidder.user_id,), {"report_id": filed.id})]
    assert told(h, "report.decided") == [((employer.user_id,), {"report_id": filed.id})]
    async with h.tx() as m:
        assert not (await m.users.get(bidder.user_id)).is_banned
        view = await m.reports.view(admin, filed.id)
        # the warned person may read what they were warned about (its alert does)
        assert (await m.reports.get(bidder, filed.id)).decision_note == "Keep payments in escrow."
    assert view.earlier[ReportStatus.WARNED] == 1


async def test_a_ban_suspends_the_person_and_closes_every_open_report_about_them(
    h: Harness,
) -> None:
    employer, bidder, pid, _bid_id = await bidding(h)
    admin = await h.admin()
    stan = await h.user("Stan")
    on_message = await report(
        h, employer, ReportTarget.MESSAGE, await message(h, bidder, pid, employer)
    )
    on_profile = await report(h, stan, ReportTarget.PROFILE, bidder.user_id)
    unrelated = await report(h, bidder, ReportTarget.PROJECT, pid)
    await decide(h, admin, on_message.id, "banned")
    async with h.tx() as m:
        banned = await m.users.get(bidder.user_id)
        assert banned.is_banned
        assert banned.ban_reason == "Reported (scam) and confirmed by an administrator."
        assert (await m.reports.get(admin, on_profile.id)).status is ReportStatus.BANNED
        assert (await m.reports.get(admin, unrelated.id)).status is ReportStatus.OPEN
    assert told(h, "user.banned") == [((bidder.user_id,), {"user_id": bidder.user_id})]
    assert sorted(told(h, "report.decided"), key=lambda t: t[1]["report_id"]) == [
        ((employer.user_id,), {"report_id": on_message.id}),
        ((stan.user_id,), {"report_id": on_profile.id}),
    ]


async def test_a_ban_with_a_note_gives_that_reason(h: Harness) -> None:
    _, bidder, _, _ = await bidding(h)
    admin = await h.admin()
    filed = await report(h, await h.user("Stan"), ReportTarget.PROFILE, bidder.user_id)
    await decide(h, admin, filed.id, "banned", "Asked three clients for deposits.")
    async with h.tx() as m:
        assert (await m.users.get(bidder.user_id)).ban_reason == "Asked three clients for deposits."


async def test_deciding_is_for_admins_once_and_never_about_oneself(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    admin = await h.admin()
    filed = await report(h, bidder, ReportTarget.PROJECT, pid)
    await h.refused(lambda m: m.reports.decide(employer, filed.id, "dismissed"), "admin.only")
    await h.refused(lambda m: m.reports.decide(admin, filed.id, "open"), "report.outcome")
    await h.refused(lambda m: m.reports.decide(admin, filed.id, "shrug"), "report.outcome")
    await h.refused(lambda m: m.reports.decide(admin, 999_999, "warned"), "report.not_found")
    await decide(h, admin, filed.id, "warned")
    await h.refused(lambda m: m.reports.decide(admin, filed.id, "banned"), "report.decided")
    about_admin = await report(h, employer, ReportTarget.PROFILE, admin.user_id)
    await h.refused(
        lambda m: m.reports.decide(admin, about_admin.id, "banned"), "report.judge_self"
    )


async def test_an_admin_reads_a_reported_message_with_the_conversation_before_it(
    h: Harness,
) -> None:
    employer, bidder, pid, _ = await bidding(h)
    admin = await h.admin()
    await message(h, employer, pid, bidder, "When can you start?")
    flagged = await message(h, bidder, pid, employer)
    await message(h, employer, pid, bidder, "Reported.")  # after it: not shown
    filed = await report(h, employer, ReportTarget.MESSAGE, flagged)
    async with h.tx() as m:
        view = await m.reports.view(admin, filed.id)
    assert [x.text for x in view.thread] == ["When can you start?", SCAM]
    assert (view.reporter.id, view.subject.id) == (employer.user_id, bidder.user_id)
    assert view.project is not None and view.project.id == pid
    assert view.earlier[ReportStatus.OPEN] == 1


@pytest.mark.parametrize("kind", list(ReportTarget))
async def test_check_refuses_as_report_would(h: Harness, kind: ReportTarget) -> None:
    employer, bidder, pid, bid_id = await bidding(h)
    message_id = await message(h, bidder, pid, employer)
    target = {
        ReportTarget.MESSAGE: message_id,
        ReportTarget.BID: bid_id,
        ReportTarget.PROJECT: pid,
        ReportTarget.PROFILE: bidder.user_id,
    }[kind]
    reporter = bidder if kind is ReportTarget.PROJECT else employer
    async with h.tx() as m:
        view = await m.reports.check(reporter, kind, target)
    assert (view.kind, view.target_id) == (kind, target)
    await report(h, reporter, kind, target)
    await h.refused(lambda m: m.reports.check(reporter, kind, target), "report.duplicate")


@pytest.mark.postgres
async def test_two_presses_at_once_file_one_report(h: Harness) -> None:
    _employer, bidder, pid, _ = await bidding(h)
    ready = asyncio.Barrier(2)

    async def press() -> str | None:
        async with h.db.uow() as uow:
            market = Marketplace(uow, h.settings, h.clock)
            await ready.wait()
            try:
                await market.reports.report(bidder, ReportTarget.PROJECT, pid, "scam")
            except DomainError as error:
                return error.code
            await market.commit()
            return None

    outcomes = await asyncio.gather(press(), press())
    assert outcomes.count(None) == 1
    assert {o for o in outcomes if o} <= {"report.duplicate", "conflict.duplicate"}
    async with h.tx() as m:
        assert await m.reports.count_open(await h.admin()) == 1
