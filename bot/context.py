"""What a handler of a person's update works with, as one argument: the bot, the
marketplace (this update's unit of work), the person (``actor``), the settings, their
conversation state and the answer to their button press.

Handlers and flows declare ``ctx: Ctx`` instead of the same six parameters each;
``routers.Area`` puts it in for every handler of an update that comes from a person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject

from bot.middlewares import CallbackReply, Handler
from bot.settings import BotSettings
from core.actors import Actor
from core.marketplace import Marketplace


@dataclass(frozen=True, slots=True)
class Ctx:
    bot: Bot
    market: Marketplace
    actor: Actor
    settings: BotSettings
    #: the answer to a button press (a toast, or an alert)
    callback_reply: CallbackReply
    _state: FSMContext | None

    @property
    def state(self) -> FSMContext:
        """The person's conversation state (there is none for a button under an inline
        message, which no handler that asks for the state is given)."""
        if self._state is None:
            raise RuntimeError("no conversation state for this update")
        return self._state


async def with_ctx(
    handler: Handler,
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """The inner middleware that gives a handler ``ctx``, for updates from a person."""
    actor = data.get("actor")
    market = data.get("market")
    if actor is not None and market is not None and "ctx" not in data:
        data["ctx"] = Ctx(
            data["bot"],
            market,
            actor,
            data["settings"],
            data["callback_reply"],
            data.get("state"),
        )
    return await handler(event, data)
