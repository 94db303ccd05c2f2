"""Admin conversations: a verdict on a dispute, deciding a payout, banning someone.

Every one ends in a single core call that checks admin rights and the object's
state again, so a second admin (or a second press) gets core's refusal.
"""

from __future__ import annotations

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import AdminCb, FlowCb
from bot.context import Ctx
from bot.keyboards import cancel_row, only_cancel
from bot.routers import Area
from bot.screens.disputes import load_view
from bot.settings import BotSettings
from bot.texts import admin as texts
from bot.texts.disputes import DisputeView, amount_not_text
from bot.ui import TYPED, action_button, ask, markup
from storage.enums import DisputeResolution, PayoutStatus

router = Area("flows.admin")


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


async def _open_dispute(ctx: Ctx, dispute_id: int) -> DisputeView:
    """The dispute to decide; core refuses at the first press one this admin may not
    decide (settled since the button was sent, or their own)."""
    await ctx.market.disputes.check(ctx.actor, dispute_id, "resolve")
    return await load_view(ctx.market, ctx.actor, dispute_id)


@router.callback_query(AdminCb.filter(F.action.in_({"release", "refund"})))
async def release_or_refund(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    v = await _open_dispute(ctx, callback_data.id)
    escrow = v.milestone.escrow
    release = escrow if callback_data.action == "release" else 0
    await ctx.state.set_data(
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
    await _confirm(query.from_user.id, ctx)


@router.callback_query(AdminCb.filter(F.action == "split"))
async def split(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    v = await _open_dispute(ctx, callback_data.id)
    escrow = v.milestone.escrow
    await ask(
        ctx,
        query.from_user.id,
        Verdict.amount,
        texts.ask_split(v.dispute.id, escrow, ctx.settings.money),
        dispute_id=v.dispute.id,
        verdict="split",
        escrow=escrow,
        released=v.milestone.released_amount,
        fee_taken=v.milestone.fee_amount,
        note="",
    )


@router.message(Verdict.amount, TYPED)
async def got_split(message: Message, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    amount = ctx.settings.money.parse(message.text or "")
    release = ctx.market.disputes.check_split(amount, int(data["escrow"]))
    await ctx.state.update_data(release=release)
    await _confirm(message.chat.id, ctx)


@router.message(Verdict.amount, ~F.text)
async def split_not_text(message: Message, settings: BotSettings) -> None:
    await message.answer(amount_not_text(settings.money))


async def _confirm(chat_id: int, ctx: Ctx) -> None:
    await ctx.state.set_state(Verdict.confirm)
    data = await ctx.state.get_data()
    text = texts.confirm_verdict(
        int(data["dispute_id"]),
        int(data["release"]),
        int(data["escrow"]),
        data["note"],
        ctx.settings.money,
        ctx.settings.platform_fee_bps,
        released=int(data.get("released", 0)),
        fee_taken=int(data.get("fee_taken", 0)),
    )
    keyboard = markup(
        [action_button(texts.confirm_button(), FlowCb(action="confirm"))], cancel_row()
    )
    await ctx.bot.send_message(chat_id, text, reply_markup=keyboard)


@router.message(Verdict.confirm, TYPED)
async def got_note(message: Message, ctx: Ctx) -> None:
    """A note for both sides; the confirmation is shown again with it."""
    await ctx.state.update_data(note=(message.text or "").strip())
    await _confirm(message.chat.id, ctx)


router.reminds("note_not_text", Verdict.confirm, ~F.text, text=texts.note_not_text)


@router.callback_query(Verdict.confirm, FlowCb.filter(F.action == "confirm"))
async def decide(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    verdict = DisputeResolution(data["verdict"])
    dispute_id = int(data["dispute_id"])
    result = await ctx.market.disputes.resolve(
        ctx.actor,
        dispute_id,
        verdict,
        release_amount=int(data["release"]) if verdict is DisputeResolution.SPLIT else None,
        note=data["note"],
    )
    await ctx.state.clear()
    done = texts.verdict_done(
        dispute_id, result.released, result.fee, result.refunded, ctx.settings.money
    )
    ctx.callback_reply.text = texts.resolved()
    await ctx.bot.send_message(
        query.from_user.id,
        done,
        reply_markup=markup([action_button(texts.queue_button(), AdminCb(action="dq"))]),
    )


# --- payouts -------------------------------------------------------------------------------


@router.callback_query(AdminCb.filter(F.action.in_({"paid", "reject"})))
async def decide_payout(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    payout = await ctx.market.payouts.get(ctx.actor, callback_data.id)
    if payout.status is not PayoutStatus.REQUESTED:
        ctx.callback_reply.text = texts.payout_decided(payout)
        ctx.callback_reply.alert = True
        return
    user = await ctx.market.users.get(payout.user_id)
    await ctx.state.set_data({"payout_id": payout.id})
    if callback_data.action == "paid":
        await ctx.state.set_state(DecidePayout.note)
        keyboard = markup(
            [action_button(texts.mark_paid_no_note(), FlowCb(action="skip"))], cancel_row()
        )
        text = texts.ask_paid_note(payout, user, ctx.settings.money)
    else:
        await ctx.state.set_state(DecidePayout.reason)
        keyboard = only_cancel()
        text = texts.ask_reject_reason(payout, user, ctx.settings.money)
    await ctx.bot.send_message(query.from_user.id, text, reply_markup=keyboard)


@router.message(DecidePayout.note, TYPED)
async def paid_with_note(message: Message, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    payout = await ctx.market.payouts.mark_paid(
        ctx.actor, int(data["payout_id"]), message.text or ""
    )
    await ctx.state.clear()
    await message.answer(texts.payout_paid(payout, ctx.settings.money), reply_markup=_to_payouts())


@router.callback_query(DecidePayout.note, FlowCb.filter(F.action == "skip"))
async def paid_without_note(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    payout = await ctx.market.payouts.mark_paid(ctx.actor, int(data["payout_id"]))
    await ctx.state.clear()
    await ctx.bot.send_message(
        query.from_user.id,
        texts.payout_paid(payout, ctx.settings.money),
        reply_markup=_to_payouts(),
    )


@router.message(DecidePayout.reason, TYPED)
async def rejected(message: Message, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    payout = await ctx.market.payouts.reject(ctx.actor, int(data["payout_id"]), message.text or "")
    await ctx.state.clear()
    await message.answer(
        texts.payout_rejected(payout, ctx.settings.money), reply_markup=_to_payouts()
    )


router.reminds(
    "payout_not_text",
    StateFilter(DecidePayout.reason, DecidePayout.note),
    ~F.text,
    text=texts.reason_not_text,
)


def _to_payouts() -> InlineKeyboardMarkup:
    return markup([action_button(texts.payouts_queue_button(), AdminCb(action="pq"))])


# --- bans ----------------------------------------------------------------------------------


@router.callback_query(AdminCb.filter(F.action == "who"))
async def ask_who(query: CallbackQuery, ctx: Ctx) -> None:
    await ctx.state.clear()
    await ask(ctx, query.from_user.id, Ban.who, texts.ask_who())


@router.message(Ban.who, TYPED)
async def got_who(message: Message, ctx: Ctx) -> None:
    user = await ctx.market.users.find(ctx.actor, message.text or "")
    await ctx.state.clear()
    action = (
        action_button(texts.unban_button(), AdminCb(action="unban", id=user.id))
        if user.is_banned
        else action_button(texts.ban_button(), AdminCb(action="ban", id=user.id))
    )
    await message.answer(texts.user_card(user), reply_markup=markup([action]))


router.reminds("who_not_text", Ban.who, ~F.text, text=texts.who_not_text)


@router.callback_query(AdminCb.filter(F.action == "ban"))
async def ask_reason(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    user = await ctx.market.users.get(callback_data.id)
    if user.is_banned:
        ctx.callback_reply.text = texts.already_banned()
        ctx.callback_reply.alert = True
        return
    await ask(ctx, query.from_user.id, Ban.reason, texts.ask_ban_reason(user), user_id=user.id)


@router.message(Ban.reason, TYPED)
async def ban(message: Message, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    user = await ctx.market.users.ban(ctx.actor, int(data["user_id"]), message.text or "")
    await ctx.state.clear()
    unban = action_button(texts.unban_button(), AdminCb(action="unban", id=user.id))
    await message.answer(texts.banned(user), reply_markup=markup([unban]))


router.reminds("reason_not_text", Ban.reason, ~F.text, text=texts.reason_not_text)


@router.callback_query(AdminCb.filter(F.action == "unban"))
async def ask_unban_reason(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    """Why, for the audit trail: typed, or none with the button."""
    await ctx.state.clear()
    user = await ctx.market.users.get(callback_data.id)
    if not user.is_banned:
        ctx.callback_reply.text = texts.not_banned()
        ctx.callback_reply.alert = True
        return
    await ctx.state.set_state(Ban.unban_reason)
    await ctx.state.set_data({"user_id": user.id})
    keyboard = markup([action_button(texts.unban_no_reason(), FlowCb(action="skip"))], cancel_row())
    await ctx.bot.send_message(
        query.from_user.id, texts.ask_unban_reason(user), reply_markup=keyboard
    )


@router.message(Ban.unban_reason, TYPED)
async def unban_with_reason(message: Message, ctx: Ctx) -> None:
    await _unban(message.chat.id, ctx, message.text or "")


@router.callback_query(Ban.unban_reason, FlowCb.filter(F.action == "skip"))
async def unban_without_reason(query: CallbackQuery, ctx: Ctx) -> None:
    await _unban(query.from_user.id, ctx, "")
    ctx.callback_reply.text = texts.unbanned_answer()


router.reminds("unban_reason_not_text", Ban.unban_reason, ~F.text, text=texts.reason_not_text)


async def _unban(chat_id: int, ctx: Ctx, reason: str) -> None:
    user = await ctx.market.users.unban(
        ctx.actor, int((await ctx.state.get_data())["user_id"]), reason
    )
    await ctx.state.clear()
    ban_again = action_button(texts.ban_button(), AdminCb(action="ban", id=user.id))
    await ctx.bot.send_message(chat_id, texts.unbanned(user), reply_markup=markup([ban_again]))
