"""Gone: money's texts are ``bot.texts.payments`` (funding, releases, refunds) and
``bot.texts.payouts`` (the balance and payouts). The alert renderers (bot/alerts/work.py,
branch ``events``) still import this name; delete the module once they import those."""

from __future__ import annotations

from typing import Any

from bot.texts import payments, payouts


def __getattr__(name: str) -> Any:
    for moved in (payments, payouts):
        if name in vars(moved):
            return vars(moved)[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
