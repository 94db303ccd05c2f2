"""The sandbox server: its API, its event stream, the clock control, Reset and a busy port.

Each test starts the whole sandbox (emulator, the real bot polling it, a fresh SQLite
file, the page server on a free port) and talks to it over HTTP as the page does.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.app import DESCRIPTION, SHORT_DESCRIPTION
from core.marketplace import Marketplace
from core.settings import Settings
from sandbox.demo import seed
from sandbox.server import running
from sandbox.world import ADMIN_ID, TOKEN, Feed, NotASandboxDatabase, Sandbox
from storage.db import Database
from storage.migrate import migrate
from storage.models import User

JSON = dict[str, Any]
MENU = "What would you like to do?"


@dataclass
class Page:
    """What the page has: the sandbox's address, an HTTP session and the live stream."""

    url: str
    http: aiohttp.ClientSession
    sandbox: Sandbox
    stream: aiohttp.ClientResponse

    async def post(self, path: str, body: JSON | None = None, status: int = 200) -> JSON:
        async with self.http.post(self.url + path, json=body or {}) as response:
            data: JSON = await response.json()
            assert response.status == status, data
            return data

    def person(self, name: str) -> int:
        return next(p.id for p in self.sandbox.people() if p.first_name == name)

    async def start(self, name: str) -> int:
        """Someone presses START and gets the menu; their id."""
        person = self.person(name)
        await self.post(f"/api/people/{person}/text", {"text": "/start"})
        await self.bot_says(name, MENU)
        return person

    async def next_event(
        self, kind: str, matches: Callable[[JSON], bool] = lambda data: True
    ) -> JSON:
        """The next event of a kind on the stream that matches (others are skipped)."""

        async def read() -> JSON:
            event = ""
            while True:
                line = (await self.stream.content.readline()).decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event == kind:
                    data: JSON = json.loads(line[len("data: ") :])
                    if matches(data):
                        return data

        return await asyncio.wait_for(read(), 10)

    async def bot_says(self, name: str, text: str) -> JSON:
        """The next message from the bot in someone's chat containing ``text``."""
        person = self.person(name)
        change = await self.next_event(
            "chat",
            lambda d: (
                d["person"] == person
                and d["kind"] != "deleted"
                and d["message"]["from_bot"]
                and text in d["message"]["html"]
            ),
        )
        message: JSON = change["message"]
        return message


def _button(message: JSON, label: str) -> str:
    for row in message["buttons"]:
        for button in row:
            if label in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {message['buttons']}")


async def _open(sandbox: Sandbox) -> AsyncIterator[Page]:
    async with (
        running(sandbox) as url,
        aiohttp.ClientSession() as http,
        http.get(url + "/api/events") as stream,
    ):
        page = Page(url, http, sandbox, stream)
        await page.next_event("state")
        yield page


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    sandbox = Sandbox(f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}", Feed())
    async for opened in _open(sandbox):
        yield opened


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Page]:
    sandbox = Sandbox(f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}", Feed(), demo=seed)
    async for opened in _open(sandbox):
        yield opened


async def test_the_page_and_its_assets_come_from_the_sandbox_itself(page: Page) -> None:
    async with page.http.get(page.url + "/") as response:
        html = await response.text()
    assert response.status == 200
    assert '<script type="module" src="/static/sandbox.js">' in html
    bodies = {}
    for asset in ("sandbox.js", "sandbox.css"):
        async with page.http.get(f"{page.url}/static/{asset}") as response:
            assert response.status == 200
            bodies[asset] = await response.text()
    # Nothing fetched from elsewhere: the one address in the script is where t.me links a
    # message names (not the bot's, not the people's) open, in a new tab.
    assert "://" not in html and "://" not in bodies["sandbox.css"]
    assert bodies["sandbox.js"].count("://") == 1
    assert 'const TELEGRAM_WEB = "https://t.me/";' in bodies["sandbox.js"]


async def test_the_cast_opens_with_the_command_menu_and_the_admin_sees_more(page: Page) -> None:
    state = await page.post("/api/reset")
    roles = {p["name"]: p["role"] for p in state["people"]}
    assert roles == {
        "Erin": "employer",
        "Frank": "freelancer",
        "Fiona": "freelancer",
        "Ada": "admin",
    }
    menus = {p["name"]: [c["command"] for c in p["commands"]] for p in state["people"]}
    assert "post" in menus["Erin"]
    admin_only = set(menus["Ada"]) - set(menus["Erin"])
    assert admin_only, menus["Ada"]
    assert next(p["id"] for p in state["people"] if p["name"] == "Ada") == ADMIN_ID


async def test_what_a_person_types_reaches_the_bot_and_the_answer_streams_back(
    page: Page,
) -> None:
    erin = page.person("Erin")
    await page.post(f"/api/people/{erin}/text", {"text": "/start"})
    menu = await page.bot_says("Erin", MENU)
    answer = await page.post(
        f"/api/people/{erin}/click",
        {"message_id": menu["id"], "callback_data": _button(menu, "Post a project")},
    )
    assert answer["show_alert"] is False
    await page.bot_says("Erin", "step 1 of 5")


async def test_the_bot_turns_link_previews_off_without_the_parameter_bot_api_10_1_lacks(
    page: Page,
) -> None:
    await page.start("Erin")
    sent = page.sandbox.world.emu.calls_to("sendMessage")
    assert sent
    for call in sent:
        assert call.params["link_preview_options"] == {"is_disabled": True}
        assert "disable_web_page_preview" not in call.params


async def test_a_person_added_on_the_page_can_talk_to_the_bot(page: Page) -> None:
    added = await page.post("/api/people", {"name": "Gina"})
    assert added["role"] == "person"
    await page.post(f"/api/people/{added['id']}/text", {"text": "/start"})
    await page.bot_says("Gina", MENU)
    refused = await page.post("/api/people", {"name": "  "}, status=400)
    assert "1 to 32" in refused["error"]


async def test_a_person_added_with_a_language_is_spoken_to_in_it(page: Page) -> None:
    olga = await page.post("/api/people", {"name": "Olga", "language": "ru"})
    assert olga["language"] == "ru"
    assert {"command": "language", "description": "Язык"} in olga["commands"]
    assert olga["description"].startswith("bidgram — биржа фриланса")
    await page.post(f"/api/people/{olga['id']}/text", {"text": "/language"})
    await page.bot_says("Olga", "Сейчас bidgram говорит с вами на языке: Русский")
    refused = await page.post("/api/people", {"name": "Kurt", "language": "de"}, status=400)
    assert "en, ru, es" in refused["error"]


async def test_a_name_in_another_script_is_no_username(page: Page) -> None:
    """A Telegram username has Latin letters, digits and _: a person named in Cyrillic (or
    with an accent) has none unless given one, as the demo gives Дмитрий and Lucía."""
    dmitry = await page.post("/api/people", {"name": "Дмитрий", "language": "ru"})
    assert (dmitry["username"], dmitry["language"]) == (None, "ru")
    assert (await page.post("/api/people", {"name": "Gina"}))["username"] == "gina"
    lucia = page.sandbox.add_person("Lucía", "es", role="employer", username="lucia")
    assert (lucia["username"], lucia["role"]) == ("lucia", "employer")
    with pytest.raises(ValueError, match="Latin letters"):
        page.sandbox.add_person("Lucía", "es", username="lucía")


async def test_a_file_sent_on_the_page_reaches_the_bot_and_can_be_downloaded(
    page: Page,
) -> None:
    frank = await page.start("Frank")
    form = aiohttp.FormData()
    form.add_field("file", b"%PDF-1.4 sandbox", filename="cv.pdf", content_type="application/pdf")
    async with page.http.post(f"{page.url}/api/people/{frank}/file", data=form) as response:
        sent = await response.json()
    assert sent["document"]["file_name"] == "cv.pdf"
    async with page.http.get(f"{page.url}/api/files/{sent['document']['file_id']}") as response:
        assert await response.read() == b"%PDF-1.4 sandbox"


async def test_bad_input_gets_a_clear_answer(page: Page) -> None:
    erin = page.person("Erin")
    assert "no person" in (await page.post("/api/people/5/text", {"text": "hi"}, 404))["error"]
    assert (
        "Type something"
        in (await page.post(f"/api/people/{erin}/text", {"text": ""}, 400))["error"]
    )
    assert "step must be" in (await page.post("/api/clock", {"step": "year"}, 400))["error"]
    missing = await page.post(
        f"/api/people/{erin}/click", {"message_id": 99, "callback_data": "x"}, 409
    )
    assert "not in Erin's chat" in missing["error"]
    shown = await page.next_event("log", lambda d: "not in Erin's chat" in d["text"])
    assert shown["level"] == "error"


async def test_a_bot_api_call_the_emulator_rejects_shows_in_the_log(page: Page) -> None:
    emu = page.sandbox.world.emu
    async with page.http.post(
        f"{emu.base_url}/bot{TOKEN}/sendMessage", json={"chat_id": 1, "text": "hello"}
    ) as response:
        assert response.status == 400
    entry = await page.next_event("log", lambda d: d["source"] == "Bot API")
    assert "sendMessage" in entry["text"] and "chat not found" in entry["text"]


async def _raw(
    page: Page, method: str, path: str, **kwargs: Any
) -> tuple[int, str, Mapping[str, str]]:
    """Status, body and headers of a request the page would never make."""
    async with page.http.request(method, page.url + path, **kwargs) as response:
        return response.status, await response.text(), response.headers


# What a form on any web site can post to 127.0.0.1 without the browser asking first.
FORM = {"Origin": "https://evil.example", "Content-Type": "text/plain"}


async def test_a_foreign_origin_cannot_reset_the_sandbox(page: Page) -> None:
    await page.start("Erin")
    status, text, _ = await _raw(page, "POST", "/api/reset", data="{}", headers=FORM)
    assert (status, text) == (403, "Forbidden: requests from other web sites are refused.")
    json_too = {"Origin": "http://localhost.evil.example"}
    status, _, _ = await _raw(page, "POST", "/api/reset", json={}, headers=json_too)
    assert status == 403
    async with page.http.get(page.url + "/api/state") as response:
        state = await response.json()
    assert any(p["messages"] for p in state["people"] if p["name"] == "Erin")
    own = {"Origin": page.url}
    status, _, _ = await _raw(page, "POST", "/api/reset", json={}, headers=own)
    assert status == 200


async def test_a_foreign_origin_cannot_move_the_clock(page: Page) -> None:
    body = json.dumps({"step": "week"})
    status, _, _ = await _raw(page, "POST", "/api/clock", data=body, headers=FORM)
    assert status == 403
    assert page.sandbox.clock_json()["offset_seconds"] == 0


async def test_state_changes_must_be_sent_as_json(page: Page) -> None:
    """Even without an Origin (a browser that hides it), a form's body changes nothing."""
    week = json.dumps({"step": "week"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        headers = {"Content-Type": content_type}
        status, text, _ = await _raw(page, "POST", "/api/clock", data=week, headers=headers)
        assert (status, text) == (415, "Unsupported Media Type: send application/json.")
    status, _, _ = await _raw(page, "POST", "/api/reset")
    assert status == 415
    form = aiohttp.FormData({"step": "week"}, default_to_multipart=True)
    status, _, _ = await _raw(page, "POST", "/api/clock", data=form)
    assert status == 415
    assert page.sandbox.clock_json()["offset_seconds"] == 0
    erin = page.person("Erin")
    status, text, _ = await _raw(page, "POST", f"/api/people/{erin}/file", json={})
    assert (status, text) == (415, "Unsupported Media Type: send multipart/form-data.")


async def test_a_site_whose_name_points_at_127_0_0_1_gets_nothing(page: Page) -> None:
    """DNS rebinding: the browser then sends that site's name as the Host."""
    port = page.url.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{int(port) + 1}"):
        for path in ("/", "/api/state"):
            status, text, _ = await _raw(page, "GET", path, headers={"Host": host})
            assert status == 403, (host, path)
            assert text == "Forbidden: the sandbox answers only at its own address on 127.0.0.1."
        status, _, _ = await _raw(page, "POST", "/api/reset", json={}, headers={"Host": host})
        assert status == 403
    for own in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}"):
        status, _, _ = await _raw(page, "GET", "/api/state", headers={"Host": own})
        assert status == 200, own


async def test_a_sent_web_page_or_svg_is_only_ever_downloaded(page: Page) -> None:
    """Shown on the sandbox's own origin, its script could drive the API."""
    frank = await page.start("Frank")
    script = b"<script>fetch('/api/reset', {method: 'POST'})</script>"
    files = [
        ("page.html", "text/html", b"<!doctype html>" + script),
        ("logo.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg">' + script),
        ("sniff.txt", "text/plain", b"<html>" + script),
        ("logo.gif", "image/gif", b"GIF89a"),
    ]
    served: dict[str, tuple[str, str, str]] = {}
    for name, mime, content in files:
        form = aiohttp.FormData()
        form.add_field("file", content, filename=name, content_type=mime)
        async with page.http.post(f"{page.url}/api/people/{frank}/file", data=form) as response:
            assert response.status == 200
            file_id = (await response.json())["document"]["file_id"]
        status, body, headers = await _raw(page, "GET", f"/api/files/{file_id}")
        assert status == 200 and body.encode() == content
        assert headers["X-Content-Type-Options"] == "nosniff"
        served[name] = (
            headers["Content-Type"].split(";")[0],
            headers["Content-Disposition"],
            headers["Content-Security-Policy"],
        )
    assert served == {
        "page.html": ("application/octet-stream", 'attachment; filename="page.html"', "sandbox"),
        "logo.svg": ("application/octet-stream", 'attachment; filename="logo.svg"', "sandbox"),
        "sniff.txt": ("application/octet-stream", 'attachment; filename="sniff.txt"', "sandbox"),
        "logo.gif": ("image/gif", 'attachment; filename="logo.gif"', "sandbox"),
    }


async def test_reset_starts_over_with_an_empty_database(page: Page) -> None:
    await page.start("Erin")
    state = await page.post("/api/reset")
    assert all(p["messages"] == [] for p in state["people"])
    assert state["clock"]["offset_seconds"] == 0
    async with page.sandbox.world.db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(User)) == 0


async def test_the_clock_ends_the_bidding_and_auto_releases_the_waiting_delivery(
    demo: Page,
) -> None:
    """The demo's open project stops taking bids a week on; the delivery waiting for Erin
    releases itself two weeks on; the dispute with an admin waits for the admin."""
    week = await demo.post("/api/clock", {"step": "week"})
    assert week["bidding_ended"] == 1
    assert week["milestones_auto_released"] == 0
    week = await demo.post("/api/clock", {"step": "week"})
    assert week["milestones_auto_released"] == 1
    assert week["offset_seconds"] == 14 * 86_400
    assert week["disputes_defaulted"] == week["disputes_escalated"] == 0
    await demo.bot_says("Frank", "was released automatically")
    await demo.bot_says("Erin", "released to the freelancer automatically")


async def test_inline_search_finds_the_demo_projects(demo: Page) -> None:
    fiona = demo.person("Fiona")
    found = await demo.post(f"/api/people/{fiona}/inline", {"query": "bakery"})
    assert [r["title"] for r in found["results"]] == ["Telegram bot for my bakery shop"]
    assert "t.me/bidgram_sandbox_bot?start=" in found["results"][0]["buttons"][0][0]["url"]


def _busy_port() -> socket.socket:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder


def test_a_second_sandbox_on_a_busy_port_says_so_and_suggests_another(tmp_path: Path) -> None:
    with _busy_port() as holder:
        port = holder.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"},
        )
    assert done.returncode == 2
    assert f"port {port}" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.db").exists()  # nothing else started


async def test_reply_keyboards_edits_and_deletions_reach_the_page(page: Page) -> None:
    erin = await page.start("Erin")
    api = f"{page.sandbox.world.emu.base_url}/bot{TOKEN}"

    async def bot(method: str, **params: object) -> JSON:
        async with page.http.post(f"{api}/{method}", json=params) as response:
            body: JSON = await response.json()
        assert body["ok"], body
        return body

    keyboard = {"keyboard": [[{"text": "Yes"}, {"text": "No"}]], "one_time_keyboard": True}
    sent = await bot("sendMessage", chat_id=erin, text="Ready?", reply_markup=keyboard)
    change = await page.next_event("chat", lambda d: d.get("message", {}).get("html") == "Ready?")
    assert change["reply_keyboard"] == {
        "rows": [["Yes", "No"]],
        "placeholder": "",
        "one_time": True,
    }

    message_id = sent["result"]["message_id"]
    await bot(
        "editMessageText",
        chat_id=erin,
        message_id=message_id,
        text="<b>Ready</b> now?",
        parse_mode="HTML",
    )
    edited = await page.next_event("chat", lambda d: d["kind"] == "edited")
    assert edited["message"]["id"] == message_id
    assert edited["message"]["html"] == "<b>Ready</b> now?"
    assert edited["message"]["edited"] is True

    await bot("deleteMessage", chat_id=erin, message_id=message_id)
    deleted = await page.next_event("chat", lambda d: d["kind"] == "deleted")
    assert deleted["id"] == message_id

    await bot("sendMessage", chat_id=erin, text="Done", reply_markup={"remove_keyboard": True})
    removed = await page.next_event("chat", lambda d: d.get("message", {}).get("html") == "Done")
    assert removed["reply_keyboard"] is None


async def test_a_database_with_real_users_is_never_emptied(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'deployment.db'}"
    db = Database(url)
    try:
        await migrate(db.engine)
        async with db.uow() as uow:
            await Marketplace(uow, Settings(database_url=url, _env_file=None)).users.register(
                42, "Somebody"
            )
            await uow.commit()
    finally:
        await db.dispose()
    sandbox = Sandbox(url, Feed())
    with pytest.raises(NotASandboxDatabase, match="holds 1 users"):
        await sandbox.start()
    db = Database(url)
    try:
        async with db.uow() as uow:
            assert await uow.session.scalar(select(func.count()).select_from(User)) == 1
    finally:
        await db.dispose()


async def test_the_page_learns_the_bots_name_and_description_for_the_empty_chat(
    page: Page,
) -> None:
    state = await page.post("/api/reset")
    assert state["bot"]["username"] == "bidgram_sandbox_bot"
    assert state["bot"]["name"] == "Bidgram"
    assert state["bot"]["description"] == DESCRIPTION
    assert state["bot"]["short_description"] == SHORT_DESCRIPTION


async def test_messages_are_dated_by_the_bots_clock(page: Page) -> None:
    await page.post("/api/clock", {"step": "day"})
    erin = page.person("Erin")
    sent = await page.post(f"/api/people/{erin}/text", {"text": "/start"})
    now = page.sandbox.world.clock.now().timestamp()
    assert abs(sent["date"] - now) < 60 and sent["sender"] == erin
    menu = await page.bot_says("Erin", MENU)
    assert abs(menu["date"] - now) < 60


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
SCRIPT = b"<script>fetch('/api/reset', {method: 'POST'})</script>"


async def _send_file(page: Page, person: int, name: str, mime: str, content: bytes) -> JSON:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=name, content_type=mime)
    async with page.http.post(f"{page.url}/api/people/{person}/file", data=form) as response:
        assert response.status == 200
        sent: JSON = await response.json()
    return sent


async def _thumbnail(
    page: Page, file_id: str, headers: Mapping[str, str] | None = None
) -> tuple[int, bytes, Mapping[str, str]]:
    async with page.http.get(f"{page.url}/api/thumbnails/{file_id}", headers=headers) as got:
        return got.status, await got.read(), got.headers


async def test_thumbnails_show_real_pictures_and_never_a_page_or_svg(page: Page) -> None:
    frank = await page.start("Frank")
    photo = await _send_file(page, frank, "me.png", "image/png", PNG)
    assert photo["thumbnail"] == photo["photo"]["file_id"]
    status, body, headers = await _thumbnail(page, photo["thumbnail"])
    assert status == 200 and body == PNG
    assert headers["Content-Type"] == "image/png"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"].startswith("inline")
    pictures = {
        "anim.gif": ("image/gif", b"GIF89a" + bytes(10), "image/gif"),
        "pic.webp": ("image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(8), "image/webp"),
        "photo.jpg": ("application/octet-stream", b"\xff\xd8\xff\xe0" + bytes(8), "image/jpeg"),
    }
    for name, (mime, content, shown) in pictures.items():
        sent = await _send_file(page, frank, name, mime, content)
        status, body, headers = await _thumbnail(page, sent["document"]["file_id"])
        assert (status, body, headers["Content-Type"]) == (200, content, shown), name
    refused = {
        "page.html": ("text/html", b"<!doctype html>" + SCRIPT),
        "logo.svg": ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT),
        "fake.png": ("image/png", b"<html>" + SCRIPT),  # says picture, is not
    }
    for name, (mime, content) in refused.items():
        sent = await _send_file(page, frank, name, mime, content)
        file_id = sent["document"]["file_id"] if "document" in sent else sent["photo"]["file_id"]
        status, body, headers = await _thumbnail(page, file_id)
        assert (status, body) == (415, b"Unsupported Media Type: not a picture."), name
        assert "html" not in headers["Content-Type"] and "svg" not in headers["Content-Type"]
    status, _, _ = await _thumbnail(page, "nope")
    assert status == 404


async def test_thumbnails_are_for_the_sandboxs_own_page_only(page: Page) -> None:
    frank = await page.start("Frank")
    photo = await _send_file(page, frank, "me.png", "image/png", PNG)
    port = page.url.rsplit(":", 1)[1]
    for foreign in ({"Host": f"evil.example:{port}"}, {"Origin": "https://evil.example"}):
        status, body, _ = await _thumbnail(page, photo["thumbnail"], foreign)
        assert status == 403 and body.startswith(b"Forbidden"), foreign
    status, _, _ = await _thumbnail(page, photo["thumbnail"], {"Origin": page.url})
    assert status == 200


async def test_a_card_shared_in_inline_mode_reaches_the_other_person_and_opens_for_them(
    demo: Page,
) -> None:
    fiona, frank = demo.person("Fiona"), demo.person("Frank")
    found = await demo.post(f"/api/people/{fiona}/inline", {"query": "bakery"})
    (result,) = found["results"]
    sent = await demo.post(
        f"/api/people/{fiona}/inline/choose", {"result_id": result["id"], "to": frank}
    )
    shared = await demo.next_event(
        "chat", lambda d: d["person"] == frank and d.get("with") == fiona
    )
    card = shared["message"]
    assert card["id"] == sent["id"] and card["sender"] == fiona
    assert card["via_bot"] == "bidgram_sandbox_bot" and card["inline"] is True
    assert "Telegram bot for my bakery shop" in card["html"]
    link = card["buttons"][0][0]["url"]
    assert link.startswith("https://t.me/bidgram_sandbox_bot?start=p_")
    async with demo.http.get(demo.url + "/api/state") as response:
        state = await response.json()
    chats = next(p["chats"] for p in state["people"] if p["id"] == frank)
    assert [c["with"] for c in chats] == [fiona]
    # Frank follows the link, as the page does: /start with its payload, in his chat.
    await demo.post(f"/api/people/{frank}/text", {"text": f"/start {link.split('=')[1]}"})
    await demo.bot_says("Frank", "Orders, payments and a daily summary")
    # They can write to each other there; the bot never hears of it.
    said = await demo.post(f"/api/people/{frank}/text", {"text": "Looks good!", "to": fiona})
    heard = await demo.next_event("chat", lambda d: d["person"] == fiona and d.get("with") == frank)
    assert heard["message"]["id"] == said["id"] and heard["message"]["sender"] == frank
    refused = await demo.post(
        f"/api/people/{fiona}/inline/choose", {"result_id": "p999", "to": frank}, 409
    )
    assert "no result" in refused["error"]


async def test_a_week_ahead_stops_at_each_reminder_before_the_auto_release(demo: Page) -> None:
    """The demo's delivered milestone releases itself 14 days on; its employer is
    reminded 48 and 24 hours before, each when it is due."""
    start = demo.sandbox.world.clock.now().timestamp()
    first = await demo.post("/api/clock", {"step": "week"})
    second = await demo.post("/api/clock", {"step": "week"})
    assert first["milestones_auto_released"] + second["milestones_auto_released"] == 1
    assert first["reminders"] + second["reminders"] >= 2
    days = 86_400
    two_days = await demo.bot_says("Erin", "in about 2 days")
    one_day = await demo.bot_says("Erin", "in about 24 hours")
    released = await demo.bot_says("Erin", "released to the freelancer automatically")
    assert 12 * days <= two_days["date"] - start < 12 * days + 3600
    assert 13 * days <= one_day["date"] - start < 13 * days + 3600
    assert 14 * days <= released["date"] - start < 14 * days + 3600
