"""Webhook delivery: setWebhook's checks, the secret header, retries until a 200,
per-person order, getUpdates refused while a webhook is set, a load balancer in front."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiohttp import web

from emulator import SECRET_HEADER, BotAPIEmulator, ViolationKind, running_emulator
from tests.tls import self_signed

URL = "https://bot.example/hook?x=1"
SECRET = "s3cret_TOKEN-1"


@dataclass
class Endpoint:
    """A stand-in for a bot's webhook server: records what it got, answers as told."""

    name: str
    answer: Callable[[dict[str, Any]], Awaitable[int] | int] = lambda update: 200
    received: list[tuple[dict[str, Any], str | None, str]] = field(default_factory=list)
    base_url: str = ""
    reply: Callable[[dict[str, Any]], dict[str, Any]] = lambda update: {}

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.received.append((update, request.headers.get(SECRET_HEADER), request.path_qs))
        status = self.answer(update)
        if not isinstance(status, int):
            status = await status
        return web.json_response(self.reply(update), status=status)


@pytest.fixture
async def endpoints() -> AsyncIterator[list[Endpoint]]:
    runners: list[web.AppRunner] = []
    made: list[Endpoint] = []
    for name in ("a", "b"):
        endpoint = Endpoint(name)
        app = web.Application()
        app.router.add_post("/hook", endpoint.handle)
        runner = web.AppRunner(app, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        endpoint.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        runners.append(runner)
        made.append(endpoint)
    yield made
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    async with running_emulator(webhook_retry_delay=0.05) as emulator:
        yield emulator


async def test_updates_are_posted_with_the_secret_to_the_registered_path(
    bot: Bot, emu: BotAPIEmulator, endpoints: list[Endpoint]
) -> None:
    [a, _] = endpoints
    emu.route_webhook(a.base_url)
    assert await bot.set_webhook(URL, secret_token=SECRET, allowed_updates=["message"])
    alice = emu.user("Alice")
    await alice.send_text("hello")
    await emu.wait_for_deliveries(1)
    update, secret, path = a.received[0]
    assert update["message"]["text"] == "hello"
    assert (secret, path) == (SECRET, "/hook?x=1")
    info = await bot.get_webhook_info()
    assert info.url == URL and info.pending_update_count == 0
    assert info.allowed_updates == ["message"]
    emu.assert_clean()


async def test_set_webhook_refuses_what_telegram_refuses(bot: Bot, emu: BotAPIEmulator) -> None:
    with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
        await bot.set_webhook("http://bot.example/hook")
    with pytest.raises(TelegramBadRequest, match="ports 80, 88, 443 or 8443"):
        await bot.set_webhook("https://bot.example:8080/hook")
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await bot.set_webhook(URL, secret_token="no spaces allowed")
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await bot.set_webhook(URL, secret_token="x" * 257)
    assert (await bot.get_webhook_info()).url == ""
    emu.clear_violations()


async def test_get_updates_is_refused_while_a_webhook_is_set(
    bot: Bot, emu: BotAPIEmulator, endpoints: list[Endpoint]
) -> None:
    emu.route_webhook(endpoints[0].base_url)
    await bot.set_webhook(URL, secret_token=SECRET)
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    assert [v.kind for v in emu.violations] == [ViolationKind.POLLING_CONFLICT]
    emu.clear_violations()
    await bot.delete_webhook()
    assert await bot.get_updates() == []


async def test_a_long_poll_loses_to_a_new_webhook(
    bot: Bot, emu: BotAPIEmulator, endpoints: list[Endpoint]
) -> None:
    emu.route_webhook(endpoints[0].base_url)
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await emu.wait_until_polling(after=0)
    other = Bot(bot.token, session=bot.session)
    await other.set_webhook(URL)
    with pytest.raises(TelegramConflictError):
        await asyncio.wait_for(poll, 5)
    emu.clear_violations()


async def test_a_delivery_without_200_is_retried_with_the_same_update_id(
    bot: Bot, emu: BotAPIEmulator, endpoints: list[Endpoint]
) -> None:
    [a, _] = endpoints
    answers = iter([500, 502, 200])
    a.answer = lambda update: next(answers)
    emu.route_webhook(a.base_url)
    await bot.set_webhook(URL, secret_token=SECRET)
    alice = emu.user("Alice")
    await alice.send_text("please")
    await emu.wait_for_deliveries(1)
    ids = {update["update_id"] for update, _, _ in a.received}
    assert len(ids) == 1
    assert [attempt.status for attempt in emu.webhook_attempts] == [500, 502, 200]
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert [u["update_id"] for u in emu.delivered()] == list(ids)


async def test_an_unreachable_webhook_keeps_updates_pending(bot: Bot, emu: BotAPIEmulator) -> None:
    emu.route_webhook("http://127.0.0.1:9")  # discard port: nothing listens
    await bot.set_webhook(URL)
    await emu.user("Alice").send_text("anyone?")
    await emu.wait_for_attempts(1)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message is not None
    assert "Connection refused" in info.last_error_message
    await bot.delete_webhook()
    [update] = await bot.get_updates()  # polling picks up what the webhook could not deliver
    assert update.message is not None and update.message.text == "anyone?"


async def test_a_persons_updates_go_one_at_a_time_and_in_order(
    bot: Bot, emu: BotAPIEmulator, endpoints: list[Endpoint]
) -> None:
    [a, b] = endpoints
    gate = asyncio.Event()

    async def hold_the_first(update: dict[str, Any]) -> int:
        if update["message"]["text"] == "one":
            await gate.wait()
        return 200

    a.answer = b.answer = hold_the_first
    emu.route_webhook(a.base_url, b.base_url)
    await bot.set_webhook(URL)
    alice, bob = emu.user("Alice"), emu.user("Bob")
    await alice.send_text("one")
    await alice.send_text("two")
    await bob.send_text("three")
    await emu.wait_for_deliveries(1)  # Bob's update overtakes Alice's stuck one...
    await asyncio.sleep(0.2)
    texts = [u["message"]["text"] for u, _, _ in a.received + b.received]
    assert sorted(texts) == ["one", "three"]  # ...but Alice's second waits for her first
    gate.set()
    await emu.wait_for_deliveries(3)
    texts = [u["message"]["text"] for u in emu.delivered()]
    assert texts.index("one") < texts.index("two")


async def test_deliveries_alternate_between_backends_and_can_be_repeated(
    bot: Bot, emu: BotAPIEmulator, endpoints: list[Endpoint]
) -> None:
    [a, b] = endpoints
    emu.route_webhook(a.base_url, b.base_url)
    await bot.set_webhook(URL, secret_token=SECRET)
    alice = emu.user("Alice")
    for text in ("one", "two", "three", "four"):
        await alice.send_text(text)
    await emu.wait_for_deliveries(4)
    assert [len(a.received), len(b.received)] == [2, 2]  # Alice's updates alternate
    assert [t.split("/hook")[0] for t in (x.target for x in emu.webhook_attempts)] == [
        a.base_url,
        b.base_url,
    ] * 2
    first = emu.delivered()[0]
    again = await emu.deliver_again(first, times=2)
    assert [attempt.status for attempt in again] == [200, 200]
    assert {attempt.target.split("/hook")[0] for attempt in again} == {a.base_url, b.base_url}
    copies = [u for u, _, _ in a.received + b.received if u["update_id"] == first["update_id"]]
    assert len(copies) == 3 and all(copy == first for copy in copies)
    emu.assert_clean()


async def test_an_https_backend_is_delivered_to_when_its_certificate_is_trusted(
    bot: Bot, emu: BotAPIEmulator, tmp_path: Path
) -> None:
    certificate = self_signed(tmp_path)
    endpoint = Endpoint("tls")
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=certificate.server())
    await site.start()
    try:
        port = runner.addresses[0][1]
        with pytest.raises(ValueError, match="http:// or https://"):
            emu.route_webhook(f"ftp://127.0.0.1:{port}")
        # Not trusted (the system's authorities never signed it): refused, kept pending.
        emu.route_webhook(f"https://127.0.0.1:{port}")
        await bot.set_webhook(URL, secret_token=SECRET)
        await emu.user("Alice").send_text("over TLS")
        await emu.wait_for_attempts(1)
        assert endpoint.received == []
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 1
        assert (info.last_error_message or "").startswith("SSL error")
        # Trusted, but reached by a name it was not made for: still refused.
        emu.route_webhook(f"https://localhost:{port}", ssl=certificate.trusted())
        for _ in range(200):
            tried = [a for a in emu.webhook_attempts if a.target.startswith("https://localhost")]
            if tried:
                break
            await asyncio.sleep(0.05)
        assert tried[0].status is None and "SSL error" in (tried[0].error or "")
        assert "Hostname mismatch" in (tried[0].error or "")
        assert endpoint.received == []
        # Trusted and for this address: delivered, secret and path as registered.
        emu.route_webhook(f"https://127.0.0.1:{port}", ssl=certificate.trusted())
        await emu.wait_for_deliveries(1, timeout=10)
        [(update, secret, path)] = endpoint.received
        assert (update["message"]["text"], secret, path) == ("over TLS", SECRET, "/hook?x=1")
        # The registered URL is checked as strictly as ever.
        with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
            await bot.set_webhook("http://bot.example/hook")
        emu.clear_violations()
    finally:
        await bot.delete_webhook()
        await runner.cleanup()


def _say(text: str, **extra: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A webhook reply: sendMessage back to the update's chat."""

    def reply(update: dict[str, Any]) -> dict[str, Any]:
        chat = update["message"]["chat"]["id"]
        return {"method": "sendMessage", "chat_id": chat, "text": text, **extra}

    return reply


async def test_a_method_call_in_the_webhooks_reply_is_run(
    bot: Bot, emu: BotAPIEmulator, endpoints: list[Endpoint]
) -> None:
    [a, _] = endpoints
    a.reply = _say("hello back")
    emu.route_webhook(a.base_url)
    await bot.set_webhook(URL, secret_token=SECRET)
    alice = emu.user("Alice")
    await alice.send_text("hello")
    await alice.wait_for_message("hello back")
    [call] = emu.calls_to("sendMessage")
    assert call.ok and call.webhook_reply
    emu.assert_clean()


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (_say("x" * 4097), "message is too long"),
        (_say("hi", disable_web_page_preview=True), "disable_web_page_preview"),
        (lambda update: {"method": "sendTelepathy", "chat_id": 1}, "Not Found"),
        (lambda update: {"chat_id": 1, "text": "no method"}, "naming its method"),
    ],
)
async def test_a_webhook_reply_telegram_would_drop_is_a_violation(
    bot: Bot,
    emu: BotAPIEmulator,
    endpoints: list[Endpoint],
    reply: Callable[[dict[str, Any]], dict[str, Any]],
    why: str,
) -> None:
    [a, _] = endpoints
    a.reply = reply
    emu.route_webhook(a.base_url)
    await bot.set_webhook(URL, secret_token=SECRET)
    alice = emu.user("Alice")
    await alice.send_text("hello")
    await emu.wait_for_deliveries(1)
    await alice.expect_no_message(0.3)
    assert [v.kind for v in emu.violations] == [ViolationKind.REJECTED_CALL]
    assert why.lower() in emu.violations[0].description.lower()
    emu.clear_violations()
