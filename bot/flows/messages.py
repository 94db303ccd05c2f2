"""The relay chat: talk to the other side of a project through the bot.

A 💬 button (``ChatCb``) opens a conversation with one person about one project;
until it ends, whatever the person sends is passed on through core, which checks
who may talk and keeps every message as the record. A Telegram reply to a relayed
message answers its sender directly, in or out of a conversation. This router
comes after the commands and the other conversations, so they win.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import ChatCb, FlowCb
from bot.context import Ctx
from bot.render import button
from bot.routers import Area
from bot.texts import messages as texts
from bot.texts.common import shown
from bot.ui import TYPED
from core.actors import Actor
from core.errors import DomainError
from core.marketplace import Marketplace
from storage.models import Message as Relayed

router = Area("flows.messages")

RECENT = 3  # messages of the thread shown when a chat opens
RELAYABLE = F.document | F.photo | F.voice | F.video | F.audio


class RelayChat(StatesGroup):
    active = State()


def _end_chat() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=button(texts.end_chat()), callback_data=FlowCb(action="end_chat").pack()
                )
            ]
        ]
    )


@router.callback_query(ChatCb.filter())
async def open_chat(query: CallbackQuery, callback_data: ChatCb, ctx: Ctx) -> None:
    project = await ctx.market.projects.get(callback_data.project_id)
    # core refuses anyone but the employer and that project's bidders (or hire)
    recent = await ctx.market.messages.thread(ctx.actor, project.id, callback_data.user_id, RECENT)
    other = await ctx.market.users.get(callback_data.user_id)
    await ctx.state.clear()
    await ctx.state.set_state(RelayChat.active)
    await ctx.state.set_data({"project_id": project.id, "user_id": other.id})
    names = {ctx.actor.user_id: texts.you(), other.id: shown(other)}
    lines = [texts.recent_line(names.get(m.sender_id, ""), m) for m in recent]
    await ctx.bot.send_message(
        query.from_user.id,
        texts.chat_opened(shown(other), project.title, lines),
        reply_markup=_end_chat(),
    )


@router.callback_query(FlowCb.filter(F.action == "end_chat"))
async def end_chat(query: CallbackQuery, ctx: Ctx) -> None:
    if await ctx.state.get_state() != RelayChat.active.state:
        ctx.callback_reply.text = texts.already_ended()
        return
    await ctx.state.clear()
    ctx.callback_reply.text = texts.chat_ended()
    await ctx.bot.send_message(query.from_user.id, texts.chat_ended())


@router.message(Command("chat"))
async def who(message: Message, ctx: Ctx) -> None:
    if await ctx.state.get_state() != RelayChat.active.state:
        await message.answer(texts.not_chatting())
        return
    data = await ctx.state.get_data()
    other = await ctx.market.users.get(int(data["user_id"]))
    project = await ctx.market.projects.get(int(data["project_id"]))
    await message.answer(texts.chatting(shown(other), project.title), reply_markup=_end_chat())


# --- replies to relayed messages ---------------------------------------------------------


async def relayed_original(
    message: Message, market: Marketplace, actor: Actor
) -> dict[str, Any] | bool:
    """Filter: the message answers (with Telegram's reply) a message relayed to this person."""
    reply = message.reply_to_message
    if reply is None or reply.from_user is None or not reply.from_user.is_bot:
        return False
    try:
        original = await market.messages.replied_to(actor, message.chat.id, reply.message_id)
    except DomainError:
        return False  # a reply to anything else is ordinary input
    return {"original": original}


@router.message(relayed_original, TYPED | RELAYABLE)
async def answer_reply(message: Message, original: Relayed, ctx: Ctx) -> None:
    await _relay(message, ctx, original.project_id, original.sender_id)


# --- inside a conversation -------------------------------------------------------------


@router.message(RelayChat.active, TYPED | RELAYABLE)
async def pass_on(message: Message, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    await _relay(message, ctx, int(data["project_id"]), int(data["user_id"]))


router.reminds("cannot_pass_on", RelayChat.active, ~F.text, text=texts.cannot_relay)


async def _relay(message: Message, ctx: Ctx, project_id: int, recipient_id: int) -> None:
    """Hand the message to core (a long text goes in parts); its alerts deliver it once
    the unit of work commits. The sender gets a quiet mark that it went through."""
    file_id, kind = _file(message)
    body = message.text if file_id is None else message.caption
    sent = await ctx.market.messages.relay(
        ctx.actor, project_id, recipient_id, body or "", file_id=file_id, file_kind=kind
    )
    recipient = await ctx.market.users.get(recipient_id)
    await message.reply(texts.sent(shown(recipient), len(sent)), disable_notification=True)


def _file(message: Message) -> tuple[str | None, str | None]:
    if message.document is not None:
        return message.document.file_id, "document"
    if message.photo:
        return message.photo[-1].file_id, "photo"  # the largest size
    if message.voice is not None:
        return message.voice.file_id, "voice"
    if message.video is not None:
        return message.video.file_id, "video"
    if message.audio is not None:
        return message.audio.file_id, "audio"
    return None, None
