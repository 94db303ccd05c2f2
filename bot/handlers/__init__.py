"""One router per area, included once at the root, in this order.

Commands and buttons first, then the conversations (flows), whose text handlers
take what a person types in a given state; the relay chat takes free text and
replies to relayed messages; the fallback answers whatever is left.
"""

from __future__ import annotations

from aiogram import Router


def routers() -> list[Router]:
    from bot.flows import (
        admin as admin_flow,
    )
    from bot.flows import (
        alerts as alerts_flow,
    )
    from bot.flows import (
        audit as audit_flow,
    )
    from bot.flows import (
        award as award_flow,
    )
    from bot.flows import (
        bid as bid_flow,
    )
    from bot.flows import (
        dispute as dispute_flow,
    )
    from bot.flows import (
        milestone as milestone_flow,
    )
    from bot.flows import (
        post_project,
        relay,
    )
    from bot.flows import (
        profile as profile_flow,
    )
    from bot.flows import (
        report as report_flow,
    )
    from bot.flows import (
        work as work_flow,
    )
    from bot.handlers import (
        admin,
        alerts,
        audit,
        bids,
        browse,
        contracts,
        disputes,
        fallback,
        inline,
        milestones,
        payments,
        privacy,
        profile,
        projects,
        reports,
        start,
        wallet,
    )

    return [
        start.router,
        payments.router,  # pre-checkout and successful payments, before anything else
        profile.router,
        alerts.router,
        projects.router,
        browse.router,
        bids.router,
        inline.router,
        contracts.router,
        milestones.router,
        wallet.router,
        disputes.router,
        admin.router,
        reports.router,
        audit.router,
        privacy.router,
        profile_flow.router,
        alerts_flow.router,
        post_project.router,
        bid_flow.router,
        award_flow.router,
        milestone_flow.router,
        work_flow.router,
        dispute_flow.router,
        admin_flow.router,
        audit_flow.router,
        report_flow.router,
        relay.router,
        fallback.router,
    ]
