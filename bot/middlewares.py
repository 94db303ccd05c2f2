"""Per-update plumbing: one unit of work, the acting user, callback answers, alerts.

Order of business for each update:
1. a successful payment is journaled first, in a transaction of its own: Telegram has
   taken that money, so nothing that fails later may lose it (the sweep credits it);
2. open a unit of work; claim the update's id (an update Telegram delivered twice, to
   this process or another, is handled once: the second claim waits for the first
   transaction and then finds the id taken, and does nothing); register the Telegram user
   (on PostgreSQL the claim reads their row in the same statement: ``UnitOfWork.claim``);
3. run the handler with its replies held (``bot.replies``) and its conversation state
   staged (``bot.fsm.StagedStorage``); a domain error rolls the transaction back, and
   the claim and the person are written again (no savepoint for the rare refusal:
   it would cost every update two statements), and the refusal is explained;
4. commit, with the events the services recorded written to the outbox in the same
   transaction (nobody is told about something that was rolled back, and nothing
   committed goes untold), and most of them already made into messages for their
   readers (``Notifier.prepare``); only then start sending those messages (or wake
   the delivery loop), write the conversation state, answer the button press and send
   the held replies.

Any other exception leaves this middleware with everything rolled back and nothing
said; ``bot.updates`` decides whether the update is retried (an outage) or
dead-lettered (a bug). A commit that failed with an outage may still have happened:
its replies, and the alerts it claimed, wait in ``InDoubt`` for the redelivery that
finds the update claimed.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.context import FSMContext
from aiogram.methods import TelegramMethod
from aiogram.types import Message, TelegramObject, Update
from aiogram.types import User as TgUser

from bot.errors import explain
from bot.failures import is_transient
from bot.fsm import StagedStorage
from bot.i18n import read_by, speaking
from bot.invoices import payment_id_of
from bot.locks import Locks, PersonLocks
from bot.notifier import Notifier
from bot.replies import Replies, collecting
from core.clock import Clock
from core.errors import DomainError
from core.gateways import Gateways
from core.locales import zone_of
from core.marketplace import Marketplace
from core.settings import Settings
from storage.db import Database
from storage.models import User

#: The next step aiogram hands a middleware: a handler, or the next middleware.
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
#: Sends (or has the delivery loop send) the alerts of a committed update.
Deliver = Callable[[], None]


@dataclass
class CallbackReply:
    """What to answer a button press with; handlers set it instead of answering themselves."""

    text: str | None = None
    alert: bool = False
    sent: bool = False


@dataclass
class Unconfirmed:
    """What an update whose commit went unconfirmed would have said and written."""

    calls: list[TelegramMethod[Any]]
    staged: StagedStorage | None
    at: float
    deliver: Deliver | None = None  # sends the alerts it claimed, once it is known to be in


class InDoubt:
    """Updates whose commit failed with an outage: it may have happened. The update is
    delivered again; if its claim shows it did commit, the second delivery sends these
    replies and writes this conversation state instead of nothing. An earlier try that
    did not commit is simply forgotten when a later one commits. Kept in this process
    only (a redelivery to another process changes nothing and says nothing), for a
    while, and only so many."""

    def __init__(self, limit: int = 1000, keep_for: float = 600.0) -> None:
        self.limit = limit
        self.keep_for = keep_for
        self._kept: OrderedDict[int, Unconfirmed] = OrderedDict()

    def keep(
        self,
        update_id: int,
        calls: list[TelegramMethod[Any]],
        staged: StagedStorage | None,
        deliver: Deliver | None = None,
    ) -> None:
        self._kept[update_id] = Unconfirmed(calls, staged, time.monotonic(), deliver)
        self._kept.move_to_end(update_id)
        while len(self._kept) > self.limit:
            self._kept.popitem(last=False)

    def take(self, update_id: int) -> Unconfirmed | None:
        kept = self._kept.pop(update_id, None)
        if kept is None or time.monotonic() - kept.at > self.keep_for:
            return None
        return kept


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
        self.in_doubt = InDoubt()

    async def __call__(
        self,
        handler: Handler,
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        tg_user: TgUser | None = data.get("event_from_user")
        # Spoken in the default language until the sender is known (``_register``).
        with speaking(self.settings.default_language, now=self.clock.now()):
            if tg_user is None:
                return await self._handle(handler, event, data)
            async with self.locks.of(tg_user.id):
                # aiogram read the conversation state before this lock was ours; the
                # person's previous update may have moved it since.
                state: FSMContext | None = data.get("state")
                if state is not None:
                    data["raw_state"] = await state.get_state()
                return await self._handle(handler, event, data)

    async def _handle(
        self,
        handler: Handler,
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
                result, deliver, staged = await self._work(handler, event, data, replies, staged)
            except BaseException:
                replies.discard()  # rolled back (or in doubt): nothing is said now
                raise
            if deliver is not None:
                deliver()  # committed: before anything else, alerts are what others wait for
            try:
                if staged is not None:
                    await staged.apply()
            except BaseException as error:
                # Committed, but the step could not be written (Redis away): the
                # redelivery writes it and says what this would have said.
                if is_transient(error):
                    self.in_doubt.keep(event.update_id, list(replies.calls), staged)
                replies.discard()
                raise
            await replies.send(bot, self.notifier, event.update_id, data.get("webhook_reply"))
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
        handler: Handler,
        event: Update,
        data: dict[str, Any],
        replies: Replies,
        staged: StagedStorage | None,
    ) -> tuple[Any, Deliver | None, StagedStorage | None]:
        """The update's transaction: what the handler returned, what delivers the alerts
        it committed (None for none) and the conversation state to write. Replies (the
        handler's, an explanation, the button-press answer) are held, and all of them
        before the commit, so that a commit whose outcome is unknown can leave them with
        ``in_doubt``."""
        bot: Bot = data["bot"]
        reply = CallbackReply()
        data["callback_reply"] = reply
        tg_user: TgUser | None = data.get("event_from_user")
        sender = None if tg_user is None or tg_user.is_bot else tg_user.id  # see _register
        async with self.db.uow() as uow:
            if not await uow.claim(bot.id, event.update_id, self.clock.now(), sender):
                # Handled already. If it was this process whose commit went unconfirmed,
                # say now what it would have said; otherwise nothing to change or send.
                kept = self.in_doubt.take(event.update_id)
                if kept is None:
                    return None, None, None
                replies.calls[:] = kept.calls
                return None, kept.deliver, kept.staged
            # A refused operation rolls the whole update back (below): none of them
            # needs a savepoint of its own.
            market = Marketplace(uow, self.settings, self.clock, self.gateways).all_or_nothing()
            data["market"] = market
            user = await self._register(market, event, data)
            if user is not None and user.is_banned and not data["actor"].is_admin:
                # Money Telegram already took is always recorded, even from a banned user.
                paying = event.message is not None and event.message.successful_payment
                if not paying:
                    await explain(bot, event, DomainError("user.banned", "Banned."), self.settings)
                    deliver = await self._commit(market, event, replies, staged)
                    return None, deliver, staged
            try:
                result = await handler(event, data)
            except DomainError as error:
                # The refused work goes with the whole transaction: no savepoint on the
                # way in, as nearly every update succeeds and a savepoint costs two
                # statements. The claim and the person are then written again.
                await market.rollback()
                if not await uow.claim(bot.id, event.update_id, self.clock.now(), sender):
                    return None, None, None  # a redelivery took it meanwhile and answers it
                await self._register(market, event, data)
                await explain(bot, event, error, self.settings)
                await self._commit(market, event, replies, staged)  # the claim stays
                return None, None, staged
            if event.callback_query is not None and not reply.sent:
                reply.sent = True
                await bot.answer_callback_query(
                    event.callback_query.id, text=reply.text, show_alert=reply.alert
                )
            deliver = await self._commit(market, event, replies, staged)
        self.in_doubt.take(event.update_id)  # an earlier, unconfirmed try did not commit
        return result, deliver, staged

    @staticmethod
    async def _register(market: Marketplace, event: Update, data: dict[str, Any]) -> User | None:
        """Register (or refresh) the person behind the update; ``data`` gets ``user`` and
        ``actor``. None for updates from nobody or from a bot."""
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None or tg_user.is_bot:
            return None
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
        data["user"], data["actor"] = user, market.users.actor(user)
        # Replies are in their language, and their times in their zone.
        read_by(market.users.language(user), zone_of(user.time_zone))
        return user

    async def _commit(
        self,
        market: Marketplace,
        event: Update,
        replies: Replies,
        staged: StagedStorage | None,
    ) -> Deliver | None:
        """Commit the update's work; what delivers its alerts once it has (None for none)."""
        written = market.write_events()
        deliver = await self.notifier.prepare(market, written) if written else None
        try:
            await market.commit()
        except BaseException as error:
            if is_transient(error):  # it may have committed: keep what it would have said
                self.in_doubt.keep(event.update_id, list(replies.calls), staged, deliver)
            raise
        return deliver
