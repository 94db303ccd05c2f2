"""The areas' routers: how each area records its handlers, and the one list that says in
which order the dispatcher asks them.

An aiogram router belongs to one parent for good, and a process may build several
dispatchers (the end-to-end tests do). So an area module records its handlers on an
``Area`` at import time, and ``routers()`` builds fresh aiogram routers from them for each
dispatcher, through aiogram's public ``register``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from aiogram import F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import CallbackType
from aiogram.filters import Command, Filter, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject
from magic_filter import MagicFilter

from bot.callbacks import MenuCb, PageCb
from bot.context import Ctx, with_ctx

Handler = TypeVar("Handler", bound=Callable[..., Any])

#: A screen a command and its menu button open: sent to the person pressing or typing.
Screen = Callable[[Ctx], Awaitable[None]]
#: A screen in pages: also given where the page starts and the page button pressed.
Paged = Callable[[Ctx, int, CallbackQuery | None], Awaitable[None]]
PagedScreen = TypeVar("PagedScreen", bound=Paged)
AnyScreen = TypeVar("AnyScreen", bound=Screen)

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

    def screen(self, command: str, *buttons: CallbackType) -> Callable[[AnyScreen], AnyScreen]:
        """``/command``, the main menu's button of the same name and any other
        ``buttons`` open one screen: whatever conversation was going on ends, and the
        screen is sent anew (one handler for what used to be command + button twins)."""

        def record(send: AnyScreen) -> AnyScreen:
            async def open_screen(event: Message | CallbackQuery, ctx: Ctx) -> None:
                await ctx.state.clear()
                await send(ctx)

            # the logs name the handler by the screen it opens (bot.logs.HandlerName)
            open_screen.__module__, open_screen.__qualname__ = send.__module__, send.__qualname__
            self.message(Command(command))(open_screen)
            self.callback_query(MenuCb.filter(F.action == command))(open_screen)
            for button in buttons:
                self.callback_query(button)(open_screen)
            return send

        return record

    def pages(self, kind: str) -> Callable[[PagedScreen], PagedScreen]:
        """The page buttons (``PageCb`` of ``kind``) of a screen in pages: each shows the
        page its cursor names."""

        def record(send: PagedScreen) -> PagedScreen:
            async def turn_page(query: CallbackQuery, callback_data: PageCb, ctx: Ctx) -> None:
                cursor = callback_data.cursor
                offset = int(cursor) if cursor.isdigit() else 0
                await send(ctx, offset, query)

            turn_page.__module__ = send.__module__
            turn_page.__qualname__ = f"{send.__qualname__}_page"
            self.callback_query(PageCb.filter(F.kind == kind))(turn_page)
            return send

        return record

    def reminds(
        self,
        name: str,
        *filters: CallbackType,
        text: Callable[[], str],
        reply_markup: Callable[[], InlineKeyboardMarkup] | None = None,
    ) -> None:
        """A fixed answer, such as a step's reminder of what it wants for a message it
        cannot take (a photo where text was asked, text where a button was), named ``name``
        in the logs as a handler of this area would be. ``text`` and ``reply_markup`` are
        called per message: they are worded in its reader's language."""

        async def remind(message: Message) -> None:
            markup = reply_markup() if reply_markup is not None else None
            await message.answer(text(), reply_markup=markup)

        remind.__module__, remind.__qualname__ = f"bot.{self.name}", name
        self.message(*filters)(remind)

    def router(self) -> Router:
        """A new aiogram router with every handler of the area, for one dispatcher.

        Where every button handler of the area names its callback data, or every message
        handler a conversation step, the router first asks that of an update once, so an
        update for another area passes the whole router in one check instead of one per
        handler (aiogram tries the areas in turn: most updates are for a later one)."""
        router = Router(name=self.name)
        for event, handler, filters, flags, kwargs in self.handlers:
            if not inspect.iscoroutinefunction(inspect.unwrap(handler)):
                # aiogram would run it in a worker thread, as it would a plain filter
                raise TypeError(f"{handler.__qualname__} of {self.name} is not async")
            checks = [in_loop(f) for f in filters]
            router.observers[event].register(handler, *checks, flags=flags, **kwargs)
        router.message.middleware(with_ctx)
        router.callback_query.middleware(with_ctx)
        prefixes = self._prefixes()
        if prefixes:
            router.callback_query.filter(DataPrefix(prefixes))
        steps = self._steps()
        if steps:
            router.message.filter(InStep(steps))
        return router

    def routed(self) -> Routed:
        """:meth:`router`, with the prefixes and steps it takes (empty: it is asked
        about every button press, or every message)."""
        return Routed(self.router(), self._prefixes(), self._steps())

    def _filters(self, event: str) -> list[tuple[CallbackType, ...]]:
        return [filters for kind, _handler, filters, _flags, _kw in self.handlers if kind == event]

    def _prefixes(self) -> frozenset[str]:
        """The callback-data prefixes of the area's buttons, if each handler names one."""
        found: set[str] = set()
        for filters in self._filters("callback_query"):
            named = {
                f.callback_data.__prefix__ for f in filters if isinstance(f, CallbackQueryFilter)
            }
            if not named:
                return frozenset()
            found |= named
        return frozenset(found)

    def _steps(self) -> frozenset[str]:
        """The conversation steps the area's message handlers take, if each names some."""
        found: set[str] = set()
        for filters in self._filters("message"):
            named: set[str] = set()
            for f in filters:
                if isinstance(f, State):
                    named.add(str(f.state))
                elif isinstance(f, StateFilter):
                    states = [s.state if isinstance(s, State) else s for s in f.states]
                    if any(not isinstance(s, str) or s == "*" for s in states):
                        return frozenset()  # any step, or none: no prefilter
                    named |= {str(s) for s in states}
                elif isinstance(f, type) and issubclass(f, StatesGroup):
                    named |= set(f.__all_states_names__)
            if not named:
                return frozenset()
            found |= named
        return frozenset(found)


def in_loop(check: CallbackType) -> CallbackType:
    """``check`` as a filter aiogram runs on the event loop.

    aiogram runs a filter that is not a coroutine function in a worker thread
    (``asyncio.to_thread``): a magic filter such as ``F.text``, a conversation step, a
    plain function. Each is a few microseconds of work, and every update is checked by
    dozens of them, so the thread hops cost more than the checks. The same check as a
    coroutine function, with the signature aiogram reads to choose its arguments,
    runs in place.
    """
    if isinstance(check, MagicFilter):
        magic = check

        async def resolved(event: TelegramObject, /) -> Any:
            return magic.resolve(event)

        return resolved
    if isinstance(check, Filter) or inspect.iscoroutinefunction(inspect.unwrap(check)):
        return check
    signature = inspect.signature(check)

    async def checked(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    checked.__signature__ = signature  # type: ignore[attr-defined]
    return checked


class DataPrefix(Filter):
    """A button whose callback data starts with one of ``prefixes``."""

    def __init__(self, prefixes: frozenset[str]) -> None:
        self.prefixes = prefixes

    async def __call__(self, query: CallbackQuery) -> bool:
        data = query.data
        return data is not None and data.partition(":")[0] in self.prefixes


class InStep(Filter):
    """A message sent in one of ``steps`` of a conversation."""

    def __init__(self, steps: frozenset[str]) -> None:
        self.steps = steps

    async def __call__(self, message: Message, raw_state: str | None = None) -> bool:
        return raw_state in self.steps


def areas() -> list[Area]:
    """Every area, in the order the dispatcher asks them.

    Commands and buttons first, then the conversations (flows), whose text handlers take
    what a person types in a given state; the relay chat takes free text and replies to
    relayed messages; the fallback answers whatever is left.
    """
    from bot import picker
    from bot.flows import admin as admin_flow
    from bot.flows import audit as audit_flow
    from bot.flows import awards as awards_flow
    from bot.flows import bids as bids_flow
    from bot.flows import disputes as disputes_flow
    from bot.flows import locales as locales_flow
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
        locales,
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
        locales.router,
        picker.router,  # the skill picker's buttons, in each wizard's skills step
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
        locales_flow.router,
        messages_flow.router,
        fallback.router,
    ]


def routers() -> list[Router]:
    """Fresh aiogram routers of every area, for one dispatcher, under one :class:`Areas`."""
    return [Areas([area.routed() for area in areas()])]


class Routed(NamedTuple):
    router: Router
    prefixes: frozenset[str]  # of the callback data it takes; empty: any
    steps: frozenset[str]  # the conversation steps its messages are in; empty: any


class Areas(Router):
    """The areas' routers, asking only those an update can be for.

    aiogram asks a parent's routers in turn, each through its middlewares and its own
    filters (``DataPrefix``, ``InStep``), passing the update's data along as keyword
    arguments at every level: with 35 areas, finding a conversation's step or a button's
    handler was about a tenth of the bot's CPU. The areas a button press or a message
    can be for are known from its callback data's prefix or its conversation step, so
    those are asked, in the same order; any other update asks them all. An area skipped
    is one whose own filter would have refused the update.
    """

    def __init__(self, routed: Sequence[Routed]) -> None:
        super().__init__(name="areas")
        self.include_routers(*(r.router for r in routed))
        self._all = tuple(r.router for r in routed)
        self._any_press = tuple(r.router for r in routed if not r.prefixes)
        self._by_prefix = {
            prefix: tuple(r.router for r in routed if not r.prefixes or prefix in r.prefixes)
            for prefix in frozenset().union(*(r.prefixes for r in routed))
        }
        self._any_step = tuple(r.router for r in routed if not r.steps)
        self._by_step = {
            step: tuple(r.router for r in routed if not r.steps or step in r.steps)
            for step in frozenset().union(*(r.steps for r in routed))
        }

    def candidates(
        self, update_type: str, event: TelegramObject, data: dict[str, Any]
    ) -> tuple[Router, ...]:
        """The areas that may take ``event``, in the order they are asked."""
        if isinstance(event, CallbackQuery):
            prefix = event.data.partition(":")[0] if event.data is not None else None
            return self._by_prefix.get(prefix, self._any_press) if prefix else self._any_press
        if isinstance(event, Message) and update_type == "message":
            step = data.get("raw_state")
            return (
                self._by_step.get(step, self._any_step) if isinstance(step, str) else self._any_step
            )
        return self._all

    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        for router in self.candidates(update_type, event, kwargs):
            response = await router.propagate_event(update_type=update_type, event=event, **kwargs)
            if response is not UNHANDLED:
                return response
        return UNHANDLED
