"""Per-update plumbing: one unit of work, the acting user, callback answers, alerts.

Order of business for each update:
1. a successful payment is journaled first, in a transaction of its own: Telegram has
   taken that money, so nothing that fails later may lose it (the sweep credits it);
2. open a unit of work; claim the update's id (an update Telegram delivered twice, to
   this process or another, is handled once: the second claim waits for the first
   transaction and then finds the id taken, and does nothing); register the Telegram user;
3. run the handler in a savepoint, with its replies held (``bot.replies``) and its
   conversation state staged (``bot.fsm.StagedStorage``); a domain error rolls its work
   back (the claim stays) and is explained;
4. commit, with the events the services recorded written to the outbox in the same
   transaction (nobody is told about something that was rolled back, and nothing
   committed goes untold); only then write the conversation state, wake the delivery
   loop, answer the button press and send the held replies.

Any other exception leaves this middleware with everything rolled back and nothing
said; ``bot.updates`` decides whether the update is retried (an outage) or
dead-lettered (a bug).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject, Update
from aiogram.types import User as TgUser

from bot.errors import explain
from bot.fsm import StagedStorage
from bot.invoices import payment_id_of
from bot.locks import Locks, PersonLocks
from bot.notifier import Notifier
from bot.replies import collecting
from bot.texts import common
from core.clock import Clock
from core.errors import DomainError
from core.events import Event
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
        if event.message is not None and event.message.successful_payment is not None:
            await self._journal(event.message)
        state: FSMContext | None = data.get("state")
        staged: StagedStorage | None = None
        if state is not None:
            staged = StagedStorage(state.storage)
            data["state"] = FSMContext(staged, state.key)
        with collecting() as replies:
            try:
                result, events = await self._work(handler, event, data)
            except BaseException:
                replies.discard()  # rolled back: nothing it would have said is said
                raise
            if staged is not None:
                await staged.apply()
            if events:
                self.notifier.wake()  # before answering the press: alerts are what others wait for
            await replies.send(bot, self.notifier, event.update_id)
        return result

    async def _journal(self, message: Message) -> None:
        """Write down a charge Telegram reports before anything else can fail."""
        paid = message.successful_payment
        assert paid is not None
        async with self.db.uow() as uow:
            market = Marketplace(uow, self.settings, self.clock, self.gateways)
            await market.payments.receive(
                paid.telegram_payment_charge_id,
                paid.invoice_payload,
                payment_id_of(paid.invoice_payload),
                message.chat.id,
                paid.total_amount,
                paid.currency,
            )
            await uow.commit()

    async def _work(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: Update,
        data: dict[str, Any],
    ) -> tuple[Any, list[Event]]:
        """The update's transaction; what the handler returned and the events committed.
        Replies (the handler's, an explanation, the button-press answer) are held."""
        bot: Bot = data["bot"]
        reply = CallbackReply()
        data["callback_reply"] = reply
        async with self.db.uow() as uow:
            if not await uow.updates.claim(bot.id, event.update_id, self.clock.now()):
                return None, []  # handled already: nothing to change, answer or send
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
                    events = await market.commit()
                    await explain(bot, event, DomainError("user.banned", common.SUSPENDED))
                    return None, events
            try:
                async with uow.savepoint():
                    result = await handler(event, data)
            except DomainError as error:
                market.take_events()  # the refused work's events went with its savepoint
                await uow.commit()  # the claim (and the person's registration) stay
                await explain(bot, event, error)
                return None, []
            events = await market.commit()
        if event.callback_query is not None and not reply.sent:
            reply.sent = True
            await bot.answer_callback_query(
                event.callback_query.id, text=reply.text, show_alert=reply.alert
            )
        return result, events
