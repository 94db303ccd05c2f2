"""``bidgram sandbox``: start everything and print the page's address; Ctrl-C stops it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.world import Sandbox

DEFAULT_DATABASE = "sqlite+aiosqlite:///sandbox.db"
DEFAULT_PORT = 8080
GATEWAYS: dict[str, dict[str, object]] = {
    "sandbox": {"funding_gateway": "sandbox"},
    # The sandbox's Stars are test Stars, and every screen that shows them says so.
    "stars": {
        "funding_gateway": "stars",
        "currency": "XTR",
        "currency_exponent": 0,
        "telegram_test_env": True,
    },
}


def database_url() -> str:
    """``DATABASE_URL`` from the environment (never from ``.env``), else ./sandbox.db."""
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Checked before the (slow) imports, so a busy port is reported at once."""
    with socket.socket() as probe:
        # As the server binds: a port left in TIME_WAIT by a stopped sandbox is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def busy(port: int) -> int:
    print(
        f"bidgram sandbox: port {port} on 127.0.0.1 is already in use (another sandbox?); "
        f"choose another with --port, e.g. bidgram sandbox --port {port + 1}",
        file=sys.stderr,
    )
    return 2


async def _serve(sandbox: Sandbox, port: int) -> None:
    from sandbox.server import running

    async with running(sandbox, port=port) as url:
        print(f"bidgram sandbox: open {url} in a browser (Ctrl-C stops it)", flush=True)
        print(f"  database {sandbox.database_url} (emptied at start and by Reset)", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()


def run(port: int = DEFAULT_PORT, *, demo: bool = False, gateway: str = "sandbox") -> int:
    if not port_is_free(port):
        return busy(port)
    from sandbox.demo import seed
    from sandbox.server import PortBusy
    from sandbox.world import Feed, NotASandboxDatabase, Sandbox

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sandbox = Sandbox(
        database_url(), Feed(), demo=seed if demo else None, overrides=GATEWAYS[gateway]
    )
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(sandbox, port))
    except PortBusy:
        return busy(port)
    except NotASandboxDatabase as error:
        print(f"bidgram sandbox: {error}", file=sys.stderr)
        return 2
    print("bidgram sandbox stopped.")
    return 0
