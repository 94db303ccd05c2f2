"""First contact: /start, the menu, deep links, /cancel and stale buttons."""

from __future__ import annotations

from tests.e2e.conftest import App


async def test_start_greets_and_shows_the_menu(app: App) -> None:
    alice = app.person("Alice")
    await alice.send_text("/start")
    await alice.wait_for_message("bidgram")
    menu = await alice.wait_for_message("What would you like to do?")
    assert "📝 Post a project" in [b.text for row in menu.buttons for b in row]


async def test_name_with_html_is_escaped(app: App) -> None:
    mallory = app.person("<b>Mal</b>")
    await mallory.send_text("/start")
    greeting = await mallory.wait_for_message("bidgram")
    assert "<b>Mal</b>" in greeting.text  # shown literally, not as bold


async def test_unknown_deep_link_explains_and_shows_menu(app: App) -> None:
    bob = app.person("Bob")
    await bob.send_text("/start nonsense")
    await bob.wait_for_message("does not point to anything")


async def test_cancel_outside_a_flow_says_nothing_to_cancel(app: App) -> None:
    bob = app.person("Bob")
    await bob.send_text("/cancel")
    await bob.wait_for_message("nothing to cancel")


async def test_help_button_answers_and_explains(app: App) -> None:
    bob = app.person("Bob")
    await bob.send_text("/start")
    menu = await bob.wait_for_message("What would you like to do?")
    await bob.click(menu, "❓ Help")
    await bob.wait_for_message("How bidgram works")


async def test_forged_button_is_answered_and_changes_nothing(app: App) -> None:
    bob = app.person("Bob")
    await bob.send_text("/start")
    menu = await bob.wait_for_message("What would you like to do?")
    answer = await bob.forge_click(menu, "zz:forged:1")
    assert answer.show_alert and "expired" in (answer.text or "")


async def test_input_nobody_expects_is_answered_with_what_is_true_there(app: App) -> None:
    erin = app.person("Erin")
    await erin.send_text("hello?")  # no conversation: the menu comes with the answer
    lost = await erin.wait_for_message("I did not understand that")
    assert lost.text.startswith("I did not understand that. Here is the menu")
    assert "📝 Post a project" in lost.button_texts

    # In a conversation whose step takes only buttons: no menu, the step is above.
    await erin.send_text("/post")
    await erin.wait_for_message("step 1 of 5")
    await erin.send_text("Logo for my bakery shop")
    await erin.wait_for_message("Step 2 of 5")
    await erin.send_text("A round logo with a loaf of bread, in brown and cream colours.")
    await erin.wait_for_message("Step 3 of 5")
    await erin.send_text("Logo design")
    await erin.wait_for_message("Step 4 of 5")
    await erin.send_text("100-200")
    files = await erin.wait_for_message("Step 5 of 5")
    await erin.click(files, "Skip")
    preview = await erin.wait_for_message("Preview")
    await erin.send_text("looks good")
    step = await erin.wait_for_message("This step does not take that")
    assert "/cancel" in step.text and "menu" not in step.text and step.button_texts == []
    await erin.click(preview, "🚀 Publish")  # the step is still there
    await erin.wait_for_message("is live!")
