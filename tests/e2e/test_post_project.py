"""Posting a project end to end: every bad answer re-asked at its step, a preview,
publishing with a share link, alerts to matching freelancers only; drafts, editing,
and cancelling with a confirm step."""

from __future__ import annotations

import bot.alerts  # noqa: F401  (registers the renderers)
from bot.app import gateways_for
from bot.notifier import DIGESTS, RENDERERS, AlertContext
from core.events.projects import ProjectPublished
from emulator import SimulatedUser
from storage.enums import ProjectStatus
from tests.e2e.conftest import App
from tests.e2e.test_bidding import (
    DESCRIPTION,
    freelancer,
    market,
    member,
    place_bid,
    project,
    started,
)

TITLE = "<b>Bakery</b> logo & shop sign"


async def walk_to_budget(erin: SimulatedUser) -> None:
    """Title, description and skills answered well."""
    await erin.send_text("/post")
    await erin.wait_for_message("step 1 of 5")
    await erin.send_text(TITLE)
    await erin.wait_for_message("Step 2 of 5")
    await erin.send_text(DESCRIPTION)
    picker = await erin.wait_for_message("Step 3 of 5")
    await erin.click(picker, "Logo design")
    chosen = await erin.wait_for_message(lambda m: m.message_id == picker.message_id)
    await erin.click(chosen, "✔ Done (1 selected)")
    await erin.wait_for_message("Step 4 of 5")


async def test_post_with_bad_answers_preview_and_publish(app: App) -> None:
    erin, dora, gus = app.person("Erin"), app.person("Dora"), app.person("Gus")
    for person in (erin, dora, gus):
        await started(person)
    await freelancer(app, erin, skills=("logo-design",))  # posts, and freelances too
    await freelancer(app, dora, skills=("logo-design", "illustration"))
    await freelancer(app, gus, skills=("python",))

    await erin.send_text("/post")
    await erin.wait_for_message("step 1 of 5")
    await erin.send_sticker()
    await erin.wait_for_message("Please send the title as a text message.")
    await erin.send_text("Logo")
    await erin.wait_for_message("The title needs at least 10 characters.")
    await erin.send_text("x" * 101)
    await erin.wait_for_message("The title can be at most 100 characters (got 101).")
    await erin.send_text(TITLE)

    await erin.wait_for_message("Step 2 of 5")
    await erin.send_photo()
    await erin.wait_for_message("Please send the description as a text message.")
    await erin.send_text("A logo, please.")
    await erin.wait_for_message("The description needs at least 30 characters.")
    await erin.send_text(DESCRIPTION)

    picker = await erin.wait_for_message("Step 3 of 5")
    answer = await erin.click(picker, "✔ Done")
    assert answer.show_alert and answer.text == "Pick at least one skill."
    await erin.send_text("logo design, knitting")
    await erin.wait_for_message("Unknown skill: knitting.")
    await erin.click(picker, "Logo design")
    chosen = await erin.wait_for_message(lambda m: m.message_id == picker.message_id)
    await erin.click(chosen, "✔ Done (1 selected)")

    await erin.wait_for_message("Step 4 of 5")
    await erin.send_text("1-2-3")
    await erin.wait_for_message("Send the budget as one amount")
    await erin.send_text("cheap")
    await erin.wait_for_message("Send an amount in USD, like 150 or 150.50.")
    await erin.send_text("5")
    await erin.wait_for_message("The smallest budget is 10.00 USD.")
    await erin.send_text("500-100")
    await erin.wait_for_message("The lowest budget cannot exceed the highest.")
    await erin.send_text("2000000-3000000")
    await erin.wait_for_message("The budget can be at most 1,000,000.00 USD.")
    await erin.send_text("100 - 500")

    files = await erin.wait_for_message("Step 5 of 5")
    assert files.button_texts == ["Skip", "✖ Cancel"]
    await erin.send_sticker()  # the answer names the one button there is
    nothing = await erin.wait_for_message("Send a document or a photo")
    assert nothing.text == "Send a document or a photo, or tap Skip if there are none."
    assert nothing.button_texts == ["Skip", "✖ Cancel"]
    await erin.send_document("brief.pdf")
    await erin.wait_for_message("📎 File 1 of at most 10 attached. Send more, or tap Done.")
    await erin.send_sticker()
    one = await erin.wait_for_message("Send a document or a photo")
    assert one.text == "Send a document or a photo, or tap Done."
    assert one.button_texts == ["✔ Done", "✖ Cancel"]
    await erin.send_photo()
    attached = await erin.wait_for_message("File 2 of at most 10 attached")
    await erin.click(attached, "✔ Done")

    preview = await erin.wait_for_message("Preview")
    assert TITLE in preview.text  # the tags show literally, they do not format
    assert "100.00 USD – 500.00 USD" in preview.text and "📎 2 files" in preview.text
    # the title is bold as a whole; its own tags are text, escaped
    assert "<b>&lt;b&gt;Bakery&lt;/b&gt; logo &amp; shop sign</b>" in preview.html
    await erin.click(preview, "🚀 Publish")
    card = await erin.wait_for_message("is live!")
    assert card.text.count("https://t.me/bidgram_test_bot?start=p_1") == 1  # the link, once
    assert "🔗 Share: https://t.me/bidgram_test_bot?start=p_1" in card.text
    assert "🟢 Open for bids" in card.text
    assert {"💼 View bids (0)", "✏️ Edit", "📣 Share", "🗑 Cancel project"} <= set(card.button_texts)

    alert = await dora.wait_for_message("A new project matches your skills")
    assert TITLE in alert.text
    await dora.click(alert, "👁 View and bid")
    public = await dora.wait_for_message("📎 2 files")
    await dora.click(public, "📎 Files")
    await dora.wait_for_message(lambda m: m.document is not None)
    await dora.wait_for_message(lambda m: m.photo is not None)
    # nobody else: not the employer (who has the skill), not someone without it
    await erin.expect_no_message()
    assert not [m for m in gus.messages if "new project" in m.text]


async def test_a_range_in_two_steps_and_a_saved_draft(app: App) -> None:
    erin = app.person("Erin")
    await walk_to_budget(erin)
    await erin.send_text("250")
    ask_max = await erin.wait_for_message("up to how much")
    await erin.send_text("100")
    await erin.wait_for_message("The lowest budget cannot exceed the highest.")
    await erin.click(ask_max, "Fixed price")
    files = await erin.wait_for_message("Step 5 of 5")
    await erin.click(files, "Skip")
    preview = await erin.wait_for_message("Preview")
    assert "250.00 USD (fixed)" in preview.text
    await erin.click(preview, "💾 Save as draft")
    draft = await erin.wait_for_message("saved as a draft")
    assert "📝 Draft" in draft.text
    await erin.click(draft, "🚀 Publish")
    live = await erin.wait_for_message("is live!")
    assert live.text.count("https://t.me/bidgram_test_bot?start=p_1") == 1
    assert "🟢 Open for bids" in live.text  # one message: the news and the card
    async with market(app) as m:
        assert (await m.projects.get(1)).status is ProjectStatus.OPEN


async def test_edit_then_cancel_with_a_confirm_step(app: App) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    await started(frank)
    boss = await member(app, erin)
    pid = await project(app, boss)
    await place_bid(app, await freelancer(app, frank), pid)

    await erin.send_text("/projects")
    listing = await erin.wait_for_message("Your projects")
    assert "1 bid" in listing.text
    await erin.click(listing, "1. Telegram bot for my flower shop")
    card = await erin.wait_for_message(lambda m: "💼 View bids (1)" in m.button_texts)
    await erin.click(card, "✏️ Edit")
    choose = await erin.wait_for_message("What would you like to change?")
    await erin.click(choose, "Budget")
    await erin.send_text("9")
    await erin.wait_for_message("The smallest budget is 10.00 USD.")
    await erin.send_text("200-800")
    edited = await erin.wait_for_message("is updated")
    assert "200.00 USD – 800.00 USD" in edited.text
    await frank.wait_for_message("The employer changed")

    await erin.click(edited, "🗑 Cancel project")
    confirm = await erin.wait_for_message("Cancel Telegram bot for my flower shop?")
    await erin.click(confirm, "Yes, cancel it")
    await erin.wait_for_message("is cancelled")
    await frank.wait_for_message("was cancelled by the employer")
    answer = await erin.click(edited, "✏️ Edit")  # a stale button on the old card
    assert answer.show_alert and answer.text == "A project can only be edited while it is open."


async def test_new_project_alert_reaches_every_subscriber_best_first_and_the_channel(
    app: App,
) -> None:
    """The renderer on its own: every matching subscriber, the best match first, the
    employer left out, each alert with a one-tap Stop; and the channel post carrying a
    deep link (the emulator has no channels to send to)."""
    erin, dora, gus = app.person("Erin"), app.person("Dora"), app.person("Gus")
    boss = await freelancer(app, erin, skills=("logo-design",))
    await freelancer(app, gus, skills=("logo-design",))
    await freelancer(app, dora, skills=("logo-design", "illustration"))
    pid = await project(app, boss, skills=("logo-design", "illustration"))
    settings = app.settings.model_copy(update={"projects_channel": "@bidgram_jobs"})
    async with market(app) as m:
        ctx = AlertContext(
            m, settings, app.db, app.clock, gateways_for(settings), "bidgram_test_bot"
        )
        event = ProjectPublished(recipients=(boss.user_id,), project_id=pid)
        alerts = await RENDERERS[ProjectPublished](event, ctx)
    assert [a.chat_id for a in alerts] == [dora.id, gus.id, "@bidgram_jobs"]
    first = alerts[0].keyboard
    assert first is not None
    assert [b.text for row in first.inline_keyboard for b in row] == [
        "👁 View and bid",
        "🔕 Stop these alerts",
    ]
    channel = alerts[-1]
    assert channel.keyboard is not None
    assert (
        channel.keyboard.inline_keyboard[0][0].url == f"https://t.me/bidgram_test_bot?start=p_{pid}"
    )


async def test_held_new_project_alerts_become_one_digest_listing_the_open_ones(
    app: App,
) -> None:
    """The digest a busy freelancer gets instead of many alerts: a line and a button for
    each project still taking bids (a cancelled one is left out), and a one-tap Stop."""
    erin = app.person("Erin")
    boss = await freelancer(app, erin, skills=("logo-design",))
    titles = ["Logo for a bakery", "Menu <design> & print", "Sign for the shop front"]
    pids = [await project(app, boss, t, skills=("logo-design",)) for t in titles]
    async with market(app) as m:
        await m.projects.cancel(boss, pids[2])
    async with market(app) as m:
        ctx = AlertContext(m, app.settings, app.db, app.clock, gateways_for(app.settings))
        text, keyboard = await DIGESTS["new_project"](pids, ctx)
    assert "2 new projects match your skills" in text
    assert "Menu &lt;design&gt; &amp; print" in text and "Sign for the shop" not in text
    assert keyboard is not None
    labels = [b.text for row in keyboard.inline_keyboard for b in row]
    assert labels[:2] == ["1. Logo for a bakery", "2. Menu <design> & print"]
    assert labels[-1] == "🔕 Stop these alerts"
    assert all(
        len((b.callback_data or "").encode()) <= 64 for row in keyboard.inline_keyboard for b in row
    )
