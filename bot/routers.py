"""The areas' routers: how each area records its handlers, and the one list that says in
which order the dispatcher asks them.

An aiogram router belongs to one parent for good, and a process may build several
dispatchers (the end-to-end tests do). So an area module records its handlers on an
``Area`` at import time, and ``routers()`` builds fresh aiogram routers from them for each
dispatcher, through aiogram's public ``register``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiogram import Router
from aiogram.dispatcher.event.handler import CallbackType

Handler = TypeVar("Handler", bound=Callable[..., Any])

#: The update types areas take (names of ``Router.observers``).
EVENTS = ("message", "callback_query", "inline_query", "pre_checkout_query")


class _Observer:
    """``area.message(...)`` and the like: a decorator that records, like aiogram's own.
    Decorators stack, so one handler can answer a command and its menu button."""

    def __init__(self, area: Area, event: str) -> None:
        self._area = area
        self._event = event

    def __call__(
        self, *filters: CallbackType, flags: dict[str, Any] | None = None, **kwargs: Any
    ) -> Callable[[Handler], Handler]:
        def record(handler: Handler) -> Handler:
            self._area.handlers.append((self._event, handler, filters, flags, kwargs))
            return handler

        return record


class Area:
    """One area's handlers, in the order they were written (the order aiogram tries them)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: list[
            tuple[str, Callable[..., Any], tuple[CallbackType, ...], dict[str, Any] | None, Any]
        ] = []
        self.message = _Observer(self, "message")
        self.callback_query = _Observer(self, "callback_query")
        self.inline_query = _Observer(self, "inline_query")
        self.pre_checkout_query = _Observer(self, "pre_checkout_query")

    def router(self) -> Router:
        """A new aiogram router with every handler of the area, for one dispatcher."""
        router = Router(name=self.name)
        for event, handler, filters, flags, kwargs in self.handlers:
            router.observers[event].register(handler, *filters, flags=flags, **kwargs)
        return router


def areas() -> list[Area]:
    """Every area, in the order the dispatcher asks them.

    Commands and buttons first, then the conversations (flows), whose text handlers take
    what a person types in a given state; the relay chat takes free text and replies to
    relayed messages; the fallback answers whatever is left.
    """
    from bot.flows import admin as admin_flow
    from bot.flows import audit as audit_flow
    from bot.flows import awards as awards_flow
    from bot.flows import bids as bids_flow
    from bot.flows import disputes as disputes_flow
    from bot.flows import messages as messages_flow
    from bot.flows import milestones as milestones_flow
    from bot.flows import milestones_answer, milestones_deliver
    from bot.flows import payouts as payouts_flow
    from bot.flows import profiles as profiles_flow
    from bot.flows import projects as projects_flow
    from bot.flows import reports as reports_flow
    from bot.flows import reviews as reviews_flow
    from bot.flows import subscriptions as subscriptions_flow
    from bot.handlers import (
        admin,
        audit,
        bids,
        contracts,
        disputes,
        fallback,
        inline,
        milestones,
        payments,
        payouts,
        privacy,
        profiles,
        projects,
        projects_browse,
        reports,
        start,
        subscriptions,
    )

    return [
        start.router,
        payments.router,  # pre-checkout and successful payments, before anything else
        profiles.router,
        subscriptions.router,
        projects.router,
        projects_browse.router,
        bids.router,
        inline.router,
        contracts.router,
        milestones.router,
        payouts.router,
        disputes.router,
        admin.router,
        reports.router,
        audit.router,
        privacy.router,
        profiles_flow.router,
        subscriptions_flow.router,
        projects_flow.router,
        bids_flow.router,
        awards_flow.router,
        milestones_flow.router,
        milestones_deliver.router,
        milestones_answer.router,
        reviews_flow.router,
        payouts_flow.router,
        disputes_flow.router,
        admin_flow.router,
        audit_flow.router,
        reports_flow.router,
        messages_flow.router,
        fallback.router,
    ]


def routers() -> list[Router]:
    """Fresh aiogram routers of every area, for one dispatcher."""
    return [area.router() for area in areas()]
