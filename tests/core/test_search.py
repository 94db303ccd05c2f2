"""Finding open projects: words, skills, budget, order, keyset pages, and the indexes used."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlalchemy import event

from core.actors import Actor
from core.marketplace import Marketplace
from tests.harness import Harness

FILLER = "Details follow in the chat once we agree on the scope."


async def publish(m: Marketplace, employer: Actor, title: str, **fields: Any) -> int:
    """Create and publish a project inside an open unit of work; returns its id."""
    values: dict[str, Any] = {
        "title": title,
        "description": FILLER,
        "skills": ["python"],
        "budget_min": 10_000,
        "budget_max": 50_000,
    }
    values.update(fields)
    project = await m.projects.create_draft(employer, **values)
    await m.projects.publish(employer, project.id)
    return project.id


async def found(h: Harness, query: str = "", **filters: Any) -> list[str]:
    async with h.tx() as m:
        page = await m.projects.search(query, limit=50, **filters)
    assert page.next_cursor is None
    return [p.title for p in page.items]


async def all_pages(h: Harness, query: str = "", limit: int = 10) -> list[list[int]]:
    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        async with h.tx() as m:
            page = await m.projects.search(query, cursor=cursor, limit=limit)
        pages.append([p.id for p in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor
        assert len(pages) <= 100, "pagination does not end"


# --- words ---------------------------------------------------------------------------


async def test_every_word_of_the_query_must_match(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        await publish(m, erin, "Python web scraper for prices")
        await publish(m, erin, "Python bot for a pizza place")
        await publish(m, erin, "Scraper in Go for job boards")
    assert sorted(await found(h, "python scraper")) == ["Python web scraper for prices"]
    assert sorted(await found(h, "scraper")) == [
        "Python web scraper for prices",
        "Scraper in Go for job boards",
    ]
    assert await found(h, "python scraper pizza") == []


async def test_words_match_by_prefix(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        await publish(m, erin, "Scraping marketplace listings daily")
        await publish(m, erin, "Screen recording tutorial editing")
    assert await found(h, "scrap") == ["Scraping marketplace listings daily"]
    assert sorted(await found(h, "sc")) == [
        "Scraping marketplace listings daily",
        "Screen recording tutorial editing",
    ]
    assert await found(h, "scrapingg") == []
    assert await found(h, "crap") == [], "only prefixes match, not the middle of a word"


async def test_search_is_case_insensitive(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        await publish(m, erin, "WordPress Theme Customisation")
        await publish(m, erin, "Café menu translation into German")
    assert await found(h, "wordpress THEME") == ["WordPress Theme Customisation"]
    assert await found(h, "CAFÉ") == ["Café menu translation into German"]


async def test_words_come_from_title_and_description(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        await publish(
            m,
            erin,
            "Landing page for a bakery",
            description="Needs an online ordering form and a gallery of our croissants.",
        )
    assert await found(h, "bakery croissants") == ["Landing page for a bakery"]
    assert await found(h, "gallery") == ["Landing page for a bakery"]


async def test_a_word_at_the_end_of_a_long_description_is_found(h: Harness) -> None:
    erin = await h.employer()
    words = [f"w{i:03d}" for i in range(600)]
    description = " ".join([*words, "zeppelin"])
    assert len(description) <= h.settings.description_max
    async with h.tx() as m:
        await publish(m, erin, "Long and detailed specification", description=description)
    assert await found(h, "zeppelin") == ["Long and detailed specification"]
    assert await found(h, "w599 w000") == ["Long and detailed specification"]


async def test_empty_query_lists_every_open_project(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        await publish(m, erin, "First project on the board")
        h.clock.advance(minutes=1)
        await publish(m, erin, "Second project on the board")
    assert await found(h) == ["Second project on the board", "First project on the board"]
    assert await found(h, "  ,.!  ") == [
        "Second project on the board",
        "First project on the board",
    ]


# --- filters -------------------------------------------------------------------------


async def test_skill_filter_matches_projects_needing_any_of_the_skills(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        await publish(m, erin, "Python data pipeline job", skills=["python", "sql"])
        await publish(m, erin, "Logo for a bicycle shop", skills=["logo-design"])
        await publish(m, erin, "Vue front end for a shop", skills=["vue", "javascript"])
    assert await found(h, skills=["sql"]) == ["Python data pipeline job"]
    assert sorted(await found(h, skills=["logo-design", "VUE"])) == [
        "Logo for a bicycle shop",
        "Vue front end for a shop",
    ]
    assert await found(h, "shop", skills=["logo-design"]) == ["Logo for a bicycle shop"]
    assert await found(h, skills=["excel"]) == []


async def test_search_with_unknown_skill_is_refused(h: Harness) -> None:
    await h.refused(
        lambda m: m.projects.search(skills=["python", "basket-weaving"]), "skills.unknown"
    )


async def test_budget_filters(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        await publish(m, erin, "Small budget project here", budget_min=1_000, budget_max=5_000)
        await publish(m, erin, "Medium budget project here", budget_min=20_000, budget_max=40_000)
        await publish(m, erin, "Large budget project here", budget_min=100_000, budget_max=900_000)
    # at least: the project can pay this much (its maximum reaches it)
    assert sorted(await found(h, budget_at_least=40_000)) == [
        "Large budget project here",
        "Medium budget project here",
    ]
    assert await found(h, budget_at_least=40_001) == ["Large budget project here"]
    # at most: the project's range starts within it
    assert sorted(await found(h, budget_at_most=20_000)) == [
        "Medium budget project here",
        "Small budget project here",
    ]
    assert await found(h, budget_at_most=19_999) == ["Small budget project here"]
    assert await found(h, budget_at_least=10_000, budget_at_most=50_000) == [
        "Medium budget project here"
    ]


async def test_only_open_projects_are_found(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    async with h.tx() as m:
        await publish(m, erin, "Open project gizmo one")
        cancelled = await publish(m, erin, "Cancelled project gizmo")
        awarded = await publish(m, erin, "Awarded project gizmo")
        await m.projects.create_draft(
            erin,
            title="Draft project gizmo",
            description=FILLER,
            skills=["python"],
            budget_min=10_000,
            budget_max=20_000,
        )
    async with h.tx() as m:
        await m.projects.cancel(erin, cancelled)
    bid_id = await h.bid(frank, awarded)
    async with h.tx() as m:
        award = await m.awards.offer(erin, bid_id)
    assert await found(h, "gizmo") == ["Open project gizmo one"]
    async with h.tx() as m:
        await m.awards.accept(frank, award.id)
    h.clock.advance(days=3)
    async with h.tx() as m:
        await publish(m, erin, "Later project gizmo two")
    assert await found(h, "gizmo") == ["Later project gizmo two", "Open project gizmo one"]
    h.clock.advance(days=5)
    async with h.tx() as m:
        await m.timers.sweep()
    assert await found(h, "gizmo") == ["Later project gizmo two"]


# --- order and pages -----------------------------------------------------------------


async def test_newest_first(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        for i in range(3):
            await publish(m, erin, f"Project number {i} here")
            h.clock.advance(hours=1)
    assert await found(h, "project") == [
        "Project number 2 here",
        "Project number 1 here",
        "Project number 0 here",
    ]


async def test_keyset_pages_cover_everything_once_in_order(h: Harness) -> None:
    """25 projects, pages of 10; some share a microsecond so the id breaks the tie."""
    erin = await h.employer()
    h.clock.advance(microseconds=123_457)  # odd microseconds, not whole seconds
    expected: list[tuple[Any, int]] = []
    async with h.tx() as m:
        for i in range(25):
            pid = await publish(m, erin, f"Paged project {i:02d} here")
            expected.append((h.clock.now(), pid))
            if i % 4 == 3:  # groups of four published in the same microsecond
                h.clock.advance(microseconds=1)
            if i % 9 == 8:
                h.clock.advance(seconds=3, microseconds=999_999)
    assert len({when for when, _ in expected}) < 25
    newest_first = [pid for _, pid in sorted(expected, reverse=True)]
    pages = await all_pages(h, "paged", limit=10)
    assert [len(p) for p in pages] == [10, 10, 5]
    flat = [pid for page in pages for pid in page]
    assert flat == newest_first
    assert len(set(flat)) == 25
    for size in (1, 3, 4, 7):
        assert [pid for page in await all_pages(h, limit=size) for pid in page] == newest_first


async def test_prefixes_of_many_terms_page_like_exact_words(h: Harness) -> None:
    """A prefix of a few terms merges their walks; of many, it is probed per project."""
    erin = await h.employer()
    expected: list[tuple[Any, int, int]] = []
    async with h.tx() as m:
        for i in range(25):
            description = f"{FILLER} Codes vq{i:02d} and vz{i % 3} and vz{i % 3}x."
            pid = await publish(m, erin, f"Coded project {i:02d} here", description=description)
            expected.append((h.clock.now(), pid, i))
            if i % 2:
                h.clock.advance(microseconds=1)
    newest_first = sorted(expected, reverse=True)
    cases = {
        "vq": lambda i: True,  # 25 terms: more than a search merges
        "vz": lambda i: True,  # 6 terms, each project has two of them
        "vz1": lambda i: i % 3 == 1,
        "vq vz2": lambda i: i % 3 == 2,
        "vz2 vq": lambda i: i % 3 == 2,
        "vq1 vz": lambda i: 10 <= i <= 19,
        "vz0 vq0": lambda i: i in (0, 3, 6, 9),
        "vz0x vq2": lambda i: i in (21, 24),
    }
    for query, wanted in cases.items():
        ids = [pid for _, pid, i in newest_first if wanted(i)]
        for size in (1, 4, 10):
            pages = await all_pages(h, query, limit=size)
            assert [pid for page in pages for pid in page] == ids, (query, size)


async def test_pages_do_not_shift_when_new_projects_arrive(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        older = [await publish(m, erin, f"Older project {i} here") for i in range(6)]
    async with h.tx() as m:
        first = await m.projects.search(limit=3)
    h.clock.advance(seconds=1)
    async with h.tx() as m:
        await publish(m, erin, "A brand new project arrives")
    async with h.tx() as m:
        second = await m.projects.search(cursor=first.next_cursor, limit=3)
    assert [p.id for p in first.items] == older[::-1][:3]
    assert [p.id for p in second.items] == older[::-1][3:]
    assert second.next_cursor is None


async def test_last_full_page_has_no_next_cursor(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        for i in range(4):
            await publish(m, erin, f"Exactly filled page {i}")
    async with h.tx() as m:
        page = await m.projects.search(limit=4)
    assert len(page.items) == 4 and page.next_cursor is None
    async with h.tx() as m:
        page = await m.projects.search("nothing-matches-this", limit=4)
    assert page.items == [] and page.next_cursor is None


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "%%%%",
        _b64("hello"),
        _b64("12.abc"),
        _b64("1.2.3"),
        _b64("99999999999999999999999.5"),
        base64.urlsafe_b64encode(b"\xff\xfe.1").decode(),  # not UTF-8
    ],
)
async def test_bad_cursor_is_refused(h: Harness, cursor: str) -> None:
    await h.refused(lambda m: m.projects.search(cursor=cursor), "search.cursor")


@pytest.mark.parametrize("limit", [0, -1, 51])
async def test_page_size_out_of_bounds_is_refused(h: Harness, limit: int) -> None:
    await h.refused(lambda m: m.projects.search(limit=limit), "search.limit")


async def test_page_size_bounds_are_inclusive(h: Harness) -> None:
    erin = await h.employer()
    async with h.tx() as m:
        for i in range(3):
            await publish(m, erin, f"Bounded page project {i}")
    async with h.tx() as m:
        assert len((await m.projects.search(limit=1)).items) == 1
        assert len((await m.projects.search(limit=50)).items) == 3


# --- indexes -------------------------------------------------------------------------


async def test_search_walks_the_term_order_index(h: Harness, backend: str) -> None:
    """EXPLAIN the exact statement the search runs: indexed lookups, no full scans."""
    erin = await h.employer()
    async with h.tx() as m:
        for i in range(12):
            await publish(m, erin, f"Python scraper number {i}", skills=["python", "sql"])
            h.clock.advance(seconds=1)
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "FROM projects" in statement or "JOIN projects" in statement:
            statements.append((statement, params))

    engine = h.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        async with h.tx() as m:
            first = await m.projects.search(
                "pyth scrap", skills=["python"], budget_at_least=1, limit=5
            )
            await m.projects.search("pyth scrap", cursor=first.next_cursor, limit=5)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) == 2

    for statement, params in statements:
        async with h.db.engine.connect() as conn:
            if backend == "sqlite":
                rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
                plan = [str(r[-1]) for r in rows]
                # the first word drives: its terms walked newest first, no sort
                assert any(
                    line.startswith("SEARCH walk USING COVERING INDEX")
                    and "ix_project_terms_order (term=?" in line
                    for line in plan
                ), plan
                assert "SEARCH projects USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
                # the other word: a prefix range on the project's own terms
                assert any(
                    line.startswith("SEARCH probe0 USING COVERING INDEX")
                    and "ix_project_terms_project (project_id=? AND term>? AND term<?)" in line
                    for line in plan
                ), plan
                # no table scanned (the skills asked for are a list parameter, walked)
                scans = [line for line in plan if line.startswith("SCAN")]
                assert not [line for line in scans if not line.startswith("SCAN json_each")]
                assert not [line for line in plan if "TEMP B-TREE" in line], plan
            else:
                # A dozen rows have no statistics worth the name: forbid the sort to see
                # that the planner has the index-ordered walk it picks on a large table.
                await conn.exec_driver_sql("SET enable_seqscan = off")
                await conn.exec_driver_sql("SET enable_sort = off")
                rows = await conn.exec_driver_sql("EXPLAIN " + statement, params)
                plan = [str(r[0]) for r in rows]
                text = "\n".join(plan)
                assert "Index Only Scan Backward using ix_project_terms_order" in text, text
                assert "ix_project_terms_project on project_terms" in text, text
                assert "Seq Scan" not in text, text
                assert "Sort" not in text, text
            await conn.rollback()
