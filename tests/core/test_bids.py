"""Bids: placing, one per project, the daily limit, editing, retracting, declining, listing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.actors import Actor
from core.errors import Conflict, LimitReached
from core.marketplace import Marketplace
from storage.enums import BidStatus, PartyRole
from tests.harness import Harness

PROPOSAL = "I have built many shop bots; here is how I would do yours."


def events(h: Harness, kind: str) -> list[tuple[tuple[int, ...], dict[str, Any]]]:
    return [(e.recipients, e.to_payload()) for e in h.events if e.kind == kind]


def place(
    freelancer: Actor,
    project_id: int,
    *,
    amount: int = 30_000,
    days: int = 10,
    proposal: str = PROPOSAL,
) -> Any:
    def run(m: Marketplace) -> Any:
        return m.bids.place(
            freelancer, project_id, amount=amount, delivery_days=days, proposal=proposal
        )

    return run


async def get_bid(h: Harness, bid_id: int) -> Any:
    async with h.tx() as m:
        return await m.bids.get(bid_id)


# --- placing -------------------------------------------------------------------------


async def test_freelancer_places_a_bid_and_the_employer_is_told(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    h.clock.advance(hours=3)
    async with h.tx() as m:
        bid = await m.bids.place(
            frank, pid, amount=25_000, delivery_days=7, proposal=f"  {PROPOSAL}\n"
        )
    stored = await get_bid(h, bid.id)
    assert stored.status is BidStatus.ACTIVE
    assert (stored.amount, stored.delivery_days, stored.proposal) == (25_000, 7, PROPOSAL)
    assert stored.freelancer_id == frank.user_id and stored.project_id == pid
    assert stored.created_at == stored.placed_at == h.clock.now()
    assert events(h, "bid.placed") == [((erin.user_id,), {"project_id": pid, "bid_id": bid.id})]


async def test_freelancer_cannot_bid_on_own_project(h: Harness) -> None:
    frank = await h.freelancer()
    pid = await h.open_project(frank)
    await h.refused(place(frank, pid), "bid.own_project")


async def test_bid_on_a_missing_project_is_not_found(h: Harness) -> None:
    frank = await h.freelancer()
    await h.refused(place(frank, 987_654), "project.not_found")


async def test_no_bids_before_publishing(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.draft(erin)
    await h.refused(place(frank, pid), "project.not_found")


async def test_no_bids_once_the_bidding_window_has_ended(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    h.clock.advance(h.settings.bidding_window - timedelta(seconds=1))
    await h.bid(frank, pid)
    grace = await h.freelancer("Grace")
    h.clock.advance(seconds=1)
    await h.refused(place(grace, pid), "project.not_open")


async def test_no_bids_on_awarded_cancelled_or_closed_projects(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    awarded = await h.open_project(erin)
    cancelled = await h.open_project(erin)
    closed = await h.open_project(erin)
    bid_id = await h.bid(frank, awarded)
    async with h.tx() as m:
        await m.awards.offer(erin, bid_id)
        await m.projects.cancel(erin, cancelled)
    h.clock.advance(h.settings.bidding_window)
    async with h.tx() as m:
        await m.projects.end_bidding_if_due(closed)
    h.clock.set(h.clock.now() - h.settings.bidding_window)  # back inside the window
    for pid in (awarded, cancelled, closed):
        await h.refused(place(grace, pid), "project.not_open")


@pytest.mark.parametrize("amount", [0, -500])
async def test_bid_amount_must_be_above_zero(h: Harness, amount: int) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    await h.refused(place(frank, pid, amount=amount), "bid.amount_positive")


async def test_bid_amount_above_the_maximum_budget_is_refused(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    too_much = h.settings.max_budget + 1
    await h.refused(place(frank, pid, amount=too_much), "bid.amount_too_large")


async def test_bid_amount_at_the_limits_is_accepted(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    pid = await h.open_project(erin)
    low = await h.bid(frank, pid, amount=1)
    high = await h.bid(grace, pid, amount=h.settings.max_budget)
    assert (await get_bid(h, low)).amount == 1
    assert (await get_bid(h, high)).amount == h.settings.max_budget


@pytest.mark.parametrize("days", [0, -1, 366])
async def test_delivery_days_out_of_range_are_refused(h: Harness, days: int) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    await h.refused(place(frank, pid, days=days), "bid.delivery_days")


async def test_delivery_days_at_the_limits_are_accepted(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.open_project(erin)
    for days in (1, h.settings.max_delivery_days):
        freelancer = await h.freelancer(f"F{days}")
        bid_id = await h.bid(freelancer, pid, days=days)
        assert (await get_bid(h, bid_id)).delivery_days == days


async def test_proposal_too_short_is_refused(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    short = "p" * (h.settings.proposal_min - 1)
    await h.refused(place(frank, pid, proposal=short), "bid.proposal.too_short")


async def test_proposal_too_long_is_refused(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    long = "p" * (h.settings.proposal_max + 1)
    await h.refused(place(frank, pid, proposal=long), "bid.proposal.too_long")


async def test_refused_bid_changes_nothing(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid, amount=30_000)
    h.events.clear()
    await h.refused(place(frank, pid, amount=12_345), "bid.exists")
    await h.refused(place(frank, pid, amount=-1), "bid.amount_positive")
    assert (await get_bid(h, bid_id)).amount == 30_000
    assert h.events == []


# --- one bid per freelancer per project ----------------------------------------------


async def test_second_bid_on_the_same_project_is_a_conflict(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    await h.bid(frank, pid)
    error = await h.refused(place(frank, pid, amount=20_000), "bid.exists")
    assert isinstance(error, Conflict)


async def test_retract_then_bid_again_reuses_the_bid(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    first = await h.bid(frank, pid, amount=30_000)
    created = h.clock.now()
    h.clock.advance(hours=2)
    async with h.tx() as m:
        await m.bids.retract(frank, first)
    h.clock.advance(hours=2)
    again = await h.bid(frank, pid, amount=28_000, days=4)
    assert again == first
    bid = await get_bid(h, again)
    assert bid.status is BidStatus.ACTIVE
    assert (bid.amount, bid.delivery_days) == (28_000, 4)
    assert bid.created_at == created
    assert bid.placed_at == h.clock.now()
    async with h.tx() as m:
        assert len(await m.ctx.uow.bids.for_project(pid)) == 1


async def test_declined_bidder_cannot_bid_again(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    async with h.tx() as m:
        await m.bids.decline(erin, bid_id)
    await h.refused(place(frank, pid), "bid.closed")


# --- daily limit ---------------------------------------------------------------------


async def test_daily_bid_limit(h: Harness) -> None:
    h.settings = h.settings.model_copy(update={"bids_per_day": 3})
    erin = await h.employer()
    frank = await h.freelancer()
    pids = [await h.open_project(erin) for _ in range(5)]
    for pid in pids[:3]:
        await h.bid(frank, pid)
        h.clock.advance(hours=1)
    error = await h.refused(place(frank, pids[3]), "bid.daily_limit")
    assert isinstance(error, LimitReached)
    # the window slides: the first bid leaves it 24 h after it was placed
    h.clock.advance(hours=20, minutes=59)  # 23:59 after the first bid
    await h.refused(place(frank, pids[3]), "bid.daily_limit")
    h.clock.advance(minutes=2)  # 24:01 after the first bid
    await h.bid(frank, pids[3])
    await h.refused(place(frank, pids[4]), "bid.daily_limit")
    h.clock.advance(hours=1)  # the second bid leaves the window too
    await h.bid(frank, pids[4])


async def test_daily_limit_is_per_freelancer(h: Harness) -> None:
    h.settings = h.settings.model_copy(update={"bids_per_day": 1})
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    a, b = await h.open_project(erin), await h.open_project(erin)
    await h.bid(frank, a)
    await h.bid(grace, a)
    await h.refused(place(frank, b), "bid.daily_limit")


async def test_retracted_bids_still_count_toward_the_daily_limit(h: Harness) -> None:
    h.settings = h.settings.model_copy(update={"bids_per_day": 2})
    erin = await h.employer()
    frank = await h.freelancer()
    a, b, c = [await h.open_project(erin) for _ in range(3)]
    first = await h.bid(frank, a)
    await h.bid(frank, b)
    async with h.tx() as m:
        await m.bids.retract(frank, first)
    await h.refused(place(frank, c), "bid.daily_limit")


# --- editing and retracting ----------------------------------------------------------


async def test_freelancer_edits_own_active_bid(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid, amount=30_000, days=10)
    h.clock.advance(hours=1)
    async with h.tx() as m:
        await m.bids.edit(frank, bid_id, amount=27_500)
    bid = await get_bid(h, bid_id)
    assert (bid.amount, bid.delivery_days, bid.proposal) == (27_500, 10, PROPOSAL)
    assert bid.updated_at == h.clock.now()
    async with h.tx() as m:
        await m.bids.edit(frank, bid_id, delivery_days=3, proposal="A better plan " * 3)
    bid = await get_bid(h, bid_id)
    assert (bid.amount, bid.delivery_days, bid.proposal) == (
        27_500,
        3,
        ("A better plan " * 3).strip(),
    )
    assert [to for to, _ in events(h, "bid.edited")] == [(erin.user_id,), (erin.user_id,)]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"amount": 0}, "bid.amount_positive"),
        ({"amount": 10**12}, "bid.amount_too_large"),
        ({"delivery_days": 0}, "bid.delivery_days"),
        ({"proposal": "short"}, "bid.proposal.too_short"),
        ({"proposal": "p" * 2001}, "bid.proposal.too_long"),
    ],
)
async def test_bad_bid_edit_is_refused(h: Harness, change: dict[str, Any], code: str) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    fields = {"amount": 29_000} | change
    await h.refused(lambda m: m.bids.edit(frank, bid_id, **fields), code)


async def test_freelancer_cannot_edit_or_retract_someone_elses_bid(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    await h.refused(lambda m: m.bids.edit(grace, bid_id, amount=1_000), "bid.not_owner")
    await h.refused(lambda m: m.bids.retract(grace, bid_id), "bid.not_owner")
    await h.refused(lambda m: m.bids.edit(erin, bid_id, amount=1_000), "bid.not_owner")


async def test_editing_a_missing_bid_is_not_found(h: Harness) -> None:
    frank = await h.freelancer()
    await h.refused(lambda m: m.bids.edit(frank, 987_654, amount=1_000), "bid.not_found")
    await h.refused(lambda m: m.bids.retract(frank, 987_654), "bid.not_found")


async def test_freelancer_retracts_own_bid_and_the_employer_is_told(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    async with h.tx() as m:
        await m.bids.retract(frank, bid_id)
    assert (await get_bid(h, bid_id)).status is BidStatus.RETRACTED
    assert events(h, "bid.retracted") == [((erin.user_id,), {"project_id": pid, "bid_id": bid_id})]
    await h.refused(lambda m: m.bids.retract(frank, bid_id), "bid.not_active")
    await h.refused(lambda m: m.bids.edit(frank, bid_id, amount=1_000), "bid.not_active")
    async with h.tx() as m:
        assert (await m.projects.view(pid)).bid_count == 0


async def test_bid_cannot_be_edited_or_retracted_once_bidding_is_over(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    h.clock.advance(h.settings.bidding_window)
    await h.refused(lambda m: m.bids.edit(frank, bid_id, amount=1_000), "project.not_open")
    await h.refused(lambda m: m.bids.retract(frank, bid_id), "project.not_open")


async def test_awarded_bid_cannot_be_edited_or_retracted(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    async with h.tx() as m:
        await m.awards.offer(erin, bid_id)
    await h.refused(lambda m: m.bids.edit(frank, bid_id, amount=1_000), "bid.awarded")
    await h.refused(lambda m: m.bids.retract(frank, bid_id), "bid.awarded")


async def test_other_bids_cannot_be_changed_while_an_offer_is_pending(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    other = await h.bid(grace, pid)
    async with h.tx() as m:
        await m.awards.offer(erin, bid_id)
    await h.refused(lambda m: m.bids.edit(grace, other, amount=1_000), "project.not_open")


# --- the employer's side ------------------------------------------------------------


async def test_employer_declines_a_bid_and_the_bidder_is_told(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    async with h.tx() as m:
        await m.bids.decline(erin, bid_id)
    assert (await get_bid(h, bid_id)).status is BidStatus.DECLINED
    assert events(h, "bid.declined") == [((frank.user_id,), {"project_id": pid, "bid_id": bid_id})]
    await h.refused(lambda m: m.bids.decline(erin, bid_id), "bid.not_active")
    await h.refused(lambda m: m.awards.offer(erin, bid_id), "bid.not_active")


async def test_only_the_project_owner_can_decline_a_bid(h: Harness) -> None:
    erin = await h.employer()
    mallory = await h.employer("Mallory")
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    await h.refused(lambda m: m.bids.decline(mallory, bid_id), "project.not_owner")
    await h.refused(lambda m: m.bids.decline(frank, bid_id), "project.not_owner")
    await h.refused(lambda m: m.bids.decline(erin, 987_654), "bid.not_found")


async def complete_with_review(h: Harness, employer: Actor, freelancer: Actor, stars: int) -> None:
    """A finished, paid contract on which the employer rated the freelancer."""
    _, _, contract = await h.hire(employer, freelancer)
    ms = await h.milestone(employer, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Done")
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)
    async with h.tx() as m:
        await m.reviews.write(employer, contract.id, stars, "Review of the work done.")
        await m.reviews.write(freelancer, contract.id, 5, "Great client to work with.")


async def test_employer_lists_bids_with_reputation_in_each_order(h: Harness) -> None:
    erin = await h.employer()
    star = await h.freelancer("Star")
    okay = await h.freelancer("Okay")
    newbie = await h.freelancer("Newbie")
    gone = await h.freelancer("Gone")
    await complete_with_review(h, erin, star, 5)
    await complete_with_review(h, erin, okay, 3)
    pid = await h.open_project(erin)
    b_okay = await h.bid(okay, pid, amount=20_000)
    h.clock.advance(minutes=1)
    b_newbie = await h.bid(newbie, pid, amount=15_000)
    h.clock.advance(minutes=1)
    b_star = await h.bid(star, pid, amount=40_000)
    h.clock.advance(minutes=1)
    b_gone = await h.bid(gone, pid, amount=1_000)
    async with h.tx() as m:
        await m.bids.retract(gone, b_gone)

    async def order(how: Any) -> list[int]:
        async with h.tx() as m:
            views = await m.bids.for_employer(erin, pid, how)
        return [v.bid.id for v in views]

    assert await order("newest") == [b_star, b_newbie, b_okay]
    assert await order("lowest") == [b_newbie, b_okay, b_star]
    assert await order("rating") == [b_star, b_okay, b_newbie]
    async with h.tx() as m:
        views = {v.bidder.id: v for v in await m.bids.for_employer(erin, pid)}
    assert set(views) == {star.user_id, okay.user_id, newbie.user_id}
    rep = views[star.user_id].reputation
    assert rep.role is PartyRole.FREELANCER
    assert (rep.rating, rep.reviews, rep.completed, rep.paid) == (5.0, 1, 1, 10_000)
    assert rep.completion_rate == 1.0
    assert views[okay.user_id].reputation.rating == 3.0
    fresh = views[newbie.user_id].reputation
    assert (fresh.rating, fresh.reviews, fresh.completed) == (None, 0, 0)
    assert fresh.completion_rate is None


async def test_a_stranger_cannot_list_the_bids(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    pid = await h.open_project(erin)
    await h.bid(frank, pid)
    await h.refused(lambda m: m.bids.for_employer(grace, pid), "project.not_owner")
    await h.refused(lambda m: m.bids.for_employer(frank, pid), "project.not_owner")
    await h.refused(lambda m: m.bids.for_employer(erin, 987_654), "project.not_found")


async def test_an_admin_can_list_the_bids(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    admin = await h.admin()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    async with h.tx() as m:
        assert [v.bid.id for v in await m.bids.for_employer(admin, pid)] == [bid_id]


async def test_freelancer_sees_own_bids_most_recent_first(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    a, b = await h.open_project(erin), await h.open_project(erin)
    first = await h.bid(frank, a)
    h.clock.advance(minutes=5)
    second = await h.bid(frank, b)
    async with h.tx() as m:
        assert [x.id for x in await m.bids.of_freelancer(frank)] == [second, first]
