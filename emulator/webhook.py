"""Webhook delivery: Telegram POSTs each update to the bot's URL until it gets a 200.

Semantics kept from Telegram:

* ``setWebhook`` wants an HTTPS URL on port 443, 80, 88 or 8443 and a ``secret_token`` of
  1-256 characters ``A-Z a-z 0-9 _ -``; every delivery carries it in the
  ``X-Telegram-Bot-Api-Secret-Token`` header. While a webhook is set, ``getUpdates`` is
  refused with ``409 Conflict``.
* An update is confirmed only by an HTTP 200; anything else (an error status, a refused
  connection, no answer within the timeout) is remembered as ``last_error_message`` and the
  same update (same ``update_id``) is delivered again after a growing delay.
* Up to ``max_connections`` deliveries run at once, but one person's updates go one at a
  time and in order, so a conversation never overtakes itself.

* A 200 may carry one Bot API method call as its JSON body (``{"method": ..., params}``):
  Telegram runs it and tells nobody the result. The emulator runs it as strictly as a
  call over HTTP; a refused one is a violation (Telegram would drop it silently).

Two additions for tests: :meth:`WebhookDelivery.route` puts a load balancer in front of the
registered URL (path and query kept) that sends each person's next update to the next
backend, the worst case for a bot that keeps conversations in one process's memory; and
:meth:`WebhookDelivery.deliver_again` delivers an update once more, as Telegram does after
a delivery whose 200 never arrived.

A backend may be ``https://``, as a real front door is: its certificate is verified
(host name included) against the given SSL context, such as one that trusts a test's own
certificate, or else against the system's trusted authorities. The registered URL is
checked as strictly either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from emulator.errors import TelegramError, bad_request
from emulator.records import ApiCall, CallLog, Violation, ViolationKind
from emulator.updates import Update, UpdateQueue, update_type

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
MAX_CONNECTIONS = 100
DEFAULT_MAX_CONNECTIONS = 40

#: Runs one method call (name, raw parameters) against the emulated state.
Executor = Callable[[str, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of one update: where it went and what came back."""

    update_id: int
    target: str
    status: int | None  # HTTP status, None when no response came at all
    error: str | None = None
    again: bool = False  # sent by deliver_again, not by the delivery loop

    @property
    def ok(self) -> bool:
        return self.status == 200


def check_webhook_url(url: str) -> None:
    """Refuse what Telegram refuses in ``setWebhook``'s url."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    try:
        port = parts.port or 443
    except ValueError:
        port = 0
    if port not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def check_secret_token(secret: str) -> None:
    if not SECRET_TOKEN.match(secret):
        raise bad_request("secret token contains unallowed characters")


def sender_key(update: Update) -> int | None:
    """Whose conversation an update belongs to (its updates are delivered one at a time)."""
    payload = update[update_type(update)]
    if not isinstance(payload, dict):
        return None
    for field in ("from", "chat", "user"):
        value = payload.get(field)
        if isinstance(value, dict) and isinstance(value.get("id"), int):
            return int(value["id"])
    return None


class WebhookDelivery:
    """The registered webhook and the task that pushes pending updates to it."""

    def __init__(
        self,
        updates: UpdateQueue,
        log: CallLog,
        *,
        timeout: float = 60.0,
        retry_delay: float = 0.2,
        max_retry_delay: float = 5.0,
    ) -> None:
        self._updates = updates
        self._log = log
        self.timeout = timeout
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = DEFAULT_MAX_CONNECTIONS
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.attempts: list[WebhookAttempt] = []
        """Every delivery attempt, in the order they finished."""
        self._backends: list[str] = []
        self._ssl: ssl.SSLContext | None = None
        self._turns: dict[int | None, int] = {}  # per person: deliveries so far
        self._in_flight: dict[int, Update] = {}  # id(update) -> update
        self._not_before: dict[int, float] = {}  # id(update) -> monotonic time of next try
        self._failures: dict[int, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.executor: Executor | None = None
        """Runs a method call sent in a webhook reply (set by the server)."""

    @property
    def active(self) -> bool:
        return bool(self.url)

    # -- the bot's side (setWebhook, deleteWebhook, getWebhookInfo) ---------------------------

    def set(self, url: str, secret_token: str | None, max_connections: int | None) -> None:
        check_webhook_url(url)
        if secret_token is not None:
            check_secret_token(secret_token)
        self.url = url
        self.secret_token = secret_token
        self.max_connections = min(
            max(max_connections or DEFAULT_MAX_CONNECTIONS, 1), MAX_CONNECTIONS
        )
        self._updates.set_webhook_active(True)
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = asyncio.get_running_loop().create_task(self._run())
        self._updates.changes.notify()

    async def delete(self) -> None:
        self.url = ""
        self.secret_token = None
        self._updates.set_webhook_active(False)
        await self._stop_delivering()

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates.pending),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            info["allowed_updates"] = sorted(self._updates.allowed)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    # -- the test's side ----------------------------------------------------------------------

    def route(self, backends: list[str], ssl_context: ssl.SSLContext | None = None) -> None:
        """Send deliveries to these base URLs instead of the registered host: each
        person's updates go to them in turn (a person's 1st to the first, 2nd to the next).
        ``https://`` backends are verified against ``ssl_context`` (module docstring)."""
        for backend in backends:
            parts = urlsplit(backend)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"a backend is an http:// or https:// base URL, not {backend!r}")
        self._backends = [backend.rstrip("/") for backend in backends]
        self._ssl = ssl_context

    async def deliver_again(self, update: Update, times: int = 1) -> list[WebhookAttempt]:
        """POST an update (same ``update_id``) ``times`` more times, all at once."""
        if not self.active:
            raise RuntimeError("no webhook is set")
        return list(await asyncio.gather(*(self._post(update, again=True) for _ in range(times))))

    async def close(self) -> None:
        self.url = ""
        self._updates.set_webhook_active(False)
        await self._stop_delivering()

    # -- delivering ---------------------------------------------------------------------------

    def _targets(self) -> list[str]:
        if not self._backends:
            return [self.url]
        parts = urlsplit(self.url)
        tail = parts.path or "/"
        if parts.query:
            tail += f"?{parts.query}"
        return [backend + tail for backend in self._backends]

    def _next_target(self, update: Update) -> str:
        targets = self._targets()
        key = sender_key(update)
        turn = self._turns.get(key, 0)
        self._turns[key] = turn + 1
        return targets[turn % len(targets)]

    def _ready(self) -> list[Update]:
        """Pending updates that may go now: in order per person, within max_connections."""
        now = time.monotonic()
        busy = {sender_key(u) for u in self._in_flight.values()}
        picked: list[Update] = []
        seen: set[int | None] = set()
        room = self.max_connections - len(self._in_flight)
        for update in self._updates.pending:
            key = sender_key(update)
            blocked = key is not None and (key in busy or key in seen)
            if key is not None:
                seen.add(key)
            if blocked or id(update) in self._in_flight:
                continue
            if self._not_before.get(id(update), 0.0) > now:
                continue
            if len(picked) >= room:
                break
            picked.append(update)
        return picked

    async def _run(self) -> None:
        changes = self._updates.changes
        while self.active:
            ready = await changes.wait_for(
                lambda: (self._ready() or None) if self.active else [], 3600.0
            )
            for update in ready or []:
                self._in_flight[id(update)] = update
                task = asyncio.get_running_loop().create_task(self._deliver(update))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _deliver(self, update: Update) -> None:
        try:
            attempt = await self._post(update)
        finally:
            self._in_flight.pop(id(update), None)
        if attempt.ok:
            self._not_before.pop(id(update), None)
            self._failures.pop(id(update), None)
            self._updates.confirm_delivered(update)
        else:
            failures = self._failures.get(id(update), 0) + 1
            self._failures[id(update)] = failures
            delay = min(self.retry_delay * 2 ** (failures - 1), self.max_retry_delay)
            self._not_before[id(update)] = time.monotonic() + delay
            asyncio.get_running_loop().call_later(delay, self._updates.changes.notify)
        self._updates.changes.notify()

    async def _post(self, update: Update, *, again: bool = False) -> WebhookAttempt:
        target = self._next_target(update)
        headers = {SECRET_HEADER: self.secret_token} if self.secret_token else {}
        status: int | None = None
        error: str | None = None
        # aiohttp verifies https with the system's authorities unless given a context.
        verify: ssl.SSLContext | bool = self._ssl if self._ssl is not None else True
        try:
            session = self._client()
            async with session.post(
                target,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                ssl=verify,
            ) as response:
                status = response.status
                body = await response.read()
                if status == 200:
                    await self._run_reply(response.content_type, body)
                else:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientSSLError as exc:
            error = f"SSL error ({type(exc).__name__}: {exc})"
        except aiohttp.ClientError as exc:
            error = f"Connection refused ({type(exc).__name__})"
        attempt = WebhookAttempt(int(update["update_id"]), target, status, error, again)
        self.attempts.append(attempt)
        if error is not None:
            self.last_error_date = int(time.time())
            self.last_error_message = error
        self._updates.changes.notify()
        return attempt

    async def _run_reply(self, content_type: str, body: bytes) -> None:
        """Run the method call a 200 may carry, as Telegram does (module docstring)."""
        if not body.strip() or body.strip() in (b"{}", b"null"):
            return
        try:
            raw = json.loads(body) if content_type == "application/json" else None
        except ValueError:
            raw = None
        method = raw.pop("method", None) if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(method, str) or self.executor is None:
            self._log.add_violation(
                Violation(
                    ViolationKind.REJECTED_CALL,
                    "a webhook reply must be empty or a JSON object naming its method; "
                    "Telegram ignores anything else",
                )
            )
            return
        try:
            result = await self.executor(method, raw)
        except TelegramError as error:
            self._log.add_call(
                ApiCall(method, raw, False, None, error.error_code, error.description, True)
            )
            self._log.add_violation(
                Violation(
                    ViolationKind.REJECTED_CALL,
                    f"{error.error_code} {error.description} (in a webhook reply, which "
                    "Telegram drops without a word)",
                    method,
                    raw,
                )
            )
            return
        self._log.add_call(ApiCall(method, raw, True, result, webhook_reply=True))

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _stop_delivering(self) -> None:
        # The loop sees ``active`` turn false on the notification and ends by itself.
        if self._loop_task is not None:
            self._updates.changes.notify()
            await self._loop_task
            self._loop_task = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._in_flight.clear()
        self._not_before.clear()
        self._failures.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
