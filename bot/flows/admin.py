"""Admin conversations: a verdict on a dispute, deciding a payout, banning someone.

Every one ends in a single core call that checks admin rights and the object's
state again, so a second admin (or a second press) gets core's refusal.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import AdminCb, FlowCb
from bot.keyboards import cancel_row, only_cancel
from bot.middlewares import CallbackReply
from bot.routers import Area
from bot.screens.disputes import load_view
from bot.settings import BotSettings
from bot.texts import admin as texts
from bot.texts.disputes import DisputeView, amount_not_text
from bot.ui import action_button, markup
from core.actors import Actor
from core.marketplace import Marketplace
from storage.enums import DisputeResolution, PayoutStatus

router = Area("flows.admin")

TYPED = F.text & ~F.text.startswith("/")


class Verdict(StatesGroup):
    amount = State()
    confirm = State()


class DecidePayout(StatesGroup):
    note = State()
    reason = State()


class Ban(StatesGroup):
    who = State()
    reason = State()
    unban_reason = State()


# --- a verdict ---------------------------------------------------------------------------


async def _open_dispute(market: Marketplace, actor: Actor, dispute_id: int) -> DisputeView:
    """The dispute to decide; core refuses at the first press one this admin may not
    decide (settled since the button was sent, or their own)."""
    await market.disputes.check(actor, dispute_id, "resolve")
    return await load_view(market, actor, dispute_id)


@router.callback_query(AdminCb.filter(F.action.in_({"release", "refund"})))
async def release_or_refund(
    query: CallbackQuery,
    callback_data: AdminCb,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    await state.clear()
    v = await _open_dispute(market, actor, callback_data.id)
    escrow = v.milestone.escrow
    release = escrow if callback_data.action == "release" else 0
    await state.set_data(
        {
            "dispute_id": v.dispute.id,
            "verdict": callback_data.action,
            "release": release,
            "escrow": escrow,
            "released": v.milestone.released_amount,
            "fee_taken": v.milestone.fee_amount,
            "note": "",
        }
    )
    await _confirm(query.from_user.id, bot, state, settings)


@router.callback_query(AdminCb.filter(F.action == "split"))
async def split(
    query: CallbackQuery,
    callback_data: AdminCb,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    await state.clear()
    v = await _open_dispute(market, actor, callback_data.id)
    escrow = v.milestone.escrow
    await state.set_state(Verdict.amount)
    await state.set_data(
        {
            "dispute_id": v.dispute.id,
            "verdict": "split",
            "escrow": escrow,
            "released": v.milestone.released_amount,
            "fee_taken": v.milestone.fee_amount,
            "note": "",
        }
    )
    await bot.send_message(
        query.from_user.id,
        texts.ask_split(v.dispute.id, escrow, settings.money),
        reply_markup=only_cancel(),
    )


@router.message(Verdict.amount, TYPED)
async def got_split(
    message: Message, state: FSMContext, market: Marketplace, bot: Bot, settings: BotSettings
) -> None:
    data = await state.get_data()
    amount = settings.money.parse(message.text or "")
    release = market.disputes.check_split(amount, int(data["escrow"]))
    await state.update_data(release=release)
    await _confirm(message.chat.id, bot, state, settings)


@router.message(Verdict.amount, ~F.text)
async def split_not_text(message: Message, settings: BotSettings) -> None:
    await message.answer(amount_not_text(settings.money))


async def _confirm(chat_id: int, bot: Bot, state: FSMContext, settings: BotSettings) -> None:
    await state.set_state(Verdict.confirm)
    data = await state.get_data()
    text = texts.confirm_verdict(
        int(data["dispute_id"]),
        int(data["release"]),
        int(data["escrow"]),
        data["note"],
        settings.money,
        settings.platform_fee_bps,
        released=int(data.get("released", 0)),
        fee_taken=int(data.get("fee_taken", 0)),
    )
    keyboard = markup(
        [action_button(texts.confirm_button(), FlowCb(action="confirm"))], cancel_row()
    )
    await bot.send_message(chat_id, text, reply_markup=keyboard)


@router.message(Verdict.confirm, TYPED)
async def got_note(message: Message, state: FSMContext, bot: Bot, settings: BotSettings) -> None:
    """A note for both sides; the confirmation is shown again with it."""
    await state.update_data(note=(message.text or "").strip())
    await _confirm(message.chat.id, bot, state, settings)


router.reminds("note_not_text", Verdict.confirm, ~F.text, text=texts.note_not_text)


@router.callback_query(Verdict.confirm, FlowCb.filter(F.action == "confirm"))
async def decide(
    query: CallbackQuery,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    data = await state.get_data()
    verdict = DisputeResolution(data["verdict"])
    dispute_id = int(data["dispute_id"])
    result = await market.disputes.resolve(
        actor,
        dispute_id,
        verdict,
        release_amount=int(data["release"]) if verdict is DisputeResolution.SPLIT else None,
        note=data["note"],
    )
    await state.clear()
    done = texts.verdict_done(
        dispute_id, result.released, result.fee, result.refunded, settings.money
    )
    callback_reply.text = texts.resolved()
    await bot.send_message(
        query.from_user.id,
        done,
        reply_markup=markup([action_button(texts.queue_button(), AdminCb(action="dq"))]),
    )


# --- payouts -------------------------------------------------------------------------------


@router.callback_query(AdminCb.filter(F.action.in_({"paid", "reject"})))
async def decide_payout(
    query: CallbackQuery,
    callback_data: AdminCb,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    await state.clear()
    payout = await market.payouts.get(actor, callback_data.id)
    if payout.status is not PayoutStatus.REQUESTED:
        callback_reply.text = texts.payout_decided(payout)
        callback_reply.alert = True
        return
    user = await market.users.get(payout.user_id)
    await state.set_data({"payout_id": payout.id})
    if callback_data.action == "paid":
        await state.set_state(DecidePayout.note)
        keyboard = markup(
            [action_button(texts.mark_paid_no_note(), FlowCb(action="skip"))], cancel_row()
        )
        text = texts.ask_paid_note(payout, user, settings.money)
    else:
        await state.set_state(DecidePayout.reason)
        keyboard = only_cancel()
        text = texts.ask_reject_reason(payout, user, settings.money)
    await bot.send_message(query.from_user.id, text, reply_markup=keyboard)


@router.message(DecidePayout.note, TYPED)
async def paid_with_note(
    message: Message, state: FSMContext, market: Marketplace, actor: Actor, settings: BotSettings
) -> None:
    data = await state.get_data()
    payout = await market.payouts.mark_paid(actor, int(data["payout_id"]), message.text or "")
    await state.clear()
    await message.answer(texts.payout_paid(payout, settings.money), reply_markup=_to_payouts())


@router.callback_query(DecidePayout.note, FlowCb.filter(F.action == "skip"))
async def paid_without_note(
    query: CallbackQuery,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    settings: BotSettings,
) -> None:
    data = await state.get_data()
    payout = await market.payouts.mark_paid(actor, int(data["payout_id"]))
    await state.clear()
    await bot.send_message(
        query.from_user.id, texts.payout_paid(payout, settings.money), reply_markup=_to_payouts()
    )


@router.message(DecidePayout.reason, TYPED)
async def rejected(
    message: Message, state: FSMContext, market: Marketplace, actor: Actor, settings: BotSettings
) -> None:
    data = await state.get_data()
    payout = await market.payouts.reject(actor, int(data["payout_id"]), message.text or "")
    await state.clear()
    await message.answer(texts.payout_rejected(payout, settings.money), reply_markup=_to_payouts())


@router.message(DecidePayout.note, ~F.text)
@router.message(DecidePayout.reason, ~F.text)
async def payout_not_text(message: Message) -> None:
    await message.answer(texts.reason_not_text())


def _to_payouts() -> InlineKeyboardMarkup:
    return markup([action_button(texts.payouts_queue_button(), AdminCb(action="pq"))])


# --- bans ----------------------------------------------------------------------------------


@router.callback_query(AdminCb.filter(F.action == "who"))
async def ask_who(query: CallbackQuery, state: FSMContext, bot: Bot) -> None:
    await state.clear()
    await state.set_state(Ban.who)
    await bot.send_message(query.from_user.id, texts.ask_who(), reply_markup=only_cancel())


@router.message(Ban.who, TYPED)
async def got_who(message: Message, state: FSMContext, market: Marketplace, actor: Actor) -> None:
    user = await market.users.find(actor, message.text or "")
    await state.clear()
    action = (
        action_button(texts.unban_button(), AdminCb(action="unban", id=user.id))
        if user.is_banned
        else action_button(texts.ban_button(), AdminCb(action="ban", id=user.id))
    )
    await message.answer(texts.user_card(user), reply_markup=markup([action]))


router.reminds("who_not_text", Ban.who, ~F.text, text=texts.who_not_text)


@router.callback_query(AdminCb.filter(F.action == "ban"))
async def ask_reason(
    query: CallbackQuery,
    callback_data: AdminCb,
    state: FSMContext,
    market: Marketplace,
    bot: Bot,
    callback_reply: CallbackReply,
) -> None:
    await state.clear()
    user = await market.users.get(callback_data.id)
    if user.is_banned:
        callback_reply.text = texts.already_banned()
        callback_reply.alert = True
        return
    await state.set_state(Ban.reason)
    await state.set_data({"user_id": user.id})
    await bot.send_message(
        query.from_user.id, texts.ask_ban_reason(user), reply_markup=only_cancel()
    )


@router.message(Ban.reason, TYPED)
async def ban(message: Message, state: FSMContext, market: Marketplace, actor: Actor) -> None:
    data = await state.get_data()
    user = await market.users.ban(actor, int(data["user_id"]), message.text or "")
    await state.clear()
    unban = action_button(texts.unban_button(), AdminCb(action="unban", id=user.id))
    await message.answer(texts.banned(user), reply_markup=markup([unban]))


router.reminds("reason_not_text", Ban.reason, ~F.text, text=texts.reason_not_text)


@router.callback_query(AdminCb.filter(F.action == "unban"))
async def ask_unban_reason(
    query: CallbackQuery,
    callback_data: AdminCb,
    state: FSMContext,
    market: Marketplace,
    bot: Bot,
    callback_reply: CallbackReply,
) -> None:
    """Why, for the audit trail: typed, or none with the button."""
    await state.clear()
    user = await market.users.get(callback_data.id)
    if not user.is_banned:
        callback_reply.text = texts.not_banned()
        callback_reply.alert = True
        return
    await state.set_state(Ban.unban_reason)
    await state.set_data({"user_id": user.id})
    keyboard = markup([action_button(texts.unban_no_reason(), FlowCb(action="skip"))], cancel_row())
    await bot.send_message(query.from_user.id, texts.ask_unban_reason(user), reply_markup=keyboard)


@router.message(Ban.unban_reason, TYPED)
async def unban_with_reason(
    message: Message, state: FSMContext, market: Marketplace, actor: Actor, bot: Bot
) -> None:
    await _unban(message.chat.id, state, market, actor, bot, message.text or "")


@router.callback_query(Ban.unban_reason, FlowCb.filter(F.action == "skip"))
async def unban_without_reason(
    query: CallbackQuery,
    state: FSMContext,
    market: Marketplace,
    actor: Actor,
    bot: Bot,
    callback_reply: CallbackReply,
) -> None:
    await _unban(query.from_user.id, state, market, actor, bot, "")
    callback_reply.text = texts.unbanned_answer()


router.reminds("unban_reason_not_text", Ban.unban_reason, ~F.text, text=texts.reason_not_text)


async def _unban(
    chat_id: int, state: FSMContext, market: Marketplace, actor: Actor, bot: Bot, reason: str
) -> None:
    user = await market.users.unban(actor, int((await state.get_data())["user_id"]), reason)
    await state.clear()
    ban_again = action_button(texts.ban_button(), AdminCb(action="ban", id=user.id))
    await bot.send_message(chat_id, texts.unbanned(user), reply_markup=markup([ban_again]))
