"""/privacy (also 🔒 on one's profile): export everything bidgram holds about me as a
JSON file in the chat, or delete my account after a confirmation that says what is
erased and what is kept. The rules, the refusals included, are in
``core.services.privacy``; this module asks and renders."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import PrivacyCb
from bot.context import Ctx
from bot.routers import Area
from bot.texts import privacy as texts
from bot.ui import action_button, markup, yes_or_not
from core.services.privacy import export_bytes

router = Area("handlers.privacy")


@router.message(Command("privacy"))
@router.callback_query(PrivacyCb.filter(F.action == "open"))
async def screen(event: Message | CallbackQuery, ctx: Ctx) -> None:
    await ctx.state.clear()
    keyboard = markup(
        [action_button(texts.export(), PrivacyCb(action="export"))],
        [action_button(texts.delete(), PrivacyCb(action="delete"))],
    )
    await ctx.bot.send_message(ctx.actor.telegram_id, texts.screen(), reply_markup=keyboard)


@router.callback_query(PrivacyCb.filter(F.action == "export"))
async def export(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.market.privacy.export(ctx.actor)
    day = str(data["exported_at"])[:10]
    file = BufferedInputFile(export_bytes(data), filename=f"bidgram-data-{day}.json")
    await ctx.bot.send_document(ctx.actor.telegram_id, file, caption=texts.export_caption(day))
    ctx.callback_reply.text = texts.export_sent()


@router.callback_query(PrivacyCb.filter(F.action == "delete"))
async def ask(query: CallbackQuery, ctx: Ctx) -> None:
    plan = await ctx.market.privacy.deletion(ctx.actor)
    back = [action_button(texts.back(), PrivacyCb(action="open"))]
    if not plan.allowed:
        await ctx.bot.send_message(
            ctx.actor.telegram_id,
            texts.refused(plan.refusals, ctx.settings.money),
            reply_markup=markup(back),
        )
        return
    keyboard = yes_or_not(
        texts.yes_delete(),
        PrivacyCb(action="confirm", user_id=ctx.actor.user_id),
        texts.keep(),
        PrivacyCb(action="open"),
    )
    text = texts.confirm(plan, ctx.actor.user_id)
    await ctx.bot.send_message(ctx.actor.telegram_id, text, reply_markup=keyboard)


@router.callback_query(PrivacyCb.filter(F.action == "confirm"))
async def delete(query: CallbackQuery, callback_data: PrivacyCb, ctx: Ctx) -> None:
    if callback_data.user_id != ctx.actor.user_id:
        ctx.callback_reply.text, ctx.callback_reply.alert = texts.stale(), True
        return
    await ctx.market.privacy.delete(ctx.actor)
    await ctx.state.clear()  # whatever they were in the middle of goes with the account
    await ctx.bot.send_message(ctx.actor.telegram_id, texts.deleted())
