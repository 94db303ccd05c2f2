"""Reviews: both sides, 1-5 stars and text, after completion, double-blind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.actors import Actor
from storage.enums import PartyRole
from storage.models import Contract
from tests.harness import Harness


async def completed(h: Harness) -> tuple[Actor, Actor, Contract]:
    """A contract whose work was paid for and which has ended."""
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        contract = await m.contracts.end(employer, contract.id)
    return employer, freelancer, contract


async def write(h: Harness, author: Actor, contract_id: int, rating: int, body: str) -> None:
    async with h.tx() as m:
        await m.reviews.write(author, contract_id, rating, body)


async def test_the_employer_reviews_the_freelancer_after_completion(h: Harness) -> None:
    employer, freelancer, contract = await completed(h)
    async with h.tx() as m:
        review = await m.reviews.write(employer, contract.id, 5, "  Fast and careful work.  ")
    assert (review.author_id, review.subject_id) == (employer.user_id, freelancer.user_id)
    assert review.subject_role is PartyRole.FREELANCER
    assert (review.rating, review.text) == (5, "Fast and careful work.")
    assert review.created_at == h.clock.now()
    assert h.events[-1].kind == "review.written"
    assert h.events[-1].recipients == (freelancer.user_id,)


async def test_the_freelancer_reviews_the_employer(h: Harness) -> None:
    employer, freelancer, contract = await completed(h)
    async with h.tx() as m:
        review = await m.reviews.write(freelancer, contract.id, 4, "Clear brief, paid on time.")
    assert review.subject_id == employer.user_id
    assert review.subject_role is PartyRole.EMPLOYER


async def test_no_review_before_the_contract_ends(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    await h.refused(
        lambda m: m.reviews.write(employer, contract.id, 5, "Great"), "review.not_ended"
    )
    async with h.tx() as m:
        view = await m.reviews.for_contract(freelancer, contract.id)
    assert view.can_write is False


async def test_no_review_for_a_contract_where_nothing_was_ever_funded(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    await h.milestone(employer, contract.id, fund=False)
    async with h.tx() as m:
        await m.contracts.end(employer, contract.id)  # nothing at stake: cancelled
    for actor in (employer, freelancer):
        await h.refused(
            lambda m, a=actor: m.reviews.write(a, contract.id, 1, "Never started"),
            "review.nothing_at_stake",
        )
        async with h.tx() as m:
            view = await m.reviews.for_contract(actor, contract.id)
        assert (view.can_write, view.ending) == (False, None)


async def test_only_the_parties_review(h: Harness) -> None:
    employer, _, contract = await completed(h)
    stranger = await h.user("Stella")
    admin = await h.admin()
    for actor in (stranger, admin):
        await h.refused(
            lambda m, a=actor: m.reviews.write(a, contract.id, 1, "Terrible!"), "contract.not_party"
        )
    await h.refused(lambda m: m.reviews.write(employer, 55_555, 5, "Nice"), "contract.not_found")
    async with h.tx() as m:
        await m.users.ban(admin, employer.user_id, "Fake reviews")
    await h.refused(lambda m: m.reviews.write(employer, contract.id, 5, "Nice"), "user.banned")
    await h.refused(lambda m: m.reviews.for_contract(stranger, contract.id), "contract.not_party")


@pytest.mark.parametrize("rating", [0, 6, -1, 3.5, "5", True, None])
async def test_a_rating_is_one_to_five_stars(h: Harness, rating: Any) -> None:
    employer, _, contract = await completed(h)
    await h.refused(
        lambda m: m.reviews.write(employer, contract.id, rating, "Good work"), "review.rating"
    )


@pytest.mark.parametrize("stars", [1, 5])
async def test_one_and_five_stars_are_both_allowed(h: Harness, stars: int) -> None:
    employer, _, contract = await completed(h)
    await write(h, employer, contract.id, stars, "Honest opinion")


async def test_a_review_needs_text_within_the_limit(h: Harness) -> None:
    employer, _, contract = await completed(h)
    limit = h.settings.review_max
    await h.refused(lambda m: m.reviews.write(employer, contract.id, 5, "   "), "review.text.empty")
    await h.refused(
        lambda m: m.reviews.write(employer, contract.id, 5, "x" * (limit + 1)),
        "review.text.too_long",
    )
    await write(h, employer, contract.id, 5, "x" * limit)


async def test_each_side_reviews_once(h: Harness) -> None:
    employer, freelancer, contract = await completed(h)
    await write(h, employer, contract.id, 5, "Great")
    await h.refused(
        lambda m: m.reviews.write(employer, contract.id, 1, "Changed my mind"), "review.exists"
    )
    await write(h, freelancer, contract.id, 4, "Good client")
    await h.refused(lambda m: m.reviews.write(freelancer, contract.id, 4, "Again"), "review.exists")


async def test_reviews_are_double_blind_until_both_have_written(h: Harness) -> None:
    employer, freelancer, contract = await completed(h)
    await write(h, employer, contract.id, 2, "Slow to answer.")
    async with h.tx() as m:
        employers_view = await m.reviews.for_contract(employer, contract.id)
        freelancers_view = await m.reviews.for_contract(freelancer, contract.id)
    assert employers_view.mine is not None and employers_view.mine.rating == 2
    assert employers_view.theirs is None
    assert employers_view.can_write is False
    # The freelancer cannot see the 2 stars before writing their own review.
    assert freelancers_view.mine is None
    assert freelancers_view.theirs is None
    assert freelancers_view.can_write is True

    await write(h, freelancer, contract.id, 5, "Lovely client.")
    async with h.tx() as m:
        employers_view = await m.reviews.for_contract(employer, contract.id)
        freelancers_view = await m.reviews.for_contract(freelancer, contract.id)
    assert employers_view.theirs is not None and employers_view.theirs.rating == 5
    assert freelancers_view.theirs is not None and freelancers_view.theirs.rating == 2
    assert freelancers_view.can_write is False


async def test_a_lone_review_becomes_visible_when_the_window_closes(h: Harness) -> None:
    employer, freelancer, contract = await completed(h)
    await write(h, employer, contract.id, 3, "Okay.")
    h.clock.advance(h.settings.review_window - timedelta(seconds=1))
    async with h.tx() as m:
        assert (await m.reviews.for_contract(freelancer, contract.id)).theirs is None
    h.clock.advance(seconds=1)
    async with h.tx() as m:
        view = await m.reviews.for_contract(freelancer, contract.id)
    assert view.theirs is not None and view.theirs.rating == 3
    assert view.can_write is False


async def test_the_review_window_closes_writing(h: Harness) -> None:
    employer, freelancer, contract = await completed(h)
    h.clock.advance(h.settings.review_window - timedelta(seconds=1))
    await write(h, employer, contract.id, 5, "Just in time")
    h.clock.advance(seconds=1)
    await h.refused(
        lambda m: m.reviews.write(freelancer, contract.id, 5, "Too late"), "review.window_closed"
    )


async def test_an_admin_can_read_a_contracts_reviews(h: Harness) -> None:
    employer, freelancer, contract = await completed(h)
    await write(h, employer, contract.id, 4, "Good")
    await write(h, freelancer, contract.id, 5, "Great")
    admin = await h.admin()
    async with h.tx() as m:
        view = await m.reviews.for_contract(admin, contract.id)
    assert view.mine is None
    assert view.can_write is False
