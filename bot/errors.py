"""One place that turns errors into what the user sees.

Domain errors (a refusal: wrong state, bad input, not allowed) become friendly,
specific text in the reader's language (``bot.texts.errors``): an alert on a button
press, a message otherwise. Anything else is an
outage (the update is retried) or a bug (it is dead-lettered and the person gets a
short apology): ``bot.updates`` decides which.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Update

from bot.i18n import ReaderMoney
from bot.render import clip, e
from bot.texts import common
from bot.texts.errors import refusal
from core.errors import DomainError
from core.settings import Settings

log = logging.getLogger("bidgram.errors")


async def explain(bot: Bot, update: Update, error: DomainError, settings: Settings) -> None:
    """Tell the person why their action was refused (amounts in ``settings``' currency)."""
    money = ReaderMoney(settings.currency, settings.currency_exponent)
    await _tell(bot, update, refusal(error, money))


async def apologise(bot: Bot, update: Update) -> None:
    """Tell the person their update hit a bug of ours: nothing changed, it is kept."""
    await _tell(bot, update, common.failed_kept())


async def _tell(bot: Bot, update: Update, text: str) -> None:
    try:
        if update.callback_query is not None:
            await bot.answer_callback_query(
                update.callback_query.id, text=clip(text, 200), show_alert=True
            )
        elif update.pre_checkout_query is not None:
            await bot.answer_pre_checkout_query(
                update.pre_checkout_query.id, ok=False, error_message=clip(text, 255)
            )
        elif update.inline_query is not None:
            await bot.answer_inline_query(update.inline_query.id, results=[], cache_time=1)
        elif update.message is not None:
            await bot.send_message(update.message.chat.id, e(text))
    except TelegramAPIError as error:
        log.warning("could not tell update %s: %s", update.update_id, error)
