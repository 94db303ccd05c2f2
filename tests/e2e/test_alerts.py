"""New-project alerts as freelancers use them: /alerts to choose skills and a minimum
budget, an alert for a matching project, one tap on Stop under it (and Undo), the
settings screen's pause and turn off, and stale or forged presses that explain."""

from __future__ import annotations

from collections.abc import Sequence

from bot.callbacks import AlertsCb
from core.actors import Actor
from emulator import ChatMessage, SimulatedUser
from tests.e2e.conftest import App
from tests.e2e.test_bidding import DESCRIPTION, freelancer, market, member, started
from tests.e2e.work_support import publish as queue_alerts

NEW_PROJECT = "A new project matches your skills"


async def publish(
    app: App,
    employer: Actor,
    title: str = "Telegram bot for my flower shop",
    *,
    skills: Sequence[str] = ("python", "telegram-bots"),
    budget: tuple[int, int] = (10_000, 50_000),
) -> int:
    """A project published as the bot would: committed, then its alerts sent."""
    async with market(app) as m:
        draft = await m.projects.create_draft(
            employer,
            title=title,
            description=DESCRIPTION,
            skills=list(skills),
            budget_min=budget[0],
            budget_max=budget[1],
        )
        await m.projects.publish(employer, draft.id)
        events = m.take_events()
    await queue_alerts(app, events)
    return draft.id


async def alerts_screen(person: SimulatedUser) -> ChatMessage:
    await person.send_text("/alerts")
    return await person.wait_for_message("New-project alerts")


async def receiving(app: App, person: SimulatedUser) -> bool:
    async with market(app) as m:
        user = await m.users.by_telegram_id(person.id)
        assert user is not None
        view = await m.subscriptions.of(user.id)
        return view is not None and view.receiving


async def test_a_freelancer_sets_alerts_gets_a_project_stops_them_and_undoes(app: App) -> None:
    erin, nora = app.person("Erin"), app.person("Nora")
    await started(nora)
    boss = await member(app, erin)

    screen = await alerts_screen(nora)
    assert "Status: 🔕 Off" in screen.text
    await nora.click(screen, "🧩 Choose skills")
    picker = await nora.wait_for_message("Alert skills")
    answer = await nora.click(picker, "✔ Done")
    assert answer.show_alert and answer.text == (
        "Pick at least one skill. To stop alerts, turn them off."
    )
    page_id = picker.message_id
    while "Python" not in picker.button_texts:  # the catalogue comes in pages
        await nora.click(picker, "Next ›")
        picker = await nora.wait_for_message(lambda m: m.message_id == page_id)
    await nora.click(picker, "Python")
    chosen = await nora.wait_for_message(lambda m: m.message_id == page_id)
    await nora.click(chosen, "✔ Done (1 selected)")
    saved = await nora.wait_for_message("✅ Saved.")
    assert "Status: 🟢 On" in saved.text and "Skills: Python" in saved.text
    assert "Minimum budget: any" in saved.text

    await nora.click(saved, "💵 Minimum budget")
    ask = await nora.wait_for_message("Minimum budget")
    assert ask.button_texts[:2] == ["Any budget", "100.00 USD"]
    await nora.send_sticker()
    await nora.wait_for_message("Please send the minimum budget as a number")
    await nora.send_text("cheap")
    await nora.wait_for_message("Send an amount in USD, like 150 or 150.50.")
    await nora.send_text("2000000")
    await nora.wait_for_message("The minimum budget can be at most 1,000,000.00 USD.")
    await nora.send_text("200")
    saved = await nora.wait_for_message("✅ Saved.")
    assert "Minimum budget: 200.00 USD" in saved.text

    await publish(app, boss, "A small Python script", budget=(10_000, 15_000))
    await publish(app, boss, "A logo for my bakery", skills=("logo-design",))
    await nora.expect_no_message()  # too small a budget, and not her skill
    pid = await publish(app, boss, budget=(10_000, 50_000))
    alert = await nora.wait_for_message(NEW_PROJECT)
    assert "Telegram bot for my flower shop" in alert.text

    answer = await nora.click(alert, "🔕 Stop these alerts")
    assert answer.text == "Alerts paused."
    stopped = await nora.wait_for_message(lambda m: m.message_id == alert.message_id)
    assert "Alerts paused." in stopped.text and "Telegram bot for my flower shop" in stopped.text
    assert stopped.button_texts == ["👁 View and bid", "↩️ Undo", "⚙️ Alert settings"]
    assert not await receiving(app, nora)
    await publish(app, boss, "Another Python bot, for a cafe")
    await nora.expect_no_message()

    answer = await nora.click(stopped, "↩️ Undo")
    assert answer.text == "Alerts are back on."
    back = await nora.wait_for_message(lambda m: m.message_id == alert.message_id)
    assert "Alerts paused." not in back.text
    assert back.button_texts == ["👁 View and bid", "🔕 Stop these alerts"]
    await publish(app, boss, "A Python bot for a bookshop")
    await nora.wait_for_message(lambda m: NEW_PROJECT in m.text and "bookshop" in m.text)

    # presses that no longer fit explain themselves and change nothing
    undo = AlertsCb(action="undo", project_id=pid).pack()
    answer = await nora.forge_click(back, undo)
    assert answer.show_alert and answer.text == "Your new-project alerts are already on."
    answer = await nora.forge_click(back, AlertsCb(action="stop", project_id=987_654).pack())
    assert answer.show_alert and answer.text == "This project does not exist."
    assert await receiving(app, nora)
    answer = await nora.forge_click(back, "al:zap:1")
    assert (
        answer.show_alert
        and answer.text == "This button has expired. Open the item again from the menu."
    )

    await nora.click(back, "🔕 Stop these alerts")
    stopped = await nora.wait_for_message("Alerts paused.")
    answer = await nora.forge_click(back, AlertsCb(action="stop", project_id=pid).pack())
    assert answer.show_alert and answer.text == "Your new-project alerts are already paused."
    await nora.click(stopped, "⚙️ Alert settings")
    screen = await nora.wait_for_message("New-project alerts")
    assert "Status: ⏸ Paused" in screen.text


async def test_pause_resume_and_turn_off_from_the_settings_screen(app: App) -> None:
    erin, gus = app.person("Erin"), app.person("Gus")
    await started(gus)
    boss = await member(app, erin)
    await freelancer(app, gus, skills=("python", "django"))  # complete: subscribed by default

    await gus.send_text("/start")
    menu = await gus.wait_for_message("What would you like to do?")
    await gus.click(menu, "🔔 Alerts")
    screen = await gus.wait_for_message("New-project alerts")
    assert "Status: 🟢 On" in screen.text and "Skills: Django, Python" in screen.text

    answer = await gus.click(screen, "⏸ Pause")
    assert answer.text == "Alerts paused."
    paused = await gus.wait_for_message(lambda m: m.message_id == screen.message_id)
    assert "Status: ⏸ Paused" in paused.text and "▶️ Resume" in paused.button_texts
    await gus.click(paused, "▶️ Resume")
    resumed = await gus.wait_for_message(lambda m: m.message_id == screen.message_id)
    assert "Status: 🟢 On" in resumed.text

    await gus.click(resumed, "🔕 Turn off")
    confirm = await gus.wait_for_message("Turn new-project alerts off?")
    await gus.click(confirm, "« Back")
    again = await gus.wait_for_message(lambda m: m.message_id == screen.message_id)
    await gus.click(again, "🔕 Turn off")
    confirm = await gus.wait_for_message("Turn new-project alerts off?")
    answer = await gus.click(confirm, "Yes, turn them off")
    assert answer.text == "Alerts turned off."
    off = await gus.wait_for_message(lambda m: m.message_id == screen.message_id)
    assert "Status: 🔕 Off" in off.text
    assert off.button_texts == ["🧩 Choose skills", "💵 Minimum budget", "« Menu"]

    await publish(app, boss)
    await gus.expect_no_message()
    answer = await gus.forge_click(off, AlertsCb(action="pause").pack())
    assert answer.show_alert and answer.text.startswith("Your new-project alerts are off.")

    # choosing skills again starts from the profile's, and turns alerts back on
    await gus.click(off, "🧩 Choose skills")
    picker = await gus.wait_for_message("Alert skills")
    assert {"✅ Python", "✅ Django"} <= set(picker.button_texts)
    await gus.send_text("python, knitting")
    await gus.wait_for_message("Unknown skill: knitting.")
    await gus.send_text("python, go")
    saved = await gus.wait_for_message("✅ Saved.")
    assert "Status: 🟢 On" in saved.text and "Skills: Go, Python" in saved.text
    await publish(app, boss, "A Python bot for a bookshop")
    await gus.wait_for_message(NEW_PROJECT)
