"""End-to-end conversations: a real Dispatcher polling the emulator, driven by people."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from emulator import (
    BotAPIEmulator,
    ButtonNotFound,
    EmulatorError,
    EmulatorTimeout,
    ViolationKind,
    ViolationsFound,
    polling,
)

MENU = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="Post a project", callback_data="post")],
        [InlineKeyboardButton(text="Silent", callback_data="silent")],
        [InlineKeyboardButton(text="Docs", url="https://example.com/docs")],
    ]
)


def marketplace_router(blocked: asyncio.Queue[int]) -> Router:
    router = Router()

    @router.message(CommandStart(deep_link=True))
    async def deep_link(message: Message, command: CommandObject) -> None:
        await message.answer(f"Opening project {command.args}")

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("<b>Welcome</b> to Bidgram!", parse_mode="HTML", reply_markup=MENU)

    @router.callback_query(F.data == "post")
    async def post(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("Describe your project")
        await query.answer("Let's go")

    @router.callback_query(F.data == "silent")
    async def silent(query: CallbackQuery) -> None:
        """Forgets to answer the callback query: a bug the emulator must report."""

    @router.message(Command("slow"))
    async def slow(message: Message) -> None:
        progress = await message.answer("Working.")
        await progress.edit_text("Working..")
        await progress.edit_text("Done")

    @router.message(F.reply_to_message)
    async def reply(message: Message) -> None:
        assert message.reply_to_message is not None
        await message.answer(f"You replied to: {message.reply_to_message.text}")

    @router.my_chat_member()
    async def member(update: ChatMemberUpdated) -> None:
        if update.new_chat_member.status == "kicked":
            blocked.put_nowait(update.from_user.id)

    @router.message(F.document)
    async def document(message: Message) -> None:
        assert message.document is not None
        await message.answer(f"Got {message.document.file_name}")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    return router


@pytest.fixture
async def blocked() -> asyncio.Queue[int]:
    return asyncio.Queue()


@pytest.fixture
async def running_bot(
    emu: BotAPIEmulator, bot: Bot, blocked: asyncio.Queue[int]
) -> AsyncIterator[BotAPIEmulator]:
    dispatcher = Dispatcher()
    dispatcher.include_router(marketplace_router(blocked))
    async with polling(dispatcher, bot, emu):
        yield emu


async def test_start_and_click(running_bot: BotAPIEmulator) -> None:
    alice = running_bot.user(first_name="Alice", username="alice")
    await alice.send_text("/start")
    welcome = await alice.wait_for_message(lambda m: "Welcome" in m.text)
    assert welcome.html.startswith("<b>Welcome</b>")
    assert welcome.button_texts == ["Post a project", "Silent", "Docs"]
    answer = await alice.click(welcome, "Post a project")
    assert answer.text == "Let's go"
    edited = await alice.wait_for_message("Describe")
    assert edited.message_id == welcome.message_id and edited.buttons == []
    running_bot.assert_clean()


async def test_deep_link(running_bot: BotAPIEmulator) -> None:
    alice = running_bot.user("Alice")
    await alice.send_text("/start proj_5")
    assert (await alice.wait_for_message()).text == "Opening project proj_5"


async def test_click_by_callback_data_and_missing_buttons(running_bot: BotAPIEmulator) -> None:
    alice = running_bot.user("Alice")
    await alice.send_text("/start")
    welcome = await alice.wait_for_message("Welcome")
    await alice.click(welcome, callback_data="post")
    with pytest.raises(ButtonNotFound, match="no button text='Nope'"):
        await alice.click(welcome, "Nope")
    await alice.send_text("/start")
    welcome = await alice.wait_for_message("Welcome")
    with pytest.raises(EmulatorError, match="url button"):
        await alice.click(welcome, "Docs")


async def test_unanswered_callback_is_a_violation(running_bot: BotAPIEmulator) -> None:
    alice = running_bot.user("Alice")
    await alice.send_text("/start")
    welcome = await alice.wait_for_message("Welcome")
    with pytest.raises(EmulatorTimeout, match="did not answer the callback_query"):
        await alice.click(welcome, "Silent", timeout=0.3)
    assert [v.kind for v in running_bot.violations] == [ViolationKind.CALLBACK_NOT_ANSWERED]
    with pytest.raises(ViolationsFound, match="callback_not_answered"):
        running_bot.assert_clean()


async def test_wait_for_message_follows_edits(running_bot: BotAPIEmulator) -> None:
    alice = running_bot.user("Alice")
    await alice.send_text("/slow")
    first = await alice.wait_for_message()
    assert first.text == "Working."
    done = await alice.wait_for_message("Done")
    assert done.message_id == first.message_id and done.version == 2
    assert [m.text for m in alice.messages] == ["Done"]
    assert [e.message.text for e in alice.history] == ["Working.", "Working..", "Done"]


async def test_reply_to_a_bot_message(running_bot: BotAPIEmulator) -> None:
    alice = running_bot.user("Alice")
    await alice.send_text("hello")
    echo = await alice.wait_for_message("echo")
    await alice.reply_to(echo, "this one")
    assert (await alice.wait_for_message()).text == "You replied to: echo: hello"


async def test_blocking_sends_my_chat_member(
    running_bot: BotAPIEmulator, blocked: asyncio.Queue[int]
) -> None:
    alice = running_bot.user("Alice")
    await alice.send_text("hi")
    await alice.wait_for_message()
    alice.block_bot()
    assert await asyncio.wait_for(blocked.get(), timeout=5) == alice.id
    with pytest.raises(EmulatorError, match="blocked the bot"):
        await alice.send_text("hi again")


async def test_timeout_report_explains_what_happened(running_bot: BotAPIEmulator) -> None:
    alice = running_bot.user("Alice")
    await alice.send_text("hello")
    await alice.wait_for_message("echo")
    with pytest.raises(EmulatorTimeout) as caught:
        await alice.wait_for_message("never said", timeout=0.3)
    report = str(caught.value)
    assert "echo: hello" in report and "sendMessage" in report


async def test_updates_the_bot_does_not_subscribe_to_fail_clearly(
    emu: BotAPIEmulator, bot: Bot
) -> None:
    router = Router()

    @router.message()
    async def only_messages(message: Message) -> None:
        await message.answer("menu", reply_markup=MENU)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    async with polling(dispatcher, bot, emu):
        alice = emu.user("Alice")
        await alice.send_text("hi")
        menu = await alice.wait_for_message()
        with pytest.raises(EmulatorError, match="does not receive 'callback_query' updates"):
            await alice.click(menu, "Post a project")


async def test_document_from_user(running_bot: BotAPIEmulator) -> None:
    alice = running_bot.user("Alice")
    await alice.send_document(file_name="spec.pdf")
    assert (await alice.wait_for_message()).text == "Got spec.pdf"
