"""A TCP proxy between the bot and PostgreSQL that fails on cue.

The bot's database URL points at the proxy; the proxy relays each connection to the
real server and watches what the client sends. A test can:

* ``outage()`` / ``restore()``: cut every connection and refuse new ones, then accept
  again (the database went away and came back);
* ``arm(Trap(...))``: act once when a client message contains a pattern, optionally only
  inside a transaction that already sent another pattern (``within``): cut the
  connection before the message reaches the server, or after it did but before its
  answer comes back (a commit whose outcome the client never learns), or hold it until
  released (a process killed while its commit is in flight).

Statements are matched by their text, so the bot's engine must not cache prepared
statements (``?prepared_statement_cache_size=0``): a cached one is sent by name only.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.engine import make_url


class Cut(StrEnum):
    BEFORE = "before"  # the message never reaches the server
    AFTER = "after"  # the server gets it; its answer never comes back
    HOLD = "hold"  # the message waits until ``Trap.release``


@dataclass
class Trap:
    pattern: bytes
    cut: Cut = Cut.BEFORE
    within: tuple[bytes, ...] = ()  # only in a transaction that already sent all these
    outage: bool = True  # and then refuse connections until ``restore``
    sprung: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self.released.set()


@dataclass(eq=False)  # one per connection, hashed by identity
class _Link:
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter
    transaction: bytearray = field(default_factory=bytearray)  # sent since BEGIN
    mute: bool = False  # answers are no longer relayed

    def close(self) -> None:
        for writer in (self.client, self.server):
            with contextlib.suppress(Exception):
                writer.transport.abort()


class PgProxy:
    def __init__(self, target_url: str) -> None:
        url = make_url(target_url)
        self.target_url = target_url
        self.host = url.host or "127.0.0.1"
        self.port = url.port or 5432
        self.traps: list[Trap] = []
        self.links: set[_Link] = set()
        self.refusing = False
        self.refused = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        """``target_url`` through the proxy, statements uncached (see module docstring)."""
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        proxied = make_url(self.target_url).set(host="127.0.0.1", port=port)
        proxied = proxied.update_query_dict({"prepared_statement_cache_size": "0"})
        return proxied.render_as_string(hide_password=False)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)

    async def stop(self) -> None:
        for trap in self.traps:
            trap.release()
        self.cut_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def outage(self) -> None:
        self.refusing = True
        self.cut_all()

    def restore(self) -> None:
        self.refusing = False

    def cut_all(self) -> None:
        for link in list(self.links):
            link.close()
        self.links.clear()

    def arm(self, trap: Trap) -> Trap:
        self.traps.append(trap)
        return trap

    # -- relaying ---------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            writer.transport.abort()
            return
        link = _Link(writer, up_writer)
        self.links.add(link)
        for pump in (self._upstream(link, reader), self._downstream(link, up_reader)):
            task = asyncio.create_task(pump)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _upstream(self, link: _Link, reader: asyncio.StreamReader) -> None:
        try:
            while chunk := await reader.read(65536):
                if b"BEGIN" in chunk:
                    link.transaction.clear()
                link.transaction += chunk
                trap = self._trap_for(link, chunk)
                if trap is not None:
                    if not await self._spring(link, trap, chunk):
                        return
                    continue
                link.server.write(chunk)
                await link.server.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            link.close()
            self.links.discard(link)

    async def _downstream(self, link: _Link, reader: asyncio.StreamReader) -> None:
        try:
            while chunk := await reader.read(65536):
                if link.mute:
                    continue
                link.client.write(chunk)
                await link.client.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            link.close()
            self.links.discard(link)

    def _trap_for(self, link: _Link, chunk: bytes) -> Trap | None:
        for trap in self.traps:
            if trap.sprung.is_set() or trap.pattern not in chunk:
                continue
            if not all(part in link.transaction for part in trap.within):
                continue
            return trap
        return None

    async def _spring(self, link: _Link, trap: Trap, chunk: bytes) -> bool:
        """Act on a trap; True if the link lives on (a released hold)."""
        trap.sprung.set()
        if trap.cut is Cut.HOLD:
            await trap.released.wait()
            if link in self.links:
                link.server.write(chunk)
                await link.server.drain()
                return True
            return False
        if trap.cut is Cut.AFTER:
            link.mute = True
            link.server.write(chunk)
            await link.server.drain()
            await asyncio.sleep(0.2)  # let the server act on it before the line drops
        if trap.outage:
            self.outage()
        else:
            link.close()
            self.links.discard(link)
        return False
