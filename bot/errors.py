"""One place that turns errors into what the user sees.

Domain errors (a refusal: wrong state, bad input, not allowed) become friendly,
specific text: an alert on a button press, a message otherwise. Anything else is a
bug: the user gets a short apology and the log gets the traceback with the update id.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent, Update

from bot.render import clip
from bot.texts import common
from core.errors import DomainError

log = logging.getLogger("bidgram.errors")
router = Router(name="errors")


async def explain(bot: Bot, update: Update, error: DomainError) -> None:
    """Tell the person why their action was refused."""
    text = common.error(error.code, error.message)
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
            await bot.send_message(update.message.chat.id, _escape(text))
    except TelegramAPIError:
        log.warning("could not explain %s to update %s", error.code, update.update_id)


def _escape(text: str) -> str:
    from bot.render import e

    return e(text)


@router.errors()
async def unexpected(event: ErrorEvent, bot: Bot) -> None:
    update = event.update
    log.error("update %s failed: %r", update.update_id, event.exception, exc_info=event.exception)
    try:
        if update.callback_query is not None:
            await bot.answer_callback_query(
                update.callback_query.id, text=common.UNEXPECTED, show_alert=True
            )
        elif update.pre_checkout_query is not None:
            await bot.answer_pre_checkout_query(
                update.pre_checkout_query.id, ok=False, error_message=common.UNEXPECTED
            )
        elif update.inline_query is not None:
            await bot.answer_inline_query(update.inline_query.id, results=[], cache_time=1)
        elif update.message is not None:
            await bot.send_message(update.message.chat.id, common.UNEXPECTED)
    except TelegramAPIError:
        log.warning("could not apologise for update %s", update.update_id)
