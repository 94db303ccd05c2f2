"""Report conversations: a person reporting (what is wrong, then an optional note), and an
admin dismissing, warning or banning over a report (the note or reason, for the audit
trail and the person warned; for a ban a confirmation).

Each ends in one core call that checks everything again, so a stale button, a second
press or a second admin gets core's refusal.
"""

from __future__ import annotations

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import AdminCb, FlowCb, ReportCb
from bot.context import Ctx
from bot.keyboards import cancel_row
from bot.routers import Area
from bot.screens.reports import send_decided
from bot.texts import reports as texts
from bot.texts.common import shown
from bot.ui import TYPED, action_button, markup
from storage.enums import ReportReason, ReportStatus

router = Area("flows.reports")

WHY = "why_"


class ReportForm(StatesGroup):
    reason = State()
    note = State()


class ReportDecision(StatesGroup):
    dismissal = State()
    warning = State()
    ban_reason = State()
    ban_confirm = State()


#: What the note typed (or the button without one) decides, by the step it answers.
NOTED = {
    ReportDecision.dismissal.state: ReportStatus.DISMISSED,
    ReportDecision.warning.state: ReportStatus.WARNED,
}


# --- reporting --------------------------------------------------------------------------


@router.callback_query(ReportCb.filter(F.action == "new"))
async def start(query: CallbackQuery, callback_data: ReportCb, ctx: Ctx) -> None:
    """🚩 on a message, bid, project or profile: core refuses at once what it would refuse."""
    view = await ctx.market.reports.check(ctx.actor, callback_data.kind, callback_data.target_id)
    await ctx.state.clear()
    await ctx.state.set_state(ReportForm.reason)
    await ctx.state.set_data({"kind": view.kind.value, "target_id": view.target_id})
    keyboard = markup(
        *[
            [action_button(label, FlowCb(action=WHY + r.value))]
            for r, label in texts.reasons().items()
        ],
        cancel_row(),
    )
    text = texts.ask_reason(view.kind, shown(view.subject))
    await ctx.bot.send_message(ctx.actor.telegram_id, text, reply_markup=keyboard)


@router.callback_query(ReportForm.reason, FlowCb.filter(F.action.startswith(WHY)))
async def got_reason(query: CallbackQuery, callback_data: FlowCb, ctx: Ctx) -> None:
    await ctx.state.update_data(reason=ReportReason(callback_data.action.removeprefix(WHY)).value)
    await ctx.state.set_state(ReportForm.note)
    keyboard = markup([action_button(texts.send_report(), FlowCb(action="send"))], cancel_row())
    await ctx.bot.send_message(ctx.actor.telegram_id, texts.ask_note(), reply_markup=keyboard)


router.reminds("reason_as_button", ReportForm.reason, text=texts.reason_as_button)


@router.message(ReportForm.note, TYPED)
async def got_note(message: Message, ctx: Ctx) -> None:
    await _file(ctx, message.text or "")


@router.callback_query(ReportForm.note, FlowCb.filter(F.action == "send"))
async def without_note(query: CallbackQuery, ctx: Ctx) -> None:
    await _file(ctx, "")


router.reminds("note_not_text", ReportForm.note, ~F.text, text=texts.note_as_text)


async def _file(ctx: Ctx, note: str) -> None:
    data = await ctx.state.get_data()
    await ctx.market.reports.report(
        ctx.actor, str(data["kind"]), int(data["target_id"]), str(data["reason"]), note
    )
    await ctx.state.clear()
    await ctx.bot.send_message(ctx.actor.telegram_id, texts.filed())


# --- an admin dismisses, warns or bans --------------------------------------------------------


@router.callback_query(AdminCb.filter(F.action.in_({"rdis", "rwarn", "rban"})))
async def ask_note(query: CallbackQuery, callback_data: AdminCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    view = await ctx.market.reports.view(ctx.actor, callback_data.id)
    if view.report.status is not ReportStatus.OPEN:
        ctx.callback_reply.text, ctx.callback_reply.alert = texts.already_decided(view.report), True
        return
    await ctx.state.set_data({"report_id": view.report.id, "subject_id": view.subject.id})
    if callback_data.action == "rdis":
        await ctx.state.set_state(ReportDecision.dismissal)
        text = texts.ask_dismissal(view.report, view.subject)
        standard = action_button(texts.dismiss_no_note(), FlowCb(action="standard"))
    elif callback_data.action == "rwarn":
        await ctx.state.set_state(ReportDecision.warning)
        text = texts.ask_warning(view.report, view.subject)
        standard = action_button(texts.standard_warning(), FlowCb(action="standard"))
    else:
        await ctx.state.set_state(ReportDecision.ban_reason)
        text = texts.ask_ban_reason(view.report, view.subject)
        standard = action_button(texts.standard_ban(), FlowCb(action="standard"))
    await ctx.bot.send_message(
        ctx.actor.telegram_id, text, reply_markup=markup([standard], cancel_row())
    )


@router.message(ReportDecision.dismissal, TYPED)
@router.message(ReportDecision.warning, TYPED)
async def note_typed(message: Message, ctx: Ctx) -> None:
    outcome = NOTED[str(await ctx.state.get_state())]
    await _decide(ctx, outcome, message.text or "")


@router.callback_query(ReportDecision.dismissal, FlowCb.filter(F.action == "standard"))
@router.callback_query(ReportDecision.warning, FlowCb.filter(F.action == "standard"))
async def standard_note(query: CallbackQuery, ctx: Ctx) -> None:
    """No note for a dismissal, the standard warning for a warning."""
    await _decide(ctx, NOTED[str(await ctx.state.get_state())], "")


@router.message(ReportDecision.ban_reason, TYPED)
@router.message(ReportDecision.ban_confirm, TYPED)
async def ban_reason_typed(message: Message, ctx: Ctx) -> None:
    reason = ctx.market.reports.check_note(message.text or "") or ""
    await _confirm_ban(ctx, reason)


@router.callback_query(ReportDecision.ban_reason, FlowCb.filter(F.action == "standard"))
async def standard_ban(query: CallbackQuery, ctx: Ctx) -> None:
    await _confirm_ban(ctx, "")


async def _confirm_ban(ctx: Ctx, reason: str) -> None:
    await ctx.state.update_data(reason=reason)
    await ctx.state.set_state(ReportDecision.ban_confirm)
    subject = await ctx.market.users.get(int((await ctx.state.get_data())["subject_id"]))
    keyboard = markup([action_button(texts.yes_ban(), FlowCb(action="ban_ok"))], cancel_row())
    await ctx.bot.send_message(
        ctx.actor.telegram_id, texts.confirm_ban(subject, reason), reply_markup=keyboard
    )


@router.callback_query(ReportDecision.ban_confirm, FlowCb.filter(F.action == "ban_ok"))
async def ban(query: CallbackQuery, ctx: Ctx) -> None:
    reason = str((await ctx.state.get_data()).get("reason", ""))
    await _decide(ctx, ReportStatus.BANNED, reason)


router.reminds(
    "decision_not_text",
    StateFilter(
        ReportDecision.ban_confirm,
        ReportDecision.ban_reason,
        ReportDecision.warning,
        ReportDecision.dismissal,
    ),
    ~F.text,
    text=texts.note_not_text,
)


async def _decide(ctx: Ctx, outcome: ReportStatus, note: str) -> None:
    report_id = int((await ctx.state.get_data())["report_id"])
    await ctx.market.reports.decide(ctx.actor, report_id, outcome, note)
    await ctx.state.clear()
    await send_decided(ctx, report_id)
