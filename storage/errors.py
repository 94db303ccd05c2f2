"""What storage raises for the layers above to handle, so they need nothing from SQLAlchemy.

A write a unique key refuses (PostgreSQL SQLSTATE 23505, SQLite's "UNIQUE constraint
failed") is raised as :class:`UniqueViolation` wherever the database refused it: an
explicit flush, the autoflush before a query, a savepoint's release, a commit, or a
repository's own INSERT. Every engine made by ``storage.db`` translates it
(``translate``, a ``handle_error`` hook). Other integrity errors (a foreign key, a CHECK)
are bugs and stay SQLAlchemy's ``IntegrityError``.

``OUTAGES`` and ``connection_lost`` tell the database's "not now" from its other errors
(``bot.failures``).
"""

from __future__ import annotations

from sqlalchemy import exc as sa
from sqlalchemy.engine import ExceptionContext


class StorageError(Exception):
    """An error storage raises on purpose, for the layers above to handle."""


class UniqueViolation(StorageError, sa.IntegrityError):
    """A unique key refused the write: a twin of it (often a concurrent one) got there first.

    Still a SQLAlchemy ``IntegrityError`` (same statement, parameters and driver error) for
    code that knows SQLAlchemy; core catches it by this name.
    """


def is_unique_violation(error: sa.IntegrityError) -> bool:
    """A UNIQUE constraint refused the write (PostgreSQL SQLSTATE 23505, or SQLite's text)."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) == "23505" or getattr(orig, "pgcode", None) == "23505":
        return True
    return "UNIQUE constraint failed" in str(orig)


def translate(context: ExceptionContext) -> BaseException | None:
    """The engine's ``handle_error`` hook: a unique violation raised as ``UniqueViolation``
    (None leaves every other error as SQLAlchemy made it)."""
    error = context.sqlalchemy_exception
    if not isinstance(error, sa.IntegrityError) or not is_unique_violation(error):
        return None
    return UniqueViolation(
        error.statement,
        error.params,
        context.original_exception,
        hide_parameters=error.hide_parameters,
        connection_invalidated=error.connection_invalidated,
        code=error.code,
        ismulti=error.ismulti,
    )


#: The database's errors that mean "not now": the connection or the server failed.
OUTAGES: tuple[type[BaseException], ...] = (
    sa.OperationalError,  # the driver lost the server (or SQLite stayed locked)
    sa.InterfaceError,
    sa.DisconnectionError,
    sa.TimeoutError,  # no pooled connection in time
    sa.PendingRollbackError,  # a session whose connection broke under it
)


def connection_lost(error: BaseException) -> bool:
    """SQLAlchemy invalidated the connection the error came from (a disconnect)."""
    return isinstance(error, sa.DBAPIError) and error.connection_invalidated
