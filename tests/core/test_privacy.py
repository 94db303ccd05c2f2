"""People's own data: the export of everything bidgram holds about someone, and deleting
an account (what is erased, what is kept, and when it is refused)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from core.actors import Actor
from core.services.disputes import EvidenceFile
from core.services.privacy import DELETED, export_bytes
from core.services.projects import Attachment
from core.services.refunds import RefundOutcome
from storage.enums import DisputeResolution, ReportTarget
from storage.models import (
    AlertSubscription,
    Bid,
    FreelancerProfile,
    Message,
    Mute,
    OutboxMessage,
    Payout,
    Posting,
    Project,
    ProjectAttachment,
    SafetyNote,
    User,
)
from tests.core.test_refunds import cancelled
from tests.harness import Harness

SCAM = "Pay the activation fee to receive your payment."
FIONAS_BIO = "Fiona's own words about her work: brand books, logos and posters."
GUS_PROPOSAL = "Gus would build it with a secret recipe nobody else may read."
OLGAS_EVIDENCE = "olga-evidence-file"


@dataclass
class History:
    """Frank, with a bit of everything: work on both sides, money in and out, a dispute,
    messages, reviews, a report, a mute."""

    frank: Actor
    erin: Actor  # hired Frank; they disputed, an admin decided, both reviewed
    fiona: Actor  # Frank hired her on his own project
    gus: Actor  # bid on Frank's open project; Frank muted him
    olga: Actor  # another employer Frank bid on and wrote to
    admin: Actor
    erins_contract: int
    fionas_contract: int
    logo: int  # Frank's project that became a contract
    website: int  # Frank's project that never did
    olgas_project: int
    paid: int  # payouts
    rejected: int


async def say(h: Harness, sender: Actor, pid: int, to: Actor, body: str) -> int:
    async with h.tx() as m:
        return (await m.messages.send(sender, pid, to.user_id, body)).id


async def history(h: Harness) -> History:
    admin = await h.admin()
    frank = await h.freelancer("Frank")
    erin = await h.employer("Erin")
    fiona = await h.freelancer("Fiona", skills=("logo-design",))
    async with h.tx() as m:
        await m.users.update_profile(fiona, bio=FIONAS_BIO)
    gus = await h.freelancer("Gus")
    olga = await h.employer("Olga")

    # Frank works for Erin: a release, then a dispute an admin decides.
    _, _, contract = await h.hire(erin, frank)
    project_of_erin = contract.project_id
    await say(h, erin, project_of_erin, frank, "Welcome aboard")
    await say(h, frank, project_of_erin, erin, "Thanks, starting today")
    await say(h, erin, project_of_erin, frank, SCAM)
    first = await h.milestone(erin, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.deliver(frank, first.id, "Part one, see the archive", ["zip-1"])
    async with h.tx() as m:
        await m.milestones.release(erin, first.id)
    second = await h.milestone(erin, contract.id, 10_000)
    async with h.tx() as m:
        d = await m.disputes.open(
            frank,
            second.id,
            reason="The second part was done and not paid.",
            claimed_amount=10_000,
            evidence=[EvidenceFile("frank-evidence-file", "document", "my log")],
        )
    async with h.tx() as m:
        await m.disputes.add_evidence(erin, d.id, EvidenceFile(OLGAS_EVIDENCE, "photo"))
        await m.disputes.respond(erin, d.id, "It was late.")
    async with h.tx() as m:
        await m.disputes.escalate(frank, d.id)
    async with h.tx() as m:
        await m.disputes.resolve(admin, d.id, DisputeResolution.RELEASE, note="Done is done")
    async with h.tx() as m:
        await m.contracts.end(erin, contract.id)
    async with h.tx() as m:
        await m.reviews.write(frank, contract.id, 4, "Clear brief, paid in the end.")
        await m.reviews.write(erin, contract.id, 5, "Frank knows his Python.")

    # Frank hires Fiona on his own project, and pays her.
    logo = await h.open_project(
        frank, title="Logo for my band", attachments=[Attachment("att-logo", "photo")]
    )
    fionas_bid = await h.bid(fiona, logo)
    async with h.tx() as m:
        award = await m.awards.offer(frank, fionas_bid)
    async with h.tx() as m:
        fionas = await m.awards.accept(fiona, award.id)
    paid_to_fiona = await h.milestone(frank, fionas.id, 5_000)
    async with h.tx() as m:
        await m.milestones.release(frank, paid_to_fiona.id)
    async with h.tx() as m:
        await m.contracts.end(frank, fionas.id)

    # Frank's other project is still open: Gus bid on it, and Frank muted him.
    website = await h.open_project(
        frank,
        title="Website for my band",
        attachments=[Attachment("att-website", "document", "sketch.pdf")],
    )
    gus_bid = await h.bid(gus, website)
    async with h.tx() as m:
        await m.bids.edit(gus, gus_bid, proposal=GUS_PROPOSAL)
        await m.safety.mute(frank, gus_bid)

    # Frank bids on Olga's project and writes to her; he reports her project.
    olgas_project = await h.open_project(olga, title="Shop bot for Olga")
    await h.bid(frank, olgas_project)
    await say(h, frank, olgas_project, olga, "I could start on Monday, here is my plan.")
    await say(h, olga, olgas_project, frank, "Sounds good, tell me more.")
    async with h.tx() as m:
        await m.reports.report(frank, ReportTarget.PROJECT, olgas_project, "spam", "Looks fake")
        await m.reports.report(erin, ReportTarget.PROFILE, frank.user_id, "abuse", "Erin's note")

    # Money out: one payout paid, one rejected.
    async with h.tx() as m:
        paid = (await m.payouts.request(frank, 5_000, "IBAN FRANK 1")).id
        rejected = (await m.payouts.request(frank, 3_000, "IBAN FRANK WRONG")).id
    async with h.tx() as m:
        await m.payouts.mark_paid(admin, paid, "ref 1")
        await m.payouts.reject(admin, rejected, "Not your account")
    return History(
        frank,
        erin,
        fiona,
        gus,
        olga,
        admin,
        contract.id,
        fionas.id,
        logo,
        website,
        olgas_project,
        paid,
        rejected,
    )


async def exported(h: Harness, actor: Actor) -> dict[str, Any]:
    async with h.tx() as m:
        data = await m.privacy.export(actor)
    return json.loads(export_bytes(data))  # the file as sent: plain JSON


# --- the export ---------------------------------------------------------------------------


async def test_the_export_holds_everything_about_the_person(h: Harness) -> None:
    story = await history(h)
    data = await exported(h, story.frank)
    assert set(data) == {
        "format",
        "exported_at",
        "account",
        "freelancer_profile",
        "alerts",
        "projects",
        "bids",
        "offers",
        "contracts",
        "payments",
        "money",
        "payouts",
        "disputes",
        "messages",
        "reviews",
        "reports_filed",
        "mutes",
        "safety_notes",
        "left_out",
    }
    assert data["format"] == "bidgram-export/1" and data["left_out"] == {}
    assert data["exported_at"] == h.clock.now().isoformat()
    account = data["account"]
    assert (account["id"], account["telegram_id"], account["first_name"]) == (
        story.frank.user_id,
        story.frank.telegram_id,
        "Frank",
    )
    assert account["username"] == "frank"
    assert data["freelancer_profile"]["headline"] == "Senior Python developer"
    assert data["freelancer_profile"]["skills"] == ["python"]
    assert data["freelancer_profile"]["portfolio"] == ["https://example.com/work"]
    assert data["alerts"]["skills"] == ["python"]

    projects = {p["title"]: p for p in data["projects"]}
    assert set(projects) == {"Logo for my band", "Website for my band"}
    assert projects["Website for my band"]["attachments"] == [
        {"file_id": "att-website", "kind": "document", "file_name": "sketch.pdf"}
    ]
    assert {b["project_id"]: b["status"] for b in data["bids"]} == {
        story.olgas_project: "active",
        data["contracts"][1]["project_id"]: "hired",
    }
    assert sorted(o["to_you"] for o in data["offers"]) == [False, True]

    contracts = {c["id"]: c for c in data["contracts"]}
    with_erin, with_fiona = contracts[story.erins_contract], contracts[story.fionas_contract]
    assert (with_erin["your_role"], with_erin["other_side"]) == (
        "freelancer",
        {"id": story.erin.user_id, "name": "Erin"},
    )
    assert (with_fiona["your_role"], with_fiona["other_side"]["name"]) == ("employer", "Fiona")
    delivered = [
        ev for ms in with_erin["milestones"] for ev in ms["history"] if ev["kind"] == "delivered"
    ]
    assert [(ev["by"], ev["file_ids"], ev["note"]) for ev in delivered] == [
        ("you", ["zip-1"], "Part one, see the archive")
    ]
    assert [p["amount"] for p in data["payments"]] == [5_000]  # what Frank paid Fiona

    money = data["money"]
    assert (money["available"], money["payout_hold"], money["refund_hold"]) == (
        await h.available(story.frank),
        0,
        0,
    )
    assert (
        sum(p["amount"] for p in money["ledger"] if p["account"] == "available")
        == (money["available"])
    )
    assert {p["destination"] for p in data["payouts"]} == {"IBAN FRANK 1", "IBAN FRANK WRONG"}

    [dispute] = data["disputes"]
    assert dispute["filed_by_you"] and dispute["response"] == "It was late."
    assert [x["file_id"] for x in dispute["your_evidence"]] == ["frank-evidence-file"]

    sent = [msg["text"] for msg in data["messages"]["sent"]]
    received = [msg["text"] for msg in data["messages"]["received"]]
    assert set(sent) == {"Thanks, starting today", "I could start on Monday, here is my plan."}
    assert set(received) == {"Welcome aboard", SCAM, "Sounds good, tell me more."}
    assert all("flags" not in msg for msg in data["messages"]["received"])
    assert [r["text"] for r in data["reviews"]["written"]] == ["Clear brief, paid in the end."]
    assert [r["text"] for r in data["reviews"]["about_you"]] == ["Frank knows his Python."]
    assert [(r["target_kind"], r["note"]) for r in data["reports_filed"]] == [
        ("project", "Looks fake")
    ]
    assert data["mutes"] == [
        {"muted": {"id": story.gus.user_id, "name": "Gus"}, "since": h.clock.now().isoformat()}
    ]
    assert [n["about_messages_from"]["name"] for n in data["safety_notes"]] == ["Erin"]


async def test_the_export_holds_nothing_private_of_anyone_else(h: Harness) -> None:
    story = await history(h)
    text = json.dumps(await exported(h, story.frank), ensure_ascii=False)
    for private in (
        str(story.erin.telegram_id),  # others' Telegram ids and usernames
        str(story.fiona.telegram_id),
        '"erin"',
        '"fiona"',
        FIONAS_BIO,  # someone else's profile
        GUS_PROPOSAL,  # a bid Frank received as an employer
        OLGAS_EVIDENCE,  # the other side's evidence
        "Erin's note",  # a report about Frank belongs to the admins
    ):
        assert private not in text, private


async def test_the_export_is_one_file_that_fits_telegrams_limit(h: Harness) -> None:
    story = await history(h)
    for n in range(40):
        await say(h, story.olga, story.olgas_project, story.frank, f"Message {n}: " + "x" * 500)
    async with h.tx() as m:
        data = await m.privacy.export(story.frank)
    whole = export_bytes(json.loads(json.dumps(data)))
    small = export_bytes(data, limit=len(whole) // 2)
    assert len(small) <= len(whole) // 2
    trimmed = json.loads(small)
    kept = trimmed["messages"]["received"]
    assert 0 < len(kept) < 43 and kept[0]["text"].startswith("Message 39:")  # newest kept
    assert trimmed["left_out"] == {
        "messages.received": f"only the newest {len(kept)} are here: the file has to stay small"
    }


# --- deleting an account ------------------------------------------------------------------


async def codes(h: Harness, actor: Actor) -> list[str]:
    async with h.tx() as m:
        return [r.code for r in (await m.privacy.deletion(actor)).refusals]


async def earned_and_done(h: Harness) -> tuple[Actor, Actor]:
    """An employer and a freelancer whose contract ended paid: the freelancer has 90.00
    on the balance, the employer nothing."""
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    return employer, freelancer


async def test_deletion_is_refused_while_money_is_in_escrow(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    await h.milestone(employer, contract.id, 10_000)
    for side in (employer, freelancer):
        assert await codes(h, side) == ["account.money_in_escrow", "account.contract_active"]
        error = await h.refused(lambda m, s=side: m.privacy.delete(s), "account.money_in_escrow")
        assert error.details == {"amount": 10_000}  # minor units: the bot words them


async def test_deletion_is_refused_while_a_dispute_is_open(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.disputes.open(
            freelancer, ms.id, reason="Not paid for what I did.", claimed_amount=5_000
        )
    for side in (employer, freelancer):
        assert await codes(h, side) == [
            "account.money_in_escrow",
            "account.open_dispute",
            "account.contract_active",
        ]


async def test_deletion_is_refused_while_a_payout_waits(h: Harness) -> None:
    _, freelancer = await earned_and_done(h)
    async with h.tx() as m:
        await m.payouts.request(freelancer, 9_000, "IBAN DE89 3704 0044 0532 0130 00")
    assert await codes(h, freelancer) == ["account.payout_pending"]
    await h.refused(lambda m: m.privacy.delete(freelancer), "account.payout_pending")


async def test_deletion_is_refused_while_a_refund_is_on_its_way(h: Harness) -> None:
    employer, _, contract, _, payment = await cancelled(h)
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    assert await codes(h, employer) == ["account.refund_pending"]
    await h.refused(lambda m: m.privacy.delete(employer), "account.refund_pending")
    async with h.tx() as m:
        await m.refunds.finish(payment.id, RefundOutcome.DONE, "")
    assert await codes(h, employer) == []


async def test_deletion_is_refused_while_a_payment_is_being_credited(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        await m.payments.receive("charge-1", "pay:1", 1, erin.telegram_id, 10_000, "XTR")
    assert await codes(h, erin) == ["account.payment_pending"]


async def test_deletion_is_refused_while_money_is_on_the_balance(h: Harness) -> None:
    _, freelancer = await earned_and_done(h)
    assert await codes(h, freelancer) == ["account.balance"]
    error = await h.refused(lambda m: m.privacy.delete(freelancer), "account.balance")
    assert error.details == {"available": 9_000}


async def test_deletion_is_refused_while_a_contract_runs(h: Harness) -> None:
    employer, freelancer, _ = await h.hire()
    for side in (employer, freelancer):
        assert await codes(h, side) == ["account.contract_active"]
        await h.refused(lambda m, s=side: m.privacy.delete(s), "account.contract_active")


async def test_a_suspended_account_cannot_be_deleted(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer()
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "spam")
    await h.refused(lambda m: m.privacy.delete(frank), "user.banned")


async def everything_out(h: Harness, story: History) -> None:
    """Frank takes the rest of his money out, so his account may go."""
    left = await h.available(story.frank)
    async with h.tx() as m:
        payout = await m.payouts.request(story.frank, left, "IBAN FRANK 1")
    async with h.tx() as m:
        await m.payouts.mark_paid(story.admin, payout.id, "ref 2")


async def count(h: Harness, model: Any, *where: Any) -> int:
    async with h.tx() as m:
        stmt = select(func.count()).select_from(model).where(*where)
        return int((await m.ctx.uow.session.execute(stmt)).scalar_one())


async def test_deleting_an_account_erases_what_is_only_theirs_and_keeps_the_rest(
    h: Harness,
) -> None:
    story = await history(h)
    frank = story.frank
    hal = await h.employer("Hal")
    hals_project = await h.open_project(hal, title="Hal's scraper")
    await h.bid(frank, hals_project)
    async with h.tx() as m:
        olgas_bid = await m.bids.mine_on(frank, story.olgas_project)
        assert olgas_bid is not None
        await m.awards.offer(story.olga, olgas_bid.id)
    draft = await h.draft(frank, title="Nobody saw this one")
    await everything_out(h, story)
    postings = await count(h, Posting)
    async with h.tx() as m:
        plan = await m.privacy.deletion(frank)
    assert (plan.allowed, plan.projects, plan.offers, plan.bids) == (True, 2, 1, 1)

    h.events.clear()
    async with h.tx() as m:
        gone = await m.privacy.delete(frank)
    told = {(e.kind, e.recipients) for e in h.events}
    assert ("project.cancelled", (story.gus.user_id,)) in told  # Frank's open project
    assert ("award.declined", (story.olga.user_id,)) in told  # the offer Olga made him
    assert ("bid.retracted", (hal.user_id,)) in told  # his bid on Hal's project

    # The account: anonymous, detached from Telegram, told nothing any more.
    assert gone.first_name == f"Deleted user #{frank.user_id}"
    assert (gone.last_name, gone.username, gone.language_code) == (None, None, None)
    assert gone.telegram_id == -frank.user_id
    assert gone.deleted_at == h.clock.now() and gone.blocked_bot_at == h.clock.now()
    # Erased: what was only his.
    assert await count(h, FreelancerProfile, FreelancerProfile.user_id == frank.user_id) == 0
    assert await count(h, AlertSubscription, AlertSubscription.user_id == frank.user_id) == 0
    assert await count(h, Mute, Mute.user_id == frank.user_id) == 0
    assert await count(h, SafetyNote, SafetyNote.user_id == frank.user_id) == 0
    async with h.tx() as m:
        session = m.ctx.uow.session
        website = await session.get(Project, story.website)
        unseen = await session.get(Project, draft)
        logo = await session.get(Project, story.logo)
        assert website is not None and unseen is not None and logo is not None
        assert (unseen.title, unseen.description) == (DELETED, DELETED)
        # Gus bid on it: his bid is still named by its title; the rest is gone.
        assert (website.title, website.description) == ("Website for my band", DELETED)
        assert logo.title == "Logo for my band"  # Fiona's contract keeps its project
        assert logo.description.startswith("A bot that takes orders")
        files = (await session.execute(select(ProjectAttachment.file_id))).scalars().all()
        assert sorted(files) == ["att-logo"]
        proposals = {
            b.project_id: b.proposal
            for b in (await session.execute(select(Bid).where(Bid.freelancer_id == frank.user_id)))
            .scalars()
            .all()
        }
        erins_project = (await m.contracts.get(story.erin, story.erins_contract)).project_id
        assert proposals[story.olgas_project] == proposals[hals_project] == DELETED
        assert proposals[erins_project].startswith("I have built many shop bots")
        texts = {
            msg.text: msg.sender_id
            for msg in (await session.execute(select(Message))).scalars().all()
        }
        assert "Thanks, starting today" in texts  # the conversation of a contract stays
        assert "I could start on Monday, here is my plan." not in texts
        assert texts["Sounds good, tell me more."] == story.olga.user_id  # Olga's own words
        destinations = {
            p.id: p.destination for p in (await session.execute(select(Payout))).scalars().all()
        }
        assert destinations[story.paid] == "IBAN FRANK 1"  # where money went: the books
        assert destinations[story.rejected] == DELETED

    # Kept: what the other side and the books need, under the anonymous name.
    async with h.tx() as m:
        contract = await m.contracts.get(story.erin, story.erins_contract)
        other = await m.users.get(contract.freelancer_id)
        reviews = await m.reviews.for_contract(story.erin, contract.id)
        disputes = await m.disputes.of_user(story.erin)
    assert other.display_name == f"Deleted user #{frank.user_id}"
    assert reviews.mine is not None and reviews.theirs is not None
    assert [d.filed_by_id for d in disputes] == [frank.user_id]
    assert await count(h, Posting) == postings  # every ledger entry stays
    await h.check_books()
    await h.refused(
        lambda m: m.messages.send(story.erin, erins_project, frank.user_id, "Are you there?"),
        "message.recipient_unavailable",
    )


async def test_a_returning_telegram_user_starts_afresh(h: Harness) -> None:
    frank = await h.freelancer("Frank")
    async with h.tx() as m:
        await m.privacy.delete(frank)
    async with h.tx() as m:
        again = await m.users.register(frank.telegram_id, "Frank", username="frank")
        fresh = await m.users.profile(again.id)
        alerts = await m.subscriptions.of(again.id)
        old = await m.users.get(frank.user_id)
    assert again.id != frank.user_id
    assert fresh.profile is None and fresh.missing and alerts is None
    assert old.deleted_at is not None and old.first_name == f"Deleted user #{frank.user_id}"
    async with h.tx() as m:
        found = await m.users.find(await h.admin(), "@frank")
    assert found.id == again.id  # the username names the new account, not the old one


async def test_nothing_queued_for_a_deleted_account_is_sent(h: Harness) -> None:
    frank = await h.freelancer("Frank")
    async with h.db.uow() as uow:
        uow.session.add(
            OutboxMessage(
                chat=str(frank.telegram_id),
                text="A new project for you",
                status="pending",
                not_before=h.clock.now(),
                created_at=h.clock.now(),
            )
        )
        await uow.commit()
    async with h.tx() as m:
        await m.privacy.delete(frank)
    async with h.tx() as m:
        rows = (await m.ctx.uow.session.execute(select(OutboxMessage))).scalars().all()
        deleted = await m.ctx.uow.session.get(User, frank.user_id)
    assert [(r.status, r.last_error) for r in rows] == [("blocked", "account deleted")]
    assert deleted is not None and deleted.blocked_bot_at is not None
