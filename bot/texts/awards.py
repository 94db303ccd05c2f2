"""The terms agreed at award (deliverables, change rounds, due date, how it ends), as
the award wizard, the contract screen and the milestone card show them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.render import e
from bot.texts.common import day
from storage.enums import ContractEnding

ENDINGS = {
    ContractEnding.PAID: "paid in full",
    ContractEnding.SPLIT: "partly paid, partly refunded",
    ContractEnding.REFUNDED: "refunded",
    ContractEnding.VERDICT_PAID: "paid in full by an admin's verdict",
    ContractEnding.VERDICT_SPLIT: "split by an admin's verdict",
    ContractEnding.VERDICT_REFUNDED: "refunded by an admin's verdict",
}


def ending_line(ending: ContractEnding) -> str:
    """How a contract ended, as every review of it says (profiles may show this too)."""
    return f"How it ended: {ENDINGS[ending]}"


def rounds(count: int) -> str:
    return f"{count} revision round{'' if count == 1 else 's'}"


def terms(
    deliverables: Sequence[str], revision_rounds: int, due_at: datetime, *, used: int | None = None
) -> str:
    """The terms accepted with the offer, as every later step shows them."""
    lines = ["<b>Agreed terms</b>"]
    lines += [f"• {e(line)}" for line in deliverables]
    if used is None:
        lines.append(f"🔁 {rounds(revision_rounds)} included per milestone")
    else:
        lines.append(f"🔁 Revision rounds: {used} of {revision_rounds} used")
    lines.append(f"📅 Due {day(due_at)}")
    return "\n".join(lines)
