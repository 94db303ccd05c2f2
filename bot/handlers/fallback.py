"""Last resort: buttons nobody handles any more, and input nobody expects."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.keyboards import main_menu
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.texts import common
from core.actors import Actor

router = Area("handlers.fallback")


@router.callback_query()
async def stale_button(query: CallbackQuery, callback_reply: CallbackReply) -> None:
    """A button from an old message, or a forged payload: say so, change nothing."""
    callback_reply.text = common.stale_button()
    callback_reply.alert = True


@router.message()
async def unknown_input(message: Message, actor: Actor, raw_state: str | None = None) -> None:
    """Say what is true where the person is: a step that does not take this (its
    question and buttons are above), or no conversation at all (the menu comes with it)."""
    if raw_state is not None:
        await message.answer(common.not_for_this_step())
        return
    await message.answer(common.unknown_input(), reply_markup=main_menu(actor.is_admin))
