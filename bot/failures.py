"""Which failures are the world's (try again later) and which are ours (a bug).

An update that failed because the database, Redis or the network did (a lost
connection, a timeout, a serialization failure or deadlock that PostgreSQL asks us
to retry) is never acknowledged: Telegram, or our own poller, delivers it again, and
the update-id claim makes that safe. Anything else is deterministic, would fail the
same way again, and must not hold up everyone behind it: it is dead-lettered.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import sys

from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

from storage.errors import OUTAGES, connection_lost

#: SQLSTATE classes that mean "not now": connection exceptions (08), transaction
#: rollback (40: serialization failure, deadlock), insufficient resources (53),
#: operator intervention (57P: shutdown, cannot connect now), system error (58).
_TRANSIENT_SQLSTATES = ("08", "40", "53", "57P", "58")

_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.EHOSTDOWN,
        errno.ENETUNREACH,
        errno.ENETDOWN,
    }
)

_TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    socket.gaierror,
    TimeoutError,
    asyncio.TimeoutError,
    *OUTAGES,  # the database's: a lost server or connection, no pooled connection in time
    TelegramNetworkError,
    TelegramServerError,
    TelegramRetryAfter,
)


def is_transient(error: BaseException) -> bool:
    """True when ``error`` (or what it was raised from) is an outage rather than a bug.

    Only explicit causes are followed (``raise ... from``, as drivers and SQLAlchemy
    wrap their errors), never the exception being handled when a bug struck: a bug in
    an ``except TimeoutError`` block is still a bug.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _TRANSIENT_TYPES + _redis_outages()) or _transient_sqlstate(current):
            return True
        if isinstance(current, OSError) and _network_os_error(current):
            return True
        if connection_lost(current):
            return True
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and _transient_sqlstate(orig):
            return True
        current = current.__cause__
    return False


def _redis_outages() -> tuple[type[BaseException], ...]:
    """Redis's own outage errors, when its client is in use. A process without Redis
    never imports the client (4 MiB), and then no Redis error can be raised."""
    errors = sys.modules.get("redis.exceptions")
    if errors is None:
        return ()
    return (errors.ConnectionError, errors.TimeoutError, errors.BusyLoadingError)


def _network_os_error(error: OSError) -> bool:
    if error.errno in _NETWORK_ERRNOS:
        return True
    # asyncio's create_connection over several addresses: "Multiple exceptions: ..."
    return error.errno is None and "Connect call failed" in str(error)


def _transient_sqlstate(error: BaseException) -> bool:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return isinstance(state, str) and state.startswith(_TRANSIENT_SQLSTATES)
