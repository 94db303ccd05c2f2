"""Logs: JSON lines or text, each line inside an update carrying its ids, and no secret in
any line of either format, exceptions included."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import GetMe

from bot import logs
from bot.app import make_bot
from bot.logs import UpdateContext, handling
from bot.replies import call_with_retries
from bot.settings import BotSettings

TOKEN = "123456789:AAHbidgramLogsTestTokenXYZ0123456789ab"
SECRET = "webhook-secret-for-the-log-test"
DB_PASSWORD = "pg-password-for-the-log-test"

log = logging.getLogger("bidgram.test")


def settings(log_format: str, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "webhook_secret": SECRET,
        "database_url": f"postgresql+asyncpg://bidgram:{DB_PASSWORD}@db.internal/bidgram",
        "log_format": log_format,
        "_env_file": None,
        **overrides,
    }
    return BotSettings(**values)


@pytest.fixture
def captured(request: pytest.FixtureRequest) -> Iterator[tuple[str, io.StringIO]]:
    """The log format under test and what the configured handler wrote."""
    log_format = request.param
    stream = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    logs.configure(settings(log_format), stream)
    try:
        yield log_format, stream
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in before[0]:
            root.addHandler(handler)
        root.setLevel(before[1])
        logging.getLogger("aiogram.event").setLevel(logging.NOTSET)


both = pytest.mark.parametrize("captured", ["text", "json"], indirect=True)


def lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line.strip()]


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What this module's logger writes as JSON lines with the update's ids."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.WithUpdate())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        log.removeHandler(handler)


def test_json_lines_carry_the_update_being_handled(json_lines: io.StringIO) -> None:
    log.info("outside")
    with handling(UpdateContext(41, person_id=7)) as context:
        log.warning("inside %s", "the update")
        context.handler = "milestones.release"
        log.info("done", extra={"duration_ms": 12.5, "outcome": "handled"})
    log.info("outside again")
    outside, inside, done, again = (json.loads(line) for line in lines(json_lines))
    assert set(outside) == {"time", "level", "logger", "message"} == set(again)
    assert outside["time"].endswith("+00:00") and outside["logger"] == "bidgram.test"
    assert inside == {
        "time": inside["time"],
        "level": "WARNING",
        "logger": "bidgram.test",
        "message": "inside the update",
        "update_id": 41,
        "person_id": 7,
    }
    assert (done["handler"], done["duration_ms"], done["outcome"]) == (
        "milestones.release",
        12.5,
        "handled",
    )


async def test_each_task_logs_its_own_update(json_lines: io.StringIO) -> None:
    async def one(update_id: int) -> None:
        with handling(UpdateContext(update_id, person_id=update_id * 10)):
            for step in range(3):
                await asyncio.sleep(0)
                log.info("step %s", step)

    await asyncio.gather(one(1), one(2))
    entries = [json.loads(line) for line in lines(json_lines)]
    assert len(entries) == 6
    assert all(e["person_id"] == e["update_id"] * 10 for e in entries)


@both
def test_secrets_never_reach_a_log_line(captured: tuple[str, io.StringIO]) -> None:
    log_format, stream = captured
    log.warning("token %s, half %s", TOKEN, TOKEN.partition(":")[2])
    log.warning(f"secret {SECRET} and the database password {DB_PASSWORD}")
    try:
        raise RuntimeError(f"https://api.telegram.org/bot{TOKEN}/getMe refused {SECRET}")
    except RuntimeError:
        log.exception("a request failed")
    written = stream.getvalue()
    assert written.count(logs.HIDDEN) >= 6
    for secret in (TOKEN, TOKEN.partition(":")[2], SECRET, DB_PASSWORD):
        assert secret not in written
    assert "bot123456789:***" not in written  # the whole token went, not only its half
    assert "RuntimeError" in written and "a request failed" in written
    if log_format == "json":
        entries = [json.loads(line) for line in lines(stream)]
        assert "Traceback" in entries[-1]["exception"]


@pytest.fixture
async def garbage_api() -> AsyncIterator[str]:
    """A "Bot API" that answers with something that is not HTTP: aiohttp's error then
    names the request URL, token and all."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(b"SMTP ready\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


@both
async def test_a_failing_bot_api_call_logs_no_token(
    captured: tuple[str, io.StringIO], garbage_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, stream = captured
    monkeypatch.setattr("bot.replies.BACKOFF", (0.0, 0.0, 0.0))
    bot = make_bot(settings("text", telegram_api_url=garbage_api))
    try:
        with pytest.raises(TelegramNetworkError) as failed:
            await call_with_retries(bot, GetMe())  # logs each failed try, then gives up
        log.error("getMe gave up: %s", failed.value, exc_info=failed.value)
    finally:
        await bot.session.close()
    assert f"/bot{TOKEN}/getMe" in str(failed.value)  # what would have been logged
    written = stream.getvalue()
    assert written.count("getMe failed") == 3 and "getMe gave up" in written
    assert "/bot***/getMe" in written
    assert TOKEN not in written and TOKEN.partition(":")[2] not in written


def test_log_settings_are_checked() -> None:
    assert settings("JSON").log_format == "json"
    assert settings("text", log_level="debug").log_level == "DEBUG"
    with pytest.raises(ValueError, match="log_format"):
        settings("yaml")
