"""The HTTP face of the emulator and its public entry point, :class:`BotAPIEmulator`.

It speaks the Bot API wire protocol (``/bot<token>/<method>`` and
``/file/bot<token>/<path>``) on 127.0.0.1 so the *real* aiogram client, session and
serialisation are exercised, and exposes the simulated people and the records to the test.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from ssl import SSLContext
from typing import Any

from aiohttp import web

from emulator.chats import JSON
from emulator.dispatch import canonical_name, execute
from emulator.errors import (
    TelegramError,
    UnsupportedMethod,
    ViolationsFound,
    forbidden,
    not_found,
    too_many_requests,
    unauthorized,
)
from emulator.faults import Fault, FaultKind
from emulator.handlers.bot import scope_key
from emulator.limits import RateLimits
from emulator.payments import Charge, Refund
from emulator.people import SimulatedUser, recent_activity
from emulator.records import ApiCall, Violation, ViolationKind
from emulator.state import EmulatorConfig, EmulatorState
from emulator.updates import Update
from emulator.validation import Upload
from emulator.webhook import WebhookAttempt

_API_PATH = re.compile(r"^/bot([^/]+)/([^/]*)$")
_FILE_PATH = re.compile(r"^/file/bot([^/]+)/(.+)$")
MAX_REQUEST_BYTES = 60 * 1024 * 1024


def _loggable(raw: dict[str, Any]) -> dict[str, Any]:
    """Request parameters made readable: JSON strings decoded, uploads summarised."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, Upload):
            out[key] = f"<upload {value.filename or key} ({len(value.content)} bytes)>"
        elif isinstance(value, str) and value[:1] in "[{":
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        else:
            out[key] = value
    return out


class BotAPIEmulator:
    """A strict in-process Telegram Bot API server with simulated people.

    Usage::

        emu = BotAPIEmulator(token="42:TEST")
        await emu.start()
        bot = Bot(emu.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
        alice = emu.user(first_name="Alice")
        ...
        await emu.stop()
    """

    def __init__(
        self,
        token: str = "42:TEST",
        *,
        strict: bool = True,
        rate_limits: RateLimits | None = None,
        callback_timeout: float = 10.0,
        inline_timeout: float = 10.0,
        pre_checkout_timeout: float = 10.0,
        bot_username: str = "bidgram_test_bot",
        bot_first_name: str = "Bidgram",
        supports_inline_queries: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_timeout: float = 60.0,
        webhook_retry_delay: float = 0.2,
        webhook_max_retry_delay: float = 5.0,
        first_update_id: int = 1,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """``clock``: Unix time for message dates (the wall clock by default; the sandbox
        passes the bot's movable clock, so dates move with it)."""
        self.config = EmulatorConfig(
            token=token,
            strict=strict,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            supports_inline_queries=supports_inline_queries,
            callback_timeout=callback_timeout,
            inline_timeout=inline_timeout,
            pre_checkout_timeout=pre_checkout_timeout,
            rate_limits=rate_limits or RateLimits.telegram(),
            webhook_timeout=webhook_timeout,
            webhook_retry_delay=webhook_retry_delay,
            webhook_max_retry_delay=webhook_max_retry_delay,
            first_update_id=first_update_id,
        )
        self.state = EmulatorState(self.config, clock)
        self.state.webhook.executor = functools.partial(execute, self.state)
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._users: list[SimulatedUser] = []

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and serve (port 0 picks a free port; see :attr:`base_url`)."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        sockets = [s for s in (runner.addresses or [])]
        self._port = int(sockets[0][1])
        self._runner = runner

    async def stop(self) -> None:
        """Release long polls, cancel query deadlines and close the server."""
        self.state.updates.close()
        self.state.queries.close()
        await self.state.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, for ``TelegramAPIServer.from_base``."""
        if self._runner is None:
            raise RuntimeError("start() the emulator first")
        return f"http://{self._host}:{self._port}"

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def bot_id(self) -> int:
        return self.config.bot_id

    # -- people -----------------------------------------------------------------------------

    def user(
        self,
        first_name: str = "Alice",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        is_premium: bool = False,
        user_id: int | None = None,
        started: bool = False,
    ) -> SimulatedUser:
        """A new person with a private chat with the bot.

        ``started=False`` (the default) mirrors Telegram: the bot cannot message a person
        until they have written to it (``Forbidden: bot can't initiate conversation``).
        """
        profile = self.state.add_user(
            {
                "first_name": first_name,
                "last_name": last_name,
                "username": username,
                "language_code": language_code,
                "is_premium": is_premium,
                "started_bot": started,
            },
            user_id,
        )
        person = SimulatedUser(self.state, profile)
        self._users.append(person)
        return person

    @property
    def users(self) -> list[SimulatedUser]:
        return list(self._users)

    # -- records ----------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Every call the bot made, in order (getUpdates included)."""
        return list(self.state.log.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls to one method (name matched case-insensitively)."""
        wanted = method.lower()
        return [call for call in self.state.log.calls if call.method.lower() == wanted]

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        since: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
    ) -> ApiCall:
        """The first call to ``method`` (at index >= ``since`` in :attr:`calls`) matching."""
        wanted = method.lower()

        def check() -> ApiCall | None:
            for call in self.state.log.calls[since:]:
                if call.method.lower() == wanted and (predicate is None or predicate(call)):
                    return call
            return None

        found = await self.state.log.changes.wait_for(check, timeout)
        if found is None:
            raise TimeoutError(
                f"the bot made no matching {method} call within {timeout:g}s\n"
                + recent_activity(self.state)
            )
        return found

    async def wait_until_polling(self, *, after: int | None = None, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
        """Wait until the bot has issued a getUpdates call (beyond the first ``after`` ones)."""
        updates = self.state.updates
        if not await updates.wait_for_poll(
            updates.polls_started if after is None else after, timeout
        ):
            raise TimeoutError(
                f"the bot did not call getUpdates within {timeout:g}s\n"
                + recent_activity(self.state)
            )

    @property
    def violations(self) -> list[Violation]:
        return list(self.state.log.violations)

    def clear_violations(self) -> None:
        self.state.log.violations.clear()

    def assert_clean(self, *, ignore: Iterable[str | ViolationKind] = ()) -> None:
        """Raise :class:`ViolationsFound` listing every violation not of an ignored kind."""
        report = self.state.log.report(frozenset(str(kind) for kind in ignore))
        if report:
            raise ViolationsFound(report)

    @property
    def charges(self) -> list[Charge]:
        return list(self.state.payments.charges.values())

    @property
    def refunds(self) -> list[Refund]:
        return list(self.state.payments.refunds)

    @property
    def inline_answers(self) -> list[JSON]:
        return list(self.state.inline_answers)

    def my_commands(self, *, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands the bot registered for a scope (default scope if omitted)."""
        key = scope_key(scope, language_code)
        return list(self.state.commands.get(key, []))

    def my_description(self, *, short: bool = False, language_code: str = "") -> str:
        """What the bot set with setMyDescription (or setMyShortDescription); "" if none."""
        field = "short_description" if short else "description"
        return self.state.bot_texts.get((field, language_code), "")

    def set_rate_limits(self, limits: RateLimits) -> None:
        """Change flood-limit thresholds at run time (e.g. strict for one test step)."""
        self.state.set_rate_limits(limits)

    def redeliver(self, update: Update) -> Update:
        """Queue an already delivered update's payload again under a new update_id."""
        return self.state.updates.redeliver(update)

    # -- webhook ------------------------------------------------------------------------------

    @property
    def webhook(self) -> JSON:
        """What getWebhookInfo would answer (``url`` is empty when polling)."""
        return self.state.webhook.info()

    @property
    def webhook_secret(self) -> str | None:
        return self.state.webhook.secret_token

    @property
    def webhook_attempts(self) -> list[WebhookAttempt]:
        """Every webhook delivery attempt, in the order they finished."""
        return list(self.state.webhook.attempts)

    def route_webhook(self, *backends: str, ssl: SSLContext | None = None) -> None:
        """Stand in for a load balancer in front of the webhook URL the bot registers:
        deliveries go to these base URLs (``http://127.0.0.1:8081``), with the registered
        URL's path and query, each person's updates to one backend after the other.
        ``https://`` backends are verified against ``ssl`` (e.g. trusting a test's own
        certificate), else against the system's trusted authorities."""
        self.state.webhook.route(list(backends), ssl)

    async def wait_for_webhook(self, *, timeout: float = 5.0) -> str:  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
        """Wait until the bot has set a webhook; return its URL."""
        webhook = self.state.webhook
        url = await self.state.updates.changes.wait_for(lambda: webhook.url or None, timeout)
        if url is None:
            raise TimeoutError(
                f"the bot did not call setWebhook within {timeout:g}s\n"
                + recent_activity(self.state)
            )
        return url

    async def wait_for_deliveries(self, count: int, *, timeout: float = 5.0) -> list[Update]:  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
        """Wait until the bot confirmed at least ``count`` updates (see :meth:`delivered`)."""
        updates = self.state.updates
        done = await updates.changes.wait_for(
            lambda: list(updates.delivered) if len(updates.delivered) >= count else None, timeout
        )
        if done is None:
            raise TimeoutError(
                f"the bot confirmed {len(updates.delivered)} of {count} updates within "
                f"{timeout:g}s\n" + recent_activity(self.state)
            )
        return done

    async def wait_for_attempts(self, count: int, *, timeout: float = 5.0) -> list[WebhookAttempt]:  # noqa: ASYNC109 - a deadline for the bot, not a cancel scope
        """Wait until at least ``count`` webhook deliveries were attempted (any outcome)."""
        webhook = self.state.webhook
        done = await self.state.updates.changes.wait_for(
            lambda: list(webhook.attempts) if len(webhook.attempts) >= count else None, timeout
        )
        if done is None:
            raise TimeoutError(f"only {len(webhook.attempts)} of {count} webhook deliveries")
        return done

    async def deliver_again(self, update: Update, *, times: int = 1) -> list[WebhookAttempt]:
        """Deliver an update to the webhook once more (same update_id), ``times`` copies at
        once, as Telegram does when a delivery's 200 never arrived."""
        return await self.state.webhook.deliver_again(update, times)

    @property
    def updates(self) -> list[Update]:
        """Every update people caused, delivered or not, oldest first."""
        return list(self.state.updates.created)

    def delivered(self, predicate: Callable[[Update], bool] | None = None) -> list[Update]:
        """Updates the bot confirmed (polled past or answered with a 200), oldest first."""
        return [u for u in self.state.updates.delivered if predicate is None or predicate(u)]

    # -- HTTP -------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if "Origin" in request.headers:
            # Bots call the Bot API; browsers send Origin. On a developer's machine (the
            # sandbox) this keeps any web page from posting to the bot's API as the bot.
            return web.Response(status=403, text="Forbidden: not for browsers")
        if (match := _API_PATH.match(request.path)) is not None:
            return await self._api_call(request, match.group(1), match.group(2))
        if (match := _FILE_PATH.match(request.path)) is not None:
            return self._download(match.group(1), match.group(2))
        return self._error_response(not_found())

    @staticmethod
    def _error_response(error: TelegramError) -> web.Response:
        return web.json_response(error.to_response(), status=error.error_code)

    async def _api_call(self, request: web.Request, token: str, method: str) -> web.Response:
        name = canonical_name(method) or method
        raw: dict[str, Any] = {}
        fault: Fault | None = None
        try:
            if token != self.config.token:
                raise unauthorized()
            if not method:
                raise not_found()
            raw = await self._read_params(request)
            fault = self.state.faults.take(name, raw)
            if fault is not None and fault.kind is not FaultKind.LOST_REPLY:
                return self._inject(request, name, raw, fault)
            result = await execute(self.state, method, raw)
        except TelegramError as error:
            self._record_failure(request, name, raw, error)
            return self._error_response(error)
        self.state.log.add_call(ApiCall(name, _loggable(raw), True, result))
        if fault is not None:  # done, and the answer never reaches the bot
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        return web.json_response({"ok": True, "result": result})

    def _inject(
        self, request: web.Request, method: str, raw: dict[str, Any], fault: Fault
    ) -> web.Response:
        """Answer with an injected failure (recorded as a call, never as a violation)."""
        if fault.kind is FaultKind.DISCONNECT:
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        error = {
            FaultKind.SERVER_ERROR: TelegramError(500, "Internal Server Error"),
            FaultKind.BAD_GATEWAY: TelegramError(502, "Bad Gateway"),
            FaultKind.RETRY_AFTER: too_many_requests(fault.retry_after),
            FaultKind.FORBIDDEN: forbidden("bot was blocked by the user"),
        }[fault.kind]
        if fault.kind is FaultKind.RETRY_AFTER and "chat_id" in raw:
            chat = raw["chat_id"]
            self.state.limiter.hold(
                int(chat) if str(chat).lstrip("-").isdigit() else chat, fault.retry_after
            )
        params = _loggable(raw)
        self.state.log.add_call(
            ApiCall(method, params, False, None, error.error_code, error.description)
        )
        return self._error_response(error)

    def inject_fault(
        self,
        kind: FaultKind | str,
        *,
        method: str | None = "sendMessage",
        chat_id: int | str | None = None,
        times: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` matching calls fail (see :mod:`emulator.faults`)."""
        name = method.lower() if method else None
        self.state.faults.add(Fault(FaultKind(kind), name, chat_id, times, retry_after))

    def _record_failure(
        self, request: web.Request, method: str, raw: dict[str, Any], error: TelegramError
    ) -> None:
        params = _loggable(raw)
        log = self.state.log
        log.add_call(ApiCall(method, params, False, None, error.error_code, error.description))
        kind: ViolationKind | None = {
            403: ViolationKind.FORBIDDEN,
            409: ViolationKind.POLLING_CONFLICT,
            429: None,
        }.get(error.error_code, ViolationKind.REJECTED_CALL)
        if error.error_code == 409 and (
            request.transport is None or request.transport.is_closing()
        ):
            kind = None  # the superseded poll's client already went away: a clean restart
        if isinstance(error, UnsupportedMethod):
            kind = None  # recorded as UNSUPPORTED_METHOD by the dispatcher
        if kind is not None:
            log.add_violation(
                Violation(kind, f"{error.error_code} {error.description}", method, params)
            )

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.text())
            except ValueError:
                raise TelegramError(400, "Bad Request: can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise TelegramError(400, "Bad Request: JSON request body must be an object")
            params.update(body)
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = Upload(value.file.read(), value.filename, value.content_type)
                else:
                    params[key] = value
        return params

    def _download(self, token: str, path: str) -> web.Response:
        if token != self.config.token:
            return self._error_response(unauthorized())
        stored = self.state.files.by_path(path)
        if stored is None:
            return self._error_response(not_found())
        # A download, never a page: nothing uploaded runs on the emulator's origin.
        return web.Response(
            body=stored.content,
            content_type="application/octet-stream",
            headers={
                "Content-Disposition": "attachment",
                "X-Content-Type-Options": "nosniff",
            },
        )
