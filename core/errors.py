"""Domain errors: a stable ``code`` and structured ``details``; core words nothing for people.

The details are what a wording needs, as data: amounts in integer minor units, limits
as numbers, fields and reasons as codes. The bot words each code in its reader's
language in one place (``bot.texts.errors``). ``message`` is English for developers and
logs only: never shown to anyone, and never holding a formatted amount.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal the marketplace makes. Nothing changed when one is raised."""

    kind = "domain_error"

    def __init__(self, code: str, message: str, **details: object) -> None:
        """``code``: stable (``payout.too_small``); ``message``: for logs; ``details``: the
        values the wording needs (``minimum=500``)."""
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class NotFound(DomainError):
    kind = "not_found"


class NotAllowed(DomainError):
    """The actor may not do this (wrong person, banned, not an admin...)."""

    kind = "not_allowed"


class InvalidState(DomainError):
    """The object is not in a state that allows this (already released, project closed...)."""

    kind = "invalid_state"


class ValidationFailed(DomainError):
    """The input is wrong (too long, out of range, unknown skill...)."""

    kind = "validation"


class LimitReached(DomainError):
    kind = "limit"


class InsufficientFunds(DomainError):
    kind = "insufficient_funds"


class Conflict(DomainError):
    """Somebody got there first, or this was already done."""

    kind = "conflict"


class IdempotencyConflict(DomainError):
    """A key was reused for a different movement of money: a bug, never a retry."""

    kind = "idempotency_conflict"
