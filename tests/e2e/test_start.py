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
