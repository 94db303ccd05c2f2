"""How the dispatcher runs the areas' checks: on the event loop, never in a thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e import test_browse as browse
from tests.e2e.conftest import App


async def test_no_check_of_an_update_waits_for_a_worker_thread(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiogram runs a filter that is not a coroutine function in a worker thread; every
    check of the areas runs in place (`bot.routers.in_loop`). Commands, buttons, a typed
    step, a reminder, the skill picker and its pages (browsing's search journey) pass
    through without one."""
    hopped: list[str] = []
    to_thread = asyncio.to_thread

    async def recording(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        hopped.append(repr(fn)[:120])
        return await to_thread(fn, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", recording)
    await browse.test_search_words_then_a_skill_and_a_budget_filter(app)
    assert hopped == []
