"""Webhook mode in one process: the real bot behind its aiohttp server, the emulator posting.

The secret is registered and required, an update delivered twice is handled once (even a
refused one), the health check tells the database's state, and stopping the server lets
the update in flight finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiogram import BaseMiddleware, F
from aiogram.types import Message, TelegramObject, Update
from aiohttp import web
from sqlalchemy import func, select

from bot.app import build_dispatcher, gateways_for, make_bot
from bot.delivery import Delivery
from bot.settings import BotSettings
from bot.webhook import HEALTH_PATH, WebhookServer
from core.clock import FrozenClock
from core.errors import DomainError
from core.marketplace import Marketplace
from emulator import SECRET_HEADER, BotAPIEmulator, SimulatedUser, running_emulator
from storage.db import Database
from storage.models import ProcessedUpdate, User
from tests.e2e.conftest import TOKEN, e2e_settings

URL = "https://bidgram.example/telegram"
SECRET = "webhook-SECRET_for_tests-0123456789"


class Gate(BaseMiddleware):
    """Holds updates whose message text is ``text`` until opened (a slow handler)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entered = asyncio.Event()
        self.opened = asyncio.Event()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        if event.message is not None and event.message.text == self.text:
            self.entered.set()
            await self.opened.wait()
        return await handler(event, data)


async def half_done(message: Message, user: User, market: Marketplace) -> None:
    """Writes, then is refused: the write must not stay."""
    user.is_banned = True
    await market.users.uow.flush()
    raise DomainError("test.refused", "Refused halfway.")


@dataclass
class Hook:
    emu: BotAPIEmulator
    db: Database
    settings: BotSettings
    server: WebhookServer
    gate: Gate

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def person(self, name: str) -> SimulatedUser:
        return self.emu.user(name, username=name.lower(), started=True)

    def last_update(self) -> dict[str, Any]:
        return self.emu.updates[-1]

    async def claimed(self) -> int:
        async with self.db.uow() as uow:
            stmt = select(func.count()).select_from(ProcessedUpdate)
            return int((await uow.session.execute(stmt)).scalar_one())


@pytest.fixture
async def hook(db: Database, database_url: str, clock: FrozenClock) -> AsyncIterator[Hook]:
    async with running_emulator(TOKEN, webhook_retry_delay=0.05) as emu:
        settings = e2e_settings(
            database_url,
            emu.base_url,
            webhook_url=URL,
            webhook_secret=SECRET,
            webhook_host="127.0.0.1",
            webhook_path="/telegram",
            webhook_shutdown_timeout=10,
        )
        bot = make_bot(settings)
        delivery = Delivery(bot, db, settings, clock, gateways_for(settings))
        dp = build_dispatcher(db, settings, clock=clock, notifier=delivery)
        dp["bot_username"] = delivery.bot_username = "bidgram_test_bot"
        gate = Gate("/slow")
        dp.update.outer_middleware(gate)
        dp.message.register(half_done, F.text == "/half")
        server = WebhookServer(dp, bot, settings, db, port=0)
        sending = asyncio.create_task(delivery.run())
        try:
            await server.start()
            emu.route_webhook(f"http://127.0.0.1:{server.port}")  # the load balancer
            yield Hook(emu, db, settings, server, gate)
        finally:
            gate.opened.set()
            await server.stop()
            await delivery.stop()
            await asyncio.wait_for(sending, 10)
            await bot.session.close()
        emu.assert_clean()


async def test_the_bot_registers_its_webhook_with_a_secret_and_serves_people(hook: Hook) -> None:
    assert hook.emu.webhook["url"] == URL
    assert hook.emu.webhook_secret == SECRET
    assert {"message", "callback_query", "pre_checkout_query"} <= set(
        hook.emu.webhook["allowed_updates"]
    )
    alice = hook.person("Alice")
    await alice.send_text("/start")
    menu = await alice.wait_for_message("What would you like to do?")
    await alice.click(menu, "❓ Help")
    await alice.wait_for_message("bidgram")
    assert all(attempt.status == 200 for attempt in hook.emu.webhook_attempts)
    assert await hook.claimed() == 2


@pytest.mark.parametrize("secret", [None, "wrong-secret", SECRET + "x"])
async def test_a_request_without_the_secret_is_refused_and_nothing_is_processed(
    hook: Hook, secret: str | None
) -> None:
    update = {
        "update_id": 424242,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": 555_000_555, "type": "private", "first_name": "Mallory"},
            "from": {"id": 555_000_555, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(hook.endpoint + "/telegram", json=update, headers=headers) as response,
    ):
        assert response.status == 401
    async with hook.db.uow() as uow:
        assert await uow.users.by_telegram_id(555_000_555) is None
    assert await hook.claimed() == 0
    assert hook.emu.calls_to("sendMessage") == []


async def test_the_same_update_delivered_twice_is_handled_once(hook: Hook) -> None:
    alice = hook.person("Alice")
    await alice.send_text("/start")
    await alice.wait_for_message("🕒 Time zone")  # the last of /start's three messages
    start = hook.last_update()
    sent = len(hook.emu.calls_to("sendMessage"))
    again = await hook.emu.deliver_again(start, times=2)
    assert [attempt.status for attempt in again] == [200, 200]
    await alice.expect_no_message(0.5)
    assert len(hook.emu.calls_to("sendMessage")) == sent
    assert await hook.claimed() == 1


async def test_a_button_press_delivered_again_is_not_answered_twice(hook: Hook) -> None:
    alice = hook.person("Alice")
    await alice.send_text("/start")
    menu = await alice.wait_for_message("What would you like to do?")
    await alice.click(menu, "❓ Help")
    await alice.wait_for_message("bidgram")
    press = hook.last_update()
    assert "callback_query" in press
    await hook.emu.deliver_again(press)
    await alice.expect_no_message(0.5)
    # A second answerCallbackQuery would be "query is too old": assert_clean catches it.
    assert len(hook.emu.calls_to("answerCallbackQuery")) == 1


async def test_a_button_press_is_answered_on_the_webhooks_reply_not_by_a_request(
    hook: Hook,
) -> None:
    """One Bot API request fewer per press: the answer is the body of the webhook's 200."""
    alice = hook.person("Alice")
    await alice.send_text("/start")
    menu = await alice.wait_for_message("What would you like to do?")
    await alice.click(menu, "❓ Help")
    await alice.wait_for_message("bidgram")
    [answer] = hook.emu.calls_to("answerCallbackQuery")
    assert answer.ok and answer.webhook_reply
    assert answer.params["callback_query_id"] == hook.last_update()["callback_query"]["id"]
    assert not any(call.webhook_reply for call in hook.emu.calls_to("sendMessage"))


async def test_a_refused_update_delivered_again_is_not_explained_again(hook: Hook) -> None:
    alice = hook.person("Alice")
    await alice.send_text("/start")
    await alice.wait_for_message("What would you like to do?")
    await alice.send_text("/start p_999999")  # a project that does not exist
    await alice.wait_for_message("This project does not exist.")  # a domain error
    refused = hook.last_update()
    await hook.emu.deliver_again(refused)
    await alice.expect_no_message(0.5)
    assert await hook.claimed() == 2  # the refusal rolled back its work, not the claim


async def test_a_refusal_undoes_the_handlers_writes_but_keeps_the_person_and_the_claim(
    hook: Hook,
) -> None:
    newcomer = hook.person("Nina")  # her very first update is the refused one
    await newcomer.send_text("/half")
    await newcomer.wait_for_message("This cannot be done. Nothing was changed.")  # no words
    async with hook.db.uow() as uow:
        nina = await uow.users.by_telegram_id(newcomer.id)
        assert nina is not None and nina.first_name == "Nina" and not nina.is_banned
    assert await hook.claimed() == 1
    await hook.emu.deliver_again(hook.last_update())
    await newcomer.expect_no_message(0.5)  # explained once


async def test_a_duplicate_racing_its_original_changes_nothing(hook: Hook) -> None:
    alice = hook.person("Alice")
    await alice.send_text("/slow")
    await asyncio.wait_for(hook.gate.entered.wait(), 10)
    original = hook.last_update()
    duplicate = asyncio.create_task(hook.emu.deliver_again(original))
    await asyncio.sleep(0.3)
    hook.gate.opened.set()
    [attempt] = await asyncio.wait_for(duplicate, 10)
    assert attempt.status == 200
    await alice.wait_for_message()  # the one answer to /slow (an unknown command)
    await alice.expect_no_message(0.5)
    assert await hook.claimed() == 1


async def test_stopping_finishes_the_update_in_flight(hook: Hook) -> None:
    alice = hook.person("Alice")
    await alice.send_text("/slow")
    await asyncio.wait_for(hook.gate.entered.wait(), 10)
    stopping = asyncio.create_task(hook.server.stop())
    await asyncio.sleep(0.3)
    assert not stopping.done()  # waiting for Alice's update
    hook.gate.opened.set()
    await asyncio.wait_for(stopping, 15)
    await alice.wait_for_message()
    [attempt] = hook.emu.webhook_attempts
    assert attempt.status == 200
    assert await hook.claimed() == 1


async def test_health_checks_the_database(hook: Hook, tmp_path: Any) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(hook.endpoint + HEALTH_PATH) as response,
    ):
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok"}

    broken = Database(f"sqlite+aiosqlite:///{tmp_path}/missing-dir/none.db")
    sick = WebhookServer(hook.server.dp, hook.server.bot, hook.settings, broken, port=0)
    runner = web.AppRunner(sick.application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}{HEALTH_PATH}") as response,
        ):
            assert response.status == 503
            body = await response.json()
            assert body["status"] == "unavailable"
            assert body["database"].startswith("error")
    finally:
        await runner.cleanup()
        await broken.dispose()
