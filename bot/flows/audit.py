"""The audit trail's one question: whose entries (by which admin, or about which person),
answered with a bidgram id or @username; core looks the person up and applies the rules
of who may read what."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import AdminCb
from bot.context import Ctx
from bot.keyboards import only_cancel
from bot.routers import Area
from bot.screens.audit import send_trail
from bot.texts import audit as texts
from bot.ui import TYPED, markup

router = Area("flows.audit")


class Whose(StatesGroup):
    admin = State()
    person = State()


@router.callback_query(AdminCb.filter(F.action.in_({"aud_by", "aud_about"})))
async def ask(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    by = callback_data.action == "aud_by"
    await ctx.state.clear()
    await ctx.state.set_state(Whose.admin if by else Whose.person)
    text = texts.ask_admin() if by else texts.ask_person()
    await ctx.bot.send_message(ctx.actor.telegram_id, text, reply_markup=only_cancel())


@router.message(Whose.admin, TYPED)
@router.message(Whose.person, TYPED)
async def got(message: Message, ctx: Ctx) -> None:
    user = await ctx.market.users.find(ctx.actor, message.text or "")
    by = await ctx.state.get_state() == Whose.admin.state
    text, rows = await send_trail(
        ctx.market, ctx.actor, ctx.settings, admin=user.id if by else 0, person=0 if by else user.id
    )
    await ctx.state.clear()
    await message.answer(text, reply_markup=markup(*rows))


router.reminds("not_text", StateFilter(Whose.person, Whose.admin), ~F.text, text=texts.who_not_text)
