"""Inline mode: inline_query updates and validated answerInlineQuery results."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
)

from emulator import BotAPIEmulator, EmulatorTimeout, ViolationKind, polling


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


@pytest.fixture
async def errors() -> list[str]:
    return []


@pytest.fixture
async def inline_bot(
    emu: BotAPIEmulator, bot: Bot, errors: list[str]
) -> AsyncIterator[BotAPIEmulator]:
    dispatcher = Dispatcher()
    dispatcher.include_router(search_router(errors))
    async with polling(dispatcher, bot, emu):
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
