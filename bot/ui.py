"""Small pieces of the chat UI that handlers and flows share: sending long texts,
replacing the pressed message or prompt, request keys for money-moving taps, choice
keyboards, action buttons and delivery file refs. Here so that neither layer imports
the other."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import FlowCb, PageCb
from bot.context import Ctx
from bot.keyboards import cancel_row, only_cancel
from bot.render import MESSAGE_LIMIT, button, pages

#: A message of text that is not a command: what a step that asks for text takes (any
#: other message gets the step's reminder, ``Area.reminds``).
TYPED = F.text & ~F.text.startswith("/")


async def send_long(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send a text of any length as several messages; the keyboard goes on the last one."""
    chunks = pages(text)
    for n, chunk in enumerate(chunks, 1):
        await bot.send_message(chat_id, chunk, reply_markup=markup if n == len(chunks) else None)


async def replace(
    bot: Bot, query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Show ``text`` in place of the pressed message (pagination, filters, toggles), or
    send it anew when that message cannot be edited (too old, a photo, too long a text)."""
    message = query.message
    if isinstance(message, Message) and message.text is not None and len(text) <= MESSAGE_LIMIT:
        try:
            await bot.edit_message_text(
                text, chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
            )
            return
        except TelegramBadRequest as error:
            if "not modified" in error.message:
                return  # the same page pressed twice: nothing to change
    await send_long(bot, query.from_user.id, text, markup)


async def send_or_replace(
    bot: Bot,
    chat_id: int,
    query: CallbackQuery | None,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """A list opened anew (no ``query``: a command or a menu button) is sent; turned to
    another page, it takes the pressed message's place."""
    if query is not None:
        await replace(bot, query, text, markup)
    else:
        await bot.send_message(chat_id, text, reply_markup=markup)


def page_row(
    kind: str, offset: int, size: int, more: bool, back: str, ahead: str
) -> list[InlineKeyboardButton]:
    """The ‹ and › buttons (``back``, ``ahead``) under a list in pages of ``size`` that
    starts at ``offset``: each where there is a page that way (``PageCb`` of ``kind``,
    its cursor where that page starts)."""
    row = []
    if offset > 0:
        row.append(action_button(back, PageCb(kind=kind, cursor=str(max(0, offset - size)))))
    if more:
        row.append(action_button(ahead, PageCb(kind=kind, cursor=str(offset + size))))
    return row


async def replace_prompt(
    query: CallbackQuery, bot: Bot, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Turn a confirmation prompt into its outcome (or say it anew if it is too old)."""
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=keyboard)
    else:
        await bot.send_message(query.from_user.id, text, reply_markup=keyboard)


async def finish(
    query: CallbackQuery,
    ctx: Ctx,
    toast: str,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """End a wizard at its confirm button: its state goes, the press is answered with
    ``toast`` and the confirmation prompt turns into the outcome."""
    await ctx.state.clear()
    ctx.callback_reply.text = toast
    await replace_prompt(query, ctx.bot, text, keyboard)


async def ask(
    ctx: Ctx,
    chat_id: int,
    step: State,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    **data: Any,
) -> None:
    """Go on to a wizard's ``step``, keeping ``data`` for the steps after it, and ask
    its question: ``text``, with ``keyboard`` under it (Cancel alone if none)."""
    await ctx.state.set_state(step)
    if data:
        await ctx.state.update_data(**data)
    markup = keyboard if keyboard is not None else only_cancel()
    await ctx.bot.send_message(chat_id, text, reply_markup=markup)


def request_key(query: CallbackQuery) -> str:
    """One confirmation message, one movement of money, however often it is tapped."""
    if query.message is not None:
        return f"{query.from_user.id}:{query.message.message_id}"
    return f"q:{query.id}"


#: Delivery files are stored as Telegram file ids; photos carry this prefix because
#: Telegram sends a photo and a document through different methods.
PHOTO_REF = "photo:"


def choices(*options: tuple[str, str], columns: int = 1) -> InlineKeyboardMarkup:
    """FlowCb buttons (label, action) and the Cancel row under them."""
    kb = InlineKeyboardBuilder()
    for label, action in options:
        kb.button(text=button(label), callback_data=FlowCb(action=action))
    kb.adjust(columns)
    kb.row(*cancel_row())
    return kb.as_markup()


def file_ref(kind: str, file_id: str) -> str:
    return f"{PHOTO_REF}{file_id}" if kind == "photo" else file_id


def parse_ref(ref: str) -> tuple[str, str]:
    """(kind, file id) of a stored delivery file: ``photo`` or ``document``."""
    if ref.startswith(PHOTO_REF):
        return "photo", ref[len(PHOTO_REF) :]
    return "document", ref


def action_button(label: str, data: CallbackData) -> InlineKeyboardButton:
    """A button that carries an action and ids; its label kept short and on one line."""
    return InlineKeyboardButton(text=button(label), callback_data=data.pack())


def yes_or_not(yes: str, go: CallbackData, no: str, back: CallbackData) -> InlineKeyboardMarkup:
    """A confirmation's two buttons, one a row: go ahead (``go``), or not (``back``)."""
    return markup([action_button(yes, go)], [action_button(no, back)])


def markup(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


async def keep_search(state: FSMContext) -> None:
    """Clear the conversation state but keep the current search, so the results message a
    person came from still pages after they bid or looked at something."""
    search = (await state.get_data()).get("find")
    await state.clear()
    if search is not None:
        await state.update_data(find=search)


async def send_screen(
    bot: Bot, chat_id: int, parts: list[str], keyboard: InlineKeyboardMarkup | None
) -> None:
    """Send a long screen as several messages, with the buttons under the last one."""
    for n, part in enumerate(parts, start=1):
        await bot.send_message(chat_id, part, reply_markup=keyboard if n == len(parts) else None)
