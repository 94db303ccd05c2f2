"""The admins' audit trail: every admin action on the record, with who, when, what and
why, in the action's own transaction; never shown to the admin it concerns; append-only."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select

from core.actors import Actor
from core.marketplace import Marketplace
from core.services import audit
from core.services.audit import Concerns
from storage.enums import DisputeResolution, ReportStatus, ReportTarget
from storage.models import AdminAction, AppendOnly
from tests.core.test_disputes import arbitration
from tests.core.test_messages import bidding
from tests.core.test_payouts import BANK, earner, requested
from tests.harness import Harness

_second_admins = itertools.count(910_000_001)


async def entries(h: Harness) -> list[AdminAction]:
    async with h.tx() as m:
        stmt = select(AdminAction).order_by(AdminAction.id)
        return list((await m.ctx.uow.session.execute(stmt)).scalars())


def what(entry: AdminAction) -> tuple[Any, ...]:
    return (
        entry.actor_id,
        entry.by,
        entry.action,
        entry.subject_kind,
        entry.subject_id,
        entry.user_id,
        entry.other_user_id,
        entry.reason,
    )


async def second_admin(h: Harness, name: str = "Bea") -> Actor:
    """Another administrator (admin rights come from configuration)."""
    telegram_id = next(_second_admins)
    h.settings = h.settings.model_copy(update={"admin_ids": h.settings.admin_ids | {telegram_id}})
    async with h.tx() as m:
        actor = m.users.actor(await m.users.register(telegram_id, name))
        await m.users.update_profile(
            actor,
            headline="Designer and part-time admin",
            bio="Logos, brand books and the odd landing page, for ten years now.",
            skills=["python"],
            hourly_rate=4000,
        )
        return actor


# --- every admin action, once, with who, what and why ------------------------------------


async def test_a_ban_is_on_the_record_with_its_reason(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer()
    h.clock.advance(hours=3)
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "  Asked bidders to pay outside escrow ")
    [entry] = await entries(h)
    assert what(entry) == (
        admin.user_id,
        "admin",
        "user.ban",
        "user",
        frank.user_id,
        frank.user_id,
        None,
        "Asked bidders to pay outside escrow",
    )
    assert entry.created_at == h.clock.now()


async def test_an_unban_records_the_ban_it_lifted_and_an_optional_reason(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer()
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "spam")
    async with h.tx() as m:
        await m.users.unban(admin, frank.user_id, "Appealed; it was a misunderstanding.")
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "spam again")
    async with h.tx() as m:
        await m.users.unban(admin, frank.user_id)
    found = await entries(h)
    assert [e.action for e in found] == ["user.ban", "user.unban", "user.ban", "user.unban"]
    first, second = found[1], found[3]
    assert (first.user_id, first.details, first.reason) == (
        frank.user_id,
        {"ban_reason": "spam"},
        "Appealed; it was a misunderstanding.",
    )
    assert (second.details, second.reason) == ({"ban_reason": "spam again"}, None)


async def test_a_verdict_records_the_money_it_moved_and_concerns_both_sides(h: Harness) -> None:
    employer, freelancer, ms, d = await arbitration(h)
    admin = await h.admin()
    async with h.tx() as m:
        await m.disputes.resolve(
            admin, d.id, DisputeResolution.SPLIT, release_amount=3_000, note="Half was there"
        )
    [entry] = await entries(h)
    assert what(entry) == (
        admin.user_id,
        "admin",
        "dispute.verdict",
        "dispute",
        d.id,
        freelancer.user_id,
        employer.user_id,
        "Half was there",
    )
    assert entry.details == {
        "verdict": "split",
        "milestone_id": ms.id,
        "released": 3_000,
        "fee": 300,
        "refunded": 7_000,
    }


async def test_payouts_record_where_the_money_went_and_the_admins_note(h: Harness) -> None:
    admin = await h.admin()
    frank = await earner(h)
    paid = await requested(h, frank, 2_000)
    refused = await requested(h, frank, 3_000)
    async with h.tx() as m:
        await m.payouts.mark_paid(admin, paid, "SEPA ref 42")
    async with h.tx() as m:
        await m.payouts.reject(admin, refused, "This IBAN is not yours.")
    first, second = await entries(h)
    assert what(first) == (
        admin.user_id,
        "admin",
        "payout.paid",
        "payout",
        paid,
        frank.user_id,
        None,
        "SEPA ref 42",
    )
    assert first.details == {"amount": 2_000, "destination": BANK}
    assert (second.action, second.subject_id, second.reason) == (
        "payout.rejected",
        refused,
        "This IBAN is not yours.",
    )
    assert second.details == {"amount": 3_000, "destination": BANK}


async def test_each_report_decision_is_one_entry_a_ban_included(h: Harness) -> None:
    admin = await h.admin()
    employer, bidder, pid, bid_id = await bidding(h)
    stranger = await h.user("Stan")
    reports = []
    for reporter, kind, target in (
        (stranger, ReportTarget.PROFILE, bidder.user_id),
        (employer, ReportTarget.BID, bid_id),
        (stranger, ReportTarget.PROJECT, pid),
    ):
        async with h.tx() as m:
            reports.append(await m.reports.report(reporter, kind, target, "scam"))
    async with h.tx() as m:
        await m.reports.decide(admin, reports[2].id, ReportStatus.DISMISSED)
    async with h.tx() as m:
        await m.reports.decide(admin, reports[0].id, ReportStatus.WARNED, "Keep it on bidgram.")
    async with h.tx() as m:
        await m.reports.decide(admin, reports[1].id, ReportStatus.BANNED)
    dismissed, warned, banned = await entries(h)  # one each: the ban is the report's entry
    assert what(dismissed) == (
        admin.user_id,
        "admin",
        "report.dismiss",
        "report",
        reports[2].id,
        employer.user_id,
        None,
        None,
    )
    assert (warned.action, warned.user_id, warned.reason) == (
        "report.warn",
        bidder.user_id,
        "Keep it on bidgram.",
    )
    assert (banned.action, banned.user_id) == ("report.ban", bidder.user_id)
    assert banned.reason == "Reported (scam) and confirmed by an administrator."
    assert banned.details == {
        "reported": "scam",
        "target": f"bid:{bid_id}",
        "closed_with_it": [],
    }
    async with h.tx() as m:
        assert (await m.users.get(bidder.user_id)).is_banned


async def test_a_refused_admin_action_writes_no_entry(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer()
    await h.refused(lambda m: m.users.ban(admin, admin.user_id, "oops"), "ban.self")
    await h.refused(lambda m: m.users.ban(admin, frank.user_id, "  "), "ban.reason.empty")
    await h.refused(lambda m: m.users.unban(admin, frank.user_id), "unban.not_banned")
    await h.refused(lambda m: m.users.unban(admin, admin.user_id), "unban.self")
    await h.refused(lambda m: m.users.ban(frank, admin.user_id, "revenge"), "admin.only")
    earned = await earner(h)
    payout = await requested(h, earned, 2_000)
    await h.refused(lambda m: m.payouts.reject(admin, payout, " "), "payout.note.empty")
    assert await entries(h) == []


async def test_an_entry_is_written_in_the_transaction_of_its_action(h: Harness) -> None:
    """An action whose unit of work rolls back leaves no entry: they commit together."""
    admin = await h.admin()
    frank = await h.freelancer()
    async with h.db.uow() as uow:
        market = Marketplace(uow, h.settings, h.clock)
        await market.users.ban(admin, frank.user_id, "spam")
        await uow.flush()
        pending = (await uow.session.execute(select(AdminAction))).scalars().all()
        assert [e.action for e in pending] == ["user.ban"]
        # leaving without a commit rolls the ban back, and its entry with it
    assert await entries(h) == []
    async with h.tx() as m:
        assert not (await m.users.get(frank.user_id)).is_banned


# --- reading it ----------------------------------------------------------------------------


async def test_the_trail_is_newest_first_paged_and_filtered(h: Harness) -> None:
    ada = await h.admin()
    bea = await second_admin(h)
    people = [await h.freelancer(name) for name in ("Finn", "Fay", "Flo")]
    for n, person in enumerate(people):
        h.clock.advance(minutes=1)
        async with h.tx() as m:
            await m.users.ban(ada if n != 1 else bea, person.user_id, f"reason {n}")
    async with h.tx() as m:
        first = await m.audit.trail(ada, limit=2)
        second = await m.audit.trail(ada, limit=2, offset=2)
        by_bea = await m.audit.trail(ada, by_admin=bea.user_id)
        about_finn = await m.audit.trail(bea, about=people[0].user_id)
    assert [e.reason for e in first.entries] == ["reason 2", "reason 1"] and first.more
    assert [e.reason for e in second.entries] == ["reason 0"] and not second.more
    assert [e.reason for e in by_bea.entries] == ["reason 1"]
    assert [e.reason for e in about_finn.entries] == ["reason 0"]
    assert first.people[bea.user_id].first_name == "Bea"
    assert first.people[people[2].user_id].first_name == "Flo"


async def test_an_admin_never_sees_the_entries_about_themselves(h: Harness) -> None:
    """Bea earned money as a freelancer and Ada paid her payout; a dispute Bea is a side
    of was decided by Ada. Ada sees both, Bea neither, however she asks."""
    ada = await h.admin()
    bea = await second_admin(h)
    frank = await h.freelancer("Frank")
    employer, _, contract = await h.hire(freelancer=bea)
    ms = await h.milestone(employer, contract.id, 20_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    payout = await requested(h, bea, 5_000)
    async with h.tx() as m:
        await m.payouts.mark_paid(ada, payout, "ref 7")
    async with h.tx() as m:
        await m.users.ban(bea, frank.user_id, "Bea's own decision")
    ms2 = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        d = await m.disputes.open(
            bea, ms2.id, reason="Not paid for the work.", claimed_amount=10_000
        )
    async with h.tx() as m:
        await m.disputes.respond(employer, d.id, "It was late.")
    async with h.tx() as m:
        await m.disputes.escalate(employer, d.id)
    async with h.tx() as m:
        await m.disputes.resolve(ada, d.id, DisputeResolution.RELEASE)

    async with h.tx() as m:
        for_ada = await m.audit.trail(ada)
        for_bea = await m.audit.trail(bea)
        bea_by_ada = await m.audit.trail(bea, by_admin=ada.user_id)
    assert [e.action for e in for_ada.entries] == ["dispute.verdict", "user.ban", "payout.paid"]
    assert [e.action for e in for_bea.entries] == ["user.ban"]  # the one she made
    assert bea_by_ada.entries == []
    await h.refused(lambda m: m.audit.trail(bea, about=bea.user_id), "audit.about_self")
    async with h.tx() as m:
        assert [e.action for e in (await m.audit.trail(ada, about=bea.user_id)).entries] == [
            "dispute.verdict",
            "payout.paid",
        ]


async def test_only_admins_read_the_trail(h: Harness) -> None:
    frank = await h.freelancer()
    await h.refused(lambda m: m.audit.trail(frank), "admin.only")


# --- append-only ------------------------------------------------------------------------------


async def test_entries_can_be_neither_changed_nor_removed(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer()
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "spam")
    async with h.db.uow() as uow:
        [entry] = (await uow.session.execute(select(AdminAction))).scalars().all()
        entry.reason = "nothing to see here"
        with pytest.raises(AppendOnly):
            await uow.flush()
    async with h.db.uow() as uow:
        [entry] = (await uow.session.execute(select(AdminAction))).scalars().all()
        await uow.session.delete(entry)
        with pytest.raises(AppendOnly):
            await uow.flush()
    [entry] = await entries(h)
    assert entry.reason == "spam"
    async with h.db.uow() as uow:
        writes = {n for n in dir(uow.audit) if not n.startswith("_")} - {"session"}
    assert writes == {"append", "trail"}  # no update or delete path


async def test_the_operator_is_recorded_as_such(h: Harness) -> None:
    frank = await h.freelancer()
    async with h.db.uow() as uow:
        audit.record(
            uow,
            h.clock.now(),
            audit.DEAD_LETTER_REPLAY,
            ("dead_letter", 12),
            actor_id=None,
            concerns=Concerns(frank.user_id),
            details={"outcome": "handled"},
            reason="  fixed in 1.4.2 ",
        )
        await uow.commit()
    [entry] = await entries(h)
    assert what(entry) == (
        None,
        "operator",
        "dead_letter.replay",
        "dead_letter",
        12,
        frank.user_id,
        None,
        "fixed in 1.4.2",
    )
