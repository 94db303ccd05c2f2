"""The freelancer profile: the wizard re-asks every bad answer, then the profile is
complete; one field can be edited alone; the public card shows the first name only."""

from __future__ import annotations

from emulator import ChatMessage, SimulatedUser
from tests.e2e.conftest import App
from tests.e2e.test_bidding import freelancer


async def open_profile(person: SimulatedUser) -> ChatMessage:
    await person.send_text("/profile")
    return await person.wait_for_message("Your freelancer profile")


async def test_wizard_re_asks_each_bad_answer_then_completes_the_profile(app: App) -> None:
    alice = app.person("Alice")
    card = await open_profile(alice)
    assert "Missing: headline, bio, skills, hourly rate" in card.text
    await alice.click(card, "✏️ Complete my profile")
    await alice.wait_for_message("Step 1 of 4")

    # headline: a sticker, then too short, then fine
    await alice.send_sticker()
    await alice.wait_for_message("Please send your headline as a text message.")
    await alice.send_text("Hi")
    await alice.wait_for_message("Headline needs at least 5 characters.")
    await alice.send_text("Python developer: <b>bots</b> & scrapers")
    bio_prompt = await alice.wait_for_message("Step 2 of 4")
    assert "About you" in bio_prompt.text

    # bio: too short, then fine
    await alice.send_text("I code.")
    await alice.wait_for_message("Bio needs at least 30 characters.")
    await alice.send_text("I build Telegram bots and web scrapers for small shops, since 2015.")
    picker = await alice.wait_for_message("Step 3 of 4")

    # skills: a skill that does not exist, typed; then buttons across pages
    await alice.send_text("Python, underwater welding")
    await alice.wait_for_message("Unknown skill: underwater welding.")
    await alice.click(picker, "Logo design")
    toggled = await alice.wait_for_message(lambda m: m.message_id == picker.message_id)
    assert "✅ Logo design" in toggled.button_texts
    assert toggled.text.startswith("Step 3 of 4")  # a toggle keeps the step
    await alice.click(toggled, "Next ›")
    page_two = await alice.wait_for_message(lambda m: m.message_id == picker.message_id)
    assert "Page 2 of 4: Development" in page_two.text
    assert page_two.text.startswith("Step 3 of 4")  # and so does another page
    await alice.click(page_two, "Python")
    chosen = await alice.wait_for_message(lambda m: m.message_id == picker.message_id)
    await alice.click(chosen, "✔ Done (2 selected)")
    await alice.wait_for_message("Step 4 of 4")

    # hourly rate: not a number, zero, then fine
    await alice.send_text("a lot")
    await alice.wait_for_message("Send an amount in USD, like 150 or 150.50.")
    await alice.send_text("0")
    await alice.wait_for_message("The hourly rate must be above zero")
    await alice.send_text("25")
    saved = await alice.wait_for_message("Your profile is saved")
    assert "Your profile is complete" in saved.text
    assert "Python developer: <b>bots</b> & scrapers" in saved.text  # shown literally
    assert "Logo design, Python" in saved.text
    assert "25.00 USD / hour" in saved.text

    # the portfolio alone: a bad link is refused, a good one is kept
    await alice.click(saved, "Portfolio")
    await alice.wait_for_message("Portfolio")
    await alice.send_text("my website")
    await alice.wait_for_message("is not a web link")
    await alice.send_photo()
    await alice.wait_for_message("Please send a link as text")
    await alice.send_text("https://example.com/my-work")
    added = await alice.wait_for_message("Added (1/10)")
    await alice.click(added, "✔ Done")
    final = await alice.wait_for_message("Portfolio links saved.")
    assert "https://example.com/my-work" in final.text


async def test_one_field_alone_then_keep_and_cancel_in_the_full_wizard(app: App) -> None:
    bob = app.person("Bob")
    card = await open_profile(bob)
    await bob.click(card, "Headline")
    ask = await bob.wait_for_message("Your headline")
    assert ask.button_texts == ["✖ Cancel"]  # nothing to keep yet
    await bob.send_text("Illustrator and animator")
    saved = await bob.wait_for_message("Headline saved.")
    assert "Illustrator and animator" in saved.text
    assert "Missing: bio, skills, hourly rate" in saved.text

    await freelancer(app, bob, skills=("illustration",))  # the rest filled in meanwhile
    card = await open_profile(bob)
    await bob.click(card, "✏️ Fill in the whole profile")
    first = await bob.wait_for_message("Step 1 of 5")
    await bob.click(first, "↪️ Keep as it is")
    second = await bob.wait_for_message("Step 2 of 5")
    answer = await bob.click(first, "↪️ Keep as it is")  # an old Keep skips nothing
    assert answer.show_alert and "expired" in (answer.text or "")
    await bob.click(second, "↪️ Keep as it is")
    skills = await bob.wait_for_message("Step 3 of 5")
    assert "✅ Illustration" in skills.button_texts  # today's skills are preselected
    await bob.click(skills, "✖ Cancel")
    await bob.wait_for_message("Cancelled")
    await bob.send_text("This is not a headline, just chatting with the bot.")
    await bob.wait_for_message("I did not understand that")


async def test_public_card_shows_first_name_never_the_username(app: App) -> None:
    carol = app.person("Carol")
    card = await open_profile(carol)
    await carol.click(card, "👁 How employers see me")
    public = await carol.wait_for_message("No reviews yet")
    assert public.text.startswith("👤 Carol")
    assert "carol" not in public.text  # the username never shows
    assert "Completion —" in public.text
