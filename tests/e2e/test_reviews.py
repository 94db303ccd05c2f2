"""Reviews after a completed contract: stars, text, and the double-blind reveal."""

from __future__ import annotations

from datetime import timedelta

from emulator import SimulatedUser
from tests.e2e.conftest import App
from tests.e2e.work_support import Deal, buttons, completed, hired, market, press, settled


async def open_reviews(person: SimulatedUser) -> None:
    await person.send_text("/contracts")
    listing = await person.wait_for_message("Your contracts")
    await person.click(listing, "Build a Telegram bot")
    screen = await person.wait_for_message("You are the")
    await person.click(screen, "⭐ Reviews")


async def write(person: SimulatedUser, stars: str, body: str) -> str:
    """The whole wizard; returns the text shown after publishing."""
    ask = await person.wait_for_message("How was working with")
    await person.click(ask, stars)
    await person.wait_for_message("a few words")
    await person.send_text(body)
    confirm = await person.wait_for_message("Your review of")
    await person.click(confirm, "⭐ Publish review")
    return (await person.wait_for_message("Your review is published")).text


async def test_reviews_are_hidden_until_both_have_written(app: App) -> None:
    deal = await hired(app)
    await completed(app, deal)
    erin, frank = deal.employer, deal.freelancer
    await open_reviews(erin)
    ask = await erin.wait_for_message("How was working with Frank?")
    await erin.send_text("great")
    await erin.wait_for_message("Tap one of the star buttons")
    await erin.send_sticker()
    await erin.wait_for_message("Tap one of the star buttons")
    await erin.click(ask, "★★★★")
    await erin.wait_for_message("a few words")
    await erin.send_text("r" * 1501)
    await erin.wait_for_message("at most 1500 characters")
    await erin.send_photo()
    await erin.wait_for_message("write your review as a text message")
    await erin.send_text("Good <work>, a bit late.")
    confirm = await erin.wait_for_message("Your review of Frank")
    assert "★★★★☆" in confirm.text and "Good <work>, a bit late." in confirm.text
    await erin.click(confirm, "⭐ Publish review")
    shown = await erin.wait_for_message("Your review is published")
    assert "appears when they write theirs" in shown.text

    nudge = await frank.wait_for_message("reviewed you")
    assert "write yours to see theirs" in nudge.text and "a bit late" not in nudge.text
    await open_reviews(frank)
    published = await write(frank, "★★★★★", "Great client.")
    assert "Good <work>, a bit late." in published
    revealed = await erin.wait_for_message("reviewed you")
    assert "Great client." in revealed.text
    await settled(app)  # every alert is out: Frank read it once, in his own reply
    assert [m.text for m in frank.messages if "published" in m.text] == [published]

    # Reviews are written once: the Review button now only shows them.
    await open_reviews(erin)
    status = await erin.wait_for_message("⭐ Reviews")
    assert "Great client." in status.text and "Good <work>" in status.text
    async with market(app) as m:
        reviews = await m.reviews.for_contract(deal.boss, deal.contract_id)
    assert reviews.mine is not None and reviews.mine.rating == 4
    assert reviews.theirs is not None and reviews.theirs.rating == 5


async def test_the_other_review_shows_once_the_window_closes(app: App) -> None:
    deal = await hired(app)
    await completed(app, deal)
    await open_reviews(deal.employer)
    await write(deal.employer, "★★", "Slow to answer messages.")
    await deal.freelancer.wait_for_message("reviewed you")
    app.clock.advance(app.settings.review_window + timedelta(minutes=1))
    await open_reviews(deal.freelancer)
    status = await deal.freelancer.wait_for_message("⭐ Reviews")
    assert "Slow to answer messages." in status.text
    assert "Yours:\nnot written." in status.text


async def test_a_contract_ended_before_any_payment_has_nothing_to_review(app: App) -> None:
    deal: Deal = await hired(app)
    erin, frank = deal.employer, deal.freelancer
    await erin.send_text("/contracts")
    listing = await erin.wait_for_message("Your contracts")
    await erin.click(listing, "Build a Telegram bot")
    screen = await erin.wait_for_message("You are the employer")
    await erin.click(screen, "🏁 End contract")
    end = await erin.wait_for_message("End the contract")
    await erin.click(end, "🏁 Yes, end the contract")
    ended = await erin.wait_for_message("cancelled")
    assert "nothing to review" in ended.text and "⭐ Review" not in buttons(ended)
    told = await frank.wait_for_message("is cancelled.")
    assert "⭐ Review" not in buttons(told)
    answer = await press(frank, told, f"c:review:{deal.contract_id}")
    assert not answer.show_alert
    await frank.wait_for_message("Reviews open when a contract ends")
