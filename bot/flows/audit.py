"""The audit trail's one question: whose entries (by which admin, or about which person),
answered with a bidgram id or @username; core looks the person up and applies the rules
of who may read what."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import AdminCb
from bot.keyboards import only_cancel
from bot.routers import Area
from bot.screens.audit import send_trail
from bot.settings import BotSettings
from bot.texts import audit as texts
from bot.ui import markup
from core.actors import Actor
from core.marketplace import Marketplace

router = Area("flows.audit")

TYPED = F.text & ~F.text.startswith("/")


class Whose(StatesGroup):
    admin = State()
    person = State()


@router.callback_query(AdminCb.filter(F.action.in_({"aud_by", "aud_about"})))
async def ask(
    query: CallbackQuery, callback_data: AdminCb, state: FSMContext, bot: Bot, actor: Actor
) -> None:
    by = callback_data.action == "aud_by"
    await state.clear()
    await state.set_state(Whose.admin if by else Whose.person)
    text = texts.ask_admin() if by else texts.ask_person()
    await bot.send_message(actor.telegram_id, text, reply_markup=only_cancel())


@router.message(Whose.admin, TYPED)
@router.message(Whose.person, TYPED)
async def got(
    message: Message,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    user = await market.users.find(actor, message.text or "")
    by = await state.get_state() == Whose.admin.state
    text, rows = await send_trail(
        market, actor, settings, admin=user.id if by else 0, person=0 if by else user.id
    )
    await state.clear()
    await message.answer(text, reply_markup=markup(*rows))


@router.message(Whose.admin, ~F.text)
@router.message(Whose.person, ~F.text)
async def not_text(message: Message) -> None:
    await message.answer(texts.who_not_text())
