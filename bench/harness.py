"""What every load benchmark needs: scratch databases, the emulator, bot processes.

The bot under test always runs in processes of its own (``bidgram run``, or the echo
bot), talking HTTP to the emulator that lives in the benchmark's process together with
the simulated people. How updates reach those processes is a :class:`Transport`:
long polling (one process: Telegram hands a bot's updates to one poller), or webhooks
with N processes behind a balancer (benchmark 5).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import urlsplit

import aiohttp
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.webhook import HEALTH_PATH
from emulator import BotAPIEmulator, RateLimits, running_emulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAHbidgramBenchmarkTokenXYZ01234567"
POSTGRES_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_SERVER = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
BotKind = Literal["bidgram", "echo"]


# --- databases ---------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def scratch_database(
    backend: str, workdir: Path, server: str = POSTGRES_SERVER
) -> AsyncIterator[str]:
    """A fresh, empty database URL, dropped afterwards (``sqlite`` or ``postgresql``)."""
    if backend == "sqlite":
        path = workdir / f"bench_{secrets.token_hex(4)}.db"
        try:
            yield f"sqlite+aiosqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}")
    name = f"bench_{secrets.token_hex(4)}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


# --- the emulator ------------------------------------------------------------------------


@dataclass
class Tap:
    """Timestamps the emulator knows and the benchmarks need.

    ``delivered`` maps an update id to when ``getUpdates`` handed it to the bot;
    ``last_push`` a person's id to the id of the update they caused last.
    """

    delivered: dict[int, float] = field(default_factory=dict)
    last_push: dict[int, int] = field(default_factory=dict)
    pushed: int = 0


def tap(emu: BotAPIEmulator) -> Tap:
    """Instrument the emulator's update queue (a benchmark's view, not a feature)."""
    queue = emu.state.updates
    seen = Tap()
    push, get = queue.push, queue.get

    def counted_push(kind: str, payload: dict[str, object]) -> dict[str, object] | None:
        update = push(kind, payload)
        if update is not None:
            seen.pushed += 1
            sender = payload.get("from")
            if isinstance(sender, dict):
                seen.last_push[int(sender["id"])] = int(update["update_id"])
        return update

    async def timed_get(*args: object, **kwargs: object) -> list[dict[str, object]]:
        batch = await get(*args, **kwargs)  # type: ignore[arg-type]
        now = time.monotonic()
        for update in batch:
            seen.delivered.setdefault(int(update["update_id"]), now)  # type: ignore[call-overload]
        return batch

    queue.push = counted_push  # type: ignore[assignment,method-assign]
    queue.get = timed_get  # type: ignore[assignment,method-assign]
    return seen


@contextlib.asynccontextmanager
async def load_emulator() -> AsyncIterator[tuple[BotAPIEmulator, Tap]]:
    """An emulator for load: flood limits off (we measure the bot, not Telegram's
    30 messages a second), long answer deadlines (a saturated bot is slow, not wrong),
    and the call log trimmed as it grows so a long run does not fill memory."""
    async with running_emulator(
        TOKEN,
        rate_limits=RateLimits.disabled(),
        callback_timeout=120.0,
        pre_checkout_timeout=120.0,
        inline_timeout=120.0,
    ) as emu:
        yield emu, tap(emu)


def trim_logs(emu: BotAPIEmulator, keep: int = 1000) -> None:
    """Forget old call records and delivered updates (they only serve failure reports)."""
    calls = emu.state.log.calls
    if len(calls) > 4 * keep:
        del calls[: len(calls) - keep]
    for done in (emu.state.updates.delivered, emu.state.webhook.attempts):
        if len(done) > 4 * keep:
            del done[: len(done) - keep]


# --- bot processes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Counters:
    """What a bidgram process counted: updates it finished, SQL statements it sent, Bot API
    calls it made (its alerts' included; a webhook process's press answers too, which
    ride on the webhook's reply)."""

    updates: float
    statements: float
    api_calls: float = 0.0

    @classmethod
    def parse(cls, exposition: str) -> Counters:
        updates = statements = api_calls = 0.0
        for line in exposition.splitlines():
            if line.startswith("bidgram_updates_total{"):
                updates += float(line.rsplit(" ", 1)[1])
            elif line.startswith("bidgram_sql_statements_total "):
                statements += float(line.rsplit(" ", 1)[1])
            elif line.startswith("bidgram_bot_api_calls_total{"):
                api_calls += float(line.rsplit(" ", 1)[1])
        return cls(updates, statements, api_calls)

    def __add__(self, other: Counters) -> Counters:
        return Counters(
            self.updates + other.updates,
            self.statements + other.statements,
            self.api_calls + other.api_calls,
        )

    def __sub__(self, other: Counters) -> Counters:
        return Counters(
            self.updates - other.updates,
            self.statements - other.statements,
            self.api_calls - other.api_calls,
        )

    @property
    def per_update(self) -> float:
        """SQL statements per update."""
        return self.statements / self.updates if self.updates else 0.0

    @property
    def calls_per_update(self) -> float:
        return self.api_calls / self.updates if self.updates else 0.0


class Fleet:
    """Running bot processes; their logs go to files next to the databases."""

    def __init__(
        self,
        processes: list[asyncio.subprocess.Process],
        logs: list[Path],
        stop_signal: int = signal.SIGINT,
        cleanup: Callable[[], Awaitable[None]] | None = None,
        metrics: list[str] | None = None,
    ) -> None:
        self.processes = processes
        self.logs = logs
        self.stop_signal = stop_signal
        self.cleanup = cleanup
        self.metrics = metrics or []  # each bidgram process's /metrics URL

    async def counters(self) -> Counters:
        """The processes' updates and SQL statements so far (summed)."""
        total = Counters(0, 0)
        async with aiohttp.ClientSession() as session:
            for url in self.metrics:
                async with session.get(url) as answer:
                    total += Counters.parse(await answer.text())
        return total

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def rss_mib(self) -> list[float]:
        """Resident memory of each process (VmRSS), MiB."""
        sizes = []
        for pid in self.pids:
            status = Path(f"/proc/{pid}/status").read_text()
            kib = next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
            sizes.append(kib / 1024)
        return sizes

    def check_alive(self) -> None:
        for process, log in zip(self.processes, self.logs, strict=True):
            if process.returncode is not None:
                tail = log.read_text()[-3000:] if log.exists() else ""
                raise RuntimeError(f"bot process {process.pid} exited:\n{tail}")

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(self.stop_signal)
        for process in self.processes:
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self.cleanup is not None:
            await self.cleanup()


def bot_environment(database_url: str, api_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV"}
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [os.environ.get("BENCH_EXTRA_PATH"), str(ROOT)])),
        PYTHONUNBUFFERED="1",
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api_url,
        DATABASE_URL=database_url,
    )
    env.update(extra)
    return env


def command_of(kind: BotKind, mode: str = "run") -> list[str]:
    profile = os.environ.get("BENCH_PROFILE")  # a file: the bot runs under cProfile
    python = [sys.executable, *(["-m", "cProfile", "-o", profile] if profile else [])]
    if kind == "bidgram":
        return [*python, "-m", "bot.cli", mode]  # exactly what `bidgram run|webhook` runs
    return [*python, "-m", "bench.echo"]


class Transport(Protocol):
    """How updates reach the bot processes."""

    name: str

    async def start(
        self, kind: BotKind, emu: BotAPIEmulator, env: dict[str, str], processes: int, workdir: Path
    ) -> Fleet: ...


class Polling:
    """Long polling: the bot calls getUpdates on the emulator, as ``bidgram run`` does.

    Telegram gives a bot's updates to one getUpdates caller at a time (a second one
    gets 409 Conflict), so polling scales to exactly one process.
    """

    name = "polling"

    async def start(
        self, kind: BotKind, emu: BotAPIEmulator, env: dict[str, str], processes: int, workdir: Path
    ) -> Fleet:
        if processes != 1:
            raise ValueError("long polling runs one process per bot; more need webhooks")
        polls = emu.state.updates.polls_started
        log = workdir / f"{kind}-{secrets.token_hex(3)}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *command_of(kind),
                env=env,
                cwd=workdir,  # no stray .env is read
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )
        port = env.get("METRICS_PORT")
        metrics = [f"http://127.0.0.1:{port}/metrics"] if port and kind == "bidgram" else []
        fleet = Fleet([process], [log], metrics=metrics)
        deadline = time.monotonic() + 120
        while emu.state.updates.polls_started <= polls:
            fleet.check_alive()
            if time.monotonic() > deadline:
                await fleet.stop()
                raise TimeoutError(f"{kind} did not start polling within 120 s")
            await asyncio.sleep(0.05)
        return fleet


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Webhook:
    """``bidgram webhook`` processes behind a load balancer, as a deployment scales out.

    Each process listens on a port of its own; the emulator, which POSTs every update to
    the registered webhook as Telegram does (at most ``max_connections`` at once, one
    person's updates in order), stands in for the balancer and sends each person's next
    update to the next process. They share the database and Redis (conversation state,
    per-person locks, the send budget), so any process can take any step.
    """

    name = "webhook"
    public_url = "https://bidgram.example/telegram"

    async def start(
        self, kind: BotKind, emu: BotAPIEmulator, env: dict[str, str], processes: int, workdir: Path
    ) -> Fleet:
        if kind != "bidgram":
            raise ValueError("the echo bot runs by long polling only")
        ports = [free_port() for _ in range(processes)]
        emu.route_webhook(*(f"http://127.0.0.1:{port}" for port in ports))
        prefix = f"bench{secrets.token_hex(4)}"
        shared = dict(
            env,
            REDIS_URL=REDIS_SERVER,
            REDIS_KEY_PREFIX=prefix,
            WEBHOOK_URL=self.public_url,
            WEBHOOK_SECRET=secrets.token_hex(16),
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PATH=urlsplit(self.public_url).path,
        )
        started, logs = [], []
        for port in ports:
            log = workdir / f"{kind}-webhook-{port}.log"
            with log.open("wb") as out:
                started.append(
                    await asyncio.create_subprocess_exec(
                        *command_of(kind, "webhook"),
                        env={**shared, "WEBHOOK_PORT": str(port)},
                        cwd=workdir,
                        stdin=asyncio.subprocess.DEVNULL,
                        stdout=out,
                        stderr=out,
                    )
                )
            logs.append(log)
        fleet = Fleet(
            started,
            logs,
            signal.SIGTERM,
            cleanup=lambda: _forget(prefix),
            metrics=[f"http://127.0.0.1:{port}/metrics" for port in ports],
        )
        try:
            await _until_listening(fleet, ports)
            await emu.wait_for_webhook(timeout=120)
        except BaseException:
            await fleet.stop()
            raise
        return fleet


async def _forget(prefix: str) -> None:
    """Delete what the processes kept in Redis (conversations, locks, rate buckets)."""
    redis = Redis.from_url(REDIS_SERVER)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


async def _until_listening(fleet: Fleet, ports: list[int], timeout: float = 120) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        for port in ports:
            while True:
                fleet.check_alive()
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{port}{HEALTH_PATH}") as answer:
                        if answer.status == 200:
                            break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"webhook process on port {port} not healthy in {timeout} s")
                await asyncio.sleep(0.1)


TRANSPORTS: dict[str, Transport] = {"polling": Polling(), "webhook": Webhook()}


@contextlib.asynccontextmanager
async def bot_fleet(
    transport: Transport,
    kind: BotKind,
    emu: BotAPIEmulator,
    env: dict[str, str],
    processes: int,
    workdir: Path,
) -> AsyncIterator[Fleet]:
    fleet = await transport.start(kind, emu, env, processes, workdir)
    try:
        yield fleet
    finally:
        await fleet.stop()
