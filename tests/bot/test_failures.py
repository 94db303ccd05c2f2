"""Outage or bug: what decides whether an update is retried or dead-lettered."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramServerError
from aiogram.methods import SendMessage
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.failures import is_transient


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _wrapped(orig: Exception, kind: type[DBAPIError] = DBAPIError) -> DBAPIError:
    return kind("SELECT 1", {}, orig)


def _raised_from(error: Exception, cause: BaseException) -> Exception:
    try:
        raise error from cause
    except Exception as raised:
        return raised


METHOD = SendMessage(chat_id=1, text="hi")


@pytest.mark.parametrize(
    "error",
    [
        ConnectionResetError(104, "Connection reset by peer"),
        ConnectionRefusedError(111, "Connection refused"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 5432)"),
        TimeoutError(),
        asyncio.TimeoutError(),  # noqa: UP041 - what asyncio raises (an alias since 3.11)
        _wrapped(Exception("server closed the connection"), OperationalError),
        _wrapped(_PgError("40001")),  # serialization failure: PostgreSQL says retry
        _wrapped(_PgError("40P01")),  # deadlock detected
        _wrapped(_PgError("08006")),  # connection failure
        _wrapped(_PgError("57P01")),  # admin shutdown
        RedisConnectionError("Redis went away"),
        TelegramServerError(METHOD, "Bad Gateway"),
        _raised_from(RuntimeError("while committing"), ConnectionResetError()),
    ],
    ids=lambda e: type(e).__name__,
)
def test_outages_are_retried(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("a bug"),
        KeyError("missing"),
        TypeError("unsupported operand"),
        FileNotFoundError(2, "No such file"),  # an OSError, but not the network's
        _wrapped(_PgError("23505"), IntegrityError),  # a unique key: deterministic
        _wrapped(_PgError("22003")),  # numeric value out of range
        TelegramBadRequest(METHOD, "Bad Request: message text is empty"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_bugs_are_not_retried(error: BaseException) -> None:
    assert not is_transient(error)


def test_a_bug_raised_while_handling_a_timeout_is_still_a_bug() -> None:
    try:
        try:
            raise TimeoutError
        except TimeoutError:
            raise KeyError("oops") from None
    except KeyError as bug:
        assert bug.__context__ is not None
        assert not is_transient(bug)
