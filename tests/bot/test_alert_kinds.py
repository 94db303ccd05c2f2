"""Every event core can emit has a renderer, so nobody is silently left untold."""

from __future__ import annotations

import re
from pathlib import Path

import bot.alerts  # noqa: F401  (registers the renderers)
from bot.notifier import RENDERERS
from storage.enums import ContractStatus

CORE = Path(__file__).resolve().parents[2] / "core"
EMIT = re.compile(r'emit\(\s*(f?)"([a-z_.{}]+)"')


def emitted_kinds() -> set[str]:
    kinds: set[str] = set()
    for path in CORE.rglob("*.py"):
        for fstring, kind in EMIT.findall(path.read_text(encoding="utf-8")):
            if fstring:  # the one formatted kind: contract.{status}
                assert kind == "contract.{contract.status.value}", kind
                kinds |= {f"contract.{s.value}" for s in ContractStatus if s.value != "active"}
            else:
                kinds.add(kind)
    return kinds


def test_every_event_kind_has_a_renderer() -> None:
    kinds = emitted_kinds()
    assert {
        "project.bidding_ended",
        "project.closed",
        "milestone.due_soon",
        "milestone.due_now",
        "milestone.overdue",
        "milestone.auto_release_soon",
        "reviews.published",
    } <= kinds
    assert sorted(kinds - set(RENDERERS)) == []
