"""Events of relayed messages: one received, and the safety note after a flagged one."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class MessageEvent(Event):
    message_id: int
    project_id: int


@dataclass(frozen=True, kw_only=True)
class MessageReceived(MessageEvent, kind="message.received"):
    pass


@dataclass(frozen=True, kw_only=True)
class SafetyNote(MessageEvent, kind="message.safety_note"):
    pass
