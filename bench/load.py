"""Benchmarks 1 and 2: throughput against the echo ceiling, and bid-alert latency.

Both run the real bot (``bidgram run``, a separate process) against the emulator in this
process, with the simulated people of :mod:`bench.mix`. Throughput saturates the bot
with closed-loop sessions; latency paces the same mix at a steady rate and measures,
on the emulator's clock, from the moment ``getUpdates`` hands the bot a freelancer's
"✅ Place bid" press to the moment the bot's alert to the employer arrives.
"""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import (
    TRANSPORTS,
    BotKind,
    Fleet,
    bot_environment,
    bot_fleet,
    free_port,
    load_emulator,
    scratch_database,
    trim_logs,
)
from bench.mix import BOT_ENV, Cast, Outcome, Pacer, Run, drive, echo_cast, seed_cast


@dataclass
class Measured:
    subject: str
    outcome: Outcome
    bot_cpu: float  # CPU seconds the bot processes used per wall second (1.0 = one core)
    driver_cpu: float  # the same for this process: emulator and simulated people
    services_cpu: dict[str, float]  # the same for PostgreSQL's and Redis's processes
    statements: float | None = None  # SQL statements per update over the window
    api_calls: float | None = None  # Bot API calls per update over the window
    by_session: dict[str, float] = field(default_factory=dict)  # statements, each kind alone

    @property
    def rate(self) -> float:
        return self.outcome.rate


def _cpu_of(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


SERVICES = {"postgres": "PostgreSQL", "redis-server": "Redis"}


def _services_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each database and Redis server process, by pid."""
    used: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if comm in SERVICES:
                used[int(entry.name)] = (SERVICES[comm], _cpu_of([int(entry.name)]))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue  # gone meanwhile, or not ours to read
    return used


def _services_delta(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> dict[str, float]:
    """CPU seconds each service used in between, from the processes alive at the end
    (a connection's backend that exited meanwhile is not counted)."""
    spent = dict.fromkeys(SERVICES.values(), 0.0)
    for pid, (name, total) in after.items():
        spent[name] += total - before.get(pid, (name, 0.0))[1]
    return spent


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(
    subject: str,
    kind: BotKind,
    backend: str | None,
    *,
    sessions: int,
    seconds: float,
    warmup: float,
    rate: float | None,
    projects: int,
    transport: str,
    processes: int,
    workdir: Path,
    by_session: float = 0.0,
) -> Measured:
    async with load_emulator() as (emu, tap), contextlib.AsyncExitStack() as stack:
        if kind == "echo" or backend is None:
            cast: Cast = echo_cast(emu, sessions)
            env = bot_environment("sqlite+aiosqlite:///unused.db", emu.base_url)
        else:
            url = await stack.enter_async_context(scratch_database(backend, workdir))
            cast = await seed_cast(emu, url, sessions, projects)
            # Statements per update are read from the process's /metrics.
            env = bot_environment(url, emu.base_url, METRICS_PORT=str(free_port()), **BOT_ENV)
        return await _drive(
            subject,
            kind,
            emu,
            tap,
            cast,
            env,
            seconds,
            warmup,
            rate,
            transport,
            processes,
            workdir,
            by_session if env.get("METRICS_PORT") else 0.0,
        )


async def _drive(
    subject,
    kind,
    emu,
    tap,
    cast,
    env,
    seconds,
    warmup,
    rate,
    transport,
    processes,
    workdir,
    by_session=0.0,
) -> Measured:  # type: ignore[no-untyped-def]
    """Measure ``cast`` for ``seconds``; then, ``by_session`` seconds each, every kind of
    session alone, for its SQL statements per update."""
    async with bot_fleet(TRANSPORTS[transport], kind, emu, env, processes, workdir) as fleet:
        run = Run(tap, emu, pacer=Pacer(rate) if rate else None)

        def check(fleet: Fleet = fleet) -> None:
            fleet.check_alive()
            trim_logs(emu)

        # Warm-up untimed (imports, first queries, caches); CPU is counted over the window.
        if warmup:
            await drive(cast, run, warmup, check=check)
            if rate:
                run.pacer = Pacer(rate)
        counted = await fleet.counters()
        bot_before, own_before = _cpu_of(fleet.pids), _own_cpu()
        services_before, began = _services_cpu(), time.monotonic()
        outcome = await drive(cast, run, seconds, check=check)
        wall = time.monotonic() - began
        services = {
            name: used / wall
            for name, used in _services_delta(services_before, _services_cpu()).items()
        }
        measured = Measured(
            subject,
            outcome,
            (_cpu_of(fleet.pids) - bot_before) / wall,
            (_own_cpu() - own_before) / wall,
            services,
        )
        if fleet.metrics:
            window = await fleet.counters() - counted
            measured.statements, measured.api_calls = window.per_update, window.calls_per_update
            for kind in sorted({kind for kind, _ in cast.sessions}) if by_session else ():
                alone = Cast([(k, session) for k, session in cast.sessions if k == kind])
                counted = await fleet.counters()
                await drive(alone, run, by_session, check=check)
                measured.by_session[kind] = (await fleet.counters() - counted).per_update
        return measured


async def throughput(
    backends: list[str],
    *,
    sessions: int,
    seconds: float,
    warmup: float,
    projects: int,
    transport: str,
    processes: int,
    workdir: Path,
    by_session: float = 0.0,
) -> list[Measured]:
    """Echo first, then bidgram on each backend, same sessions, transport, processes;
    then each kind of session alone for ``by_session`` seconds (statements per update)."""
    common = dict(
        sessions=sessions,
        seconds=seconds,
        warmup=warmup,
        rate=None,
        projects=projects,
        transport=transport,
        processes=processes,
        workdir=workdir,
    )
    results = [await _measure("echo bot", "echo", None, **common)]  # type: ignore[arg-type]
    for backend in backends:
        subject = f"bidgram, {backend}"
        results.append(await _measure(subject, "bidgram", backend, by_session=by_session, **common))  # type: ignore[arg-type]
    return results


async def latency(
    backends: list[str],
    *,
    rate: float,
    sessions: int,
    seconds: float,
    warmup: float,
    projects: int,
    transport: str,
    workdir: Path,
) -> list[Measured]:
    results = []
    for backend in backends:
        results.append(
            await _measure(
                f"bidgram, {backend}",
                "bidgram",
                backend,
                sessions=sessions,
                seconds=seconds,
                warmup=warmup,
                rate=rate,
                projects=projects,
                transport=transport,
                processes=1,
                workdir=workdir,
            )
        )
    return results


async def scaleout(
    counts: list[int], *, sessions: int, seconds: float, warmup: float, projects: int, workdir: Path
) -> list[Measured]:
    """Benchmark 5: the same mix through N ``bidgram webhook`` processes on PostgreSQL and
    Redis, for each N, one after the other on fresh databases."""
    return [
        await _measure(
            f"{n} webhook process{'es' if n > 1 else ''}",
            "bidgram",
            "postgresql",
            sessions=sessions,
            seconds=seconds,
            warmup=warmup,
            rate=None,
            projects=projects,
            transport="webhook",
            processes=n,
            workdir=workdir,
        )
        for n in counts
    ]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
