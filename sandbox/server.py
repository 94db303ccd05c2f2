"""The sandbox's web side: the page, its assets, a small JSON API and a live event stream.

Everything is served from this process on 127.0.0.1 (no CDN, no build step). The page
acts through the API as the person whose chat it is, exactly as ``SimulatedUser`` does in
the end-to-end tests, and learns what happened from server-sent events (``/api/events``).

Any web site the person visits can send requests to 127.0.0.1 too, so only the sandbox's
own page is served: a request must name the sandbox's loopback address as its ``Host``
(a site whose name was re-pointed to 127.0.0.1 names its own), come from the sandbox's
origin when it says where it comes from, and change things only with a JSON body, which
no other site can send without the browser asking the sandbox first (a file alone is
posted as multipart/form-data, to the one route that takes it).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from emulator import ChatMessage, EmulatorError, PaymentDeclined, SimulatedUser
from emulator.files import StoredFile
from sandbox.views import JSON, PICTURES, inline_result_json, message_json
from sandbox.world import Sandbox

STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
MAX_UPLOAD = 20 * 1024 * 1024
KEEPALIVE = 15.0
STATIC = Path(str(resources.files("sandbox") / "static"))
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UPLOAD = "upload"  # the route of sending a file, which the page posts as multipart/form-data
#: How each picture a thumbnail may show begins; anything else is never shown in the page.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SANDBOX: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)


def _refuse(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _own_hosts(request: web.Request) -> frozenset[str]:
    """What ``Host`` may say: the loopback address this connection reached, or
    ``localhost``, with the port; nothing when the sandbox was reached another way."""
    transport = request.transport
    local = transport.get_extra_info("sockname") if transport is not None else None
    if not local:
        return frozenset()
    address, port = ipaddress.ip_address(local[0]), int(local[1])
    if not address.is_loopback:
        return frozenset()
    names = (f"[{address}]" if address.version == 6 else str(address), "localhost")
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts.update(names)
    return frozenset(hosts)


def _forbid(reason: str) -> web.Response:
    return web.Response(status=403, text=f"Forbidden: {reason}")


@web.middleware
async def _own_page_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Serve the sandbox's page and nobody else (see the module's docstring)."""
    host = request.headers.get("Host", "").lower()
    if host not in _own_hosts(request):
        return _forbid("the sandbox answers only at its own address on 127.0.0.1.")
    origin = request.headers.get("Origin")
    if origin is not None and origin.lower() != f"http://{host}":
        return _forbid("requests from other web sites are refused.")
    if request.method not in SAFE_METHODS:
        wanted = (
            "multipart/form-data" if request.match_info.route.name == UPLOAD else "application/json"
        )
        if request.content_type != wanted:
            return web.Response(status=415, text=f"Unsupported Media Type: send {wanted}.")
    return await handler(request)


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bad input gets a status and a sentence; the page shows it, the log pane records it."""
    sandbox = request.app[SANDBOX]
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except PaymentDeclined as error:
        return _refuse(409, f"The bot declined the payment: {error}")
    except EmulatorError as error:
        sandbox.feed.publish("log", {"level": "error", "source": "sandbox", "text": str(error)})
        return _refuse(409, str(error))
    except LookupError as error:
        return _refuse(404, str(error.args[0] if error.args else error))
    except ValueError as error:
        return _refuse(400, str(error))


async def _body(request: web.Request) -> JSON:
    try:
        body = await request.json()
    except ValueError:
        raise ValueError("The request body must be JSON.") from None
    if not isinstance(body, dict):
        raise ValueError("The request body must be a JSON object.")
    return body


def _int(body: JSON, key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be a whole number.")
    return value


def _person_id(request: web.Request) -> int:
    try:
        return int(request.match_info["person"])
    except ValueError:
        raise LookupError("People are numbered.") from None


def _other(body: JSON, key: str) -> int | None:
    """The other person of a chat between two people; None for the chat with the bot."""
    return _int(body, key) if body.get(key) is not None else None


def _person(request: web.Request) -> SimulatedUser:
    return request.app[SANDBOX].person(_person_id(request))


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def state(request: web.Request) -> web.Response:
    return web.json_response(request.app[SANDBOX].snapshot())


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the current state first, then every change as it happens."""
    sandbox = request.app[SANDBOX]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    # Subscribing and taking the snapshot with no await between them loses nothing.
    queue = sandbox.feed.subscribe()
    first: tuple[str, JSON] = ("state", sandbox.snapshot())
    try:
        await _send(response, *first)
        while True:
            try:
                async with asyncio.timeout(KEEPALIVE):  # wait_for could swallow a cancellation
                    kind, data = await queue.get()
            except TimeoutError:
                await response.write(b": keepalive\n\n")
                continue
            if kind == "bye":
                break
            await _send(response, kind, data)
    except (ConnectionResetError, RuntimeError):
        pass  # the page went away
    finally:
        sandbox.feed.unsubscribe(queue)
    return response


async def _send(response: web.StreamResponse, kind: str, data: JSON) -> None:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    await response.write(f"event: {kind}\ndata: {payload}\n\n".encode())


async def add_person(request: web.Request) -> web.Response:
    body = await _body(request)
    name, language = str(body.get("name") or ""), str(body.get("language") or "en")
    return web.json_response(request.app[SANDBOX].add_person(name, language))


async def send_text(request: web.Request) -> web.Response:
    body = await _body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Type something to send.")
    sandbox, person = request.app[SANDBOX], _person(request)
    to = _other(body, "to")
    if to is not None:  # to someone else: the bot never hears of it
        sandbox.chat_of(person, to)
        sent = await person.say_to(sandbox.person(to), text)
    else:
        sent = await person.send_text(text, reply_to=_other(body, "reply_to"))
    return web.json_response(message_json(sent))


async def click(request: web.Request) -> web.Response:
    body = await _body(request)
    data = body.get("callback_data")
    if not isinstance(data, str) or not data:
        raise ValueError("callback_data is missing.")
    person, other = _person(request), _other(body, "with")
    message: ChatMessage | int = _int(body, "message_id")
    if other is not None:  # in a chat with someone else
        found = request.app[SANDBOX].chat_of(person, other).get(_int(body, "message_id"))
        if found is None:
            raise LookupError("That message is not in the chat anymore.")
        message = found
    answer = await person.click(message, callback_data=data)
    return web.json_response(
        {"text": answer.text, "show_alert": answer.show_alert, "url": answer.url}
    )


async def send_file(request: web.Request) -> web.Response:
    person = request.app[SANDBOX].person(_person_id(request))
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise ValueError("Choose a file to send.")
    content = upload.file.read()
    caption = form.get("caption")
    mime = upload.content_type or None
    if mime in ("image/png", "image/jpeg"):
        sent = await person.send_photo(content, caption=str(caption) if caption else None)
    else:
        sent = await person.send_document(
            upload.filename or "file",
            content,
            mime_type=mime,
            caption=str(caption) if caption else None,
        )
    return web.json_response(message_json(sent))


async def pay(request: web.Request) -> web.Response:
    body = await _body(request)
    person = request.app[SANDBOX].person(_person_id(request))
    charge = await person.pay(_int(body, "message_id"))
    return web.json_response(
        {"charge_id": charge.telegram_payment_charge_id, "total_amount": charge.total_amount}
    )


async def inline(request: web.Request) -> web.Response:
    body = await _body(request)
    query = body.get("query")
    if not isinstance(query, str):
        raise ValueError("query must be text.")
    offset = body.get("offset")
    answer = await request.app[SANDBOX].inline_query(
        _person(request), query, offset if isinstance(offset, str) else ""
    )
    return web.json_response(
        {
            "results": [inline_result_json(result) for result in answer.results],
            "next_offset": answer.next_offset,
        }
    )


async def choose(request: web.Request) -> web.Response:
    """Send one of the last inline results to the chat the query was typed in."""
    body = await _body(request)
    result_id = body.get("result_id")
    if not isinstance(result_id, str) or not result_id:
        raise ValueError("result_id is missing.")
    sandbox = request.app[SANDBOX]
    to = _other(body, "to")
    sent = await sandbox.choose_inline_result(
        _person(request), result_id, sandbox.person(to) if to is not None else None
    )
    return web.json_response(sent)


async def download(request: web.Request) -> web.Response:
    """A file someone sent or the bot sent, as the chat's download link.

    Anyone may send anything, and this is the page's own origin: an HTML or SVG file shown
    here could run a script that drives the API. So every file is a download, never sniffed,
    and only a picture keeps its type.
    """
    stored = _stored(request)
    mime = stored.mime_type if stored.mime_type in PICTURES else "application/octet-stream"
    return _serve(stored, mime, "attachment", {"Content-Security-Policy": "sandbox"})


def _stored(request: web.Request) -> StoredFile:
    stored = request.app[SANDBOX].world.emu.state.files.get(request.match_info["file_id"])
    if stored is None:
        raise LookupError("No such file.")
    return stored


def _serve(
    stored: StoredFile, mime: str, disposition: str, headers: dict[str, str]
) -> web.Response:
    """A stored file with its name, as the type given and never sniffed."""
    return web.Response(
        body=stored.content,
        content_type=mime,
        headers={
            "Content-Disposition": f'{disposition}; filename="{_safe_name(stored.file_name)}"',
            "X-Content-Type-Options": "nosniff",
            **headers,
        },
    )


async def thumbnail(request: web.Request) -> web.Response:
    """A picture someone or the bot sent, to show in the chat.

    Only what really is a PNG, JPEG, GIF or WebP picture (its first bytes say so, whatever
    type it was sent with), with that type and never sniffed: nothing that could run a
    script (HTML, SVG) is ever shown on the page's origin.
    """
    stored = _stored(request)
    mime = picture_type(stored.content)
    if mime is None:
        return web.Response(status=415, text="Unsupported Media Type: not a picture.")
    policy = {
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, max-age=3600",
    }
    return _serve(stored, mime, "inline", policy)


def picture_type(content: bytes) -> str | None:
    """The picture type the bytes begin with, if one of the safe four."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in SIGNATURES if content.startswith(magic)), None)


def _safe_name(name: str | None) -> str:
    return "".join(c for c in (name or "file") if c.isalnum() or c in "._- ")[:100] or "file"


async def clock(request: web.Request) -> web.Response:
    body = await _body(request)
    step = body.get("step")
    if step not in STEPS:
        raise ValueError(f"step must be one of: {', '.join(STEPS)}.")
    sandbox = request.app[SANDBOX]
    report = await sandbox.advance(STEPS[str(step)])
    return web.json_response(
        {
            **sandbox.clock_json(),
            "projects_closed": report.projects_closed,
            "bidding_ended": report.bidding_ended,
            "awards_lapsed": report.awards_lapsed,
            "milestones_auto_released": report.milestones_auto_released,
            "disputes_defaulted": report.disputes_defaulted,
            "disputes_escalated": report.disputes_escalated,
            "reminders": report.due_reminders + report.auto_release_reminders,
        }
    )


async def reset(request: web.Request) -> web.Response:
    return web.json_response(await request.app[SANDBOX].reset())


def make_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(middlewares=[_own_page_only, _errors], client_max_size=MAX_UPLOAD)
    app[SANDBOX] = sandbox
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, append_version=False)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/people", add_person)
    app.router.add_post("/api/people/{person}/text", send_text)
    app.router.add_post("/api/people/{person}/click", click)
    app.router.add_post("/api/people/{person}/file", send_file, name=UPLOAD)
    app.router.add_post("/api/people/{person}/pay", pay)
    app.router.add_post("/api/people/{person}/inline", inline)
    app.router.add_post("/api/people/{person}/inline/choose", choose)
    app.router.add_get("/api/files/{file_id}", download)
    app.router.add_get("/api/thumbnails/{file_id}", thumbnail)
    app.router.add_post("/api/clock", clock)
    app.router.add_post("/api/reset", reset)
    return app


class PortBusy(Exception):
    """Someone (another sandbox?) already listens on the port."""


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Bind first, so a busy port is found before anything else starts."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        raise PortBusy(str(error)) from None
    return runner


def bound_port(runner: web.AppRunner) -> int:
    addresses: list[Any] = list(runner.addresses or [])
    return int(addresses[0][1])


@contextlib.asynccontextmanager
async def running(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """The page server and the sandbox behind it, for the command and for tests."""
    runner = await serve(make_app(sandbox), host, port)
    try:
        await sandbox.start()
        try:
            yield f"http://{host}:{bound_port(runner)}"
        finally:
            await sandbox.stop()
    finally:
        sandbox.feed.close()
        await runner.cleanup()
