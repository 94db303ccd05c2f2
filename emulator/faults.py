"""Injected failures: what a flaky network or a busy Telegram does to a bot.

A test asks for the next N calls of a method (optionally to one chat) to fail with a
5xx, a 429 with ``retry_after``, a 403, or a dropped connection. The emulator answers
those calls with the failure instead of executing them, and records them as calls (not
as violations: the bot did nothing wrong by making them). ``LOST_REPLY`` is the cruel
one: the call is executed (a refund is made, a message is sent) and only its answer is
lost, as when a reply times out after Telegram did the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    SERVER_ERROR = "server_error"  # 500 Internal Server Error
    BAD_GATEWAY = "bad_gateway"  # 502, as a proxy in front of Telegram answers
    RETRY_AFTER = "retry_after"  # 429 with retry_after
    FORBIDDEN = "forbidden"  # 403 bot was blocked by the user
    DISCONNECT = "disconnect"  # the connection drops without an answer
    LOST_REPLY = "lost_reply"  # the call takes effect, then the connection drops unanswered


@dataclass
class Fault:
    kind: FaultKind
    method: str | None  # lower-case Bot API method, or None for any sending method
    chat_id: int | str | None
    times: int
    retry_after: int = 1

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.times <= 0:
            return False
        if self.method is None:
            if not method.startswith("send"):
                return False
        elif method != self.method:
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.injected: list[tuple[FaultKind, str, Any]] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The first armed fault this call trips, used up by one."""
        name = method.lower()
        for fault in self._faults:
            if fault.matches(name, params):
                fault.times -= 1
                self.injected.append((fault.kind, name, params.get("chat_id")))
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()
