"""/privacy (also 🔒 on one's profile): export everything bidgram holds about me as a
JSON file in the chat, or delete my account after a confirmation that says what is
erased and what is kept. The rules, the refusals included, are in
``core.services.privacy``; this module asks and renders."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import PrivacyCb
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import privacy as texts
from bot.ui import action_button, markup, yes_or_not
from core.actors import Actor
from core.marketplace import Marketplace
from core.services.privacy import export_bytes

router = Area("handlers.privacy")


@router.message(Command("privacy"))
@router.callback_query(PrivacyCb.filter(F.action == "open"))
async def screen(event: Message | CallbackQuery, state: FSMContext, bot: Bot, actor: Actor) -> None:
    await state.clear()
    keyboard = markup(
        [action_button(texts.export(), PrivacyCb(action="export"))],
        [action_button(texts.delete(), PrivacyCb(action="delete"))],
    )
    await bot.send_message(actor.telegram_id, texts.screen(), reply_markup=keyboard)


@router.callback_query(PrivacyCb.filter(F.action == "export"))
async def export(
    query: CallbackQuery,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    data = await market.privacy.export(actor)
    day = str(data["exported_at"])[:10]
    file = BufferedInputFile(export_bytes(data), filename=f"bidgram-data-{day}.json")
    await bot.send_document(actor.telegram_id, file, caption=texts.export_caption(day))
    callback_reply.text = texts.export_sent()


@router.callback_query(PrivacyCb.filter(F.action == "delete"))
async def ask(
    query: CallbackQuery, bot: Bot, market: Marketplace, actor: Actor, settings: BotSettings
) -> None:
    plan = await market.privacy.deletion(actor)
    back = [action_button(texts.back(), PrivacyCb(action="open"))]
    if not plan.allowed:
        await bot.send_message(
            actor.telegram_id,
            texts.refused(plan.refusals, settings.money),
            reply_markup=markup(back),
        )
        return
    keyboard = yes_or_not(
        texts.yes_delete(),
        PrivacyCb(action="confirm", user_id=actor.user_id),
        texts.keep(),
        PrivacyCb(action="open"),
    )
    text = texts.confirm(plan, actor.user_id)
    await bot.send_message(actor.telegram_id, text, reply_markup=keyboard)


@router.callback_query(PrivacyCb.filter(F.action == "confirm"))
async def delete(
    query: CallbackQuery,
    callback_data: PrivacyCb,
    state: FSMContext,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    if callback_data.user_id != actor.user_id:
        callback_reply.text, callback_reply.alert = texts.stale(), True
        return
    await market.privacy.delete(actor)
    await state.clear()  # whatever they were in the middle of goes with the account
    await bot.send_message(actor.telegram_id, texts.deleted())
