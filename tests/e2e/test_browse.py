"""Finding work: newest projects page by page (Next and Prev), word search, skill and
budget filters, the public card, deep links, and inline mode in any chat."""

from __future__ import annotations

from emulator import ChatMessage, SimulatedUser
from tests.e2e.conftest import App
from tests.e2e.test_bidding import member, open_card, project

LOGOS = 7
SCRAPERS = 5


async def seed(app: App) -> list[int]:
    """Twelve open projects: logos (cheap) and scrapers (dearer), oldest first."""
    boss = await member(app, app.person("Erin"))
    ids = []
    for n in range(1, LOGOS + 1):
        ids.append(
            await project(
                app,
                boss,
                f"Logo number {n} for a bakery",
                skills=("logo-design",),
                budget=(2_000, 8_000),
            )
        )
    for n in range(1, SCRAPERS + 1):
        ids.append(
            await project(
                app,
                boss,
                f"Price scraper number {n}",
                skills=("python", "web-scraping"),
                budget=(20_000, 90_000),
            )
        )
    return ids


def titles(page: ChatMessage) -> list[str]:
    return [b.text for row in page.buttons for b in row if b.text[:1].isdigit()]


async def find(person: SimulatedUser) -> ChatMessage:
    await person.send_text("/find")
    return await person.wait_for_message("Open projects")


async def next_version(person: SimulatedUser, message: ChatMessage) -> ChatMessage:
    return await person.wait_for_message(lambda m: m.message_id == message.message_id)


async def test_newest_first_across_pages_with_next_and_prev(app: App) -> None:
    await seed(app)
    frank = app.person("Frank")
    first = await find(frank)
    assert titles(first) == [f"{n}. Price scraper number {6 - n}" for n in range(1, 6)]
    assert "Page 1" in first.text and "‹ Prev" not in first.button_texts
    await frank.click(first, "Next ›")
    second = await next_version(frank, first)
    assert "Page 2" in second.text
    assert titles(second) == [f"{n}. Logo number {13 - n} for a bakery" for n in range(6, 11)]
    await frank.click(second, "Next ›")
    third = await next_version(frank, first)
    assert titles(third) == ["11. Logo number 2 for a bakery", "12. Logo number 1 for a bakery"]
    assert "Next ›" not in third.button_texts
    await frank.click(third, "‹ Prev")
    back = await next_version(frank, first)
    assert titles(back) == titles(second) and "Page 2" in back.text
    await frank.click(back, "‹ Prev")
    assert titles(await next_version(frank, first)) == titles(first)

    # a page button of an older search says so, instead of paging with other filters
    await find(frank)
    answer = await frank.click(back, "Next ›")
    assert answer.show_alert and answer.text == "This search has expired. Open Find work again."


async def test_search_words_then_a_skill_and_a_budget_filter(app: App) -> None:
    await seed(app)
    frank = app.person("Frank")
    page = await find(frank)
    await frank.click(page, "🔎 Search words")
    await frank.wait_for_message("Type the words")
    await frank.send_sticker()
    await frank.wait_for_message("Please type the words")
    await frank.send_text("bakery LOGO")
    words = await frank.wait_for_message("words “bakery LOGO”")
    assert len(titles(words)) == 5 and "Next ›" in words.button_texts
    assert all("Logo number" in t for t in titles(words))
    await frank.click(words, "✖ Clear filters")
    cleared = await next_version(frank, words)
    assert "Price scraper number 5" in titles(cleared)[0]

    await frank.click(cleared, "🏷 Skill")
    picker = await next_version(frank, words)
    await frank.click(picker, "Next ›")
    development = await next_version(frank, words)
    await frank.click(development, "Python")
    python = await next_version(frank, words)
    assert "skill Python" in python.text
    assert titles(python) == [f"{n}. Price scraper number {6 - n}" for n in range(1, 6)]
    assert "Next ›" not in python.button_texts

    await frank.click(python, "💰 Budget")
    bands = await next_version(frank, words)
    await frank.click(bands, "Up to 100.00 USD")
    nothing = await next_version(frank, words)  # Python projects all cost more
    assert "Nothing matches" in nothing.text and titles(nothing) == []
    await frank.click(nothing, "🏷 Skill")
    picker = await next_version(frank, words)
    await frank.click(picker, "Any skill")
    cheap = await next_version(frank, words)
    assert "budget Up to 100.00 USD" in cheap.text
    assert all("Logo number" in t for t in titles(cheap)) and len(titles(cheap)) == 5


async def test_a_result_opens_the_public_card(app: App) -> None:
    ids = await seed(app)
    frank = app.person("Frank")
    page = await find(frank)
    await frank.click(page, "1. Price scraper number 5")
    card = await frank.wait_for_message("Price scraper number 5")
    assert "💰 200.00 USD – 900.00 USD" in card.text
    assert "🏷 Python, Web scraping" in card.text
    assert "💼 0 bids" in card.text and "👔 Employer: no reviews yet" in card.text
    assert "💼 Bid on this project" in card.button_texts
    assert "📎 Files" not in card.button_texts
    assert ids[-1] == 12


async def test_deep_links_open_the_card_for_each_person(app: App) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    boss = await member(app, erin)
    pid = await project(app, boss, "Shop bot with <i>tags</i> & more")
    draft = await project(app, boss, "A draft nobody else sees", publish=False)

    public = await open_card(frank, pid)
    assert public.text.startswith("Shop bot with <i>tags</i> & more")  # literally
    assert "💼 Bid on this project" in public.button_texts
    owner = await open_card(erin, pid)
    assert "🔗 Share: https://t.me/bidgram_test_bot?start=p_1" in owner.text
    assert "✏️ Edit" in owner.button_texts
    await frank.send_text(f"/start p_{draft}")
    await frank.wait_for_message("This project does not exist.")


async def test_inline_mode_lists_projects_with_a_deep_link(app: App) -> None:
    ids = await seed(app)
    alice = app.person("Alice")
    found = await alice.inline_query("scraper")
    assert len(found.results) == SCRAPERS and found.next_offset == ""
    first = found.results[0]
    assert first["title"] == "Price scraper number 5"
    assert "200.00 USD – 900.00 USD" in first["description"]
    button = first["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == f"https://t.me/bidgram_test_bot?start=p_{ids[-1]}"
    assert "<b>Price scraper number 5</b>" in first["input_message_content"]["message_text"]

    newest = await alice.inline_query("")
    assert newest.result_ids[:2] == [f"p{ids[-1]}", f"p{ids[-2]}"]
    assert len(newest.results) == LOGOS + SCRAPERS
    one = await alice.inline_query(f"p_{ids[0]}")
    assert one.result_ids == [f"p{ids[0]}"]
    assert (await alice.inline_query("p_999")).results == []


async def test_a_long_description_comes_in_pages(app: App) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    line = "Every page of the shop needs a photo, a price & a <button> to order it. " * 5
    description = "\n".join([line.strip()] * 12)[:4000]
    assert len(description) == 4000
    pid = await project(
        app, await member(app, erin), "Online shop, many pages", description=description
    )
    last = await open_card(frank, pid)
    pages = [m for m in frank.messages if m.message_id <= last.message_id]
    assert len(pages) == 2 and not pages[0].buttons  # the keyboard rides on the last page
    assert pages[0].text.startswith("Online shop, many pages")
    assert "<button>" in pages[1].text  # escaped, shown literally
    assert "💼 Bid on this project" in last.button_texts
