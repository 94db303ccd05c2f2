"""How the dispatcher runs the areas' checks: on the event loop, never in a thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import App
from tests.e2e.test_browse import find, next_version, seed, titles


async def test_no_check_of_an_update_waits_for_a_worker_thread(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiogram runs a filter that is not a coroutine function in a worker thread; every
    check of the areas runs in place (`bot.routers.in_loop`). Commands, buttons, a typed
    step, a reminder, the skill picker and pages all pass through without one."""
    hopped: list[str] = []
    to_thread = asyncio.to_thread

    async def recording(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        hopped.append(repr(fn)[:120])
        return await to_thread(fn, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", recording)
    await seed(app)
    frank = app.person("Frank")
    page = await find(frank)
    await frank.click(page, "🔎 Search words")
    await frank.wait_for_message("Type the words")
    await frank.send_sticker()
    await frank.wait_for_message("Please type the words")
    await frank.send_text("bakery LOGO")
    words = await frank.wait_for_message("words “bakery LOGO”")
    await frank.click(words, "✖ Clear filters")
    cleared = await next_version(frank, words)
    await frank.click(cleared, "🏷 Skill")
    picker = await next_version(frank, words)
    await frank.click(picker, "Next ›")
    development = await next_version(frank, words)
    await frank.click(development, "Python")
    python = await next_version(frank, words)
    await frank.click(python, titles(python)[0])
    await frank.wait_for_message(lambda m: "Bid on this project" in str(m.button_texts))
    assert hopped == []
