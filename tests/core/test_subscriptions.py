"""New-project alerts by subscription: the opt-out default, the freelancer's choices and
their validation, and who a new project reaches, best match first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from core.actors import Actor
from core.services.subscriptions import MAX_SKILLS, Recipient, SubscriptionView
from storage.catalogue import SKILLS
from storage.db import create_engine
from storage.migrate import sync_catalogue, upgrade
from storage.models import (
    AlertSubscription,
    AlertSubscriptionSkill,
    FreelancerProfile,
    ProfileSkill,
    Skill,
    User,
)
from tests.harness import Harness


async def subscription(h: Harness, who: Actor) -> SubscriptionView | None:
    async with h.tx() as m:
        return await m.subscriptions.of(who.user_id)


def slugs(view: SubscriptionView | None) -> list[str]:
    assert view is not None
    return sorted(s.slug for s in view.skills)


async def recipients(h: Harness, project_id: int) -> list[Recipient]:
    async with h.tx() as m:
        return await m.subscriptions.recipients_for_project(project_id)


async def reached(h: Harness, project_id: int) -> list[int]:
    return [r.user_id for r in await recipients(h, project_id)]


async def subscriber(h: Harness, name: str, skills: tuple[str, ...], min_budget: int = 0) -> Actor:
    """Someone who set their alerts in /alerts (no freelancer profile needed)."""
    who = await h.user(name)
    async with h.tx() as m:
        await m.subscriptions.subscribe(who, list(skills), min_budget)
    return who


# --- the default: a complete profile subscribes to its skills ------------------------------


async def test_completing_a_profile_subscribes_to_its_skills_at_any_budget(h: Harness) -> None:
    frank = await h.freelancer("Frank", skills=("python", "django"))
    view = await subscription(h, frank)
    assert view is not None and view.receiving
    assert slugs(view) == ["django", "python"]
    assert view.min_budget == 0 and not view.paused


async def test_an_incomplete_profile_subscribes_nobody(h: Harness) -> None:
    nora = await h.user("Nora")
    async with h.tx() as m:
        await m.users.update_profile(nora, headline="Python developer", skills=["python"])
    assert await subscription(h, nora) is None


async def test_later_profile_edits_leave_the_subscription_alone(h: Harness) -> None:
    frank = await h.freelancer("Frank", skills=("python",))
    async with h.tx() as m:
        await m.subscriptions.set_skills(frank, ["go"])
        await m.users.update_profile(frank, skills=["python", "sql"])
    assert slugs(await subscription(h, frank)) == ["go"]


async def test_a_freelancer_who_turned_alerts_off_is_not_subscribed_again(h: Harness) -> None:
    nora = await subscriber(h, "Nora", ("python",))
    async with h.tx() as m:
        await m.subscriptions.unsubscribe(nora)
        await m.users.update_profile(
            nora,
            headline="Senior Python developer",
            bio="Ten years of building web services, bots and data pipelines.",
            skills=["python"],
            hourly_rate=5000,
        )
    view = await subscription(h, nora)
    assert view is not None and view.off and not view.receiving


async def test_a_budget_chosen_before_the_profile_is_kept_when_it_completes(h: Harness) -> None:
    nora = await h.user("Nora")
    async with h.tx() as m:
        await m.subscriptions.set_min_budget(nora, 50_000)
    view = await subscription(h, nora)
    assert view is not None and view.off  # a budget alone follows nothing yet
    async with h.tx() as m:
        await m.users.update_profile(
            nora,
            headline="Senior Python developer",
            bio="Ten years of building web services, bots and data pipelines.",
            skills=["python"],
            hourly_rate=5000,
        )
    view = await subscription(h, nora)
    assert view is not None and view.receiving
    assert slugs(view) == ["python"] and view.min_budget == 50_000


# --- the freelancer's choices ---------------------------------------------------------------


async def test_subscribe_sets_skills_and_budget_in_one_go(h: Harness) -> None:
    nora = await subscriber(h, "Nora", ("logo-design", "illustration"), 20_000)
    view = await subscription(h, nora)
    assert slugs(view) == ["illustration", "logo-design"]
    assert view is not None and view.min_budget == 20_000 and view.receiving


async def test_unknown_too_many_or_no_skills_are_refused_by_name(h: Harness) -> None:
    frank = await h.freelancer("Frank", skills=("python",))
    error = await h.refused(
        lambda m: m.subscriptions.set_skills(frank, ["python", "knitting"]), "skills.unknown"
    )
    assert error.details == {"unknown": "knitting"}
    every = [slug for slug, _, _ in SKILLS][: MAX_SKILLS + 1]
    error = await h.refused(lambda m: m.subscriptions.set_skills(frank, every), "skills.too_many")
    assert error.details == {"maximum": MAX_SKILLS}
    await h.refused(lambda m: m.subscriptions.set_skills(frank, [" "]), "alerts.no_skills")
    await h.refused(lambda m: m.subscriptions.subscribe(frank, []), "alerts.no_skills")


async def test_the_minimum_budget_is_between_zero_and_the_largest_budget(h: Harness) -> None:
    frank = await h.freelancer("Frank")
    await h.refused(lambda m: m.subscriptions.set_min_budget(frank, -1), "alerts.budget_negative")
    error = await h.refused(
        lambda m: m.subscriptions.set_min_budget(frank, h.settings.max_budget + 1),
        "alerts.budget_too_large",
    )
    assert error.details == {"maximum": 100_000_000}  # minor units: the bot words them
    async with h.tx() as m:
        assert (await m.subscriptions.set_min_budget(frank, h.settings.max_budget)).min_budget
        assert (await m.subscriptions.set_min_budget(frank, 0)).min_budget == 0


async def test_pause_and_resume_each_say_when_there_is_nothing_to_do(h: Harness) -> None:
    frank = await h.freelancer("Frank")
    await h.refused(lambda m: m.subscriptions.resume(frank), "alerts.not_paused")
    async with h.tx() as m:
        paused = await m.subscriptions.pause(frank)
    assert paused.paused and not paused.receiving and not paused.off
    await h.refused(lambda m: m.subscriptions.pause(frank), "alerts.already_paused")
    async with h.tx() as m:
        assert (await m.subscriptions.resume(frank)).receiving


async def test_alerts_that_are_off_cannot_be_paused_resumed_or_turned_off(h: Harness) -> None:
    nora = await h.user("Nora")  # never subscribed
    for op in ("pause", "resume", "unsubscribe"):
        await h.refused(lambda m, op=op: getattr(m.subscriptions, op)(nora), "alerts.off")
    frank = await h.freelancer("Frank")
    async with h.tx() as m:
        await m.subscriptions.pause(frank)
        off = await m.subscriptions.unsubscribe(frank)  # from paused, too
    assert off.off and not off.paused
    await h.refused(lambda m: m.subscriptions.resume(frank), "alerts.off")


async def test_choosing_skills_turns_alerts_back_on(h: Harness) -> None:
    frank = await h.freelancer("Frank")
    async with h.tx() as m:
        await m.subscriptions.unsubscribe(frank)
        view = await m.subscriptions.set_skills(frank, ["go"])
    assert view.receiving and slugs(view) == ["go"]


async def test_suspended_and_unknown_people_change_nothing(h: Harness) -> None:
    admin = await h.admin()
    frank = await h.freelancer("Frank")
    async with h.tx() as m:
        await m.users.ban(admin, frank.user_id, "spam")
    await h.refused(lambda m: m.subscriptions.pause(frank), "user.banned")
    await h.refused(lambda m: m.subscriptions.set_skills(frank, ["go"]), "user.banned")
    ghost = Actor(user_id=987_654, telegram_id=1)
    await h.refused(lambda m: m.subscriptions.set_min_budget(ghost, 0), "user.unknown")


# --- who a new project reaches ----------------------------------------------------------------


async def test_a_project_reaches_everyone_following_one_of_its_skills(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer("Frank", skills=("python",))
    gus = await h.freelancer("Gus", skills=("telegram-bots",))
    await h.freelancer("Dora", skills=("logo-design",))
    pid = await h.open_project(erin, skills=["python", "telegram-bots"])
    assert sorted(await reached(h, pid)) == sorted([frank.user_id, gus.user_id])


async def test_no_fan_out_cap_every_matching_subscriber_is_reached(h: Harness) -> None:
    erin = await h.employer()
    people = [await subscriber(h, f"Sub{i}", ("python",)) for i in range(25)]
    pid = await h.open_project(erin, skills=["python"])
    assert sorted(await reached(h, pid)) == sorted(p.user_id for p in people)


async def test_the_top_budget_must_reach_the_minimum_budget(h: Harness) -> None:
    erin = await h.employer()
    exact = await subscriber(h, "Exact", ("python",), min_budget=50_000)
    above = await subscriber(h, "Above", ("python",), min_budget=50_001)
    anyone = await subscriber(h, "Anyone", ("python",))
    pid = await h.open_project(erin, skills=["python"], budget_min=10_000, budget_max=50_000)
    found = await reached(h, pid)
    assert exact.user_id in found and anyone.user_id in found
    assert above.user_id not in found


async def test_paused_and_off_subscribers_are_not_reached(h: Harness) -> None:
    erin = await h.employer()
    paused = await subscriber(h, "Paused", ("python",))
    off = await subscriber(h, "Off", ("python",))
    on = await subscriber(h, "On", ("python",))
    async with h.tx() as m:
        await m.subscriptions.pause(paused)
        await m.subscriptions.unsubscribe(off)
    pid = await h.open_project(erin, skills=["python"])
    assert await reached(h, pid) == [on.user_id]
    async with h.tx() as m:
        await m.subscriptions.resume(paused)
    assert sorted(await reached(h, pid)) == sorted([on.user_id, paused.user_id])


async def test_banned_subscribers_and_the_employer_are_not_reached(h: Harness) -> None:
    admin = await h.admin()
    erin = await h.freelancer("Erin", skills=("python",))  # posts, and freelances too
    banned = await h.freelancer("Bert", skills=("python",))
    frank = await h.freelancer("Frank", skills=("python",))
    async with h.tx() as m:
        await m.users.ban(admin, banned.user_id, "spam")
    pid = await h.open_project(erin, skills=["python"])
    assert await reached(h, pid) == [frank.user_id]


async def test_best_matches_first_then_the_most_recently_active_then_the_oldest_user(
    h: Harness,
) -> None:
    erin = await h.employer()
    one_a = await subscriber(h, "OneA", ("python",))
    one_b = await subscriber(h, "OneB", ("sql",))
    three = await subscriber(h, "Three", ("python", "sql", "django"))
    two = await subscriber(h, "Two", ("django", "go", "sql"))
    h.clock.advance(hours=1)
    active = await subscriber(h, "Active", ("python",))  # later settings: more recent
    pid = await h.open_project(erin, skills=["python", "sql", "django"])
    found = await recipients(h, pid)
    assert [(r.user_id, r.score) for r in found] == [
        (three.user_id, 3),
        (two.user_id, 2),
        (active.user_id, 1),
        (one_a.user_id, 1),
        (one_b.user_id, 1),
    ]
    async with h.tx() as m:
        user = await m.users.get(three.user_id)
    assert found[0].telegram_id == user.telegram_id


async def test_a_bid_makes_a_freelancer_the_most_recently_active(h: Harness) -> None:
    erin = await h.employer()
    frank = await h.freelancer("Frank", skills=("python",))
    h.clock.advance(hours=1)
    gus = await h.freelancer("Gus", skills=("python",))
    first = await h.open_project(erin, skills=["python"])
    assert await reached(h, first) == [gus.user_id, frank.user_id]  # Gus subscribed later
    h.clock.advance(hours=2)
    await h.bid(frank, first)
    second = await h.open_project(erin, skills=["python"])
    assert await reached(h, second) == [frank.user_id, gus.user_id]


async def test_a_project_no_longer_open_reaches_nobody(h: Harness) -> None:
    erin = await h.employer()
    await h.freelancer("Frank", skills=("python",))
    draft = await h.draft(erin, skills=["python"])
    assert await reached(h, draft) == []
    pid = await h.open_project(erin, skills=["python"])
    async with h.tx() as m:
        await m.projects.cancel(erin, pid)
    assert await reached(h, pid) == []
    await h.refused(lambda m: m.subscriptions.recipients_for_project(987_654), "project.not_found")


# --- the upgrade ----------------------------------------------------------------------------


async def test_after_the_upgrade_freelancers_keep_the_alerts_their_skills_gave_them(
    tmp_path: Path,
) -> None:
    """Before subscriptions, profile skills decided alerts: the migration subscribes
    everyone who has them to them, at any budget; profiles without skills get nothing."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}", pool=False)
    when = datetime(2026, 3, 1, tzinfo=UTC)
    try:
        await upgrade(engine, "0003")
        await sync_catalogue(engine)
        async with engine.begin() as conn:
            skill = dict((await conn.execute(select(Skill.slug, Skill.id))).tuples().all())
            for uid in (1, 2):
                await conn.execute(
                    insert(User).values(id=uid, telegram_id=uid * 10, created_at=when)
                )
                await conn.execute(
                    insert(FreelancerProfile).values(
                        user_id=uid, headline="", bio="", portfolio=[], updated_at=when
                    )
                )
            await conn.execute(
                insert(ProfileSkill),
                [
                    {"user_id": 1, "skill_id": skill["python"]},
                    {"user_id": 1, "skill_id": skill["go"]},
                ],
            )
        await upgrade(engine)
        async with engine.connect() as conn:
            subs = (await conn.execute(select(AlertSubscription))).all()
            followed = (await conn.execute(select(AlertSubscriptionSkill.skill_id))).scalars()
            assert sorted(followed) == sorted([skill["python"], skill["go"]])
        assert [(s.user_id, s.min_budget, s.paused, s.stopped_at) for s in subs] == [
            (1, 0, False, None)
        ]
    finally:
        await engine.dispose()


async def test_a_changed_minimum_budget_and_an_ended_ban_count_at_once(h: Harness) -> None:
    admin = await h.admin()
    erin = await h.employer()
    frank = await h.freelancer("Frank", skills=("python",))
    pid = await h.open_project(erin, skills=["python"], budget_max=50_000)
    async with h.tx() as m:
        await m.subscriptions.set_min_budget(frank, 60_000)
    assert await reached(h, pid) == []
    async with h.tx() as m:
        await m.subscriptions.set_min_budget(frank, 40_000)
        await m.users.ban(admin, frank.user_id, "spam")
    assert await reached(h, pid) == []
    async with h.tx() as m:
        await m.users.unban(admin, frank.user_id)
    assert await reached(h, pid) == [frank.user_id]


async def test_the_followed_skills_always_carry_the_subscription_as_it_is(h: Harness) -> None:
    """Matching reads copies of the settings kept on each followed skill: every change
    of settings, ban or bid leaves them equal to the subscription and the account."""
    admin = await h.admin()
    erin = await h.employer()
    frank = await h.freelancer("Frank", skills=("python", "go"))
    pid = await h.open_project(erin, skills=["python"])

    async def agree() -> None:
        async with h.db.uow() as uow:
            sub = (await uow.session.execute(select(AlertSubscription))).scalar_one()
            user = await uow.users.get(frank.user_id)
            assert user is not None
            rows = (await uow.session.execute(select(AlertSubscriptionSkill))).scalars().all()
            assert rows
            for row in rows:
                assert (row.telegram_id, row.banned) == (user.telegram_id, user.is_banned)
                assert (row.min_budget, row.paused, row.active_at) == (
                    sub.min_budget,
                    sub.paused,
                    sub.active_at,
                )

    await agree()
    steps = [
        lambda m: m.subscriptions.set_min_budget(frank, 20_000),
        lambda m: m.subscriptions.pause(frank),
        lambda m: m.subscriptions.set_skills(frank, ["python", "sql", "go"]),
        lambda m: m.subscriptions.resume(frank),
        lambda m: m.users.ban(admin, frank.user_id, "spam"),
        lambda m: m.users.unban(admin, frank.user_id),
        lambda m: m.subscriptions.subscribe(frank, ["python"], 5_000),
        lambda m: m.bids.place(
            frank, pid, amount=30_000, delivery_days=5, proposal="I have built many shop bots."
        ),
    ]
    for step in steps:
        h.clock.advance(minutes=5)
        async with h.tx() as m:
            await step(m)
        await agree()
