"""The read side (core.views): each screen in one call, with what this person may do
there now, loaded in one or two queries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import pytest

from core.actors import Actor
from core.marketplace import Marketplace
from storage.enums import PartyRole
from tests.core.test_bot_support_work import STATES, in_state
from tests.harness import Harness

T = TypeVar("T")


@asynccontextmanager
async def counted(h: Harness, actor: Actor) -> AsyncIterator[tuple[Marketplace, list[int]]]:
    """A unit of work as an update sees it (its sender already read by the middleware)
    and a counter of the SQL statements run in it from then on."""
    statements = [0]

    def count() -> None:
        statements[0] += 1

    h.db.on_statement(count)
    async with h.tx() as m:
        sender = await m.ctx.uow.users.ensure(actor.telegram_id, h.clock.now())
        statements[0] = 0
        yield m, statements
        assert sender.id == actor.user_id  # held, as the middleware holds it


async def statements_for(
    h: Harness, actor: Actor, screen: Callable[[Marketplace], Awaitable[T]]
) -> tuple[T, int]:
    async with counted(h, actor) as (m, statements):
        shown = await screen(m)
        return shown, statements[0]


# --- milestones -------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
async def test_milestone_screen_offers_what_the_service_allows(h: Harness, state: str) -> None:
    employer, freelancer, contract, ms_id = await in_state(h, state)
    for actor, other in ((employer, "Frank"), (freelancer, "Erin")):
        async with h.tx() as m:
            screen = await m.views.milestones.screen(actor, ms_id)
            assert screen.actions == await m.milestones.actions(actor, ms_id), (state, actor)
        assert screen.header.other_name == other
        assert screen.header.contract.id == contract.id
        assert screen.header.employer is (actor == employer)


async def test_employer_sees_release_on_delivered_work_in_one_query(h: Harness) -> None:
    employer, freelancer, _, ms_id = await in_state(h, "delivered")
    screen, statements = await statements_for(
        h, employer, lambda m: m.views.milestones.screen(employer, ms_id)
    )
    assert {"release", "request_changes", "dispute"} <= screen.actions
    assert "deliver" not in screen.actions
    assert statements == 1
    screen = await h.run(lambda m: m.views.milestones.screen(freelancer, ms_id))
    assert "release" not in screen.actions


async def test_release_confirmation_names_the_freelancer_and_the_fee(h: Harness) -> None:
    employer, freelancer, _, ms_id = await in_state(h, "delivered")
    confirm, statements = await statements_for(
        h, employer, lambda m: m.views.milestones.release(employer, ms_id, 4_000)
    )
    assert confirm.freelancer_name == "Frank"
    assert (confirm.preview.amount, confirm.preview.fee + confirm.preview.net) == (4_000, 4_000)
    assert statements == 1
    await h.refused(
        lambda m: m.views.milestones.release(freelancer, ms_id), "milestone.employer_only"
    )


async def test_milestone_history_names_who_did_what_in_two_queries(h: Harness) -> None:
    employer, freelancer, _, ms_id = await in_state(h, "delivered")
    history, statements = await statements_for(
        h, freelancer, lambda m: m.views.milestones.history(freelancer, ms_id)
    )
    assert [e.kind for e in history.events][-1] == "delivered"
    assert history.names == {employer.user_id: "Erin", freelancer.user_id: "Frank"}
    assert statements == 2
    mallory = await h.user("Mallory")
    await h.refused(lambda m: m.views.milestones.history(mallory, ms_id), "contract.not_party")


async def test_a_stranger_sees_no_milestone_and_no_contract(h: Harness) -> None:
    _, _, contract, ms_id = await in_state(h, "funded")
    mallory = await h.user("Mallory")
    await h.refused(lambda m: m.views.milestones.screen(mallory, ms_id), "contract.not_party")
    await h.refused(lambda m: m.views.contracts.screen(mallory, contract.id), "contract.not_party")


# --- contracts --------------------------------------------------------------------------


async def test_contract_screen_in_two_queries(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    await h.milestone(employer, contract.id, fund=False)
    screen, statements = await statements_for(
        h, employer, lambda m: m.views.contracts.screen(employer, contract.id)
    )
    assert screen.actions == ("new_milestone", "message", "end")
    assert [ms.description for ms in screen.milestones] == ["First part"]
    assert (screen.header.other_name, screen.header.other_id) == ("Frank", freelancer.user_id)
    assert statements == 2
    screen = await h.run(lambda m: m.views.contracts.screen(freelancer, contract.id))
    assert screen.actions == ("request_milestone", "message", "end")
    assert screen.header.project_title


async def test_the_contracts_list_names_each_other_side_in_one_query(h: Harness) -> None:
    employer, freelancer, first = await h.hire()
    _, _, second = await h.hire(employer, freelancer)
    page, statements = await statements_for(
        h, freelancer, lambda m: m.views.contracts.page(freelancer, limit=1)
    )
    assert [c.other_name for c in page.items] == ["Erin"]
    assert page.more
    assert statements == 1
    page = await h.run(lambda m: m.views.contracts.page(employer, limit=5))
    assert {c.contract.id for c in page.items} == {first.id, second.id}
    assert [c.other_name for c in page.items] == ["Frank", "Frank"]
    assert not page.more


# --- projects ---------------------------------------------------------------------------


async def test_freelancer_sees_bid_and_the_employers_record_in_five_queries(
    h: Harness,
) -> None:
    employer, freelancer, contract = await h.hire()
    await h.milestone(employer, contract.id)  # something on the record: a funding
    pid = await h.open_project(employer)
    card, statements = await statements_for(
        h, freelancer, lambda m: m.views.projects.card(freelancer, pid)
    )
    assert not card.owner
    assert card.actions == ("bid",)
    assert statements == 3 + 2  # the card's, then the employer's figures and release events
    async with h.tx() as m:
        assert card.employer == await m.reputation.of(employer.user_id, PartyRole.EMPLOYER)
        assert card.record == await m.reputation.employer_record(employer.user_id)
    assert card.record is not None and card.record.funded == 1


async def test_freelancer_sees_edit_and_retract_on_own_bid(h: Harness) -> None:
    employer = await h.employer()
    freelancer = await h.freelancer()
    pid = await h.open_project(employer)
    bid_id = await h.bid(freelancer, pid)
    card = await h.run(lambda m: m.views.projects.card(freelancer, pid))
    assert card.actions == ("edit_bid", "retract")
    assert card.my_bid is not None and card.my_bid.id == bid_id
    assert card.view.bid_count == 1


async def test_freelancer_sees_accept_on_the_offer_made_to_them(h: Harness) -> None:
    employer = await h.employer()
    pid = await h.open_project(employer)
    freelancer, other = [await h.freelancer(name) for name in ("Frank", "Fiona")]
    bids = [await h.bid(bidder, pid) for bidder in (freelancer, other)]
    award = await h.run(lambda m: m.awards.offer(employer, bids[0]))
    card = await h.run(lambda m: m.views.projects.card(freelancer, pid))
    assert card.actions == ("accept_offer", "decline_offer")
    assert card.offer is not None and card.offer.id == award.id
    card = await h.run(lambda m: m.views.projects.card(other, pid))
    assert card.offer is None and card.actions == ()
    owner = await h.run(lambda m: m.views.projects.card(employer, pid))
    assert owner.actions == ("bids", "withdraw_offer", "cancel")


async def test_employer_sees_publish_on_a_draft_nobody_else_sees(h: Harness) -> None:
    employer = await h.employer()
    pid = await h.draft(employer)
    card, statements = await statements_for(
        h, employer, lambda m: m.views.projects.card(employer, pid)
    )
    assert card.owner and card.actions == ("publish", "edit", "cancel")
    assert card.employer is None  # one's own record is not on one's own card
    assert statements == 3
    freelancer = await h.freelancer()
    await h.refused(lambda m: m.views.projects.card(freelancer, pid), "project.not_found")


async def test_employer_opens_the_contract_from_the_card_once_work_started(h: Harness) -> None:
    employer, _, contract = await h.hire()
    card = await h.run(lambda m: m.views.projects.card(employer, contract.project_id))
    assert card.contract_id == contract.id
    assert card.actions == ("open_contract", "bids", "cancel")


# --- disputes ---------------------------------------------------------------------------


async def disputed(h: Harness) -> tuple[Actor, Actor, int]:
    """The employer disputed a funded milestone: the two sides and the dispute's id."""
    employer, freelancer, _, ms_id = await in_state(h, "disputed")
    opening = await h.run(lambda m: m.disputes.opening(employer, ms_id))
    assert opening.existing is not None
    return employer, freelancer, opening.existing.id


async def test_respondent_sees_respond_and_the_filer_sees_withdraw(h: Harness) -> None:
    employer, freelancer, did = await disputed(h)
    filer, statements = await statements_for(
        h, employer, lambda m: m.views.disputes.screen(employer, did)
    )
    assert filer.actions == ("offer", "evidence", "withdraw", "message")
    assert filer.names == {employer.user_id: "Erin", freelancer.user_id: "Frank"}
    assert statements == 3
    respondent = await h.run(lambda m: m.views.disputes.screen(freelancer, did))
    assert respondent.actions == ("respond", "offer", "evidence", "message")
    mallory = await h.user("Mallory")
    await h.refused(lambda m: m.views.disputes.screen(mallory, did), "dispute.not_party")


async def test_an_open_offer_is_accepted_or_countered_by_the_other_side(h: Harness) -> None:
    employer, freelancer, did = await disputed(h)
    await h.run(lambda m: m.disputes.offer(employer, did, 5_000))
    other = await h.run(lambda m: m.views.disputes.screen(freelancer, did))
    assert other.actions[:3] == ("respond", "accept_offer", "counter_offer")
    assert other.open_offer is not None and other.open_offer.release_amount == 5_000
    mine = await h.run(lambda m: m.views.disputes.screen(employer, did))
    assert "accept_offer" not in mine.actions and "offer" in mine.actions


# --- payouts, bids, profiles ------------------------------------------------------------


async def test_payout_is_offered_once_the_balance_reaches_the_smallest_payout(
    h: Harness,
) -> None:
    employer, freelancer, _, _ = await in_state(h, "released")
    screen, statements = await statements_for(
        h, freelancer, lambda m: m.views.payouts.balance(freelancer)
    )
    assert screen.balance.available == await h.available(freelancer) > 0
    assert screen.actions == ("payout",)
    assert statements == 2
    assert (await h.run(lambda m: m.views.payouts.balance(employer))).actions == ()


async def test_employer_may_award_an_active_bid_only(h: Harness) -> None:
    employer = await h.employer()
    pid = await h.open_project(employer)
    frank, fiona = [await h.freelancer(name) for name in ("Frank", "Fiona")]
    active, retracted = [await h.bid(bidder, pid) for bidder in (frank, fiona)]
    await h.run(lambda m: m.bids.retract(fiona, retracted))
    review = await h.run(lambda m: m.views.bids.review(employer, pid))
    assert [v.bid.id for v in review.bids] == [active]
    screen = await h.run(lambda m: m.views.bids.bid(employer, active))
    assert screen.actions == ("message", "award", "decline")
    screen = await h.run(lambda m: m.views.bids.bid(employer, retracted))
    assert screen.actions == ("message",)
    await h.refused(lambda m: m.views.bids.review(frank, pid), "project.not_owner")
    mine, statements = await statements_for(h, fiona, lambda m: m.views.bids.mine(fiona, 5))
    assert [(b.id, p.id) for b, p in mine.items] == [(retracted, pid)]
    assert statements == 1


async def test_own_profile_offers_edits_and_others_offer_a_report(h: Harness) -> None:
    employer, freelancer, _ = await h.hire()
    own = await h.run(lambda m: m.views.profiles.own(freelancer))
    assert own.own and own.actions == ("edit_all", "edit")
    public = await h.run(lambda m: m.views.profiles.freelancer(freelancer, freelancer.user_id))
    assert public.own and public.actions == ()
    seen = await h.run(lambda m: m.views.profiles.freelancer(employer, freelancer.user_id))
    assert seen.actions == ("report",)
    card = await h.run(lambda m: m.views.profiles.employer(freelancer, employer.user_id))
    assert card.name == "Erin" and card.actions == ("report",)


async def test_both_sides_may_review_an_ended_contract_once(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    await h.run(lambda m: m.milestones.release(employer, ms.id))
    await h.run(lambda m: m.contracts.end(employer, contract.id))
    screen, statements = await statements_for(
        h, employer, lambda m: m.views.contracts.reviews(employer, contract.id)
    )
    assert screen.actions == ("write",) and screen.header.other_name == "Frank"
    assert screen.closes_at is not None and screen.reviews.ending is not None
    assert statements == 4  # the contract, its reviews, and how it ended (milestones, disputes)
    await h.run(lambda m: m.reviews.write(employer, contract.id, 5, "Great work."))
    screen = await h.run(lambda m: m.views.contracts.reviews(employer, contract.id))
    assert screen.actions == () and screen.reviews.mine is not None
    screen = await h.run(lambda m: m.views.contracts.reviews(freelancer, contract.id))
    assert screen.actions == ("write",) and screen.header.other_name == "Erin"


async def test_starting_a_second_bid_offers_editing_the_first_and_a_declined_one_nothing(
    h: Harness,
) -> None:
    employer = await h.employer()
    pid = await h.open_project(employer)
    frank = await h.freelancer()
    newcomer = await h.user("Nina")
    found, statements = await statements_for(h, frank, lambda m: m.bids.eligibility(frank, pid))
    assert found.actions == ("bid",) and not found.missing
    assert statements == 4  # the project, the profile, its skills, one's bid
    found = await h.run(lambda m: m.bids.eligibility(newcomer, pid))
    assert found.actions == ("complete_profile",)
    bid_id = await h.bid(frank, pid)
    assert (await h.run(lambda m: m.bids.eligibility(frank, pid))).actions == (
        "edit_bid",
        "retract",
    )
    await h.run(lambda m: m.bids.decline(employer, bid_id))
    assert (await h.run(lambda m: m.bids.eligibility(frank, pid))).actions == ()
