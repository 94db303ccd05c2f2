"""Project cards shared in inline mode: whoever they reach opens the project in the bot,
a press on a shared card opens the bot instead of failing, and presses in groups stay out."""

from __future__ import annotations

from bot.app import DESCRIPTION, SHORT_DESCRIPTION, describe, make_bot
from bot.callbacks import ProjectCb
from emulator.queries import QueryKind
from tests.e2e.conftest import App
from tests.e2e.test_bidding import member, open_card, project


async def test_a_card_shared_with_someone_opens_the_project_for_them(app: App) -> None:
    erin, frank = app.person("Erin"), app.person("Frank")
    pid = await project(app, await member(app, erin), "Logo for a bakery")
    found = await erin.inline_query("bakery")
    card = await erin.choose_inline_result(found, f"p{pid}", to=frank)
    assert card.payload["via_bot"]["username"] == "bidgram_test_bot"
    (button,) = card.buttons[0]
    assert button.url == f"https://t.me/bidgram_test_bot?start=p_{pid}"
    opened = await open_card(frank, pid)  # what following that link does
    assert opened.text.startswith("Logo for a bakery")


async def test_a_press_on_a_shared_card_opens_the_bot_on_its_project(app: App) -> None:
    """The areas answer in the chat of a button's message; a shared card has none."""
    erin, frank = app.person("Erin"), app.person("Frank")
    pid = await project(app, await member(app, erin), "Logo for a bakery")
    card = await erin.choose_inline_result(await erin.inline_query(""), f"p{pid}", to=frank)
    view = ProjectCb(action="view", project_id=pid).pack()
    answer = await frank.forge_click(card, view)
    assert answer.url == f"https://t.me/bidgram_test_bot?start=p_{pid}"
    answer = await erin.forge_click(card, "m:menu")
    assert answer.url == "https://t.me/bidgram_test_bot"
    await frank.expect_no_message()


async def test_a_press_in_a_group_chat_is_not_the_bots_business(app: App) -> None:
    """No area sees it (the menu button would answer in the group); the press is only
    answered, so the button stops spinning."""
    erin = app.person("Erin")
    group = {"id": -1001, "type": "group", "title": "Bakers"}
    press = {
        "id": "77",
        "from": erin.profile.user_json(),
        "message": {"message_id": 7, "date": 0, "chat": group, "text": "hi"},
        "chat_instance": "1",
        "data": "m:menu",
    }
    seen = len(app.emu.calls)
    assert app.emu.state.updates.push("callback_query", press) is not None
    query = app.emu.state.queries.open("77", QueryKind.CALLBACK, press, 5.0)
    answer = await query.answer
    assert (answer["text"], answer["url"], answer["show_alert"]) == (None, None, False)
    assert [c.method for c in app.emu.calls[seen:] if c.method != "getUpdates"] == [
        "answerCallbackQuery"
    ]


async def test_the_bot_describes_itself_for_the_empty_chat(app: App) -> None:
    bot = make_bot(app.settings)
    try:
        await describe(bot)
    finally:
        await bot.session.close()
    assert app.emu.my_description() == DESCRIPTION
    assert app.emu.my_description(short=True) == SHORT_DESCRIPTION
