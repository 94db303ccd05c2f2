"""Core reads and validators the marketplace front of the bot relies on."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from core.services.projects import Attachment
from storage.enums import BidStatus
from tests.harness import Harness

# --- projects: step-by-step validation and edit checks ----------------------------------


async def test_check_fields_accepts_what_create_draft_accepts(h: Harness) -> None:
    async with h.tx() as m:
        await m.projects.check_fields(
            title="A logo for my bakery",
            description="A round logo with a croissant, in two colours, vector files please.",
            skills=["logo-design"],
            budget_min=10_000,
            budget_max=20_000,
            attachments=[Attachment("file-1", "photo")],
        )
        await m.projects.check_fields()  # nothing given, nothing to refuse


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": "short"}, "project.title.too_short"),
        ({"title": "x" * 101}, "project.title.too_long"),
        ({"description": "too short"}, "project.description.too_short"),
        ({"skills": []}, "skills.none"),
        ({"skills": ["python", "underwater-welding"]}, "skills.unknown"),
        ({"skills": ["python", "go", "java", "php", "sql", "seo"]}, "skills.too_many"),
        ({"budget_min": 999}, "project.budget_too_small"),
        ({"budget_min": 100_000_001}, "project.budget_too_large"),
        ({"budget_min": 50_000, "budget_max": 20_000}, "project.budget_order"),
        ({"attachments": [Attachment("sticker-id", "sticker")]}, "project.bad_file"),
        ({"attachments": [Attachment(f"f{i}") for i in range(11)]}, "project.too_many_files"),
    ],
)
async def test_check_fields_refuses_each_bad_part(
    h: Harness, fields: dict[str, object], code: str
) -> None:
    await h.refused(lambda m: m.projects.check_fields(**fields), code)  # type: ignore[arg-type]


async def test_editable_only_for_the_owner_while_open(h: Harness) -> None:
    erin, mallory = await h.employer(), await h.employer("Mallory")
    pid = await h.open_project(erin)
    async with h.tx() as m:
        assert (await m.projects.check(erin, pid, "edit")).id == pid
    await h.refused(lambda m: m.projects.check(mallory, pid, "edit"), "project.not_owner")
    async with h.tx() as m:
        await m.projects.cancel(erin, pid)
    await h.refused(lambda m: m.projects.check(erin, pid, "edit"), "project.not_editable")
    await h.refused(lambda m: m.projects.check(erin, 999_999, "edit"), "project.not_found")


# --- bids: eligibility, terms, one's own bids, the employer's view ---------------------


async def test_eligibility_reports_missing_profile_and_existing_bid(h: Harness) -> None:
    erin = await h.employer()
    newbie = await h.user("Newbie")
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    async with h.tx() as m:
        fresh = await m.bids.eligibility(newbie, pid)
        assert fresh.project.id == pid and fresh.bid is None
        assert fresh.missing == ["headline", "bio", "skills", "hourly_rate"]
        assert (await m.bids.eligibility(frank, pid)).missing == []
    bid_id = await h.bid(frank, pid)
    async with h.tx() as m:
        found = await m.bids.eligibility(frank, pid)
        assert found.bid is not None and found.bid.id == bid_id


async def test_eligibility_refuses_own_closed_and_missing_projects(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    draft = await h.draft(erin)
    await h.refused(lambda m: m.bids.eligibility(erin, pid), "bid.own_project")
    await h.refused(lambda m: m.bids.eligibility(frank, draft), "project.not_found")
    async with h.tx() as m:
        await m.projects.cancel(erin, pid)
    await h.refused(lambda m: m.bids.eligibility(frank, pid), "project.not_open")


async def test_check_terms_checks_only_what_is_given(h: Harness) -> None:
    async with h.tx() as m:
        assert m.bids.check_terms(amount=100) is None
        assert m.bids.check_terms(delivery_days=365) is None
        assert m.bids.check_terms(proposal="  I will do it well, promised.  ") == (
            "I will do it well, promised."
        )
        for terms, code in [
            ({"amount": 0}, "bid.amount_positive"),
            ({"amount": 100_000_001}, "bid.amount_too_large"),
            ({"delivery_days": 0}, "bid.delivery_days"),
            ({"delivery_days": 366}, "bid.delivery_days"),
            ({"proposal": "too short"}, "bid.proposal.too_short"),
        ]:
            with pytest.raises(DomainError) as caught:
                m.bids.check_terms(**terms)  # type: ignore[arg-type]
            assert caught.value.code == code


async def test_own_bids_and_the_employers_view(h: Harness) -> None:
    erin, mallory = await h.employer(), await h.employer("Mallory")
    frank, grace = await h.freelancer(), await h.freelancer("Grace")
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid, amount=25_000)
    async with h.tx() as m:
        mine = await m.bids.mine_on(frank, pid)
        assert mine is not None and mine.id == bid_id
        assert await m.bids.mine_on(grace, pid) is None
        assert (await m.bids.own(frank, bid_id)).amount == 25_000
        view = await m.bids.view_for_employer(erin, bid_id)
        assert view.bidder.id == frank.user_id and view.reputation.reviews == 0
    await h.refused(lambda m: m.bids.own(grace, bid_id), "bid.not_owner")
    await h.refused(lambda m: m.bids.view_for_employer(mallory, bid_id), "project.not_owner")
    await h.refused(lambda m: m.bids.view_for_employer(frank, bid_id), "project.not_owner")
    async with h.tx() as m:
        await m.bids.retract(frank, bid_id)
    async with h.tx() as m:  # a retracted bid stays readable, with its status
        assert (await m.bids.view_for_employer(erin, bid_id)).bid.status is BidStatus.RETRACTED


# --- awards and alerts -----------------------------------------------------------------


async def test_pending_offer_is_shown_to_the_two_people_it_concerns(h: Harness) -> None:
    erin = await h.employer()
    frank, grace = await h.freelancer(), await h.freelancer("Grace")
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    await h.bid(grace, pid)
    async with h.tx() as m:
        assert await m.awards.pending_for_project(erin, pid) is None
        award = await m.awards.offer(erin, bid_id)
    async with h.tx() as m:
        for who in (erin, frank):
            found = await m.awards.pending_for_project(who, pid)
            assert found is not None and found.id == award.id
        assert await m.awards.pending_for_project(grace, pid) is None


async def test_confirm_steps_refuse_with_the_operations_own_reasons(h: Harness) -> None:
    """check_offer / check_active / awards.check say no exactly as offer / retract / decline /
    withdraw would, each to the one side it is for."""
    employer, freelancer, other = (
        await h.employer(),
        await h.freelancer(),
        await h.freelancer("Gus"),
    )
    pid = await h.open_project(employer)
    bid_id = await h.bid(freelancer, pid)
    async with h.tx() as m:
        assert (await m.awards.check_offer(employer, bid_id)).id == bid_id
        assert (await m.bids.check_active(freelancer, bid_id)).id == bid_id
    await h.refused(lambda m: m.awards.check_offer(freelancer, bid_id), "project.not_owner")
    await h.refused(lambda m: m.bids.check_active(other, bid_id), "bid.not_owner")
    async with h.tx() as m:
        award = await m.awards.offer(employer, bid_id)
    await h.refused(lambda m: m.bids.check_active(freelancer, bid_id), "bid.awarded")
    async with h.tx() as m:
        assert (await m.awards.check(freelancer, award.id, "decline")).id == award.id
        assert (await m.awards.check(employer, award.id, "withdraw")).id == award.id
    await h.refused(lambda m: m.awards.check(other, award.id, "decline"), "award.not_yours")
    await h.refused(lambda m: m.awards.check(employer, award.id, "decline"), "award.not_yours")
    await h.refused(lambda m: m.awards.check(freelancer, award.id, "withdraw"), "project.not_owner")
    async with h.tx() as m:
        await m.awards.withdraw(employer, award.id)
    await h.refused(lambda m: m.awards.check(freelancer, award.id, "decline"), "award.withdrawn")
    await h.refused(lambda m: m.awards.check(employer, award.id, "withdraw"), "award.withdrawn")
    async with h.tx() as m:
        await m.bids.retract(freelancer, bid_id)
    await h.refused(lambda m: m.awards.check_offer(employer, bid_id), "bid.not_active")
    await h.refused(lambda m: m.bids.check_active(freelancer, bid_id), "bid.not_active")
