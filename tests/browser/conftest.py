"""Browser tests: `bidgram sandbox` as a process, driven by Debian's Chromium via Playwright.

Playwright's own browser download does not work on these machines, so the tests launch
the system Chromium (``/usr/bin/chromium``, or ``CHROMIUM``). Without it they fail and
say how to get it; they never skip. A failing test leaves a screenshot and the page's
log in ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
STARTUP_SECONDS = 120  # importing aiogram alone takes seconds on a busy machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        if found is None:
            pytest.fail(
                f"Chromium is not installed at {CHROMIUM}: the browser tests need it. Install "
                "it with `apt-get install -y chromium` (or `make browser`), or point CHROMIUM "
                "at a Chromium binary.",
                pytrace=False,
            )
        return found
    return CHROMIUM


@contextlib.contextmanager
def _sandbox(workdir: Path, *options: str) -> Iterator[str]:
    """`bidgram sandbox` on a free port with its own SQLite file, as a user starts it."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'sandbox.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "sandbox", "--port", str(_free_port()), *options],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    found: list[str] = []
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            match = re.search(r"open (http://127\.0\.0\.1:\d+)", line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        ready.wait(STARTUP_SECONDS)
        if not found:
            pytest.fail("`bidgram sandbox` did not start:\n" + "".join(output), pytrace=False)
        yield found[0]
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        ARTIFACTS.mkdir(exist_ok=True)
        name = "-".join(["sandbox", *(o.strip("-") for o in options)])
        (ARTIFACTS / f"{name}.output.txt").write_text("".join(output))


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _sandbox(tmp_path_factory.mktemp("sandbox")) as url:
        yield url


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo_url(demo_dir: Path) -> Iterator[str]:
    """A sandbox with the demo's story, test money (see sandbox/demo.py): a delivery
    waits for Erin, a dispute, a payout and a report for Ada, a project takes bids."""
    with _sandbox(demo_dir, "--demo") as url:
        yield url


@pytest.fixture(scope="module")
def stars_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stars")


@pytest.fixture(scope="module")
def stars_demo_url(stars_demo_dir: Path) -> Iterator[str]:
    """The same story, its milestones paid by invoice (Telegram Stars)."""
    with _sandbox(stars_demo_dir, "--demo", "--gateway", "stars") as url:
        yield url


def _read_only(workdir: Path) -> contextlib.closing[sqlite3.Connection]:
    """A sandbox's database, read-only: what its chats must agree with."""
    return contextlib.closing(sqlite3.connect(f"file:{workdir / 'sandbox.db'}?mode=ro", uri=True))


@pytest.fixture
def demo_db(demo_dir: Path, demo_url: str) -> Iterator[sqlite3.Connection]:
    with _read_only(demo_dir) as db:
        yield db


@pytest.fixture
def stars_demo_db(stars_demo_dir: Path, stars_demo_url: str) -> Iterator[sqlite3.Connection]:
    with _read_only(stars_demo_dir) as db:
        yield db


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1600, "height": 1000}


@contextlib.contextmanager
def _page(
    chromium: str, url: str, request: pytest.FixtureRequest, viewport: dict[str, int] = DESKTOP
) -> Iterator[object]:
    """A fresh page on a sandbox that was just reset; a screenshot when the test fails.

    Playwright's sync API runs an event loop in this thread while it is open, so it is
    opened per test: the asyncio tests that follow need the thread to themselves.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        try:
            yield from _opened(browser, url, request, viewport)
        finally:
            browser.close()


def _opened(
    browser: Any, url: str, request: pytest.FixtureRequest, viewport: dict[str, int]
) -> Iterator[object]:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=viewport, has_touch=viewport == PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    reset = page.request.post(url + "/api/reset", data={})  # JSON, as the page sends it
    assert reset.ok, f"reset failed: {reset.status} {reset.text()}"
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    try:
        yield page
    finally:
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.log.txt").write_text(page.locator("#log").inner_text())
        context.close()


@pytest.fixture
def page(chromium: str, sandbox_url: str, request: pytest.FixtureRequest) -> Iterator[object]:
    with _page(chromium, sandbox_url, request) as opened:
        yield opened


@pytest.fixture
def test_money_demo_page(
    chromium: str, demo_url: str, request: pytest.FixtureRequest
) -> Iterator[object]:
    with _page(chromium, demo_url, request) as opened:
        yield opened


@pytest.fixture
def phone_demo_page(
    chromium: str, demo_url: str, request: pytest.FixtureRequest
) -> Iterator[object]:
    with _page(chromium, demo_url, request, PHONE) as opened:
        yield opened


def screenshot(page: Any, name: str) -> Path:
    """A picture of the page in ``test-artifacts/``, kept whether the test passes or not."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@pytest.fixture
def demo_page(
    chromium: str, stars_demo_url: str, request: pytest.FixtureRequest
) -> Iterator[object]:
    with _page(chromium, stars_demo_url, request) as opened:
        yield opened
