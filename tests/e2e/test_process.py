"""The real `bidgram run` process: configuration errors, start-up, commands menu, Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from emulator import running_emulator
from tests.e2e.conftest import TOKEN

BIDGRAM = [sys.executable, "-m", "bot.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _env(**values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL") and not k.startswith("WEBHOOK_")
    }
    env.update(values)
    return env


async def _run(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *BIDGRAM,
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode()


async def test_missing_token_says_how_to_get_one(tmp_path: Path) -> None:
    code, out = await _run("run", env=_env(PYTHONPATH=str(ROOT)), cwd=tmp_path)
    assert code == 2
    assert "BOT_TOKEN is not set" in out and "@BotFather" in out
    assert "Traceback" not in out


async def test_malformed_token_is_refused_clearly(tmp_path: Path) -> None:
    code, out = await _run(
        "run", env=_env(PYTHONPATH=str(ROOT), BOT_TOKEN="not-a-token"), cwd=tmp_path
    )
    assert code == 2
    assert "does not look like a bot token" in out and "Traceback" not in out


async def test_bad_setting_is_named(tmp_path: Path) -> None:
    code, out = await _run(
        "run", env=_env(PYTHONPATH=str(ROOT), PLATFORM_FEE_BPS="lots"), cwd=tmp_path
    )
    assert code == 2 and "PLATFORM_FEE_BPS" in out and "Traceback" not in out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_bot_process_serves_a_user_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    async with running_emulator(TOKEN) as emu:
        env = _env(
            PYTHONPATH=str(ROOT),
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=emu.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        )
        proc = await asyncio.create_subprocess_exec(
            *BIDGRAM,
            "run",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            await emu.wait_until_polling(timeout=90)  # a cold start on a busy machine
            assert [c["command"] for c in emu.my_commands()][:2] == ["start", "post"]
            alice = emu.user("Alice")
            await alice.send_text("/start")
            await alice.wait_for_message("What would you like to do?", timeout=15)
        finally:
            proc.send_signal(signal.SIGINT)
            out, _ = await asyncio.wait_for(proc.communicate(), 30)
        text = out.decode()
        assert proc.returncode == 0, text
        assert "bidgram stopped." in text
        assert "Traceback" not in text
        emu.assert_clean()


async def test_webhook_mode_needs_a_url_and_a_secret(tmp_path: Path) -> None:
    code, out = await _run(
        "webhook",
        env=_env(PYTHONPATH=str(ROOT), BOT_TOKEN=TOKEN, WEBHOOK_URL="https://bot.example/hook"),
        cwd=tmp_path,
    )
    assert code == 2
    assert "WEBHOOK_SECRET must be set for `bidgram webhook`" in out
    assert "Traceback" not in out


async def test_a_webhook_secret_telegram_would_refuse_is_named(tmp_path: Path) -> None:
    code, out = await _run(
        "webhook",
        env=_env(
            PYTHONPATH=str(ROOT),
            BOT_TOKEN=TOKEN,
            WEBHOOK_URL="https://bot.example/hook",
            WEBHOOK_SECRET="has spaces and $ signs",
        ),
        cwd=tmp_path,
    )
    assert code == 2
    assert "WEBHOOK_SECRET: must be 1-256 characters, only A-Z, a-z, 0-9, _ and -" in out
    assert "Traceback" not in out
