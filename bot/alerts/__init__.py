"""Renderers of events into alerts, one module per area; importing this registers them."""

from bot.alerts import (
    admin,  # noqa: F401
    awards,  # noqa: F401
    bids,  # noqa: F401
    contracts,  # noqa: F401
    disputes,  # noqa: F401
    messages,  # noqa: F401
    milestones,  # noqa: F401
    payments,  # noqa: F401
    payouts,  # noqa: F401
    projects,  # noqa: F401
    reports,  # noqa: F401
    reviews,  # noqa: F401
)
