"""Projects: drafting, publishing, visibility, editing, cancelling, closing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from core.services.projects import Attachment
from storage.enums import AwardStatus, BidStatus, ContractStatus, MilestoneStatus, ProjectStatus
from tests.harness import Harness

TITLE = "Build a Telegram bot for my shop"
DESCRIPTION = "A bot that takes orders, accepts payments and notifies staff."


def events(h: Harness, kind: str) -> list[tuple[tuple[int, ...], dict[str, Any]]]:
    return [(e.recipients, e.to_payload()) for e in h.events if e.kind == kind]


def draft_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": TITLE,
        "description": DESCRIPTION,
        "skills": ["python", "telegram-bots"],
        "budget_min": 10_000,
        "budget_max": 50_000,
    }
    fields.update(overrides)
    return fields


async def status_of(h: Harness, project_id: int) -> ProjectStatus:
    async with h.tx() as m:
        return (await m.projects.get(project_id)).status


async def bid_statuses(h: Harness, project_id: int) -> dict[int, BidStatus]:
    async with h.tx() as m:
        bids = await m.ctx.uow.bids.for_project(project_id)
    return {b.freelancer_id: b.status for b in bids}


async def titles_found(h: Harness, query: str) -> list[str]:
    async with h.tx() as m:
        page = await m.projects.search(query, limit=50)
    return [p.title for p in page.items]


# --- drafting ------------------------------------------------------------------------


async def test_employer_creates_a_draft_with_skills_and_attachments(h: Harness) -> None:
    erin = await h.employer()
    files = [
        Attachment("file-1", "document", "brief.pdf"),
        Attachment("file-2", "photo"),
    ]
    async with h.tx() as m:
        project = await m.projects.create_draft(
            erin, **draft_fields(title=f"  {TITLE}  ", attachments=files)
        )
    async with h.tx() as m:
        view = await m.projects.view(project.id, erin)
    p = view.project
    assert p.status is ProjectStatus.DRAFT
    assert p.employer_id == erin.user_id
    assert p.title == TITLE
    assert (p.budget_min, p.budget_max) == (10_000, 50_000)
    assert p.published_at is None and p.bidding_ends_at is None
    assert p.created_at == h.clock.now()
    assert sorted(s.slug for s in view.skills) == ["python", "telegram-bots"]
    assert [(a.file_id, a.kind, a.file_name, a.position) for a in view.attachments] == [
        ("file-1", "document", "brief.pdf", 0),
        ("file-2", "photo", None, 1),
    ]
    assert view.bid_count == 0


async def test_title_too_short_is_refused(h: Harness) -> None:
    erin = await h.employer()
    short = "x" * (h.settings.title_min - 1)
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(title=short)),
        "project.title.too_short",
    )


async def test_title_too_long_is_refused(h: Harness) -> None:
    erin = await h.employer()
    long = "x" * (h.settings.title_max + 1)
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(title=long)),
        "project.title.too_long",
    )


async def test_title_and_description_at_their_limits_are_accepted(h: Harness) -> None:
    erin = await h.employer()
    s = h.settings
    for title, description in [
        ("t" * s.title_min, "d" * s.description_min),
        ("t" * s.title_max, "d" * s.description_max),
    ]:
        pid = await h.draft(erin, title=title, description=description)
        async with h.tx() as m:
            p = await m.projects.get(pid)
        assert (p.title, p.description) == (title, description)


async def test_limits_come_from_settings(h: Harness) -> None:
    h.settings = h.settings.model_copy(update={"title_min": 20})
    erin = await h.employer()
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(title="A nineteen char tit")),
        "project.title.too_short",
    )


async def test_description_too_short_is_refused(h: Harness) -> None:
    erin = await h.employer()
    short = "d" * (h.settings.description_min - 1)
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(description=short)),
        "project.description.too_short",
    )


async def test_description_too_long_is_refused(h: Harness) -> None:
    erin = await h.employer()
    long = "d" * (h.settings.description_max + 1)
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(description=long)),
        "project.description.too_long",
    )


async def test_project_needs_at_least_one_skill(h: Harness) -> None:
    erin = await h.employer()
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(skills=[])), "skills.none"
    )


async def test_project_with_more_than_five_skills_is_refused(h: Harness) -> None:
    erin = await h.employer()
    six = ["python", "django", "sql", "devops", "go", "java"]
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(skills=six)), "skills.too_many"
    )


async def test_project_with_five_skills_is_accepted(h: Harness) -> None:
    erin = await h.employer()
    five = ["python", "django", "sql", "devops", "go"]
    pid = await h.draft(erin, skills=[*five, "PYTHON"])
    async with h.tx() as m:
        view = await m.projects.view(pid, erin)
    assert sorted(s.slug for s in view.skills) == sorted(five)


async def test_project_with_unknown_skill_is_refused(h: Harness) -> None:
    erin = await h.employer()
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(skills=["python", "alchemy"])),
        "skills.unknown",
    )


async def test_budget_below_the_minimum_is_refused(h: Harness) -> None:
    erin = await h.employer()
    low = h.settings.min_budget - 1
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(budget_min=low)),
        "project.budget_too_small",
    )


async def test_budget_above_the_maximum_is_refused(h: Harness) -> None:
    erin = await h.employer()
    high = h.settings.max_budget + 1
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(budget_max=high)),
        "project.budget_too_large",
    )


async def test_budget_minimum_above_maximum_is_refused(h: Harness) -> None:
    erin = await h.employer()
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(budget_min=60_000)),
        "project.budget_order",
    )


async def test_fixed_budget_with_equal_bounds_is_accepted(h: Harness) -> None:
    erin = await h.employer()
    s = h.settings
    pid = await h.draft(erin, budget_min=s.min_budget, budget_max=s.min_budget)
    pid2 = await h.draft(erin, budget_min=s.max_budget, budget_max=s.max_budget)
    async with h.tx() as m:
        assert (await m.projects.get(pid)).budget_max == s.min_budget
        assert (await m.projects.get(pid2)).budget_min == s.max_budget


async def test_too_many_attachments_are_refused(h: Harness) -> None:
    erin = await h.employer()
    files = [Attachment(f"f{i}") for i in range(h.settings.max_attachments + 1)]
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(attachments=files)),
        "project.too_many_files",
    )


@pytest.mark.parametrize(
    "attachment",
    [Attachment("f1", "video"), Attachment("", "document"), Attachment("x" * 256, "photo")],
    ids=["unknown-kind", "empty-file-id", "file-id-too-long"],
)
async def test_bad_attachment_is_refused(h: Harness, attachment: Attachment) -> None:
    erin = await h.employer()
    await h.refused(
        lambda m: m.projects.create_draft(erin, **draft_fields(attachments=[attachment])),
        "project.bad_file",
    )


# --- publishing and visibility -------------------------------------------------------


async def test_publishing_opens_bidding_for_the_configured_window(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.draft(erin)
    h.clock.advance(hours=2)
    async with h.tx() as m:
        project = await m.projects.publish(erin, pid)
    assert project.status is ProjectStatus.OPEN
    assert project.published_at == h.clock.now()
    assert project.bidding_ends_at == h.clock.now() + h.settings.bidding_window
    assert project.bidding_ends_at - project.published_at == timedelta(days=7)
    [(to, data)] = events(h, "project.published")
    assert to == (erin.user_id,)
    assert data["project_id"] == pid
    async with h.tx() as m:
        wanted = await m.ctx.uow.skills.by_slugs(["python", "telegram-bots"])
    assert isinstance(data["skills"], str)
    assert sorted(int(i) for i in data["skills"].split(",")) == sorted(s.id for s in wanted)


async def test_only_the_owner_can_publish(h: Harness) -> None:
    erin = await h.employer()
    mallory = await h.employer("Mallory")
    pid = await h.draft(erin)
    await h.refused(lambda m: m.projects.publish(mallory, pid), "project.not_owner")


async def test_only_a_draft_can_be_published(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.open_project(erin)
    await h.refused(lambda m: m.projects.publish(erin, pid), "project.not_draft")


async def test_publishing_a_missing_project_is_not_found(h: Harness) -> None:
    erin = await h.employer()
    await h.refused(lambda m: m.projects.publish(erin, 987_654), "project.not_found")


async def test_drafts_are_invisible_to_everyone_but_their_owner(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    admin = await h.admin()
    pid = await h.draft(erin)
    await h.refused(lambda m: m.projects.view(pid, frank), "project.not_found")
    await h.refused(lambda m: m.projects.view(pid), "project.not_found")
    await h.refused(
        lambda m: m.bids.place(frank, pid, amount=20_000, delivery_days=3, proposal="p" * 30),
        "project.not_found",
    )
    assert await titles_found(h, "telegram") == []
    async with h.tx() as m:
        assert (await m.projects.view(pid, erin)).project.id == pid
        assert (await m.projects.view(pid, admin)).project.id == pid
        assert [p.id for p in await m.projects.of_employer(erin)] == [pid]


async def test_open_project_is_visible_to_anyone(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    await h.bid(frank, pid)
    async with h.tx() as m:
        view = await m.projects.view(pid)
    assert view.project.status is ProjectStatus.OPEN
    assert view.bid_count == 1


async def test_a_page_of_views_shows_what_each_view_shows(h: Harness) -> None:
    erin = await h.employer()
    frank, nick = await h.freelancer(), await h.freelancer()
    files = [Attachment("file-1", "document", "brief.pdf"), Attachment("file-2", "photo")]
    busy = await h.open_project(erin, attachments=files)
    quiet = await h.open_project(erin, skills=["logo-design"], title="Logo for a bakery")
    other = await h.open_project(erin, skills=["python", "web-scraping", "telegram-bots"])
    await h.bid(frank, busy)
    await h.bid(nick, busy)
    await h.bid(frank, other)
    async with h.tx() as m:
        projects = [await m.projects.get(pid) for pid in (other, quiet, busy)]
        page = await m.projects.views(projects)
        one_by_one = [await m.projects.view(pid) for pid in (other, quiet, busy)]
    assert [v.project.id for v in page] == [other, quiet, busy]
    for batched, single in zip(page, one_by_one, strict=True):
        assert [s.slug for s in batched.skills] == [s.slug for s in single.skills]
        assert [a.file_id for a in batched.attachments] == [a.file_id for a in single.attachments]
        assert batched.bid_count == single.bid_count
    assert [v.bid_count for v in page] == [1, 0, 2]
    assert [a.file_id for a in page[2].attachments] == ["file-1", "file-2"]


async def test_a_page_of_listings_is_the_views_without_their_files_in_two_queries(
    h: Harness,
) -> None:
    erin, frank = await h.employer(), await h.freelancer()
    files = [Attachment("file-1", "document", "brief.pdf")]
    busy = await h.open_project(erin, attachments=files)
    quiet = await h.open_project(erin, skills=["logo-design"], title="Logo for a bakery")
    await h.bid(frank, busy)
    statements: list[str] = []

    def count(_c: object, _cur: object, statement: str, *_: object) -> None:
        statements.append(statement)

    async with h.tx() as m:
        projects = [await m.projects.get(pid) for pid in (quiet, busy)]
        views = await m.projects.views(projects)
        event.listen(h.db.engine.sync_engine, "before_cursor_execute", count)
        try:
            listed = await m.projects.listings(projects)
        finally:
            event.remove(h.db.engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) == 2
    assert not any("attachments" in s for s in statements)
    assert [(v.project.id, v.skills, v.bid_count, v.taking_bids) for v in views] == [
        (one.project.id, one.skills, one.bid_count, one.taking_bids) for one in listed
    ]


async def test_a_page_of_views_hides_a_draft_from_others(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.draft(erin)
    async with h.tx() as m:
        draft = await m.projects.get(pid)
        assert [v.project.id for v in await m.projects.views([draft], erin)] == [pid]
    await h.refused(
        lambda m: m.projects.views([draft], frank),  # type: ignore[arg-type]
        "project.not_found",
    )


async def test_viewing_a_missing_project_is_not_found(h: Harness) -> None:
    await h.refused(lambda m: m.projects.view(987_654), "project.not_found")


# --- editing -------------------------------------------------------------------------


async def test_owner_edits_an_open_project_and_active_bidders_are_told(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    quitter = await h.freelancer("Quinn")
    pid = await h.open_project(erin)
    await h.bid(frank, pid)
    await h.bid(grace, pid)
    quit_bid = await h.bid(quitter, pid)
    async with h.tx() as m:
        await m.bids.retract(quitter, quit_bid)
    h.clock.advance(hours=1)
    async with h.tx() as m:
        project = await m.projects.edit(
            erin,
            pid,
            title="Build a Discord bot for my bakery",
            budget_max=80_000,
            skills=["python"],
            attachments=[Attachment("spec", "document", "spec.pdf")],
        )
    assert project.title == "Build a Discord bot for my bakery"
    assert (project.budget_min, project.budget_max) == (10_000, 80_000)
    assert project.updated_at == h.clock.now()
    [(to, data)] = events(h, "project.edited")
    assert sorted(to) == sorted([frank.user_id, grace.user_id])
    assert data == {"project_id": pid}
    async with h.tx() as m:
        view = await m.projects.view(pid)
    assert [s.slug for s in view.skills] == ["python"]
    assert [a.file_id for a in view.attachments] == ["spec"]


async def test_editing_an_open_project_reindexes_its_search_terms(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.open_project(erin, title="Logo for a coffee shop")
    assert await titles_found(h, "coffee") == ["Logo for a coffee shop"]
    async with h.tx() as m:
        await m.projects.edit(
            erin,
            pid,
            title="Logo for a tea house",
            description="We need a modern, friendly logo for our new tea house downtown.",
        )
    assert await titles_found(h, "coffee") == []
    assert await titles_found(h, "shop") == []
    assert await titles_found(h, "tea") == ["Logo for a tea house"]
    assert await titles_found(h, "downtown") == ["Logo for a tea house"]


async def test_editing_a_draft_neither_indexes_it_nor_tells_anyone(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.draft(erin)
    async with h.tx() as m:
        await m.projects.edit(erin, pid, title="Renamed draft before publishing")
    assert events(h, "project.edited") == []
    assert await titles_found(h, "renamed") == []
    async with h.tx() as m:
        await m.projects.publish(erin, pid)
    assert await titles_found(h, "renamed") == ["Renamed draft before publishing"]


async def test_only_the_owner_can_edit(h: Harness) -> None:
    erin = await h.employer()
    mallory = await h.employer("Mallory")
    pid = await h.open_project(erin)
    await h.refused(
        lambda m: m.projects.edit(mallory, pid, title="Hijacked project title"),
        "project.not_owner",
    )


async def test_project_cannot_be_edited_after_it_was_awarded(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    async with h.tx() as m:
        award = await m.awards.offer(erin, bid_id)
    await h.refused(lambda m: m.projects.edit(erin, pid, budget_max=20_000), "project.not_editable")
    async with h.tx() as m:
        await m.awards.accept(frank, award.id)
    await h.refused(
        lambda m: m.projects.edit(erin, pid, title="Changing it after hiring"),
        "project.not_editable",
    )


async def test_closed_or_cancelled_project_cannot_be_edited(h: Harness) -> None:
    erin = await h.employer()
    closed = await h.open_project(erin)
    cancelled = await h.open_project(erin)
    async with h.tx() as m:
        await m.projects.cancel(erin, cancelled)
    h.clock.advance(h.settings.bidding_window)
    async with h.tx() as m:
        assert await m.projects.end_bidding_if_due(closed)
    await h.refused(
        lambda m: m.projects.edit(erin, closed, title="Too late to change it"),
        "project.not_editable",
    )
    await h.refused(
        lambda m: m.projects.edit(erin, cancelled, title="Too late to change it"),
        "project.not_editable",
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"title": "short"}, "project.title.too_short"),
        ({"description": "tiny"}, "project.description.too_short"),
        ({"budget_min": 60_000}, "project.budget_order"),
        ({"budget_max": 5_000}, "project.budget_order"),
        ({"skills": ["python", "nope"]}, "skills.unknown"),
        ({"skills": []}, "skills.none"),
        ({"attachments": [Attachment("f", "audio")]}, "project.bad_file"),
    ],
)
async def test_bad_edit_is_refused_and_changes_nothing(
    h: Harness, change: dict[str, Any], code: str
) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    await h.bid(frank, pid)
    fields = {"title": TITLE + " v2"} | change  # a valid change alongside the bad one
    await h.refused(lambda m: m.projects.edit(erin, pid, **fields), code)


# --- cancelling ----------------------------------------------------------------------


async def test_cancelling_an_open_project_closes_its_bids_and_tells_bidders(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    pid = await h.open_project(erin)
    await h.bid(frank, pid)
    await h.bid(grace, pid)
    h.clock.advance(hours=5)
    async with h.tx() as m:
        project = await m.projects.cancel(erin, pid)
    assert project.status is ProjectStatus.CANCELLED
    assert project.ended_at == h.clock.now()
    assert await bid_statuses(h, pid) == {
        frank.user_id: BidStatus.CLOSED,
        grace.user_id: BidStatus.CLOSED,
    }
    [(to, data)] = events(h, "project.cancelled")
    assert sorted(to) == sorted([frank.user_id, grace.user_id])
    assert data == {"project_id": pid}
    assert await titles_found(h, "telegram") == []


async def test_cancelling_a_draft_is_allowed_and_tells_nobody(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.draft(erin)
    async with h.tx() as m:
        await m.projects.cancel(erin, pid)
    assert await status_of(h, pid) is ProjectStatus.CANCELLED
    assert events(h, "project.cancelled") == []


async def test_only_the_owner_can_cancel(h: Harness) -> None:
    erin = await h.employer()
    mallory = await h.employer("Mallory")
    pid = await h.open_project(erin)
    await h.refused(lambda m: m.projects.cancel(mallory, pid), "project.not_owner")


async def test_cancelled_project_cannot_be_cancelled_again(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.open_project(erin)
    async with h.tx() as m:
        await m.projects.cancel(erin, pid)
    await h.refused(lambda m: m.projects.cancel(erin, pid), "project.ended")


async def test_closed_project_cannot_be_cancelled(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.open_project(erin)
    h.clock.advance(h.settings.bidding_window)
    async with h.tx() as m:
        assert await m.projects.end_bidding_if_due(pid)
    await h.refused(lambda m: m.projects.cancel(erin, pid), "project.ended")


async def test_cancelling_with_a_pending_offer_withdraws_it(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    await h.bid(grace, pid)
    async with h.tx() as m:
        award = await m.awards.offer(erin, bid_id)
    async with h.tx() as m:
        await m.projects.cancel(erin, pid)
    async with h.tx() as m:
        assert (await m.awards.get(award.id)).status is AwardStatus.WITHDRAWN
    assert set((await bid_statuses(h, pid)).values()) == {BidStatus.CLOSED}
    [(to, _)] = events(h, "project.cancelled")
    assert sorted(to) == sorted([frank.user_id, grace.user_id])
    await h.refused(lambda m: m.awards.accept(frank, award.id), "award.withdrawn")


async def test_cancelling_in_progress_without_escrow_cancels_the_contract(h: Harness) -> None:
    erin, frank, contract = await h.hire()
    pending = await h.milestone(erin, contract.id, 5_000, fund=False)
    async with h.tx() as m:
        await m.projects.cancel(erin, contract.project_id)
    async with h.tx() as m:
        stored = await m.ctx.uow.contracts.get(contract.id)
        assert stored is not None
        assert stored.status is ContractStatus.CANCELLED
        assert stored.ended_at == h.clock.now()
    assert (await h.get_milestone(pending.id)).status is MilestoneStatus.CANCELLED
    assert await status_of(h, contract.project_id) is ProjectStatus.CANCELLED
    [(to, _)] = events(h, "project.cancelled")
    assert to == (frank.user_id,)
    await h.check_books()


async def test_cancelling_with_money_in_escrow_is_refused(h: Harness) -> None:
    erin, _frank, contract = await h.hire()
    await h.milestone(erin, contract.id, 10_000)
    await h.refused(
        lambda m: m.projects.cancel(erin, contract.project_id), "project.money_in_escrow"
    )
    await h.check_books()


async def test_cancelling_after_work_was_paid_is_refused(h: Harness) -> None:
    """Paid work is a completed contract (end it), never a cancellation on the record."""
    erin, frank, contract = await h.hire()
    ms = await h.milestone(erin, contract.id, 10_000)
    async with h.tx() as m:
        await m.milestones.deliver(frank, ms.id, "Done")
    async with h.tx() as m:
        await m.milestones.release(erin, ms.id)
    await h.refused(lambda m: m.projects.cancel(erin, contract.project_id), "project.partly_paid")
    async with h.tx() as m:
        ended = await m.contracts.end(erin, contract.id)
    assert ended.status is ContractStatus.COMPLETED


# --- closing when the bidding window ends --------------------------------------------


async def test_project_does_not_close_before_its_bidding_window_ends(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.open_project(erin)
    h.clock.advance(h.settings.bidding_window - timedelta(seconds=1))
    before = await h.snapshot()
    async with h.tx() as m:
        assert not await m.projects.end_bidding_if_due(pid)
    assert await h.snapshot() == before
    assert events(h, "project.closed") == []


async def test_project_closes_when_its_bidding_window_ends(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    grace = await h.freelancer("Grace")
    pid = await h.open_project(erin)
    await h.bid(frank, pid)
    retracted = await h.bid(grace, pid)
    async with h.tx() as m:
        await m.bids.retract(grace, retracted)
    h.clock.advance(h.settings.bidding_window)
    assert await titles_found(h, "telegram") == []  # not listed, even before the sweep
    async with h.tx() as m:
        assert await m.projects.end_bidding_if_due(pid) is ProjectStatus.BIDDING_ENDED
    assert events(h, "project.bidding_ended") == [((erin.user_id,), {"project_id": pid, "bids": 1})]
    h.clock.advance(h.settings.award_decision_window)
    async with h.tx() as m:
        assert await m.projects.close_unawarded_if_due(pid)
    async with h.tx() as m:
        project = await m.projects.get(pid)
    assert project.status is ProjectStatus.CLOSED
    assert project.ended_at == h.clock.now()
    assert await bid_statuses(h, pid) == {
        frank.user_id: BidStatus.CLOSED,
        grace.user_id: BidStatus.RETRACTED,
    }
    [(to, data)] = events(h, "project.closed")
    assert to == (erin.user_id, frank.user_id)
    assert data == {"project_id": pid, "reason": "not_awarded"}
    assert await titles_found(h, "telegram") == []


async def test_closing_is_idempotent(h: Harness) -> None:
    erin = await h.employer()
    pid = await h.open_project(erin)
    h.clock.advance(days=30)
    async with h.tx() as m:
        assert await m.projects.end_bidding_if_due(pid)
    before = await h.snapshot()
    async with h.tx() as m:
        assert not await m.projects.end_bidding_if_due(pid)
        assert not await m.projects.end_bidding_if_due(pid)
    assert await h.snapshot() == before
    assert len(events(h, "project.closed")) == 1


async def test_end_bidding_if_due_ignores_drafts_awarded_and_missing_projects(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    draft = await h.draft(erin)
    awarded = await h.open_project(erin)
    bid_id = await h.bid(frank, awarded)
    async with h.tx() as m:
        await m.awards.offer(erin, bid_id)
    h.clock.advance(days=30)
    async with h.tx() as m:
        assert not await m.projects.end_bidding_if_due(draft)
        assert not await m.projects.end_bidding_if_due(awarded)
        assert not await m.projects.end_bidding_if_due(987_654)
    assert await status_of(h, draft) is ProjectStatus.DRAFT
    assert await status_of(h, awarded) is ProjectStatus.AWARDED


async def test_the_timer_sweep_closes_due_projects_once(h: Harness) -> None:
    erin = await h.employer()
    due = await h.open_project(erin)
    h.clock.advance(days=3)
    later = await h.open_project(erin)
    h.clock.advance(days=4)
    async with h.tx() as m:
        report = await m.timers.sweep()
    assert report.projects_closed == 1
    assert await status_of(h, due) is ProjectStatus.CLOSED
    assert await status_of(h, later) is ProjectStatus.OPEN
    async with h.tx() as m:
        assert (await m.timers.sweep()).projects_closed == 0


async def test_no_bids_after_the_bidding_window_even_before_the_sweep(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    h.clock.advance(h.settings.bidding_window)
    await h.refused(
        lambda m: m.bids.place(frank, pid, amount=20_000, delivery_days=3, proposal="p" * 30),
        "project.not_open",
    )
