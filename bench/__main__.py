"""Run the benchmarks and print one table:  python -m bench  (or: make bench)

    python -m bench --quick                      # small sizes, a minute or two: checks it all works
    python -m bench                              # full sizes (see docs/benchmarks.md), ~30 minutes
    python -m bench --only throughput latency    # some of them
    python -m bench --backends sqlite            # without PostgreSQL

PostgreSQL is reached at $BENCH_POSTGRES_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test);
each benchmark creates its own bench_* database there and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import load, memory, search
from bench.harness import TRANSPORTS

BENCHMARKS = ("throughput", "latency", "search", "memory", "scaleout")


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))


def table(rows: list[list[str]]) -> str:
    header = ["benchmark", "subject", "result", "target", "verdict"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [_row(header, widths), _row(["-" * w for w in widths], widths)]
    lines += [_row(r, widths) for r in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


async def main(args: argparse.Namespace) -> None:
    rows: list[list[str]] = []
    quick = args.quick
    only = set(args.only or BENCHMARKS)
    with tempfile.TemporaryDirectory(prefix="bidgram-bench-") as tmp:
        workdir = Path(tmp)
        if "throughput" in only:
            seconds = args.seconds or (8 if quick else 60)
            results = await load.throughput(
                args.backends,
                sessions=args.sessions,
                seconds=seconds,
                warmup=2 if quick else 10,
                projects=200 if quick else 2000,
                transport=args.transport,
                processes=args.processes,
                workdir=workdir,
                by_session=3 if quick else 10,
            )
            echo = results[0]
            echo_cost = echo.bot_cpu / echo.rate
            for m in results:
                cost = m.bot_cpu / m.rate
                cpu = (
                    f"{cost * 1000:.1f} ms bot CPU/update; bot {m.bot_cpu:.2f} cores, "
                    f"driver {m.driver_cpu:.2f}"
                )
                if m is echo:
                    rows.append(
                        ["1 throughput", m.subject, f"{m.rate:.0f} updates/s ({cpu})", "", ""]
                    )
                    continue
                ratio = m.rate / echo.rate
                shares = ", ".join(f"{k} {v}" for k, v in sorted(m.outcome.cycles.items()))
                if m.statements is not None:
                    alone = ", ".join(f"{k} {v:.1f}" for k, v in m.by_session.items())
                    cpu += f"; SQL statements/update {m.statements:.1f} ({alone})"
                if m.api_calls is not None:
                    cpu += f"; Bot API calls/update {m.api_calls:.2f}"
                rows.append(
                    [
                        "1 throughput",
                        m.subject,
                        f"{m.rate:.0f} updates/s = {ratio:.2f} x echo; per CPU "
                        f"{echo_cost / cost:.2f} x echo ({cpu}; cycles {shares})",
                        ">= 0.2 x echo",
                        verdict(ratio >= 0.2),
                    ]
                )
        if "latency" in only:
            for rate in args.rate:
                results = await load.latency(
                    args.backends,
                    rate=rate,
                    sessions=max(args.sessions, 40),
                    seconds=args.seconds or (8 if quick else 60),
                    warmup=2 if quick else 10,
                    projects=200 if quick else 2000,
                    transport=args.transport,
                    workdir=workdir,
                )
                for m in results:
                    lat = [x * 1000 for x in m.outcome.bid_latencies]
                    p50, p99 = load.median(lat), load.percentile(lat, 99)
                    rows.append(
                        [
                            "2 bid->alert latency",
                            f"{m.subject}, {rate:g} updates/s offered",
                            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(lat)} bids "
                            f"(achieved {m.rate:.0f} updates/s, bot {m.bot_cpu:.2f} cores)",
                            "p99 < 50 ms at 100/s",
                            verdict(p99 < 50) if rate >= 100 else "",
                        ]
                    )
        if "search" in only:
            size = args.projects or (20_000 if quick else 1_000_000)
            for backend in args.backends:
                result = await search.at_scale(backend, size, workdir, repeat=args.repeat)
                rows.append(
                    [
                        "3 search",
                        f"{backend}, {size:,} projects",
                        f"p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms "
                        f"(worst query p95 {result.worst_p95:.1f} ms: {result.worst}); "
                        f"seeded in {result.seed_seconds:.0f} s",
                        "p95 < 50 ms",
                        verdict(result.p95 < 50),
                    ]
                )
        if "memory" in only:
            users = args.users or (2_000 if quick else 100_000)
            wizards = args.wizards or (200 if quick else 10_000)
            through = min(users, max(args.through_bot, wizards))  # wizards start with /start
            result = await memory.measure(users, wizards, workdir, through)
            rows.append(
                [
                    "4 memory",
                    f"{users:,} users ({through:,} via /start), {wizards:,} open wizards",
                    f"RSS {result.rss_after:.0f} MiB (at start {result.rss_start:.0f}, "
                    f"after registrations {result.rss_users:.0f}; idle echo bot "
                    f"{result.rss_echo:.0f}; {result.failures} failed updates)",
                    "< 200 MB",
                    verdict(result.rss_after * 1.048576 < 200),
                ]
            )
        if "scaleout" in only:
            results = await load.scaleout(
                args.scale,
                sessions=args.sessions,
                seconds=args.seconds or (8 if quick else 60),
                warmup=2 if quick else 10,
                projects=200 if quick else 2000,
                workdir=workdir,
            )
            base = results[0]
            for m in results:
                services = ", ".join(f"{k} {v:.2f}" for k, v in m.services_cpu.items())
                rows.append(
                    [
                        "5 scale-out",
                        f"bidgram, postgresql + redis, {m.subject}",
                        f"{m.rate:.0f} updates/s = {m.rate / base.rate:.2f} x 1 process "
                        f"(cores used: bots {m.bot_cpu:.2f}, {services}, "
                        f"driver {m.driver_cpu:.2f})",
                        "",
                        "",
                    ]
                )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(f"bidgram benchmarks, {when}, {platform.node()}, {platform.python_version()}")
    print(table(rows))


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: checks, not figures")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS)
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--seconds", type=float, help="measured window of 1 and 2")
    parser.add_argument("--sessions", type=int, default=40, help="concurrent simulated sessions")
    parser.add_argument(
        "--rate", type=float, nargs="+", default=[100.0], help="updates/s offered in 2"
    )
    parser.add_argument("--transport", default="polling", choices=sorted(TRANSPORTS))
    parser.add_argument("--processes", type=int, default=1, help="bot processes in 1")
    parser.add_argument(
        "--scale", type=int, nargs="+", default=[1, 2, 4], help="webhook processes in 5"
    )
    parser.add_argument("--projects", type=int, help="projects seeded for 3 (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=30, help="runs of each query in 3")
    parser.add_argument("--users", type=int, help="users registered in 4 (default 100,000)")
    parser.add_argument("--wizards", type=int, help="open wizards in 4 (default 10,000)")
    parser.add_argument(
        "--through-bot", type=int, default=10_000, help="users of 4 registered by /start"
    )
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
