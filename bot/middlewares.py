"""Per-update plumbing: one unit of work, the acting user, callback answers, alerts.

Order of business for each update:
1. open a unit of work; claim the update's id (an update Telegram delivered twice, to
   this process or another, is handled once: the second claim waits for the first
   transaction and then finds the id taken, and does nothing); register the Telegram user;
2. run the handler in a savepoint; a domain error rolls its work back (the claim stays)
   and is explained;
3. commit, with the events the services recorded written to the outbox in the same
   transaction (nobody is told about something that was rolled back, and nothing
   committed goes untold); wake the delivery loop; answer the button press if the
   handler did not.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser

from bot.errors import explain
from bot.locks import Locks, PersonLocks
from bot.notifier import Notifier
from bot.texts import common
from core.clock import Clock
from core.errors import DomainError
from core.gateways import Gateways
from core.marketplace import Marketplace
from core.settings import Settings
from storage.db import Database


@dataclass
class CallbackReply:
    """What to answer a button press with; handlers set it instead of answering themselves."""

    text: str | None = None
    alert: bool = False
    sent: bool = False


class MarketplaceMiddleware(BaseMiddleware):
    """See the module docstring. Updates from one person run one at a time (across
    processes when the locks live in Redis), so a double press or two quick messages
    never race each other's conversation state."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        gateways: Gateways,
        notifier: Notifier,
        locks: Locks | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.gateways = gateways
        self.notifier = notifier
        self.locks: Locks = locks or PersonLocks()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None:
            return await self._handle(handler, event, data)
        else:
            async with self.locks.of(tg_user.id):
                # aiogram read the conversation state before this lock was ours; the
                # person's previous update may have moved it since.
                state: FSMContext | None = data.get("state")
                if state is not None:
                    data["raw_state"] = await state.get_state()
                return await self._handle(handler, event, data)

    async def _handle(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: Update,
        data: dict[str, Any],
    ) -> Any:
        bot: Bot = data["bot"]
        reply = CallbackReply()
        data["callback_reply"] = reply
        async with self.db.uow() as uow:
            if not await uow.updates.claim(bot.id, event.update_id, self.clock.now()):
                return None  # handled already: nothing to change, answer or send
            market = Marketplace(uow, self.settings, self.clock, self.gateways)
            data["market"] = market
            tg_user: TgUser | None = data.get("event_from_user")
            if tg_user is not None and not tg_user.is_bot:
                user = await market.users.register(
                    tg_user.id,
                    tg_user.first_name,
                    last_name=tg_user.last_name,
                    username=tg_user.username,
                    language_code=tg_user.language_code,
                )
                member = event.my_chat_member
                if member is not None and member.new_chat_member.status == "kicked":
                    await market.users.stopped_bot(tg_user.id)  # they blocked the bot
                actor = market.users.actor(user)
                data["user"], data["actor"] = user, actor
                paying = event.message is not None and event.message.successful_payment
                # Money Telegram already took is always recorded, even from a banned user.
                if user.is_banned and not actor.is_admin and not paying:
                    await market.commit()
                    await explain(bot, event, DomainError("user.banned", common.SUSPENDED))
                    return None
            try:
                async with uow.savepoint():
                    result = await handler(event, data)
            except DomainError as error:
                await uow.commit()  # the claim (and the person's registration) stay
                await explain(bot, event, error)
                return None
            events = await market.commit()
        if events:
            self.notifier.wake()  # before answering the press: alerts are what others wait for
        if event.callback_query is not None and not reply.sent:
            reply.sent = True
            # A press too old to answer is no reason to fail: the work is committed.
            with contextlib.suppress(TelegramAPIError):
                await bot.answer_callback_query(
                    event.callback_query.id, text=reply.text, show_alert=reply.alert
                )
        return result
