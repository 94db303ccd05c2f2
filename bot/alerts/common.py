"""What the renderers share: who an event's recipients are, one alert each, keyboards.

Every renderer has one shape: load what all recipients share once (the project, the
milestone, a name), then make each recipient's alerts with :func:`each` (or the same
alert for all with :func:`to_all`). Only what differs per person is looked up per
person, and as that person (their actor), so core's access rules hold.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.admins import admin_users
from bot.i18n import SOURCE_LANGUAGE, UTC, speaking
from bot.notifier import Alert, AlertContext, Renderer, renders
from bot.texts.common import money_badge, shown
from core.actors import Actor
from core.events import Event
from core.locales import zone_of
from storage.models import User

#: A row of buttons: (label, payload) pairs.
ButtonRow = list[tuple[str, CallbackData]]

E = TypeVar("E", bound=Event)
S = TypeVar("S")


@dataclass(frozen=True)
class Recipient:
    """A person an alert goes to, who they are to core, and how they read (their
    language and time zone: an alert is worded for its reader, not its sender)."""

    user: User
    actor: Actor
    language: str = SOURCE_LANGUAGE
    zone: ZoneInfo = UTC

    @classmethod
    def of(cls, ctx: AlertContext, user: User) -> Recipient:
        users = ctx.market.users
        return cls(user, users.actor(user), users.language(user), zone_of(user.time_zone))

    @property
    def chat(self) -> int:
        return self.user.telegram_id


async def recipients(ctx: AlertContext, event: Event, *, banned: bool = True) -> list[Recipient]:
    """The event's recipients; without the suspended unless ``banned`` (for alerts that
    invite an action, which they may not take)."""
    found = []
    for user_id in event.recipients:
        user = await ctx.market.users.get(user_id)
        if banned or not user.is_banned:
            found.append(Recipient.of(ctx, user))
    return found


async def admins(ctx: AlertContext) -> list[Recipient]:
    """The admins who can be messaged: the audience of events with no recipients."""
    users = await admin_users(ctx.market, ctx.settings)
    return [Recipient.of(ctx, user) for user in users]


async def each(
    people: Sequence[Recipient], alerts: Callable[[Recipient], Awaitable[list[Alert]]]
) -> list[Alert]:
    """Each person's alerts, in the recipients' order (none for those it skips), each
    written in its reader's language and zone."""
    found: list[Alert] = []
    for person in people:
        with speaking(person.language, person.zone):
            found += await alerts(person)
    return found


async def first_names(ctx: AlertContext, *user_ids: int) -> dict[int, str]:
    """Names shown in alerts (each person once, however many recipients mention them)."""
    return {uid: shown(await ctx.market.users.get(uid)) for uid in dict.fromkeys(user_ids)}


def renders_with(
    load: Callable[[AlertContext, E], Awaitable[S | None]], *kinds: type[E]
) -> Callable[[Callable[[E, AlertContext, S], Awaitable[list[Alert]]]], Renderer[E]]:
    """Register a renderer of ``kinds`` that gets what ``load`` finds for the event, loaded
    once for all its recipients; when ``load`` finds nobody to tell, nothing is said."""

    def register(fn: Callable[[E, AlertContext, S], Awaitable[list[Alert]]]) -> Renderer[E]:
        @renders(*kinds)
        @functools.wraps(fn)
        async def render(event: E, ctx: AlertContext) -> list[Alert]:
            shared = await load(ctx, event)
            return [] if shared is None else await fn(event, ctx, shared)

        return render

    return register


def to_all(
    people: Sequence[Recipient], text: str, keyboard: InlineKeyboardMarkup | None = None
) -> list[Alert]:
    """The same alert to everyone."""
    return [Alert(person.chat, text, keyboard) for person in people]


def keyboard(*rows: ButtonRow) -> InlineKeyboardMarkup:
    """Rows of callback buttons (empty rows left out)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data.pack()) for label, data in row]
            for row in rows
            if row
        ]
    )


def column(*buttons: tuple[str, CallbackData]) -> InlineKeyboardMarkup:
    """One button a row."""
    return keyboard(*([b] for b in buttons))


def badge(ctx: AlertContext) -> str:
    """The label of money that is not real ("" for real money)."""
    return money_badge(ctx.gateways)
