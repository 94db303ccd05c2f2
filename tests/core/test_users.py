"""Users and freelancer profiles: registration, completeness, validation, bans."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from core.actors import Actor
from tests.harness import Harness

_telegram_ids = itertools.count(777_000_001)

GOOD_HEADLINE = "Senior Python developer"
GOOD_BIO = "Ten years of building web services, bots and data pipelines."


def kinds(h: Harness, kind: str) -> list[dict[str, object]]:
    return [e.to_payload() | {"to": e.recipients} for e in h.events if e.kind == kind]


async def bare_user(h: Harness, name: str = "Nora") -> Actor:
    """A registered user who has not touched their freelancer profile."""
    return await h.user(name)


# --- registration --------------------------------------------------------------------


async def test_register_creates_a_user_with_telegram_names(h: Harness) -> None:
    telegram_id = next(_telegram_ids)
    async with h.tx() as m:
        user = await m.users.register(
            telegram_id, "Ada", last_name="Lovelace", username="ada", language_code="en"
        )
    async with h.tx() as m:
        stored = await m.users.get(user.id)
    assert stored.telegram_id == telegram_id
    assert (stored.first_name, stored.last_name, stored.username) == ("Ada", "Lovelace", "ada")
    assert stored.language_code == "en"
    assert stored.display_name == "Ada Lovelace"
    assert stored.created_at == h.clock.now()
    assert not stored.is_banned


async def test_registering_the_same_telegram_id_twice_is_one_user_with_fresh_names(
    h: Harness,
) -> None:
    telegram_id = next(_telegram_ids)
    async with h.tx() as m:
        first = await m.users.register(telegram_id, "Ada", username="ada_old")
    h.clock.advance(days=3)
    async with h.tx() as m:
        second = await m.users.register(telegram_id, "Augusta", last_name="King", username="ada")
    assert second.id == first.id
    async with h.tx() as m:
        stored = await m.users.get(first.id)
        assert await m.ctx.uow.users.count() == 1
    assert (stored.first_name, stored.last_name, stored.username) == ("Augusta", "King", "ada")
    assert stored.created_at == h.clock.now() - timedelta(days=3)


async def test_a_person_who_changed_nothing_is_not_written_again(h: Harness) -> None:
    """Registration runs on every update: someone known and unchanged costs no UPDATE."""
    telegram_id = next(_telegram_ids)
    async with h.tx() as m:
        await m.users.register(telegram_id, "Ada", username="ada", language_code="en")
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(h.db.engine.sync_engine, "before_cursor_execute", count)
    async with h.tx() as m:
        flushes: list[object] = []
        event.listen(m.ctx.uow.session.sync_session, "before_flush", flushes.append)
        await m.users.register(telegram_id, "Ada", username="ada", language_code="en")
        assert not flushes  # nothing for a flush to look at
    assert not [s for s in sent if s.startswith("UPDATE")]
    async with h.tx() as m:
        user = await m.users.register(telegram_id, "Ada", username="ada_new", language_code="en")
    assert user.username == "ada_new"
    assert len([s for s in sent if s.startswith("UPDATE")]) == 1


async def test_register_trims_overlong_telegram_names(h: Harness) -> None:
    async with h.tx() as m:
        user = await m.users.register(next(_telegram_ids), "A" * 300, username="u" * 100)
    assert len(user.first_name) == 128
    assert user.username is not None and len(user.username) == 64


async def test_admin_rights_come_from_settings(h: Harness) -> None:
    admin = await h.admin()
    someone = await h.user("Someone")
    assert admin.is_admin
    assert not someone.is_admin


async def test_unknown_user_is_asked_to_start_the_bot(h: Harness) -> None:
    ghost = Actor(user_id=987_654, telegram_id=1)
    await h.refused(lambda m: m.users.update_profile(ghost, headline=GOOD_HEADLINE), "user.unknown")


async def test_getting_a_missing_user_is_not_found(h: Harness) -> None:
    await h.refused(lambda m: m.users.get(987_654), "user.not_found")


# --- profile completeness ------------------------------------------------------------


async def test_new_user_profile_is_missing_everything(h: Harness) -> None:
    nora = await bare_user(h)
    async with h.tx() as m:
        view = await m.users.profile(nora.user_id)
    assert view.profile is None
    assert not view.complete
    assert view.missing == ["headline", "bio", "skills", "hourly_rate"]


async def test_profile_tells_what_is_still_missing_as_it_fills_up(h: Harness) -> None:
    nora = await bare_user(h)
    async with h.tx() as m:
        view = await m.users.update_profile(nora, headline=GOOD_HEADLINE)
    assert view.missing == ["bio", "skills", "hourly_rate"]
    async with h.tx() as m:
        view = await m.users.update_profile(nora, bio=GOOD_BIO, hourly_rate=4000)
    assert view.missing == ["skills"]
    async with h.tx() as m:
        view = await m.users.update_profile(nora, skills=["python", "django"])
    assert view.complete and view.missing == []
    assert sorted(s.slug for s in view.skills) == ["django", "python"]


async def test_profile_update_keeps_fields_that_were_not_given(h: Harness) -> None:
    frank = await h.freelancer()
    async with h.tx() as m:
        view = await m.users.update_profile(frank, hourly_rate=7000)
    assert view.profile is not None
    assert view.profile.headline == GOOD_HEADLINE
    assert view.profile.bio == GOOD_BIO
    assert view.profile.hourly_rate == 7000
    assert [s.slug for s in view.skills] == ["python"]
    assert view.profile.portfolio == ["https://example.com/work"]


async def test_profile_skills_are_replaced_case_insensitively_without_duplicates(
    h: Harness,
) -> None:
    frank = await h.freelancer()
    async with h.tx() as m:
        view = await m.users.update_profile(frank, skills=["Python", " python ", "SQL", "go"])
    assert sorted(s.slug for s in view.skills) == ["go", "python", "sql"]


async def test_profile_texts_are_trimmed(h: Harness) -> None:
    nora = await bare_user(h)
    async with h.tx() as m:
        view = await m.users.update_profile(nora, headline="   Data engineer \n", bio=GOOD_BIO)
    assert view.profile is not None and view.profile.headline == "Data engineer"


async def test_incomplete_profile_cannot_bid(h: Harness) -> None:
    employer = await h.employer()
    pid = await h.open_project(employer)
    nora = await bare_user(h)
    async with h.tx() as m:
        await m.users.update_profile(nora, headline=GOOD_HEADLINE, bio=GOOD_BIO)
    error = await h.refused(
        lambda m: m.bids.place(
            nora, pid, amount=20_000, delivery_days=5, proposal="I can do this well and fast."
        ),
        "bid.profile_incomplete",
    )
    assert error.details["missing"] == "skills,hourly_rate"


async def test_completed_profile_can_bid(h: Harness) -> None:
    employer = await h.employer()
    pid = await h.open_project(employer)
    nora = await bare_user(h)
    async with h.tx() as m:
        await m.users.update_profile(
            nora, headline=GOOD_HEADLINE, bio=GOOD_BIO, skills=["python"], hourly_rate=3000
        )
    assert await h.bid(nora, pid) > 0


# --- profile validation --------------------------------------------------------------


async def test_headline_too_short_is_refused(h: Harness) -> None:
    nora = await bare_user(h)
    await h.refused(
        lambda m: m.users.update_profile(nora, headline="Dev"), "profile.headline.too_short"
    )


async def test_blank_headline_is_refused(h: Harness) -> None:
    nora = await bare_user(h)
    await h.refused(
        lambda m: m.users.update_profile(nora, headline="   \n "), "profile.headline.too_short"
    )


async def test_headline_too_long_is_refused(h: Harness) -> None:
    nora = await bare_user(h)
    too_long = "x" * (h.settings.headline_max + 1)
    await h.refused(
        lambda m: m.users.update_profile(nora, headline=too_long), "profile.headline.too_long"
    )


async def test_headline_at_the_limits_is_accepted(h: Harness) -> None:
    nora = await bare_user(h)
    async with h.tx() as m:
        await m.users.update_profile(nora, headline="x" * 5)
        view = await m.users.update_profile(nora, headline="y" * h.settings.headline_max)
    assert view.profile is not None and len(view.profile.headline) == h.settings.headline_max


async def test_bio_too_short_is_refused(h: Harness) -> None:
    nora = await bare_user(h)
    short = "b" * (h.settings.bio_min - 1)
    await h.refused(lambda m: m.users.update_profile(nora, bio=short), "profile.bio.too_short")


async def test_bio_too_long_is_refused(h: Harness) -> None:
    nora = await bare_user(h)
    long = "b" * (h.settings.bio_max + 1)
    await h.refused(lambda m: m.users.update_profile(nora, bio=long), "profile.bio.too_long")


@pytest.mark.parametrize("rate", [0, -100])
async def test_hourly_rate_must_be_above_zero(h: Harness, rate: int) -> None:
    nora = await bare_user(h)
    await h.refused(lambda m: m.users.update_profile(nora, hourly_rate=rate), "profile.rate_range")


async def test_hourly_rate_above_the_maximum_budget_is_refused(h: Harness) -> None:
    nora = await bare_user(h)
    too_much = h.settings.max_budget + 1
    await h.refused(
        lambda m: m.users.update_profile(nora, hourly_rate=too_much), "profile.rate_range"
    )


async def test_hourly_rate_at_the_maximum_budget_is_accepted(h: Harness) -> None:
    nora = await bare_user(h)
    async with h.tx() as m:
        view = await m.users.update_profile(nora, hourly_rate=h.settings.max_budget)
    assert view.profile is not None and view.profile.hourly_rate == h.settings.max_budget


@pytest.mark.parametrize(
    "link",
    ["example.com", "ftp://example.com/x", "https://", "javascript:alert(1)", "https://a b.com"],
)
async def test_portfolio_link_must_be_a_web_link(h: Harness, link: str) -> None:
    nora = await bare_user(h)
    await h.refused(
        lambda m: m.users.update_profile(nora, portfolio=["https://ok.example.com", link]),
        "profile.portfolio.bad_url",
    )


async def test_portfolio_with_too_many_links_is_refused(h: Harness) -> None:
    nora = await bare_user(h)
    links = [f"https://example.com/work/{i}" for i in range(h.settings.portfolio_max_links + 1)]
    await h.refused(
        lambda m: m.users.update_profile(nora, portfolio=links), "profile.portfolio_too_many"
    )


async def test_portfolio_keeps_order_drops_blanks_and_duplicates(h: Harness) -> None:
    nora = await bare_user(h)
    links = [f"https://example.com/work/{i}" for i in range(h.settings.portfolio_max_links)]
    async with h.tx() as m:
        view = await m.users.update_profile(nora, portfolio=[*links[:2], "  ", links[0]])
    assert view.profile is not None and view.profile.portfolio == links[:2]
    async with h.tx() as m:
        view = await m.users.update_profile(nora, portfolio=links)
    assert view.profile is not None and view.profile.portfolio == links


async def test_unknown_profile_skill_is_refused_by_name(h: Harness) -> None:
    nora = await bare_user(h)
    error = await h.refused(
        lambda m: m.users.update_profile(nora, skills=["python", "cobol-wizardry"]),
        "skills.unknown",
    )
    assert error.details == {"unknown": "cobol-wizardry"}


async def test_profile_with_too_many_skills_is_refused(h: Harness) -> None:
    nora = await bare_user(h)
    async with h.tx() as m:
        slugs = [s.slug for s in await m.users.skills_catalogue()][:11]
    await h.refused(lambda m: m.users.update_profile(nora, skills=slugs), "skills.too_many")


async def test_profile_with_no_skills_is_refused(h: Harness) -> None:
    frank = await h.freelancer()
    await h.refused(lambda m: m.users.update_profile(frank, skills=[" "]), "skills.none")


async def test_a_bad_field_refuses_the_whole_profile_update(h: Harness) -> None:
    frank = await h.freelancer()
    await h.refused(
        lambda m: m.users.update_profile(frank, headline="A brand new headline", hourly_rate=0),
        "profile.rate_range",
    )


# --- bans ----------------------------------------------------------------------------


async def test_admin_bans_a_user_who_is_told(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer()
    h.clock.advance(hours=1)
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "  Asked for payment outside the platform ")
    async with h.tx() as m:
        user = await m.users.get(frank.user_id)
    assert user.is_banned
    assert user.banned_at == h.clock.now()
    assert user.ban_reason == "Asked for payment outside the platform"
    assert kinds(h, "user.banned") == [{"user_id": frank.user_id, "to": (frank.user_id,)}]


async def test_non_admin_cannot_ban(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer()
    await h.refused(lambda m: m.users.ban(erin, frank.user_id, "I do not like him"), "admin.only")


async def test_non_admin_cannot_unban(h: Harness) -> None:
    admin = await h.admin()
    erin = await h.employer()
    frank = await h.freelancer()
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "spam")
    await h.refused(lambda m: m.users.unban(erin, frank.user_id), "admin.only")
    await h.refused(lambda m: m.users.unban(frank, frank.user_id), "admin.only")


async def test_admins_cannot_be_banned(h: Harness) -> None:
    second_admin_telegram_id = next(_telegram_ids)
    h.settings = h.settings.model_copy(
        update={"admin_ids": h.settings.admin_ids | {second_admin_telegram_id}}
    )
    admin = await h.admin()
    async with h.tx() as m:
        other = await m.users.register(second_admin_telegram_id, "Second admin")
    await h.refused(lambda m: m.users.ban(admin, other.id, "power struggle"), "ban.admin")


async def test_admin_cannot_ban_themselves(h: Harness) -> None:
    admin = await h.admin()
    await h.refused(lambda m: m.users.ban(admin, admin.user_id, "oops"), "ban.self")


async def test_ban_needs_a_reason(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer()
    await h.refused(lambda m: m.users.ban(admin, frank.user_id, "  "), "ban.reason.empty")


async def test_banning_an_unknown_user_is_not_found(h: Harness) -> None:
    admin = await h.admin()
    await h.refused(lambda m: m.users.ban(admin, 987_654, "spam"), "user.not_found")


async def test_unban_restores_the_user(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer()
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "spam")
    async with h.tx() as m:
        await m.users.unban(admin, frank.user_id)
    async with h.tx() as m:
        user = await m.users.get(frank.user_id)
    assert not user.is_banned and user.banned_at is None and user.ban_reason is None
    assert [e["user_id"] for e in kinds(h, "user.unbanned")] == [frank.user_id]
    async with h.tx() as m:
        view = await m.users.update_profile(frank, hourly_rate=6000)
    assert view.profile is not None and view.profile.hourly_rate == 6000


async def test_banned_user_cannot_edit_their_profile(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer()
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "spam")
    await h.refused(lambda m: m.users.update_profile(frank, hourly_rate=1), "user.banned")


async def test_banned_employer_cannot_do_anything_with_projects(h: Harness) -> None:
    admin = await h.admin()
    erin = await h.employer()
    frank = await h.freelancer()
    draft = await h.draft(erin)
    open_pid = await h.open_project(erin)
    bid_id = await h.bid(frank, open_pid)
    async with h.tx() as m:
        await m.users.ban(admin, erin.user_id, "fake projects")
    await h.refused(
        lambda m: m.projects.create_draft(
            erin,
            title="Another project of mine",
            description="A longer description that is surely long enough.",
            skills=["python"],
            budget_min=10_000,
            budget_max=20_000,
        ),
        "user.banned",
    )
    await h.refused(lambda m: m.projects.publish(erin, draft), "user.banned")
    await h.refused(
        lambda m: m.projects.edit(erin, open_pid, title="A better title now"), "user.banned"
    )
    await h.refused(lambda m: m.projects.cancel(erin, open_pid), "user.banned")
    await h.refused(lambda m: m.bids.for_employer(erin, open_pid), "user.banned")
    await h.refused(lambda m: m.bids.decline(erin, bid_id), "user.banned")
    await h.refused(lambda m: m.awards.offer(erin, bid_id), "user.banned")


async def test_banned_freelancer_cannot_bid_or_touch_bids_or_offers(h: Harness) -> None:
    admin = await h.admin()
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    other_pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    async with h.tx() as m:
        award = await m.awards.offer(erin, bid_id)
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "plagiarism")
    await h.refused(
        lambda m: m.bids.place(frank, other_pid, amount=1000, delivery_days=3, proposal="x" * 40),
        "user.banned",
    )
    await h.refused(lambda m: m.bids.edit(frank, bid_id, amount=25_000), "user.banned")
    await h.refused(lambda m: m.bids.retract(frank, bid_id), "user.banned")
    await h.refused(lambda m: m.awards.accept(frank, award.id), "user.banned")
    await h.refused(lambda m: m.awards.decline(frank, award.id), "user.banned")


async def test_employer_cannot_offer_to_a_banned_freelancer(h: Harness) -> None:
    admin = await h.admin()
    erin = await h.employer()
    frank = await h.freelancer()
    pid = await h.open_project(erin)
    bid_id = await h.bid(frank, pid)
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "plagiarism")
    await h.refused(lambda m: m.awards.offer(erin, bid_id), "award.freelancer_banned")
