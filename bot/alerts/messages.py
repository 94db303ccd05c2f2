"""Alerts of relayed messages: one reaches its recipient, with who sent it, Reply and
Report buttons; after a red-flagged one, a safety note with a way to report it.

Where a message lands is recorded (``on_sent``) so that a Telegram reply to it finds
its way back to the sender. Nobody's username or Telegram id is ever shown.
"""

from __future__ import annotations

import functools

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.alerts.common import Recipient, each, keyboard, recipients, to_all
from bot.callbacks import ChatCb, ReportCb
from bot.notifier import Alert, AlertContext, after_sent, renders
from bot.render import button
from bot.texts import messages as texts
from bot.texts import reports as report_texts
from bot.texts.common import shown
from bot.texts.disputes import messages
from core.events.messages import MessageReceived, SafetyNote
from core.marketplace import Marketplace


@renders(MessageReceived)
async def received(event: MessageReceived, ctx: AlertContext) -> list[Alert]:
    return await each(await recipients(ctx, event), functools.partial(_relayed, ctx, event))


async def _relayed(ctx: AlertContext, event: MessageReceived, person: Recipient) -> list[Alert]:
    """The message as its recipient may read it (core checks it is theirs)."""
    recipient = person.user
    message = await ctx.market.messages.get(person.actor, event.message_id)
    sender = await ctx.market.users.get(message.sender_id)
    project = await ctx.market.projects.get(message.project_id)
    name, title = shown(sender), project.title
    reply = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=button(texts.reply()),
                    callback_data=ChatCb(project_id=project.id, user_id=sender.id).pack(),
                ),
                InlineKeyboardButton(
                    text=report_texts.report(),
                    callback_data=ReportCb(
                        action="new", kind="message", target_id=message.id
                    ).pack(),
                ),
            ]
        ]
    )
    chat_id = recipient.telegram_id
    record = ("relay", message.id)
    if message.file_id is None:
        return _texts(
            chat_id, messages(texts.relayed_text(name, title, message.text)), reply, record
        )
    caption = texts.caption(name, title, message.text)
    if caption is not None:
        return [
            Alert(chat_id, caption, reply, message.file_id, message.file_kind, after_sent=record)
        ]
    # A caption holds 1024 characters: the file goes first, its text right after.
    head = texts.file_header(name, title)
    return [
        Alert(chat_id, head, None, message.file_id, message.file_kind, after_sent=record),
        *_texts(chat_id, messages(texts.relayed_text(name, title, message.text)), reply),
    ]


def _texts(
    chat_id: int,
    chunks: list[str],
    reply: InlineKeyboardMarkup,
    record: tuple[str, int] | None = None,
) -> list[Alert]:
    """A text in as many messages as it takes: the Reply button on the last one."""
    last = len(chunks) - 1
    return [
        Alert(chat_id, chunk, reply if i == last else None, after_sent=record if i == 0 else None)
        for i, chunk in enumerate(chunks)
    ]


@after_sent("relay")
async def delivered(market: Marketplace, message_id: int, chat_id: int, sent_id: int) -> None:
    """Remember where the copy landed, so that a Telegram reply to it finds its way back."""
    await market.messages.delivered(message_id, chat_id, sent_id)


@renders(SafetyNote)
async def safety_note(event: SafetyNote, ctx: AlertContext) -> list[Alert]:
    """Right after the flagged message: the note, and a way to report that message."""
    report = ReportCb(action="new", kind="message", target_id=event.message_id)
    markup = keyboard([(report_texts.report(), report)])
    return to_all(await recipients(ctx, event), report_texts.safety_note(), markup)
