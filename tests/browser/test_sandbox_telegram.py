"""The sandbox page feels like Telegram: first steps that follow what people do, links,
pictures, alerts, a Reset that asks first, the clock's reminders, inline cards shared
with someone, the phone layout and real emoji.

Each test leaves a picture of the page in ``test-artifacts/`` when it fails; the desktop
and phone layouts are pictured in every run (``sandbox-desktop.png``, ``sandbox-phone.png``).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from sandbox.demo import png
from tests.browser.conftest import screenshot
from tests.browser.people import Person

BOT = "bidgram_sandbox_bot"


def guide_says(page: Page, who: str, text: str) -> None:
    guide = page.locator("#guide")
    expect(guide.locator(".guide-who")).to_have_text(f"{who}:")
    expect(guide.locator(".guide-text")).to_contain_text(text)


def test_first_steps_advance_as_people_act_and_stay_hidden_once_dismissed(page: Page) -> None:
    erin, frank = Person(page, "Erin"), Person(page, "Frank")
    guide_says(page, "Erin", "Press START")
    expect(erin.chat).to_contain_class("guided")

    erin.start()
    guide_says(page, "Frank", "Press START")
    expect(frank.chat).to_contain_class("guided")
    frank.start()
    guide_says(page, "Frank", "/profile")
    expect(page.locator("#guide .guide-count")).to_have_text("First steps 3/10")

    page.locator("#guide .guide-close").click()
    expect(page.locator("#guide")).to_be_hidden()
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("#guide")).to_be_hidden()  # remembered
    page.get_by_role("button", name="First steps").click()
    guide_says(page, "Frank", "/profile")  # where things really are, after a reload too

    page.request.post(page.url + "api/reset", data={})  # everything gone: back to the start
    guide_says(page, "Erin", "Press START")


def test_a_url_opens_a_new_tab_a_command_is_sent_and_a_deep_link_opens_the_bot(
    demo_page: Page,
) -> None:
    page = demo_page
    erin, frank = Person(page, "Erin"), Person(page, "Frank")
    page.context.route("https://example.com/**", lambda route: route.fulfill(body="brief"))

    # Erin writes to Frank, in their own chat: a link to her brief and to the bakery project
    # (the demo's third, open for bids).
    erin.open_chat_with("Frank")
    box = erin.chat.locator("input.text")
    box.fill(f"Brief: https://example.com/brief and t.me/{BOT}?start=p_3 please")
    box.press("Enter")
    expect(frank.chat.locator(".chats-button .unread")).to_have_text("1")
    frank.open_chat_with("Erin")
    said = frank.chat.locator(".msg.from-them").last
    expect(said.locator(".meta")).not_to_contain_text("✓")  # ticks are for one's own

    with page.expect_popup() as opened:
        said.locator("a", has_text="https://example.com/brief").click()
    assert opened.value.url == "https://example.com/brief"

    frank._acting()
    said.locator("a", has_text=f"t.me/{BOT}?start=p_3").click()
    expect(frank.chat.locator(".chat-head .name")).to_have_text("Bidgram")
    mine = frank.shown.locator(".msg.from-me").last
    expect(mine.locator(".text")).to_have_text("/start p_3")
    expect(mine.locator(".meta")).to_contain_text("✓✓")
    frank.bot_message("Orders, payments and a daily summary")

    # A /command in the bot's words is sent when clicked.
    erin.chat.get_by_role("button", name="Back to the bot").click()
    answer = erin.say("hello there", "/help")
    erin._acting()
    answer.locator("a.command", has_text="/help").first.click()
    expect(erin.shown.locator(".msg.from-me .text").last).to_have_text("/help")
    erin.bot_message("How bidgram works")


def test_a_photo_sent_in_a_chat_shows_as_a_picture(page: Page) -> None:
    frank = Person(page, "Frank")
    frank.start()
    frank.chat.locator("input.file").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png(40, 30, (200, 30, 30))}]
    )
    picture = frank.chat.locator(".msg.from-me .thumb img").last
    expect(picture).to_be_visible()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 40", arg=picture.element_handle()
    )


def test_a_toast_fades_and_an_alert_stays_until_ok(test_money_demo_page: Page) -> None:
    page = test_money_demo_page
    fiona, frank = Person(page, "Fiona"), Person(page, "Frank")
    matched = fiona.bot_message("A new project matches your skills", earlier=True)
    matched.locator(".keyboard button", has_text="Stop these alerts").click()
    toast = fiona.chat.locator(".toast")
    expect(toast).to_have_text("Alerts paused.")
    expect(toast).to_be_visible()
    expect(toast).to_be_hidden(timeout=4000)  # faded after about two seconds

    offer = frank.bot_message("You are offered Landing page for a yoga studio", earlier=True)
    offer.locator(".keyboard button", has_text="Accept").click()  # accepted already
    alert = frank.chat.locator(".alert")
    expect(alert).to_be_visible()
    expect(alert.locator(".alert-text")).not_to_be_empty()
    page.wait_for_timeout(2500)  # a toast would have faded by now
    expect(alert).to_be_visible()
    alert.get_by_role("button", name="OK").click()
    expect(alert).to_be_hidden()


def test_reset_asks_first_and_cancel_keeps_everything(page: Page) -> None:
    erin = Person(page, "Erin")
    erin.start()
    page.get_by_role("button", name="Reset…").click()
    dialog = page.locator("#reset-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Reset everything?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(500)
    expect(erin.chat.locator(".msg.from-bot")).not_to_have_count(0)

    page.get_by_role("button", name="Reset…").click()
    dialog.get_by_role("button", name="Reset everything").click()
    expect(erin.chat.locator(".msg")).to_have_count(0)
    expect(erin.chat.locator("button.start")).to_be_visible()
    expect(erin.chat.locator(".intro")).to_contain_text("What can this bot do?")


def test_a_week_ahead_brings_both_reminders_then_the_auto_release(
    test_money_demo_page: Page,
) -> None:
    """The demo's yoga milestone was delivered and waits for Erin; it releases itself
    14 days on, and she is reminded 48 and 24 hours before, each at its time."""
    page = test_money_demo_page
    erin = Person(page, "Erin")
    erin._acting()
    page.get_by_role("button", name="+1 week").click()
    expect(page.locator("#clock-offset")).to_have_text("(+7 days)")
    page.get_by_role("button", name="+1 week").click()
    expect(page.locator("#clock-offset")).to_have_text("(+14 days)")
    two_days = erin.bot_message("(in about 2 days)")
    one_day = erin.bot_message("(in about 24 hours)")
    released = erin.bot_message("released to the freelancer automatically")
    ids = [int(m.get_attribute("data-id") or 0) for m in (two_days, one_day, released)]
    assert ids == sorted(ids), ids
    day = [m.get_attribute("data-day") for m in (two_days, one_day, released)]
    assert len(set(day)) == 3, day  # each on its own day, as it came due
    expect(page.locator("#log")).to_contain_text("auto-released 1 milestone(s)")


def test_an_inline_card_shared_with_someone_works_for_them(test_money_demo_page: Page) -> None:
    page = test_money_demo_page
    fiona, frank = Person(page, "Fiona"), Person(page, "Frank")
    fiona.open_chat_with("Frank")
    results = fiona.type_inline(f"@{BOT} bakery")
    results.locator(".result", has_text="Telegram bot for my bakery shop").click()
    card = fiona.chat.locator(".msg.from-me", has_text="Telegram bot for my bakery shop")
    expect(card.locator(".via")).to_have_text(f"via @{BOT}")
    expect(fiona.chat.locator("input.text")).to_have_value("")

    frank.open_chat_with("Fiona")
    shared = frank.chat.locator(".msg.from-them", has_text="Telegram bot for my bakery shop")
    expect(shared.locator(".via")).to_have_text(f"via @{BOT}")
    frank._acting()
    shared.locator(".keyboard button", has_text="Open in bidgram").click()
    expect(frank.chat.locator(".chat-head .name")).to_have_text("Bidgram")
    frank.bot_message("Orders, payments and a daily summary")


def test_the_phone_layout_shows_one_chat_at_a_time_with_tabs(phone_demo_page: Page) -> None:
    page = phone_demo_page
    erin, frank = Person(page, "Erin"), Person(page, "Frank")
    expect(erin.chat).to_be_visible()
    expect(frank.chat).to_be_hidden()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.evaluate("() => document.body.scrollWidth") <= 390
    expect(page.locator("#log")).to_be_hidden()  # folded: the chat has the screen
    expect(page.get_by_role("button", name="+1 hour")).to_be_hidden()

    page.locator("#tabs").get_by_role("tab", name="Frank").click()
    expect(frank.chat).to_be_visible()
    expect(erin.chat).to_be_hidden()
    frank.bot_message("You are offered Landing page for a yoga studio", earlier=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    page.locator("#menu-toggle").click()
    page.get_by_role("button", name="+1 hour").click()
    expect(page.locator("#clock-offset")).to_have_text("(+1 hour)")
    expect(page.locator("#menu-toggle")).to_contain_text("+1 hour")
    page.locator("#menu-toggle").click()
    screenshot(page, "sandbox-phone")


# How many pixels of "📎" drawn in the page's own font are coloured, not grey: a box
# (no emoji font) or a black outline has none.
COLOURED_PIXELS = """() => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const context = canvas.getContext("2d");
    const family = getComputedStyle(document.querySelector(".attach")).fontFamily;
    context.font = `40px ${family}`;
    context.fillText("📎", 4, 48);
    const data = context.getImageData(0, 0, 64, 64).data;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
    }
    return coloured;
}"""


def test_emoji_are_drawn_in_colour_not_as_boxes(test_money_demo_page: Page) -> None:
    page = test_money_demo_page
    page.evaluate("() => document.fonts.ready")
    assert page.evaluate(COLOURED_PIXELS) > 50, "no emoji font: `make fonts` installs one"
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    Person(page, "Erin").bot_message("Frank delivered", earlier=True)
    origin = page.url.rstrip("/")
    assert requests and all(url.startswith(origin) for url in requests), requests
    screenshot(page, "sandbox-desktop")


def test_a_person_added_in_russian_sees_a_russian_chat(page: Page) -> None:
    form = page.locator("#add-person")
    form.locator("input[name=name]").fill("Olga")
    form.locator("select[name=language]").select_option("ru")
    form.get_by_role("button", name="Add person").click()
    olga = Person(page, "Olga")
    expect(olga.chat.locator(".intro")).to_contain_text("биржа фриланса")  # the empty chat
    olga.start("Что хотите сделать?")
    olga.command("language", "Сейчас bidgram говорит с вами на языке: Русский")
    olga.say("/timezone", "Часовой пояс")
    expect(olga.chat.locator(".keyboard button", has_text="Москва").last).to_be_visible()
    screenshot(page, "sandbox-russian")
