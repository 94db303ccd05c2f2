"""Asking Telegram to give Stars back, for refunds core recorded as pending.

Core holds the money and marks the refund pending in the transaction that refunded
the escrow (``core.services.refunds``). Here, after that commit and outside any
transaction, each pending refund is leased, ``refundStarPayment`` is called, and the
answer is recorded: done (Telegram's "already refunded" too: a lost reply to an
earlier call), refused, or try again later. A reply lost for good leaves the refund
pending and its lease brings it back, so the money is returned once, never twice.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
)

from bot.failures import is_transient
from core.clock import Clock
from core.gateways import Gateways
from core.marketplace import Marketplace
from core.services.refunds import RefundOutcome
from core.settings import Settings
from storage.db import Database

log = logging.getLogger("bidgram.refunds")

#: What Telegram answers when the charge was refunded already (by an earlier call
#: whose reply we never got, or by support): the money is back with the payer.
ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"


async def ask_telegram(bot: Bot, telegram_id: int, charge_id: str) -> tuple[RefundOutcome, str]:
    """One refundStarPayment call and what its answer means for the money."""
    try:
        await bot.refund_star_payment(user_id=telegram_id, telegram_payment_charge_id=charge_id)
    except TelegramBadRequest as error:
        if ALREADY_REFUNDED in error.message:
            return RefundOutcome.DONE, error.message
        return RefundOutcome.REFUSED, error.message
    except (TelegramForbiddenError, TelegramNotFound) as error:
        return RefundOutcome.REFUSED, error.message
    except Exception as error:
        if not is_transient(error):
            raise
        return RefundOutcome.RETRY, f"{type(error).__name__}: {error}"
    return RefundOutcome.DONE, "refunded"


async def refund_due(
    bot: Bot, db: Database, settings: Settings, clock: Clock, gateways: Gateways
) -> int:
    """Ask Telegram about every pending refund that is due; how many were asked."""
    async with db.uow() as uow:
        market = Marketplace(uow, settings, clock, gateways)
        due = []
        for payment in await market.refunds.claim_due():
            payer = await market.users.get(payment.payer_id)
            assert payment.external_id is not None  # only confirmed charges are refunded
            due.append((payment.id, payer.telegram_id, payment.external_id))
        await uow.commit()
    for payment_id, telegram_id, charge_id in due:
        try:
            outcome, reason = await ask_telegram(bot, telegram_id, charge_id)
        except Exception:
            # A bug of ours: the lease brings the refund back; the money stays held.
            log.exception("refund of payment %s failed", payment_id)
            continue
        if outcome is RefundOutcome.REFUSED:
            log.warning("Telegram refused the refund of payment %s: %s", payment_id, reason)
        elif outcome is RefundOutcome.RETRY:
            log.info("refund of payment %s will be tried again: %s", payment_id, reason)
        async with db.uow() as uow:
            market = Marketplace(uow, settings, clock, gateways)
            await market.refunds.finish(payment_id, outcome, reason)
            await market.commit()
    return len(due)
