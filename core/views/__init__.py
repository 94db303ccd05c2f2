"""The read side: one call per screen, returning everything the screen shows as a frozen
dataclass, with ``actions``, what this person may do there now.

The bot draws a screen from one view and offers exactly its ``actions`` as buttons; it
never works out permissions from statuses itself. Each view reads what it needs in as
few queries as storage can make it (``storage.repositories``: joined selects) and
computes ``actions`` with the services' own rules on what it loaded, so a button shown
is a button the service will accept (the service still re-checks every press).
"""

from __future__ import annotations

from core.context import Context
from core.views.bids import BidViews
from core.views.contracts import ContractViews
from core.views.disputes import DisputeViews
from core.views.milestones import MilestoneViews
from core.views.payouts import PayoutViews
from core.views.profiles import ProfileViews
from core.views.projects import ProjectViews


class Views:
    """``market.views``: one attribute per area, as ``Marketplace`` has for services."""

    def __init__(self, ctx: Context) -> None:
        self.projects = ProjectViews(ctx)
        self.bids = BidViews(ctx)
        self.contracts = ContractViews(ctx)
        self.milestones = MilestoneViews(ctx)
        self.disputes = DisputeViews(ctx)
        self.payouts = PayoutViews(ctx)
        self.profiles = ProfileViews(ctx)
