"""On the record: each side's behaviour, computed from hand-built histories."""

from __future__ import annotations

from datetime import timedelta

from core.actors import Actor
from core.services.reputation import EmployerRecord, FreelancerRecord
from storage.enums import DisputeResolution, PartyRole, ProjectStatus
from storage.models import Contract, Milestone
from tests.harness import Harness

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
REASON = "The delivery does not match the brief."


async def employer_record(h: Harness, who: Actor) -> EmployerRecord:
    async with h.tx() as m:
        return await m.reputation.employer_record(who.user_id)


async def freelancer_record(h: Harness, who: Actor) -> FreelancerRecord:
    async with h.tx() as m:
        return await m.reputation.freelancer_record(who.user_id)


async def deliver(h: Harness, freelancer: Actor, ms: Milestone) -> None:
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Here it is")


async def release(h: Harness, employer: Actor, ms: Milestone, amount: int | None = None) -> None:
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id, amount)


async def settled(
    h: Harness, contract: Contract, filer: Actor, respondent: Actor, verdict: DisputeResolution
) -> None:
    """A funded, delivered milestone of ``contract`` disputed by ``filer``, answered,
    escalated and decided by an admin."""
    employer_id = contract.employer_id
    employer = filer if filer.user_id == employer_id else respondent
    freelancer = respondent if employer is filer else filer
    ms = await h.milestone(employer, contract.id, 10_000)
    await deliver(h, freelancer, ms)
    # An employer disputing delivered work names what is missing (part of the terms).
    named = [0] if filer is employer else []
    async with h.tx() as m:
        d = await m.disputes.open(
            filer, ms.id, reason=REASON, claimed_amount=10_000, deliverables=named
        )
    async with h.tx() as m:
        await m.disputes.respond(respondent, d.id, "I see it differently.")
    async with h.tx() as m:
        await m.disputes.escalate(respondent, d.id)
    admin = await h.admin()
    async with h.tx() as m:
        await m.disputes.resolve(admin, d.id, verdict, release_amount=4_000)


# --- employers --------------------------------------------------------------------------


async def test_a_new_employer_has_an_empty_record(h: Harness) -> None:
    newcomer = await h.employer()
    record = await employer_record(h, newcomer)
    assert record.empty
    assert (record.funded, record.released, record.disputes_opened, record.hired) == (0, 0, 0, 0)
    assert record.release_wait is None and record.hire_rate is None


async def test_money_funded_and_released_comes_from_the_ledger(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    paid = await h.milestone(employer, contract.id, 10_000)
    await release(h, employer, paid)
    part_paid = await h.milestone(employer, contract.id, 20_000)
    await release(h, employer, part_paid, 5_000)  # part of it, the rest still held
    await h.milestone(employer, contract.id, 7_000)  # funded, nothing released
    await h.milestone(employer, contract.id, 3_000, fund=False)  # agreed, never funded
    record = await employer_record(h, employer)
    assert (record.funded, record.funded_amount) == (3, 37_000)
    assert (record.released, record.released_amount) == (2, 15_000)  # fee included
    assert not record.empty
    # The freelancer's money is not the employer's record, nor the other way round.
    assert (await employer_record(h, freelancer)).funded == 0
    await h.check_books()


async def test_days_to_release_run_from_the_first_delivery(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    quick = await h.milestone(employer, contract.id)
    await deliver(h, freelancer, quick)
    h.clock.advance(days=1)
    await release(h, employer, quick)  # one day after delivery

    changed = await h.milestone(employer, contract.id)
    await deliver(h, freelancer, changed)
    h.clock.advance(days=2)
    async with h.tx() as m:
        await m.milestones.request_changes(employer, changed.id, "Bigger logo, please")
    h.clock.advance(days=1)
    await deliver(h, freelancer, changed)
    h.clock.advance(days=2)
    await release(h, employer, changed)  # five days after the first delivery

    upfront = await h.milestone(employer, contract.id)
    await release(h, employer, upfront)  # paid before any delivery: no wait to measure

    slow = await h.milestone(employer, contract.id)
    await deliver(h, freelancer, slow)
    h.clock.advance(days=9)
    await release(h, employer, slow)

    record = await employer_record(h, employer)
    assert record.released == 4
    assert record.release_wait == 5 * DAY  # the median of 1, 5 and 9 days


async def test_the_median_wait_is_the_middle_one(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    for days in (3, 1, 10):
        ms = await h.milestone(employer, contract.id)
        await deliver(h, freelancer, ms)
        h.clock.advance(days=days)
        await release(h, employer, ms)
    assert (await employer_record(h, employer)).release_wait == 3 * DAY


async def test_an_auto_release_counts_the_whole_review_window(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    await deliver(h, freelancer, ms)
    h.clock.advance(h.settings.delivery_review_window)
    async with h.tx() as m:
        assert await m.milestones.auto_release_if_due(ms.id) is not None
    record = await employer_record(h, employer)
    assert record.release_wait == h.settings.delivery_review_window


async def test_hire_rate_counts_decided_projects_that_got_a_bid(h: Harness) -> None:
    employer, freelancer = await h.employer(), await h.freelancer()
    await h.hire(employer, freelancer)  # hired
    cancelled = await h.open_project(employer)
    await h.bid(freelancer, cancelled)
    async with h.tx() as m:
        await m.projects.cancel(employer, cancelled)  # bid on, then cancelled: not hired
    nobody_bid = await h.open_project(employer)
    h.clock.advance(h.settings.bidding_window)
    async with h.tx() as m:
        assert await m.projects.end_bidding_if_due(nobody_bid) is ProjectStatus.CLOSED
    still_open = await h.open_project(employer)
    await h.bid(freelancer, still_open)  # not decided yet
    record = await employer_record(h, employer)
    assert (record.hired, record.decided, record.hire_rate) == (1, 2, 0.5)


async def test_disputes_opened_and_lost_are_on_the_employers_record(h: Harness) -> None:
    employer, freelancer = await h.employer(), await h.freelancer()
    _, _, lost = await h.hire(employer, freelancer)
    await settled(h, lost, employer, freelancer, DisputeResolution.RELEASE)  # lost
    _, _, won = await h.hire(employer, freelancer)
    await settled(h, won, employer, freelancer, DisputeResolution.REFUND)  # won
    _, _, split = await h.hire(employer, freelancer)
    await settled(h, split, employer, freelancer, DisputeResolution.SPLIT)  # neither
    _, _, against = await h.hire(employer, freelancer)
    await settled(h, against, freelancer, employer, DisputeResolution.RELEASE)  # lost, not filed
    _, _, dropped = await h.hire(employer, freelancer)
    ms = await h.milestone(employer, dropped.id)
    async with h.tx() as m:
        d = await m.disputes.open(employer, ms.id, reason=REASON, claimed_amount=10_000)
    async with h.tx() as m:
        await m.disputes.withdraw(employer, d.id)  # opened, even though withdrawn
    record = await employer_record(h, employer)
    assert (record.disputes_opened, record.disputes_lost) == (4, 2)
    freelancer_side = await freelancer_record(h, freelancer)
    assert freelancer_side.disputes_lost == 1
    await h.check_books()


async def test_a_silent_employer_loses_by_the_timer(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    await deliver(h, freelancer, ms)
    async with h.tx() as m:
        d = await m.disputes.open(freelancer, ms.id, reason=REASON, claimed_amount=10_000)
    h.clock.advance(d.respond_by - h.clock.now())
    async with h.tx() as m:
        silence = await m.disputes.answer_silence_if_due(d.id)
        assert silence is not None and silence.settlement is not None  # the claim stood
    assert (await employer_record(h, employer)).disputes_lost == 1
    assert (await freelancer_record(h, freelancer)).disputes_lost == 0


async def test_a_page_of_employers_is_read_at_once_with_the_same_figures(h: Harness) -> None:
    erin, eve, frank = await h.employer("Erin"), await h.employer("Eve"), await h.freelancer()
    _, _, contract = await h.hire(erin, frank)
    ms = await h.milestone(erin, contract.id)
    await deliver(h, frank, ms)
    h.clock.advance(days=2)
    await release(h, erin, ms)
    async with h.tx() as m:
        both = await m.reputation.employer_records([erin.user_id, eve.user_id, erin.user_id])
    assert set(both) == {erin.user_id, eve.user_id}
    assert both[erin.user_id] == await employer_record(h, erin)
    assert both[eve.user_id] == await employer_record(h, eve)
    assert both[erin.user_id].release_wait == 2 * DAY and both[eve.user_id].empty


# --- freelancers ------------------------------------------------------------------------


async def test_a_freelancers_record_counts_first_deliveries_against_due_dates(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()  # the contract's deadline: 10 days
    on_time = await h.milestone(employer, contract.id)
    await deliver(h, freelancer, on_time)
    async with h.tx() as m:
        await m.milestones.request_changes(employer, on_time.id, "One more thing")
    late = await h.milestone(employer, contract.id)
    h.clock.advance(days=11)
    await deliver(h, freelancer, on_time)  # a redelivery: still on time
    await deliver(h, freelancer, late)
    await h.milestone(employer, contract.id)  # not delivered: not counted
    record = await freelancer_record(h, freelancer)
    assert (record.delivered, record.on_time, record.on_time_rate) == (2, 1, 0.5)
    assert not record.empty
    statements = [0]
    h.db.on_statement(lambda: statements.__setitem__(0, statements[0] + 1))
    async with h.tx() as m:  # together, as a bid's alert reads them: the same figures
        alone = await m.reputation.of(freelancer.user_id, PartyRole.FREELANCER)
        statements[0] = 0
        both = await m.reputation.freelancer(freelancer.user_id)
        assert statements[0] == 2  # the figures in one UNION ALL, and the messages
        assert both == (alone, record)


async def test_reply_time_is_the_median_wait_for_an_answer(h: Harness) -> None:
    erin, gina = await h.employer("Erin"), await h.employer("Gina")
    frank, bob = await h.freelancer("Frank"), await h.freelancer("Bob")
    shop = await h.open_project(erin)
    await h.bid(frank, shop)
    cafe = await h.open_project(gina)
    await h.bid(frank, cafe)
    own = await h.open_project(frank)  # Frank hiring: his replies there are not counted
    await h.bid(bob, own)

    async def say(sender: Actor, project: int, to: Actor, after: timedelta) -> None:
        h.clock.advance(after)
        async with h.tx() as m:
            await m.messages.send(sender, project, to.user_id, "Hello there")

    await say(erin, shop, frank, HOUR)
    await say(frank, shop, erin, 2 * HOUR)  # waited 2 h
    await say(erin, shop, frank, HOUR)
    await say(erin, shop, frank, HOUR)
    await say(frank, shop, erin, 6 * HOUR)  # from the first unanswered one: 7 h
    await say(frank, shop, erin, HOUR)  # nothing to answer
    await say(gina, cafe, frank, HOUR)
    await say(frank, cafe, gina, HOUR / 2)  # 30 min
    await say(bob, own, frank, HOUR)
    await say(frank, own, bob, 100 * HOUR)  # as an employer: not on this record
    record = await freelancer_record(h, frank)
    assert (record.replies, record.reply_time) == (3, 2 * HOUR)
    # Bob wrote first and has not answered Frank yet: nothing to measure.
    assert (await freelancer_record(h, bob)).replies == 0
    assert (await freelancer_record(h, bob)).reply_time is None
    # Read two a direction, the longer history is cut where the shorter one stops:
    # Frank's last two sent go back to his 6 h reply, so what he received before is out.
    async with h.tx() as m:
        latest = await m.ctx.uow.records.conversations(frank.user_id, 2)
    assert [(sender, to) for _, sender, to, _ in latest] == [
        (frank.user_id, erin.user_id),
        (gina.user_id, frank.user_id),
        (frank.user_id, gina.user_id),
    ]
