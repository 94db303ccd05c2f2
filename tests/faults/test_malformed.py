"""What no real Telegram sends, answered without a traceback: malformed webhook requests,
a bad secret, ids no column can hold, forged button payloads with huge numbers."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import pytest

from bot.webhook import SECRET_HEADER
from core.clock import FrozenClock
from storage.db import Database
from tests.faults.conftest import SECRET, World, running_world


@pytest.fixture
async def hook(db: Database, clock: FrozenClock) -> World:
    async with running_world(db, clock, "webhook") as w:
        yield w  # type: ignore[misc]
        w.emu.assert_clean()


@pytest.fixture
async def polled(db: Database, clock: FrozenClock) -> World:
    async with running_world(db, clock, "polling") as w:
        yield w  # type: ignore[misc]
        w.emu.assert_clean()


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def an_update(update_id: int = 7001, user_id: int = 555_000_555) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
        },
    }


async def post(world: World, body: bytes, secret: str | None = SECRET) -> tuple[int, str]:
    assert world.server is not None
    url = f"http://127.0.0.1:{world.server.port}/telegram"
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET + "x", "sécret-ключ", "\xff\xfe" + SECRET],
    ids=["missing", "empty", "wrong", "longer", "non-ascii", "binary"],
)
async def test_any_bad_secret_gets_401_and_nothing_is_read(
    hook: World, caplog: pytest.LogCaptureFixture, secret: str | None
) -> None:
    status, _ = await post(hook, json.dumps(an_update()).encode(), secret)
    assert status == 401
    assert await hook.claimed() == 0
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"not json at all",
        b"\xff\xfe{}",
        b"[1, 2, 3]",
        b'"a string"',
        b"null",
        b"{}",
        b'{"update_id": "seven"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"update_id": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=[
        "empty",
        "cut-short",
        "text",
        "not-utf8",
        "array",
        "string",
        "null",
        "no-update-id",
        "bad-update-id",
        "nested-100k",
        "nested-100k-inside",
    ],
)
async def test_a_malformed_body_gets_400_without_a_traceback(
    hook: World, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    status, text = await post(hook, body)
    assert status == 400, text
    assert await hook.claimed() == 0
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "update",
    [an_update(update_id=2**70), an_update(user_id=2**63), an_update(user_id=-(2**64))],
    ids=["update-id-2^70", "sender-2^63", "sender-below-int64"],
)
async def test_ids_no_column_can_hold_are_dropped_quietly(
    hook: World, caplog: pytest.LogCaptureFixture, update: dict[str, Any]
) -> None:
    status, _ = await post(hook, json.dumps(update).encode())
    assert status == 200  # acknowledged: Telegram must not send it again
    assert await hook.claimed() == 0
    assert tracebacks(caplog) == []
    assert any("dropped" in r.getMessage() for r in caplog.records)


async def test_a_good_update_still_gets_through(hook: World) -> None:
    mallory = hook.person("Mallory")
    update = an_update(update_id=7002, user_id=mallory.id)
    status, _ = await post(hook, json.dumps(update).encode())
    assert status == 200
    assert await hook.claimed() == 1
    await mallory.wait_for_message("What would you like to do?")


@pytest.mark.parametrize(
    "payload",
    [
        "ms:release:99999999999999999999999",
        "ms:release:9223372036854775808",
        "ms:release:0",
        "ms:release:-1",
        "wk:release:1:99999999999999999999",
        "p:view:1e999",
        "adm:dq:-5:0:0",
    ],
)
async def test_a_forged_button_with_a_huge_number_has_expired(
    polled: World, caplog: pytest.LogCaptureFixture, payload: str
) -> None:
    erin = polled.person("Erin")
    await erin.send_text("/start")
    menu = await erin.wait_for_message("What would you like to do?")
    answer = await erin.forge_click(menu, payload)
    assert answer.show_alert and "expired" in (answer.text or "")
    assert tracebacks(caplog) == []
    assert await polled.dead_letters() == []
