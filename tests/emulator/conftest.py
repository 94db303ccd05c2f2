"""Fixtures: a running emulator per test and a real aiogram Bot talking to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from emulator import BotAPIEmulator, make_bot, running_emulator


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    async with running_emulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotAPIEmulator) -> AsyncIterator[Bot]:
    client = make_bot(emu)
    yield client
    await client.session.close()
