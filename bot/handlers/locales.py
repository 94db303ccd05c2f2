"""/language and /timezone: which language bidgram speaks to a person, and whose clock
their dates and deadlines follow. Core keeps the choice (``market.users``); typing a zone
name is the conversation in ``bot.flows.locales``."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.callbacks import LanguageCb, MenuCb, TimeZoneCb
from bot.context import Ctx
from bot.i18n import speaking
from bot.routers import Area
from bot.screens.locales import language_keyboard, zone_screen
from bot.texts import common
from bot.texts import locales as texts
from bot.ui import replace
from core.clock import Clock
from core.errors import ValidationFailed
from core.locales import LANGUAGES, likely_zones, zone_of
from storage.models import User

router = Area("handlers.locales")


@router.message(Command("language"))
@router.callback_query(MenuCb.filter(F.action == "language"))  # 🌐 on one's profile
async def language_command(event: Message | CallbackQuery, ctx: Ctx, user: User) -> None:
    await ctx.state.clear()
    current = ctx.market.users.language(user)
    await ctx.bot.send_message(
        user.telegram_id, texts.language_ask(current), reply_markup=language_keyboard(current)
    )


@router.callback_query(LanguageCb.filter())
async def language_chosen(query: CallbackQuery, callback_data: LanguageCb, ctx: Ctx) -> None:
    try:
        chosen = await ctx.market.users.set_language(ctx.actor, callback_data.code)
    except ValidationFailed:  # a button from a version that spoke more
        ctx.callback_reply.text = texts.language_unsupported(LANGUAGES)
        ctx.callback_reply.alert = True
        return
    with speaking(chosen):  # the answer is the first thing said in the new language
        await replace(ctx.bot, query, texts.language_set(chosen), language_keyboard(chosen))


@router.message(Command("timezone"))
async def zone_command(message: Message, ctx: Ctx, user: User, clock: Clock) -> None:
    await ctx.state.clear()
    text, markup = zone_screen(ctx.market.users.language(user), user.time_zone, clock.now())
    await message.answer(text, reply_markup=markup)


@router.callback_query(TimeZoneCb.filter(F.action == "pick"))
async def zone_picked(
    query: CallbackQuery, callback_data: TimeZoneCb, ctx: Ctx, clock: Clock
) -> None:
    offered = likely_zones(callback_data.language)
    if callback_data.index >= len(offered):
        ctx.callback_reply.text, ctx.callback_reply.alert = common.stale_button(), True
        return
    zone = await ctx.market.users.set_time_zone(ctx.actor, offered[callback_data.index])
    now = clock.now().astimezone(zone_of(zone))
    await replace(ctx.bot, query, texts.zone_set(zone, now), None)
