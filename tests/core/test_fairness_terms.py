"""Fair by design, 1: the terms at award (deliverables, revision rounds, due date) are
offered with the project, accepted with it, and kept by the contract."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.actors import Actor
from core.errors import ValidationFailed
from storage.models import Award
from tests.harness import Harness


async def bid_on(h: Harness, **project: Any) -> tuple[Actor, Actor, int]:
    employer = await h.employer()
    freelancer = await h.freelancer()
    pid = await h.open_project(employer, **project)
    return employer, freelancer, await h.bid(freelancer, pid, days=12)


async def offer(h: Harness, employer: Actor, bid_id: int, **terms: Any) -> Award:
    async with h.tx() as m:
        return await m.awards.offer(employer, bid_id, **terms)


async def test_an_offer_starts_from_the_projects_scope_the_default_rounds_and_the_bids_days(
    h: Harness,
) -> None:
    employer, _, bid_id = await bid_on(h)
    async with h.tx() as m:
        proposed = await m.awards.proposed_terms(employer, bid_id)
    assert proposed.deliverables == ("Build a Telegram bot for my shop",)  # the title
    assert proposed.revision_rounds == h.settings.revision_rounds == 2
    assert proposed.due_at == h.clock.now() + timedelta(days=12)
    award = await offer(h, employer, bid_id)
    assert award.deliverables == list(proposed.deliverables)
    assert (award.revision_rounds, award.due_at) == (2, proposed.due_at)


async def test_a_description_that_lists_several_things_gives_one_deliverable_each(
    h: Harness,
) -> None:
    description = "What I need:\n- An order form\n\n* Card payments\n3. A daily summary for staff"
    employer, _, bid_id = await bid_on(h, description=description)
    async with h.tx() as m:
        proposed = await m.awards.proposed_terms(employer, bid_id)
    assert proposed.deliverables == (  # the heading is not a deliverable
        "An order form",
        "Card payments",
        "A daily summary for staff",
    )


async def test_a_long_line_of_the_project_is_shortened_to_a_deliverable(h: Harness) -> None:
    description = "Line one of the brief\n" + "x" * 150
    employer, _, bid_id = await bid_on(h, description=description)
    async with h.tx() as m:
        proposed = await m.awards.proposed_terms(employer, bid_id)
    assert len(proposed.deliverables[1]) == h.settings.deliverable_text_max
    assert proposed.deliverables[1].endswith("…")


async def test_the_employer_sets_the_terms_of_an_offer(h: Harness) -> None:
    employer, _, bid_id = await bid_on(h)
    due = h.clock.now() + timedelta(days=20)
    award = await offer(
        h,
        employer,
        bid_id,
        deliverables=["  - Order form ", "", "2. Payments", "Admin panel"],
        revision_rounds=0,
        due_at=due,
    )
    assert award.deliverables == ["Order form", "Payments", "Admin panel"]
    assert (award.revision_rounds, award.due_at) == (0, due)


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        ({"deliverables": []}, "award.deliverables_count"),
        ({"deliverables": ["  ", "-"]}, "award.deliverables_count"),
        ({"deliverables": [f"Part {n}" for n in range(11)]}, "award.deliverables_count"),
        ({"deliverables": ["y" * 101]}, "award.deliverable_too_long"),
        ({"deliverables": ["Logo", "logo"]}, "award.deliverable_repeated"),
        ({"revision_rounds": 6}, "award.revision_rounds"),
        ({"revision_rounds": -1}, "award.revision_rounds"),
        ({"revision_rounds": True}, "award.revision_rounds"),
        ({"due_at": "now"}, "award.due_days"),
        ({"due_at": "past"}, "award.due_days"),
        ({"due_at": "too far"}, "award.due_days"),
    ],
)
async def test_terms_outside_the_rules_are_refused(
    h: Harness, terms: dict[str, Any], code: str
) -> None:
    employer, _, bid_id = await bid_on(h)
    moments = {
        "now": h.clock.now(),
        "past": h.clock.now() - timedelta(days=1),
        "too far": h.clock.now() + timedelta(days=h.settings.max_delivery_days, seconds=1),
    }
    if "due_at" in terms:
        terms = {"due_at": moments[terms["due_at"]]}
    await h.refused(lambda m: m.awards.offer(employer, bid_id, **terms), code)


async def test_the_wizard_checks_are_the_offers_own(h: Harness) -> None:
    await bid_on(h)
    async with h.tx() as m:
        awards = m.awards
        assert awards.check_deliverables(["a", "b"]) == ("a", "b")
        assert awards.check_revision_rounds(5) == 5
        assert awards.due_in_days(3) == h.clock.now() + timedelta(days=3)
        for days in (0, h.settings.max_delivery_days + 1):
            with pytest.raises(ValidationFailed) as caught:
                awards.due_in_days(days)
            assert caught.value.code == "award.due_days"


async def test_only_the_projects_employer_gets_proposed_terms(h: Harness) -> None:
    _, freelancer, bid_id = await bid_on(h)
    await h.refused(lambda m: m.awards.proposed_terms(freelancer, bid_id), "project.not_owner")


async def test_accepting_the_offer_accepts_its_terms_and_the_contract_keeps_them(
    h: Harness,
) -> None:
    employer, freelancer, bid_id = await bid_on(h)
    due = h.clock.now() + timedelta(days=30)
    award = await offer(
        h, employer, bid_id, deliverables=["Order form", "Payments"], revision_rounds=1, due_at=due
    )
    h.clock.advance(hours=20)  # the freelancer takes their time: the due date stays agreed
    async with h.tx() as m:
        contract = await m.awards.accept(freelancer, award.id)
    assert contract.deliverables == ["Order form", "Payments"]
    assert contract.revision_rounds == 1
    assert contract.deadline_at == due
