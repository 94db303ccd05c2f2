"""The relay chat: employer and bidder talk through the bot, names only, everything kept."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.callbacks import ChatCb
from emulator import ChatMessage, SimulatedUser, ViolationKind
from storage.models import OutboxMessage
from tests.e2e.conftest import App
from tests.e2e.test_disputes import has_button
from tests.e2e.work_support import market, press, publish, settled, started

TITLE = "Logo for a coffee roastery"


@dataclass
class Bidding:
    employer: SimulatedUser
    bidder: SimulatedUser
    employer_id: int
    bidder_id: int
    project_id: int


async def bid_placed(app: App) -> Bidding:
    """Erin's open project with Frank's bid; Erin has the bid alert with its Message button."""
    erin, frank = app.person("Erin"), app.person("Frank")
    await started(erin)
    await started(frank)
    async with market(app) as m:
        boss = m.users.actor(await m.users.register(erin.id, erin.first_name, username="erin"))
        worker = m.users.actor(await m.users.register(frank.id, frank.first_name, username="frank"))
        await m.users.update_profile(
            worker,
            headline="Brand designer",
            bio="Twelve years of logos, packaging and brand books for small businesses.",
            skills=["python"],
            hourly_rate=4000,
        )
        project = await m.projects.create_draft(
            boss,
            title=TITLE,
            description="A logo that works on bags, cups and the shop sign, in two colours.",
            skills=["python"],
            budget_min=10_000,
            budget_max=30_000,
        )
        await m.projects.publish(boss, project.id)
        m.take_events()  # the new-project alerts are another area's business
        await m.bids.place(
            worker,
            project.id,
            amount=20_000,
            delivery_days=5,
            proposal="Three concepts in two days, then two rounds of changes.",
        )
        events = m.take_events()
    await publish(app, events)
    return Bidding(erin, frank, boss.user_id, worker.user_id, project.id)


async def chat_with_bidder(b: Bidding) -> ChatMessage:
    data = ChatCb(project_id=b.project_id, user_id=b.bidder_id).pack()
    alert = await b.employer.wait_for_message(has_button(data))
    await b.employer.click(alert, callback_data=data)
    return await b.employer.wait_for_message("You are now talking to")


def no_identity(message: ChatMessage, person: SimulatedUser) -> bool:
    return f"@{person.username}" not in message.text and str(person.id) not in message.text


async def test_employer_and_bidder_talk_and_reply_through_the_bot(app: App) -> None:
    b = await bid_placed(app)
    erin, frank = b.employer, b.bidder
    opened = await chat_with_bidder(b)
    assert f"talking to Frank about {TITLE}" in opened.text
    assert "✖ End chat" in opened.button_texts

    await erin.send_text("Hi Frank! Can you start <b>Monday</b> & keep it under 200?")
    got = await frank.wait_for_message("💬 Erin")
    assert got.text.startswith(f"💬 Erin · {TITLE}")
    assert "Can you start <b>Monday</b> & keep it under 200?" in got.text  # shown literally
    assert no_identity(got, erin)
    assert got.button_texts == ["↩️ Reply", "🚩 Report"]

    await frank.reply_to(got, "Yes, Monday works.")
    answer = await erin.wait_for_message("💬 Frank")
    assert "Yes, Monday works." in answer.text and no_identity(answer, frank)
    await frank.send_text("/chat")
    await frank.wait_for_message("You are not in a chat")  # replying did not start one

    await erin.send_text("/chat")
    who = await erin.wait_for_message("You are talking to")
    assert f"Frank</b> about <b>{TITLE}" in who.html
    await erin.click(who, "✖ End chat")
    await erin.wait_for_message("Chat ended")
    await erin.send_text("are you still there?")
    await erin.wait_for_message("I did not understand")
    await frank.expect_no_message()
    answer_again = await erin.click(opened, "✖ End chat")
    assert answer_again.text == "This chat has already ended."

    # A reply to something that was not relayed is ordinary input.
    menu = next(msg for msg in frank.messages if "What would you like" in msg.text)
    await frank.reply_to(menu, "hello?")
    await frank.wait_for_message("I did not understand")

    async with market(app) as m:
        thread = await m.messages.thread(
            m.users.actor(await m.users.get(b.employer_id)), b.project_id, b.bidder_id
        )
    assert [msg.text for msg in thread] == [
        "Hi Frank! Can you start <b>Monday</b> & keep it under 200?",
        "Yes, Monday works.",
    ]


async def test_files_photos_and_long_captions_pass_through(app: App) -> None:
    b = await bid_placed(app)
    erin, frank = b.employer, b.bidder
    await chat_with_bidder(b)

    sent = await erin.send_document("brief.pdf", caption="The brief, see page 2")
    got = await frank.wait_for_message("💬 Erin")
    assert got.document is not None and sent.document is not None
    assert got.document["file_unique_id"] == sent.document["file_unique_id"]
    assert "The brief, see page 2" in (got.caption or "")

    await erin.send_photo(caption="Our shop sign")
    photo = await frank.wait_for_message("Our shop sign")
    assert photo.photo is not None

    long_caption = "Colours: " + "deep brown and cream, " * 60
    await erin.send_document("palette.pdf", caption=long_caption)
    file_first = await frank.wait_for_message("their message follows")
    assert file_first.document is not None
    text_after = await frank.wait_for_message("Colours:")
    assert text_after.text.endswith(long_caption.strip())
    assert text_after.button_texts == ["↩️ Reply", "🚩 Report"]

    await erin.send_sticker()
    await erin.wait_for_message("Only text, files, photos")

    # Frank answers the photo by replying to it.
    await frank.reply_to(photo, "Sketch attached next.")
    await erin.wait_for_message("Sketch attached next.")


async def test_a_stranger_cannot_open_a_chat_about_someone_elses_project(app: App) -> None:
    b = await bid_placed(app)
    mallory = app.person("Mallory")
    await started(mallory)
    menu = mallory.messages[-1]
    forged = ChatCb(project_id=b.project_id, user_id=b.bidder_id).pack()
    answer = await press(mallory, menu, forged)
    assert answer.show_alert and answer.text == "This conversation is not yours."
    await mallory.send_text("Frank, work for me instead")
    await mallory.wait_for_message("I did not understand")
    await b.bidder.expect_no_message()
    # nor about a project that does not exist
    answer = await press(mallory, menu, ChatCb(project_id=999_999, user_id=b.bidder_id).pack())
    assert answer.show_alert and answer.text == "This project does not exist."


async def test_a_bidder_who_blocked_the_bot_does_not_break_the_employers_chat(app: App) -> None:
    b = await bid_placed(app)
    erin, frank = b.employer, b.bidder
    await chat_with_bidder(b)
    since = len(app.emu.calls)
    frank.block_bot()
    for text in ("Are you available next week?", "Second try."):
        await erin.send_text(text)
    await erin.send_text("/chat")
    await erin.wait_for_message("You are talking to")  # the chat goes on

    # Telegram told the bot (my_chat_member, or a 403 on the first try): nothing more
    # is sent to Frank, and why is on record.
    await settled(app)
    async with market(app) as m:
        thread = await m.messages.thread(
            m.users.actor(await m.users.get(b.employer_id)), b.project_id, b.bidder_id
        )
        bidder = await m.users.get(b.bidder_id)
        assert bidder.blocked_bot_at is not None
    assert [msg.text for msg in thread] == ["Are you available next week?", "Second try."]
    assert all(msg.relay_message_id is None for msg in thread)  # never delivered
    tries = [
        c
        for c in app.emu.calls[since:]
        if c.method == "sendMessage"
        and str(c.params.get("chat_id")) == str(frank.id)
        and any(t in str(c.params.get("text")) for t in ("Are you available", "Second try"))
    ]
    assert len([c for c in tries if c.error_code == 403]) <= 1
    assert not [c for c in tries if c.ok]
    async with app.db.uow() as uow:
        rows = await uow.session.execute(
            select(OutboxMessage.status, OutboxMessage.last_error).where(
                OutboxMessage.chat == str(frank.id)
            )
        )
        outcomes = list(rows.all())
    assert outcomes and all(status == "blocked" for status, _ in outcomes[-2:])
    assert all("blocked" in (error or "") for _, error in outcomes[-2:])
    log = app.emu.state.log
    assert {v.kind for v in log.violations} <= {ViolationKind.FORBIDDEN}
    log.violations.clear()


async def test_the_sender_gets_a_quiet_mark_and_a_long_text_goes_in_parts(app: App) -> None:
    b = await bid_placed(app)
    erin, frank = b.employer, b.bidder
    await chat_with_bidder(b)

    mine = await erin.send_text("Hi Frank, a quick question.")
    await frank.wait_for_message("a quick question")
    mark = await erin.wait_for_message("✓ Sent to Frank.")
    assert mark.reply_to_message_id == mine.message_id
    [call] = [c for c in app.emu.calls_to("sendMessage") if c.params["text"] == mark.text]
    assert call.params.get("disable_notification") in (True, "true")  # a mark, not a ping

    # Over MESSAGE_MAX (3,500): passed on in two messages, cut between paragraphs.
    point = ("the colours must work on kraft paper. " * 9).strip()
    first = "\n\n".join(f"Point {n}: {point}" for n in range(9))
    second = "Last point: " + ("deliver the files as SVG and PNG. " * 20).strip()
    long_text = f"{first}\n\n{second}"
    assert app.settings.message_max < len(long_text) < 4096
    await erin.send_text(long_text)
    one = await frank.wait_for_message(
        lambda m: m.text.startswith("💬 Erin") and "Point 0" in m.text
    )
    two = await frank.wait_for_message(lambda m: m.text.startswith("💬 Erin"))
    assert "Point 8" in one.text and two.text.endswith(second)
    assert all(len(m.text.encode("utf-16-le")) // 2 <= 4096 for m in (one, two))
    assert one.button_texts == two.button_texts == ["↩️ Reply", "🚩 Report"]
    await erin.wait_for_message("✓ Sent to Frank in 2 messages")
    async with market(app) as m:
        thread = await m.messages.thread(
            m.users.actor(await m.users.get(b.employer_id)), b.project_id, b.bidder_id
        )
    assert len(thread) == 3 and "\n\n".join(x.text for x in thread[1:]) == long_text
