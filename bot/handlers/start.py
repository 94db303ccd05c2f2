"""/start with deep links, the main menu, /help and /cancel (which works from any flow)."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot import deeplinks
from bot.callbacks import FlowCb, MenuCb
from bot.context import Ctx
from bot.keyboards import main_menu
from bot.routers import Area
from bot.screens.locales import zone_screen
from bot.texts import common
from core.clock import Clock
from storage.models import User

router = Area("handlers.start")


@router.message(CommandStart(deep_link=True))
async def start_with_link(message: Message, command: CommandObject, ctx: Ctx, user: User) -> None:
    await ctx.state.clear()
    target = deeplinks.parse(command.args or "")
    opener = deeplinks.OPENERS.get(target.kind) if target else None
    if target is None or opener is None:
        await message.answer(
            common.welcome(user.first_name, common.money_badge(ctx.settings.gateways()))
        )
        await message.answer(common.bad_link(), reply_markup=main_menu(ctx.actor.is_admin))
        return
    await opener(message, target.id, ctx.market, ctx.actor)


@router.message(CommandStart())
async def start(message: Message, ctx: Ctx, user: User, clock: Clock) -> None:
    """The welcome and the menu; and, until the person has a time zone, the question of
    it, with the likely ones for their language (dates are in UTC until they answer)."""
    await ctx.state.clear()
    await message.answer(
        common.welcome(user.first_name, common.money_badge(ctx.settings.gateways()))
    )
    await message.answer(common.menu(), reply_markup=main_menu(ctx.actor.is_admin))
    if user.time_zone is None:
        text, markup = zone_screen(ctx.market.users.language(user), None, clock.now())
        await message.answer(text, reply_markup=markup)


@router.message(Command("menu"))
@router.callback_query(MenuCb.filter(F.action == "menu"))
async def menu(event: Message | CallbackQuery, ctx: Ctx) -> None:
    await ctx.state.clear()
    await ctx.bot.send_message(
        ctx.actor.telegram_id, common.menu(), reply_markup=main_menu(ctx.actor.is_admin)
    )


@router.message(Command("help"))
@router.callback_query(MenuCb.filter(F.action == "help"))
async def help_screen(event: Message | CallbackQuery, ctx: Ctx) -> None:
    await ctx.bot.send_message(ctx.actor.telegram_id, common.help_text())


@router.message(Command("cancel"))
async def cancel_command(message: Message, ctx: Ctx) -> None:
    if await ctx.state.get_state() is None:
        await message.answer(common.nothing_to_cancel(), reply_markup=main_menu(ctx.actor.is_admin))
        return
    await ctx.state.clear()
    await message.answer(common.cancelled(), reply_markup=main_menu(ctx.actor.is_admin))


@router.callback_query(FlowCb.filter(F.action == "cancel"))
async def cancel_button(query: CallbackQuery, ctx: Ctx) -> None:
    had_state = await ctx.state.get_state() is not None
    await ctx.state.clear()
    ctx.callback_reply.text = common.cancelled() if had_state else common.nothing_to_cancel()
    if query.message is not None and had_state:
        await query.bot.send_message(  # type: ignore[union-attr]
            query.message.chat.id, common.cancelled(), reply_markup=main_menu(ctx.actor.is_admin)
        )
