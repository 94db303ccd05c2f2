"""Answers to callback and inline queries."""

from __future__ import annotations

from typing import Any

from aiogram.methods import AnswerCallbackQuery, AnswerInlineQuery

from emulator.errors import bad_request
from emulator.handlers.registry import handles
from emulator.keyboards import is_valid_url, validate_reply_markup
from emulator.queries import QueryKind
from emulator.state import EmulatorState
from emulator.text import check_message_text, parse_formatted
from emulator.wire import to_wire

MAX_CALLBACK_ANSWER_TEXT = 200
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64


@handles(AnswerCallbackQuery)
async def answer_callback_query(state: EmulatorState, call: AnswerCallbackQuery) -> bool:
    if call.text is not None and len(call.text) > MAX_CALLBACK_ANSWER_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")
    if call.url is not None and not is_valid_url(call.url):
        raise bad_request("URL_INVALID")
    answer = {
        "text": call.text,
        "show_alert": bool(call.show_alert),
        "url": call.url,
        "cache_time": call.cache_time or 0,
    }
    state.queries.answer(call.callback_query_id, QueryKind.CALLBACK, answer)
    return True


def _validate_result(result: dict[str, Any]) -> None:
    result_id = str(result.get("id", ""))
    if not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    content = result.get("input_message_content") or {}
    if "message_text" in content:
        formatted = parse_formatted(
            content["message_text"], content.get("parse_mode"), content.get("entities")
        )
        check_message_text(formatted)
    validate_reply_markup(result.get("reply_markup"), inline_only=True)


@handles(AnswerInlineQuery)
async def answer_inline_query(state: EmulatorState, call: AnswerInlineQuery) -> bool:
    results = [to_wire(result) for result in call.results]
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _validate_result(result)
        if result["id"] in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result["id"])
    if call.next_offset and len(call.next_offset.encode("utf-8")) > 64:
        raise bad_request("NEXT_OFFSET_INVALID")
    answer = {
        "inline_query_id": call.inline_query_id,
        "results": results,
        "cache_time": call.cache_time,
        "is_personal": bool(call.is_personal),
        "next_offset": call.next_offset or "",
        "button": to_wire(call.button),
    }
    state.queries.answer(call.inline_query_id, QueryKind.INLINE, answer)
    state.inline_answers.append(answer)
    return True
