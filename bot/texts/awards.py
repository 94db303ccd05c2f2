"""The terms agreed at award (deliverables, change rounds, due date, how it ends), as
the award wizard, the contract screen and the milestone card show them.

Worded through the catalogues (``bot.i18n``), read in the current reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import _, counted
from bot.render import e
from bot.texts.common import day
from storage.enums import ContractEnding


def endings() -> dict[ContractEnding, str]:
    """How a contract ended, in a few words each (after "How it ended:")."""
    return {
        ContractEnding.PAID: _("paid in full"),
        ContractEnding.SPLIT: _("partly paid, partly refunded"),
        ContractEnding.REFUNDED: _("refunded"),
        ContractEnding.VERDICT_PAID: _("paid in full by an admin's verdict"),
        ContractEnding.VERDICT_SPLIT: _("split by an admin's verdict"),
        ContractEnding.VERDICT_REFUNDED: _("refunded by an admin's verdict"),
    }


def ending_line(ending: ContractEnding) -> str:
    """How a contract ended, as every review of it says (profiles may show this too)."""
    return _("How it ended: {ending}").format(ending=endings()[ending])


rounds = counted("{count} revision round", "{count} revision rounds")


def terms(
    deliverables: Sequence[str], revision_rounds: int, due_at: datetime, *, used: int | None = None
) -> str:
    """The terms accepted with the offer, as every later step shows them."""
    lines = [_("<b>Agreed terms</b>")]
    lines += [f"• {e(line)}" for line in deliverables]
    included = _(
        "🔁 {count} revision round included per milestone",
        "🔁 {count} revision rounds included per milestone",
        revision_rounds,
    ).format(count=revision_rounds)
    if used is None:
        lines.append(included)
    else:
        lines.append(
            _("🔁 Revision rounds: {used} of {count} used").format(used=used, count=revision_rounds)
        )
    lines.append(_("📅 Due {day}").format(day=day(due_at)))
    return "\n".join(lines)
