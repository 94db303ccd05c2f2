"""/language and /timezone: which language bidgram speaks to a person, and whose clock
their dates and deadlines follow. Core keeps the choice (``market.users``); typing a zone
name is the conversation in ``bot.flows.locales``."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import LanguageCb, MenuCb, TimeZoneCb
from bot.i18n import speaking
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.screens.locales import language_keyboard, zone_screen
from bot.texts import common
from bot.texts import locales as texts
from bot.ui import replace
from core.actors import Actor
from core.clock import Clock
from core.errors import ValidationFailed
from core.locales import LANGUAGES, likely_zones, zone_of
from core.marketplace import Marketplace
from storage.models import User

router = Area("handlers.locales")


@router.message(Command("language"))
@router.callback_query(MenuCb.filter(F.action == "language"))  # 🌐 on one's profile
async def language_command(
    event: Message | CallbackQuery, state: FSMContext, bot: Bot, market: Marketplace, user: User
) -> None:
    await state.clear()
    current = market.users.language(user)
    await bot.send_message(
        user.telegram_id, texts.language_ask(current), reply_markup=language_keyboard(current)
    )


@router.callback_query(LanguageCb.filter())
async def language_chosen(
    query: CallbackQuery,
    callback_data: LanguageCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    try:
        chosen = await market.users.set_language(actor, callback_data.code)
    except ValidationFailed:  # a button from a version that spoke more
        callback_reply.text = texts.language_unsupported(LANGUAGES)
        callback_reply.alert = True
        return
    with speaking(chosen):  # the answer is the first thing said in the new language
        await replace(bot, query, texts.language_set(chosen), language_keyboard(chosen))


@router.message(Command("timezone"))
async def zone_command(
    message: Message, state: FSMContext, market: Marketplace, user: User, clock: Clock
) -> None:
    await state.clear()
    text, markup = zone_screen(market.users.language(user), user.time_zone, clock.now())
    await message.answer(text, reply_markup=markup)


@router.callback_query(TimeZoneCb.filter(F.action == "pick"))
async def zone_picked(
    query: CallbackQuery,
    callback_data: TimeZoneCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    clock: Clock,
    callback_reply: CallbackReply,
) -> None:
    offered = likely_zones(callback_data.language)
    if callback_data.index >= len(offered):
        callback_reply.text, callback_reply.alert = common.stale_button(), True
        return
    zone = await market.users.set_time_zone(actor, offered[callback_data.index])
    now = clock.now().astimezone(zone_of(zone))
    await replace(bot, query, texts.zone_set(zone, now), None)
