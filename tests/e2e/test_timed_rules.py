"""Timed rules through the bot: when nobody presses a button, the sweep still tells people
what is due, with the buttons to act on it right there."""

from __future__ import annotations

from datetime import timedelta

from storage.enums import ProjectStatus
from tests.e2e.conftest import App
from tests.e2e.test_award import award_to, bidding
from tests.e2e.test_bidding import member, open_card, project, started
from tests.e2e.work_support import completed, hired, market, milestone, seeded_milestone


async def test_bidding_over_the_employer_awards_from_the_prompt(app: App) -> None:
    b = await bidding(app)
    app.clock.advance(app.settings.bidding_window)
    report = await app.sweep()
    assert report.bidding_ended == 1
    prompt = await b.erin.wait_for_message("Bidding is over")
    assert "you have 2 bids" in prompt.text
    assert prompt.button_texts == ["💼 View bids (2)", "📄 Open project"]

    # a bidder's card no longer offers to edit or retract the bid
    card = await open_card(b.frank, b.project_id)
    assert "Bidding over" in card.text
    assert not any("Edit my bid" in t or "Retract" in t for t in card.button_texts)

    await b.erin.click(prompt, "💼 View bids (2)")
    bids = await b.erin.wait_for_message("Bids on")
    sent = await award_to(b.erin, bids, "Grace · 250.00 USD")
    assert "Offer sent to Grace" in sent.text
    offer = await b.grace.wait_for_message("You are offered")
    await b.grace.click(offer, "✅ Accept offer and terms")
    await b.grace.wait_for_message("You accepted")
    await b.erin.wait_for_message("Grace accepted")
    await b.frank.wait_for_message("went to another freelancer")
    async with market(app) as m:
        assert (await m.projects.get(b.project_id)).status is ProjectStatus.IN_PROGRESS

    app.clock.advance(app.settings.award_decision_window)
    assert (await app.sweep()).total == 0  # hired: nothing closes


async def test_no_bids_the_project_closes_and_the_employer_can_post_again(app: App) -> None:
    erin = app.person("Erin")
    await started(erin)
    await project(app, await member(app, erin))
    app.clock.advance(app.settings.bidding_window)
    assert (await app.sweep()).projects_closed == 1
    closed = await erin.wait_for_message("ended with no bids")
    assert closed.button_texts == ["📝 Post it again", "📂 My projects"]
    await erin.click(closed, "📝 Post it again")
    await erin.wait_for_message("New project")


async def test_the_freelancer_is_reminded_of_a_due_date_then_both_of_an_overdue(app: App) -> None:
    deal = await hired(app)
    async with market(app) as m:
        due_at = m.ctx.clock.now() + timedelta(days=3)
        ms = await m.milestones.create(
            deal.boss,
            deal.contract_id,
            description="Design the order flow",
            amount=10_000,
            due_at=due_at,
        )
    async with market(app) as m:
        await m.milestones.start_funding(deal.boss, ms.id, "sandbox")

    app.clock.set(due_at - app.settings.due_reminder_before)
    assert (await app.sweep()).due_reminders == 1
    soon = await deal.freelancer.wait_for_message("is due")
    assert "“Design the order flow”" in soon.text and "in about 24 hours" in soon.text
    assert soon.button_texts == ["📦 Deliver work", "💬 Message the employer", "📄 Open milestone"]
    assert (await app.sweep()).total == 0

    app.clock.set(due_at)
    await app.sweep()
    await deal.freelancer.wait_for_message("is due now")

    app.clock.set(due_at + app.settings.overdue_reminder_interval)
    await app.sweep()
    late = await deal.freelancer.wait_for_message("is not delivered yet")
    assert "Deliver it as soon as you can" in late.text
    told = await deal.employer.wait_for_message("has not delivered it yet")
    assert told.button_texts == ["💬 Message the freelancer", "📄 Open milestone"]

    # the reminder's button starts the delivery
    await deal.freelancer.click(soon, "📦 Deliver work")
    await deal.freelancer.wait_for_message("What are you delivering?")


async def test_the_employer_is_reminded_before_auto_release_and_releases(app: App) -> None:
    deal = await hired(app)
    mid = await seeded_milestone(app, deal, 10_000, deliver=True)
    release_at = (await milestone(app, mid)).auto_release_at
    assert release_at is not None
    app.clock.set(release_at - timedelta(hours=48))
    assert (await app.sweep()).auto_release_reminders == 1
    nudge = await deal.employer.wait_for_message("is waiting for your answer")
    assert "released to Frank automatically" in nudge.text and "in about 2 days" in nudge.text
    assert nudge.button_texts[:2] == ["✅ Release 100.00 USD", "✏️ Request changes (2 left)"]
    await deal.employer.click(nudge, "✅ Release 100.00 USD")
    prompt = await deal.employer.wait_for_message("Release 100.00 USD")
    await deal.employer.click(prompt, "✅ Yes, release 100.00 USD")
    await deal.employer.wait_for_message("Released 100.00 USD")
    await deal.freelancer.wait_for_message("released to you")

    app.clock.set(release_at - timedelta(hours=24))
    assert (await app.sweep()).total == 0  # answered: no more reminders


async def test_both_sides_are_told_once_when_the_reviews_are_published(app: App) -> None:
    deal = await hired(app)
    await completed(app, deal)
    async with market(app) as m:
        await m.reviews.write(deal.worker, deal.contract_id, 5, "Clear brief, paid on time.")
    app.clock.advance(app.settings.review_window)
    assert (await app.sweep()).reviews_published == 1
    mine = await deal.employer.wait_for_message("are published")
    assert "Frank reviewed you" in mine.text and "Clear brief, paid on time." in mine.text
    assert "You did not review." in mine.text
    theirs = await deal.freelancer.wait_for_message("are published")
    assert "Erin did not leave a review." in theirs.text
    assert (await app.sweep()).total == 0
