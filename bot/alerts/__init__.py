"""Renderers of events into alerts, one module per area; importing this registers them."""

from bot.alerts import (
    admin,  # noqa: F401
    disputes,  # noqa: F401
    market,  # noqa: F401
    relay,  # noqa: F401
    reports,  # noqa: F401
    timed,  # noqa: F401
    work,  # noqa: F401
)
