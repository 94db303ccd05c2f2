"""Fair by design, 4 and 5: disputes of delivered work are specific, carry evidence at every
stage and leave a full record; both sides get the same time, and withdrawing and filing
again resets nothing in the filer's favour."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.actors import Actor
from core.services.disputes import EvidenceFile
from storage.enums import DisputeStatus, EvidenceStage, MilestoneStatus
from storage.models import Contract, Milestone
from tests.harness import Harness

REASON = "The admin panel is not there at all."
SHOT = EvidenceFile("shot-1", "photo", "The menu has no admin entry")


async def delivered(h: Harness) -> tuple[Actor, Actor, Contract, Milestone]:
    """Delivered work on a contract whose terms list three deliverables."""
    employer, freelancer, contract = await h.hire(
        deliverables=["Order form", "Payments", "Admin panel"]
    )
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "All three parts", ["build.zip"])
    return employer, freelancer, contract, await h.get_milestone(ms.id)


# --- specific --------------------------------------------------------------------------------


async def test_an_employer_cannot_dispute_delivered_work_without_naming_a_deliverable(
    h: Harness,
) -> None:
    employer, _, _, ms = await delivered(h)
    error = await h.refused(
        lambda m: m.disputes.open(employer, ms.id, reason=REASON, claimed_amount=10_000),
        "dispute.deliverables_required",
    )
    assert error.details == {}
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=10_000, deliverables=[2, 0]
        )
    assert d.deliverables == ["Order form", "Admin panel"]  # in the terms' order


async def test_changes_asked_since_do_not_make_delivered_work_undelivered(h: Harness) -> None:
    employer, _, _, ms = await delivered(h)
    async with h.tx() as m:
        await m.milestones.request_changes(employer, ms.id, "Add the admin panel")
    assert (await h.get_milestone(ms.id)).status is MilestoneStatus.FUNDED
    await h.refused(
        lambda m: m.disputes.open(employer, ms.id, reason=REASON, claimed_amount=10_000),
        "dispute.deliverables_required",
    )


@pytest.mark.parametrize("positions", [[3], [-1], [1, 1], [True]])
async def test_a_named_deliverable_is_one_of_the_agreed_terms(
    h: Harness, positions: list[int]
) -> None:
    employer, _, _, ms = await delivered(h)
    await h.refused(
        lambda m: m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=1, deliverables=positions
        ),
        "dispute.deliverable_unknown",
    )


async def test_a_freelancer_claims_payment_without_naming_deliverables(h: Harness) -> None:
    _, freelancer, _, ms = await delivered(h)
    await h.refused(
        lambda m: m.disputes.open(
            freelancer, ms.id, reason=REASON, claimed_amount=1, deliverables=[0]
        ),
        "dispute.deliverables_employer_only",
    )


async def test_work_never_delivered_may_be_disputed_without_naming_anything(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, reason="Nothing came, weeks late.", claimed_amount=10_000
        )
    assert d.deliverables == []


# --- evidence --------------------------------------------------------------------------------


async def test_either_side_attaches_evidence_at_every_stage(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h)
    admin = await h.admin()
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=10_000, deliverables=[2], evidence=[SHOT]
        )
    filed = [e for e in h.events if e.kind == "dispute.evidence"]
    assert [e.recipients for e in filed] == [(freelancer.user_id,)]  # the other side sees it

    async def attach(who: Actor, name: str) -> EvidenceStage:
        async with h.tx() as m:
            row = await m.disputes.add_evidence(who, d.id, EvidenceFile(name, "document"))
        assert h.events[-1].kind == "dispute.evidence"
        other = freelancer if who is employer else employer
        assert h.events[-1].recipients == (other.user_id,)
        return row.stage

    assert await attach(employer, "filed.pdf") is EvidenceStage.FILED
    assert await attach(freelancer, "answer.pdf") is EvidenceStage.RESPONSE
    async with h.tx() as m:
        await m.disputes.respond(freelancer, d.id, "The panel is behind /admin.")
    assert await attach(employer, "talk.pdf") is EvidenceStage.NEGOTIATION
    async with h.tx() as m:
        await m.disputes.escalate(employer, d.id)
    assert await attach(freelancer, "judge.pdf") is EvidenceStage.ARBITRATION
    for who in (employer, freelancer, admin):
        async with h.tx() as m:
            found = await m.disputes.evidence(who, d.id)
        assert [(e.file_id, e.stage) for e in found] == [
            ("shot-1", EvidenceStage.FILED),
            ("filed.pdf", EvidenceStage.FILED),
            ("answer.pdf", EvidenceStage.RESPONSE),
            ("talk.pdf", EvidenceStage.NEGOTIATION),
            ("judge.pdf", EvidenceStage.ARBITRATION),
        ]
    assert found[0].caption == "The menu has no admin entry"


async def test_evidence_is_capped_per_side(h: Harness) -> None:
    h.settings = h.settings.model_copy(update={"evidence_max": 2})
    employer, freelancer, _, ms = await delivered(h)
    await h.refused(
        lambda m: m.disputes.open(
            employer,
            ms.id,
            reason=REASON,
            claimed_amount=1,
            deliverables=[0],
            evidence=[SHOT, SHOT, SHOT],
        ),
        "dispute.evidence_full",
    )
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=1, deliverables=[0], evidence=[SHOT]
        )
    async with h.tx() as m:
        await m.disputes.add_evidence(employer, d.id, SHOT)
    await h.refused(
        lambda m: m.disputes.add_evidence(employer, d.id, SHOT), "dispute.evidence_full"
    )
    await h.refused(lambda m: m.disputes.check_evidence(employer, d.id), "dispute.evidence_full")
    async with h.tx() as m:  # the other side has room of its own
        await m.disputes.check_evidence(freelancer, d.id)
        await m.disputes.add_evidence(freelancer, d.id, SHOT)


async def test_evidence_is_a_file_a_photo_or_a_video_from_a_side_of_an_open_dispute(
    h: Harness,
) -> None:
    employer, freelancer, _, ms = await delivered(h)
    stranger = await h.user("Stella")
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=1, deliverables=[0]
        )
    for bad in (EvidenceFile("s-1", "sticker"), EvidenceFile("", "photo")):
        await h.refused(
            lambda m, b=bad: m.disputes.add_evidence(employer, d.id, b), "dispute.evidence_kind"
        )
    await h.refused(lambda m: m.disputes.add_evidence(stranger, d.id, SHOT), "dispute.not_party")
    async with h.tx() as m:
        await m.disputes.withdraw(employer, d.id)
    await h.refused(lambda m: m.disputes.add_evidence(freelancer, d.id, SHOT), "dispute.closed")
    await h.refused(lambda m: m.disputes.check_evidence(freelancer, d.id), "dispute.closed")


# --- the record ------------------------------------------------------------------------------


async def test_the_admins_record_has_terms_deliveries_changes_evidence_and_messages(
    h: Harness,
) -> None:
    employer, freelancer, contract, ms = await delivered(h)
    async with h.tx() as m:
        await m.milestones.request_changes(employer, ms.id, "Where is the admin panel?")
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "It is at /admin", ["panel.png"])
    async with h.tx() as m:
        await m.messages.send(
            employer, contract.project_id, freelancer.user_id, "/admin gives a 404"
        )
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=10_000, deliverables=[2], evidence=[SHOT]
        )
    admin = await h.admin()
    async with h.tx() as m:
        record = await m.disputes.record(admin, d.id)
    assert record.contract.deliverables == ["Order form", "Payments", "Admin panel"]
    assert record.contract.revision_rounds == 2
    assert record.dispute.deliverables == ["Admin panel"]
    assert [(e.note, e.file_ids) for e in record.deliveries] == [
        ("All three parts", ["build.zip"]),
        ("It is at /admin", ["panel.png"]),
    ]
    assert [e.note for e in record.change_requests] == ["Where is the admin panel?"]
    assert [e.file_id for e in record.evidence] == ["shot-1"]
    assert [x.text for x in record.messages] == ["/admin gives a 404"]
    assert record.earlier == []


# --- equal time, and filing again --------------------------------------------------------------


async def test_both_sides_get_the_same_time_to_respond(h: Harness) -> None:
    employer, freelancer, _, ms = await delivered(h)
    async with h.tx() as m:
        by_employer = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=1, deliverables=[0]
        )
    async with h.tx() as m:
        await m.disputes.withdraw(employer, by_employer.id)
    async with h.tx() as m:
        by_freelancer = await m.disputes.open(
            freelancer, ms.id, reason="Delivered in full.", claimed_amount=1
        )
    windows = {d.respond_by - d.created_at for d in (by_employer, by_freelancer)}
    assert windows == {h.settings.dispute_response_window} == {timedelta(days=4)}


async def test_withdrawing_and_filing_again_resets_nothing_in_the_employers_favour(
    h: Harness,
) -> None:
    employer, freelancer, _, ms = await delivered(h)
    async with h.tx() as m:
        await m.milestones.request_changes(employer, ms.id, "Add the admin panel")
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Panel added")
    review_ends = h.clock.now() + h.settings.delivery_review_window
    async with h.tx() as m:
        first = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=10_000, deliverables=[2]
        )
    h.clock.advance(days=3)
    async with h.tx() as m:
        await m.disputes.withdraw(employer, first.id)
    ms = await h.get_milestone(ms.id)
    # The review clock ran on through the dispute; the used change round stays used.
    assert ms.auto_release_at == review_ends
    assert ms.revisions_used == 1
    # Filing again needs a deliverable named again, and the old dispute stays on record.
    await h.refused(
        lambda m: m.disputes.open(employer, ms.id, reason=REASON, claimed_amount=10_000),
        "dispute.deliverables_required",
    )
    async with h.tx() as m:
        second = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=10_000, deliverables=[2]
        )
    admin = await h.admin()
    async with h.tx() as m:
        record = await m.disputes.record(admin, second.id)
    assert [(d.id, d.status) for d in record.earlier] == [(first.id, DisputeStatus.WITHDRAWN)]
    # The freelancer stays silent: an admin decides, nothing is refunded.
    h.clock.advance(h.settings.dispute_response_window)
    async with h.tx() as m:
        report = await m.timers.sweep()
    assert (report.disputes_escalated, report.disputes_defaulted) == (1, 0)
    assert await h.available(employer) == 0


async def test_an_employer_who_withdraws_after_the_review_window_has_the_delivery_released(
    h: Harness,
) -> None:
    employer, freelancer, _, ms = await delivered(h)
    h.clock.advance(days=13)
    async with h.tx() as m:
        d = await m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=10_000, deliverables=[2]
        )
    async with h.tx() as m:
        await m.disputes.respond(freelancer, d.id, "It is all there.")
    h.clock.advance(days=2)  # the review window ended during the dispute
    async with h.tx() as m:
        await m.disputes.withdraw(employer, d.id)
    await h.refused(
        lambda m: m.disputes.open(
            employer, ms.id, reason=REASON, claimed_amount=10_000, deliverables=[2]
        ),
        "dispute.nothing_to_dispute",
    )
    async with h.tx() as m:
        assert (await m.timers.sweep()).milestones_auto_released == 1
    assert await h.available(freelancer) == 9_000
    await h.check_books()
