"""What the emulator records for tests to inspect: the call log and violations.

The bot runs inside aiogram, which turns every rejected call into an exception that the bot
may swallow or log. Recording rejections here makes them visible to the test regardless.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from emulator.waiting import Changes


class ViolationKind(StrEnum):
    """Categories of bot misbehaviour, so tests can tolerate some and not others."""

    REJECTED_CALL = "rejected_call"
    """A 400/401/404 response: the bot made a call Telegram would reject."""
    FORBIDDEN = "forbidden"
    """A 403 response, e.g. sending to a user who blocked the bot."""
    UNSUPPORTED_METHOD = "unsupported_method"
    """A real Bot API method the emulator does not implement."""
    CALLBACK_NOT_ANSWERED = "callback_not_answered"
    INLINE_QUERY_NOT_ANSWERED = "inline_query_not_answered"
    PRE_CHECKOUT_NOT_ANSWERED = "pre_checkout_not_answered"
    RETRY_AFTER_IGNORED = "retry_after_ignored"
    """The bot called again before a 429's ``retry_after`` had passed."""
    POLLING_CONFLICT = "polling_conflict"
    """Two getUpdates requests overlapped (two bot instances polling)."""


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made, with the outcome Telegram would have given."""

    method: str
    params: dict[str, Any]
    ok: bool
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    webhook_reply: bool = False
    """Sent as the body of a webhook delivery's 200, not over HTTP."""
    at: float = field(default_factory=time.monotonic)

    def __str__(self) -> str:
        outcome = "ok" if self.ok else f"{self.error_code} {self.description}"
        return f"{self.method}({_short(self.params)}) -> {outcome}"


@dataclass(frozen=True)
class Violation:
    """Something the bot did (or failed to do) that real Telegram would punish."""

    kind: ViolationKind
    description: str
    method: str | None = None
    params: dict[str, Any] | None = None
    at: float = field(default_factory=time.monotonic)

    def __str__(self) -> str:
        where = f" in {self.method}({_short(self.params or {})})" if self.method else ""
        return f"[{self.kind}] {self.description}{where}"


def _short(params: dict[str, Any], limit: int = 300) -> str:
    text = json.dumps(params, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class CallLog:
    """Append-only logs of calls and violations, with a change signal for waiters."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self.violations: list[Violation] = []
        self.changes = Changes()

    def add_call(self, call: ApiCall) -> None:
        self.calls.append(call)
        self.changes.notify()

    def add_violation(self, violation: Violation) -> None:
        self.violations.append(violation)
        self.changes.notify()

    def report(self, ignore: frozenset[str] = frozenset()) -> str:
        """A readable list of violations (minus ignored kinds); empty when clean."""
        relevant = [v for v in self.violations if v.kind not in ignore]
        if not relevant:
            return ""
        lines = [f"{len(relevant)} Telegram Bot API violation(s):"]
        lines += [f"  {index}. {violation}" for index, violation in enumerate(relevant, 1)]
        return "\n".join(lines)
