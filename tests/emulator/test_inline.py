"""Inline mode: inline_query updates, validated answerInlineQuery results, and the chosen
result sent via the bot: into the chat with the bot or a chat between two people."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    ChosenInlineResult,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
    Message,
)

from emulator import BotAPIEmulator, EmulatorError, EmulatorTimeout, ViolationKind, polling


def article(result_id: str, text: str = "Project") -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id, title=text, input_message_content=InputTextMessageContent(message_text=text)
    )


def search_router(errors: list[str]) -> Router:
    router = Router()

    @router.inline_query()
    async def search(query: InlineQuery) -> None:
        if query.query == "silence":
            return
        count = {"many": 51, "long id": 1}.get(query.query, 3)
        result_id = "x" * 65 if query.query == "long id" else None
        results: list[InlineQueryResultUnion] = [
            article(result_id or f"p{i}", f"Project {i}") for i in range(count)
        ]
        try:
            await query.answer(results, cache_time=0, is_personal=True, next_offset="3")
        except TelegramBadRequest as error:
            errors.append(error.message)
            await query.answer([], cache_time=0)

    return router


@contextlib.asynccontextmanager
async def serving(emu: BotAPIEmulator, bot: Bot, router: Router) -> AsyncIterator[BotAPIEmulator]:
    """The emulator with a bot polling it that has this one router."""
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    async with polling(dispatcher, bot, emu):
        yield emu


@pytest.fixture
async def errors() -> list[str]:
    return []


@pytest.fixture
async def inline_bot(
    emu: BotAPIEmulator, bot: Bot, errors: list[str]
) -> AsyncIterator[BotAPIEmulator]:
    async with serving(emu, bot, search_router(errors)):
        yield emu


async def test_inline_query_answer_is_stored(inline_bot: BotAPIEmulator) -> None:
    alice = inline_bot.user("Alice")
    answer = await alice.inline_query("logo")
    assert answer.result_ids == ["p0", "p1", "p2"]
    assert answer.results[0]["type"] == "article"
    assert answer.results[0]["input_message_content"] == {"message_text": "Project 0"}
    assert answer.is_personal and answer.next_offset == "3"
    assert inline_bot.inline_answers[-1]["results"] == answer.results
    inline_bot.assert_clean()


@pytest.mark.parametrize(
    ("query", "error"), [("many", "RESULTS_TOO_MUCH"), ("long id", "RESULT_ID_INVALID")]
)
async def test_invalid_results_are_rejected(
    inline_bot: BotAPIEmulator, errors: list[str], query: str, error: str
) -> None:
    alice = inline_bot.user("Alice")
    answer = await alice.inline_query(query)
    assert answer.results == []
    assert errors == [f"Bad Request: {error}"]


async def test_unanswered_inline_query_is_a_violation(inline_bot: BotAPIEmulator) -> None:
    alice = inline_bot.user("Alice")
    with pytest.raises(EmulatorTimeout, match="inline_query"):
        await alice.inline_query("silence", timeout=0.2)
    assert [v.kind for v in inline_bot.violations] == [ViolationKind.INLINE_QUERY_NOT_ANSWERED]


async def test_duplicate_result_ids(bot: Bot, emu: BotAPIEmulator) -> None:
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_inline_query("404", [article("a")])
    with pytest.raises(TelegramBadRequest, match="RESULT_ID_DUPLICATE"):
        await bot.answer_inline_query("404", [article("a"), article("a")])


def card_router(seen: list[object]) -> Router:
    """A bot whose one result is a card with a callback button; a press edits the card."""
    router = Router()

    @router.inline_query()
    async def share(query: InlineQuery) -> None:
        press = InlineKeyboardButton(text="Interested", callback_data="like")
        card = InlineQueryResultArticle(
            id="card",
            title="Bakery bot",
            input_message_content=InputTextMessageContent(
                message_text="<b>Bakery bot</b>", parse_mode="HTML"
            ),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[press]]),
        )
        await query.answer([card, article("plain")], cache_time=0)

    @router.chosen_inline_result()
    async def chosen(result: ChosenInlineResult) -> None:
        seen.append(result)

    @router.message()
    async def message(message: Message) -> None:
        seen.append(message)

    @router.callback_query()
    async def pressed(query: CallbackQuery, bot: Bot) -> None:
        seen.append(query)
        assert query.inline_message_id is not None
        edited = await bot.edit_message_text(
            f"<b>Bakery bot</b>: {query.from_user.first_name} is interested",
            inline_message_id=query.inline_message_id,
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[]),
        )
        assert edited is True  # an inline message's edit answers True, not the message
        await query.answer("Noted")

    return router


@pytest.fixture
async def seen() -> list[object]:
    return []


@pytest.fixture
async def card_bot(
    emu: BotAPIEmulator, bot: Bot, seen: list[object]
) -> AsyncIterator[BotAPIEmulator]:
    async with serving(emu, bot, card_router(seen)):
        yield emu


async def _until(seen: list[object], kind: type, count: int = 1) -> list[object]:
    for _ in range(100):
        found = [item for item in seen if isinstance(item, kind)]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"the bot got no {kind.__name__}: {seen}")


async def test_a_result_shared_with_someone_reaches_the_bot_only_as_the_chosen_result(
    card_bot: BotAPIEmulator, seen: list[object]
) -> None:
    erin, frank = card_bot.user("Erin"), card_bot.user("Frank")
    answer = await erin.inline_query("bakery")
    card = await erin.choose_inline_result(answer, "card", to=frank)

    assert card.text == "Bakery bot" and card.entities[0]["type"] == "bold"
    assert card.payload["via_bot"]["username"] == "bidgram_test_bot"
    assert card.payload["from"]["first_name"] == "Erin" and not card.from_bot
    assert card.inline_message_id
    assert frank.chat_with(erin).get(card.message_id) == card  # both see the one chat
    (chosen,) = await _until(seen, ChosenInlineResult)
    assert isinstance(chosen, ChosenInlineResult)
    assert (chosen.result_id, chosen.query) == ("card", "bakery")
    assert chosen.inline_message_id == card.inline_message_id
    assert chosen.from_user.first_name == "Erin"
    assert not [item for item in seen if isinstance(item, Message)]  # not in that chat

    # Frank presses the card's button: the bot hears who pressed and which card, no message.
    answered = await frank.click(card, "Interested")
    assert answered.text == "Noted"
    (query,) = await _until(seen, CallbackQuery)
    assert isinstance(query, CallbackQuery)
    assert query.message is None and query.inline_message_id == card.inline_message_id
    assert query.from_user.first_name == "Frank"
    shown = erin.chat_with(frank).get(card.message_id)
    assert shown is not None and shown.text == "Bakery bot: Frank is interested"
    assert shown.buttons == [] and shown.payload["via_bot"]["username"] == "bidgram_test_bot"
    card_bot.assert_clean()


async def test_a_result_chosen_in_the_chat_with_the_bot_is_a_message_it_gets(
    card_bot: BotAPIEmulator, seen: list[object]
) -> None:
    fiona = card_bot.user("Fiona")
    card = await fiona.choose_inline_result(await fiona.inline_query("logo"), "card")
    (message,) = await _until(seen, Message)
    assert isinstance(message, Message)
    assert message.via_bot is not None and message.via_bot.username == "bidgram_test_bot"
    assert message.chat.id == fiona.id and message.text == "Bakery bot"
    assert fiona.chat.get(card.message_id) == card
    await fiona.click(card, "Interested")  # still an inline message: no message on the press
    (query,) = await _until(seen, CallbackQuery)
    assert isinstance(query, CallbackQuery) and query.message is None
    plain = await fiona.choose_inline_result(await fiona.inline_query("x"), "plain")
    assert plain.inline_message_id is None  # no buttons, nothing to edit or press
    card_bot.assert_clean()


async def test_only_the_two_people_in_a_chat_can_press_its_buttons(
    card_bot: BotAPIEmulator,
) -> None:
    erin, frank, ada = (card_bot.user(name) for name in ("Erin", "Frank", "Ada"))
    card = await erin.choose_inline_result(await erin.inline_query(""), "card", to=frank)
    with pytest.raises(EmulatorError, match="a chat Ada is not in"):
        await ada.click(card, "Interested")
    with pytest.raises(EmulatorError, match="no result 'nope'"):
        await erin.choose_inline_result(await erin.inline_query(""), "nope")


async def test_inline_messages_are_edited_by_their_id_alone(
    card_bot: BotAPIEmulator, bot: Bot
) -> None:
    erin, frank = card_bot.user("Erin"), card_bot.user("Frank")
    card = await erin.choose_inline_result(await erin.inline_query(""), "card", to=frank)
    assert card.inline_message_id is not None
    with pytest.raises(TelegramBadRequest, match="MESSAGE_ID_INVALID"):
        await bot.edit_message_text("x", inline_message_id="unknown")
    with pytest.raises(TelegramBadRequest, match="must be empty"):
        await bot.edit_message_text(
            "x", chat_id=erin.id, message_id=1, inline_message_id=card.inline_message_id
        )
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Open", url="https://t.me/x_bot?start=p_1")]]
    )
    assert await bot.edit_message_reply_markup(
        inline_message_id=card.inline_message_id, reply_markup=markup
    )
    shown = erin.chat_with(frank).get(card.message_id)
    assert shown is not None and shown.button_texts == ["Open"]
    card_bot.clear_violations()
