"""Typing a time zone's name, when none of the zones offered is one's own: asked until
it is a name of the IANA database (core judges it), with the offered zones kept at
hand each time."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import TimeZoneCb
from bot.context import Ctx
from bot.keyboards import only_cancel
from bot.routers import Area
from bot.screens.locales import zone_keyboard
from bot.texts import locales as texts
from bot.ui import TYPED, replace
from core.clock import Clock
from core.errors import ValidationFailed
from core.locales import likely_zones, zone_of
from core.marketplace import Marketplace
from storage.models import User

router = Area("flows.locales")


class ZoneForm(StatesGroup):
    name = State()


@router.callback_query(TimeZoneCb.filter(F.action == "type"))
async def ask_name(query: CallbackQuery, callback_data: TimeZoneCb, ctx: Ctx) -> None:
    await ctx.state.set_state(ZoneForm.name)
    example = likely_zones(callback_data.language)[0]
    await replace(ctx.bot, query, texts.zone_typing(example), only_cancel())


@router.message(ZoneForm.name, TYPED)
async def typed_name(message: Message, ctx: Ctx, user: User, clock: Clock) -> None:
    typed = message.text or ""
    language = ctx.market.users.language(user)
    try:
        zone = await ctx.market.users.set_time_zone(ctx.actor, typed)
    except ValidationFailed:
        example = likely_zones(language)[0]
        keyboard = zone_keyboard(language, user.time_zone)
        await message.answer(texts.zone_unknown(typed.strip()[:64], example), reply_markup=keyboard)
        return  # still asking: another name typed is read here again
    await ctx.state.clear()
    now = clock.now().astimezone(zone_of(zone))
    await message.answer(texts.zone_set(zone, now))


@router.message(ZoneForm.name)
async def not_a_name(message: Message, market: Marketplace, user: User) -> None:
    example = likely_zones(market.users.language(user))[0]
    await message.answer(texts.zone_typing(example), reply_markup=only_cancel())
