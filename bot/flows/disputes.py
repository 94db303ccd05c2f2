"""Dispute conversations: open one (the missing deliverables, reason, amount, evidence,
confirm), respond, offer a split, add evidence at any stage; and the buttons that start
them. Every step ends by showing the dispute screen (``bot.screens.disputes``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import DisputeCb, FlowCb, MilestoneCb
from bot.context import Ctx
from bot.keyboards import cancel_row, only_cancel
from bot.routers import Area
from bot.screens.disputes import load_view, send_dispute, show
from bot.settings import BotSettings
from bot.texts import disputes as texts
from bot.texts.common import shown
from bot.texts.disputes import DisputeView
from bot.ui import TYPED, action_button, ask, file_ref, parse_ref
from core.services.disputes import DisputeOpening, EvidenceFile
from storage.enums import PartyRole
from storage.models import Project

router = Area("flows.disputes")


class OpenDispute(StatesGroup):
    deliverables = State()  # which agreed deliverables are missing or wrong (employer)
    reason = State()
    amount = State()
    evidence = State()
    confirm = State()


class AddEvidence(StatesGroup):
    files = State()


class Respond(StatesGroup):
    text = State()
    confirm = State()


class Offer(StatesGroup):
    amount = State()
    confirm = State()


# --- the dispute screen ----------------------------------------------------------------


# --- opening a dispute -----------------------------------------------------------------


async def begin_open(ctx: Ctx, chat_id: int, opening: DisputeOpening) -> None:
    """Start the conversation once core said this milestone can be disputed: the employer
    first names what is missing of the agreed deliverables, then everyone gives a reason."""
    project = await ctx.market.projects.get(opening.contract.project_id)
    respondent = await ctx.market.users.get(opening.respondent_id)
    await ctx.state.set_data(
        {
            "milestone_id": opening.milestone.id,
            "escrow": opening.milestone.escrow,
            "role": opening.role.value,
            "respondent": shown(respondent),
            "respond_within": opening.respond_within.total_seconds(),
            "agreed": opening.deliverables,
            "picked": [],
            "required": opening.must_name,
            "files": [],
            "count": 0,
        }
    )
    if opening.deliverables:
        await ctx.state.set_state(OpenDispute.deliverables)
        await ctx.bot.send_message(
            chat_id,
            texts.ask_deliverables(
                opening.milestone, project, ctx.settings.money, opening.must_name
            ),
            reply_markup=_deliverables_keyboard(opening.deliverables, []),
        )
        return
    await _ask_reason(chat_id, ctx, opening, project)


def _deliverables_keyboard(agreed: list[str], picked: list[int]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for n, line in enumerate(agreed):
        label = texts.deliverable_button(line, n in picked)
        kb.row(action_button(label, FlowCb(action=f"dv{n}")))
    kb.row(action_button(texts.next_step(), FlowCb(action="dv_next")))
    kb.row(*cancel_row())
    return kb.as_markup()


@router.callback_query(OpenDispute.deliverables, FlowCb.filter(F.action.regexp(r"^dv\d+$")))
async def toggle_deliverable(
    query: CallbackQuery, callback_data: FlowCb, state: FSMContext
) -> None:
    data = await state.get_data()
    n = int(callback_data.action.removeprefix("dv"))
    picked = [p for p in data["picked"] if p != n]
    if len(picked) == len(data["picked"]) and n < len(data["agreed"]):
        picked = sorted([*picked, n])
    await state.update_data(picked=picked)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(
            reply_markup=_deliverables_keyboard(data["agreed"], picked)
        )


@router.callback_query(OpenDispute.deliverables, FlowCb.filter(F.action == "dv_next"))
async def deliverables_done(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    opening = await ctx.market.disputes.opening(ctx.actor, int(data["milestone_id"]))
    ctx.market.disputes.check_named(
        opening.milestone, opening.contract, opening.role, data["picked"]
    )
    project = await ctx.market.projects.get(opening.contract.project_id)
    await _ask_reason(query.from_user.id, ctx, opening, project)


@router.message(OpenDispute.deliverables)
async def deliverables_reask(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await message.answer(
        texts.pick_deliverables(),
        reply_markup=_deliverables_keyboard(data["agreed"], data["picked"]),
    )


async def _ask_reason(chat_id: int, ctx: Ctx, opening: DisputeOpening, project: Project) -> None:
    await ask(
        ctx,
        chat_id,
        OpenDispute.reason,
        texts.ask_reason(
            opening.milestone, project, ctx.settings.money, ctx.settings.dispute_reason_max
        ),
    )


@router.message(OpenDispute.reason, TYPED)
async def got_reason(message: Message, ctx: Ctx) -> None:
    reason = ctx.market.disputes.check_reason(message.text or "")
    data = await ctx.state.update_data(reason=reason)
    await ctx.state.set_state(OpenDispute.amount)
    escrow = int(data["escrow"])
    kb = InlineKeyboardBuilder()
    kb.row(action_button(texts.all_of_it(ctx.settings.money.format(escrow)), FlowCb(action="all")))
    kb.row(*cancel_row())
    await message.answer(
        texts.ask_amount(
            PartyRole(data["role"]), escrow, ctx.settings.money, ctx.settings.platform_fee_bps
        ),
        reply_markup=kb.as_markup(),
    )


router.reminds("reason_not_text", OpenDispute.reason, ~F.text, text=texts.reason_not_text)


@router.message(OpenDispute.amount, TYPED)
async def got_claim(message: Message, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    claimed = ctx.settings.money.parse(message.text or "")
    amount = ctx.market.disputes.check_claim(claimed, int(data["escrow"]))
    await _ask_evidence(message.chat.id, ctx, amount)


@router.callback_query(OpenDispute.amount, FlowCb.filter(F.action == "all"))
async def claim_all(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    await _ask_evidence(query.from_user.id, ctx, int(data["escrow"]))


@router.message(OpenDispute.amount, ~F.text)
async def claim_not_text(message: Message, settings: BotSettings) -> None:
    await message.answer(texts.amount_not_text(settings.money))


def _evidence_keyboard(files: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.row(action_button(texts.done() if files else texts.skip(), FlowCb(action="ev_done")))
    kb.row(*cancel_row())
    return kb.as_markup()


async def _ask_evidence(chat_id: int, ctx: Ctx, amount: int) -> None:
    await _evidence_step(ctx, chat_id, OpenDispute.evidence, claimed=amount)


async def _evidence_step(ctx: Ctx, chat_id: int, step: State, **data: Any) -> None:
    """Ask for evidence (opening a dispute, or at any stage of one): files one at a time,
    then Done (Skip while there are none)."""
    text = texts.ask_evidence(ctx.settings.evidence_max)
    await ask(ctx, chat_id, step, text, _evidence_keyboard(0), **data)


def evidence_of(message: Message) -> EvidenceFile | None:
    """A file, photo or video sent as evidence (its caption kept), or None for anything else."""
    caption = message.caption or None
    if message.document is not None:
        return EvidenceFile(message.document.file_id, "document", caption)
    if message.photo:
        return EvidenceFile(message.photo[-1].file_id, "photo", caption)
    if message.video is not None:
        return EvidenceFile(message.video.file_id, "video", caption)
    return None


@router.message(OpenDispute.evidence, F.document | F.photo | F.video)
async def got_evidence(message: Message, ctx: Ctx) -> None:
    """Kept with the filing: they are attached when the dispute is opened."""
    found = evidence_of(message)
    assert found is not None
    checked = ctx.market.disputes.check_evidence_file(found)
    data = await ctx.state.get_data()
    files = list(data["files"])
    if len(files) < ctx.settings.evidence_max:
        files.append([file_ref(checked.kind, checked.file_id), checked.caption])
        await ctx.state.update_data(files=files)
    await _evidence_taken(message, ctx, len(files))


async def _evidence_taken(message: Message, ctx: Ctx, count: int) -> None:
    """How many files are attached now, with Done (both evidence steps)."""
    await ctx.state.update_data(count=count)
    await message.answer(
        texts.evidence_added(count, ctx.settings.evidence_max),
        reply_markup=_evidence_keyboard(count),
    )


@router.callback_query(OpenDispute.evidence, FlowCb.filter(F.action == "ev_done"))
async def evidence_done(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    await ctx.state.set_state(OpenDispute.confirm)
    kb = InlineKeyboardBuilder()
    kb.row(action_button(texts.open_it(), FlowCb(action="confirm")))
    kb.row(*cancel_row())
    await ctx.bot.send_message(
        query.from_user.id,
        texts.confirm_open(
            PartyRole(data["role"]),
            data["reason"],
            int(data["claimed"]),
            int(data["escrow"]),
            data["respondent"],
            timedelta(seconds=float(data["respond_within"])),
            ctx.settings.money,
            [data["agreed"][n] for n in data["picked"]],
            len(data["files"]),
        ),
        reply_markup=kb.as_markup(),
    )


def _files(stored: list[list[str | None]]) -> list[EvidenceFile]:
    """The evidence kept in the conversation (file ref and caption), as core takes it."""
    found = []
    for ref, caption in stored:
        assert ref is not None
        kind, file_id = parse_ref(ref)
        found.append(EvidenceFile(file_id, kind, caption))
    return found


@router.callback_query(OpenDispute.confirm, FlowCb.filter(F.action == "confirm"))
async def open_it(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    dispute = await ctx.market.disputes.open(
        ctx.actor,
        int(data["milestone_id"]),
        reason=data["reason"],
        claimed_amount=int(data["claimed"]),
        deliverables=data["picked"],
        evidence=_files(data["files"]),
    )
    await ctx.state.clear()
    ctx.callback_reply.text = texts.opened()
    await show(ctx, dispute.id)


# --- evidence at any stage ----------------------------------------------------------------


async def begin_evidence(ctx: Ctx, chat_id: int, dispute_id: int) -> None:
    await _evidence_step(ctx, chat_id, AddEvidence.files, dispute_id=dispute_id, count=0)


@router.message(AddEvidence.files, F.document | F.photo | F.video)
async def attach_evidence(message: Message, ctx: Ctx) -> None:
    """Attached at once: the other side sees it, and so does an admin."""
    found = evidence_of(message)
    assert found is not None
    data = await ctx.state.get_data()
    dispute_id = int(data["dispute_id"])
    await ctx.market.disputes.add_evidence(ctx.actor, dispute_id, found)
    evidence = await ctx.market.disputes.evidence(ctx.actor, dispute_id)
    mine = sum(1 for x in evidence if x.author_id == ctx.actor.user_id)
    await _evidence_taken(message, ctx, mine)


@router.message(OpenDispute.evidence)
@router.message(AddEvidence.files)
async def evidence_reask(message: Message, state: FSMContext) -> None:
    """Anything but a file at an evidence step (after both steps' file handlers)."""
    data = await state.get_data()
    await message.answer(
        texts.evidence_reask(), reply_markup=_evidence_keyboard(int(data["count"]))
    )


@router.callback_query(AddEvidence.files, FlowCb.filter(F.action == "ev_done"))
async def attach_done(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    await ctx.state.clear()
    await show(ctx, int(data["dispute_id"]))


# --- responding ------------------------------------------------------------------------


async def begin_respond(ctx: Ctx, chat_id: int, v: DisputeView) -> None:
    await ask(
        ctx,
        chat_id,
        Respond.text,
        texts.ask_response(v, ctx.settings.money, ctx.settings.dispute_reason_max),
        dispute_id=v.dispute.id,
    )


@router.message(Respond.text, TYPED)
async def got_response(message: Message, ctx: Ctx) -> None:
    response = ctx.market.disputes.check_response(message.text or "")
    await ctx.state.update_data(response=response)
    await ctx.state.set_state(Respond.confirm)
    kb = InlineKeyboardBuilder()
    kb.row(action_button(texts.send_response(), FlowCb(action="confirm")))
    kb.row(*cancel_row())
    chunks = texts.messages(texts.confirm_response(response))
    for chunk in chunks[:-1]:
        await message.answer(chunk)
    await message.answer(chunks[-1], reply_markup=kb.as_markup())


router.reminds("response_not_text", Respond.text, ~F.text, text=texts.response_not_text)


@router.callback_query(Respond.confirm, FlowCb.filter(F.action == "confirm"))
async def send_response(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    dispute = await ctx.market.disputes.respond(
        ctx.actor, int(data["dispute_id"]), data["response"]
    )
    await ctx.state.clear()
    ctx.callback_reply.text = texts.responded()
    await show(ctx, dispute.id)


# --- offering a split ------------------------------------------------------------------


async def begin_offer(ctx: Ctx, chat_id: int, v: DisputeView, viewer_id: int) -> None:
    await ctx.state.set_state(Offer.amount)
    await ctx.state.set_data(
        {
            "dispute_id": v.dispute.id,
            "escrow": v.milestone.escrow,
            # What was released before, so the fee shown is the fee the split takes.
            "released": v.milestone.released_amount,
            "fee_taken": v.milestone.fee_amount,
            "other": v.names.get(v.other(viewer_id), ""),
        }
    )
    await ctx.bot.send_message(
        chat_id, texts.ask_offer(v, ctx.settings.money), reply_markup=only_cancel()
    )


@router.message(Offer.amount, TYPED)
async def got_offer(message: Message, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    escrow = int(data["escrow"])
    release = ctx.market.disputes.check_offer(ctx.settings.money.parse(message.text or ""), escrow)
    await ctx.state.update_data(release=release)
    await ctx.state.set_state(Offer.confirm)
    kb = InlineKeyboardBuilder()
    kb.row(action_button(texts.send_offer(), FlowCb(action="confirm")))
    kb.row(*cancel_row())
    await message.answer(
        texts.confirm_offer(
            release,
            escrow,
            data["other"],
            ctx.settings.money,
            ctx.settings.platform_fee_bps,
            released=int(data.get("released", 0)),
            fee_taken=int(data.get("fee_taken", 0)),
        ),
        reply_markup=kb.as_markup(),
    )


@router.message(Offer.amount, ~F.text)
async def offer_not_text(message: Message, settings: BotSettings) -> None:
    await message.answer(texts.amount_not_text(settings.money))


@router.callback_query(Offer.confirm, FlowCb.filter(F.action == "confirm"))
async def send_offer(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    offer = await ctx.market.disputes.offer(
        ctx.actor, int(data["dispute_id"]), int(data["release"])
    )
    await ctx.state.clear()
    ctx.callback_reply.text = texts.offer_sent()
    await show(ctx, offer.dispute_id)


# --- a confirm step waits for its button -------------------------------------------------


router.reminds(
    "confirm_please",
    StateFilter(Offer.confirm, Respond.confirm, OpenDispute.confirm),
    text=texts.confirm_please,
)


@router.callback_query(MilestoneCb.filter(F.action == "dispute"))
async def dispute_milestone(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    """Open a dispute over the milestone, or show the one it already has."""
    await ctx.state.clear()
    opening = await ctx.market.disputes.opening(ctx.actor, callback_data.milestone_id)
    if opening.existing is not None:
        await show(ctx, opening.existing.id)
        return
    await begin_open(ctx, query.from_user.id, opening)


async def _open_to(
    query: CallbackQuery, ctx: Ctx, dispute_id: int, *actions: str
) -> texts.DisputeView | None:
    """The dispute, if one of ``actions`` is still for this person to do. Otherwise the
    button is from an earlier step: say so, and show where the dispute stands now."""
    await ctx.state.clear()
    v = await load_view(ctx.market, ctx.actor, dispute_id)
    if set(actions) & set(v.actions):
        return v
    ctx.callback_reply.text = texts.moved_on()
    ctx.callback_reply.alert = True
    await send_dispute(ctx.bot, query.from_user.id, v, ctx.actor.user_id, ctx.settings)
    return None


@router.callback_query(DisputeCb.filter(F.action == "respond"))
async def respond(query: CallbackQuery, callback_data: DisputeCb, ctx: Ctx) -> None:
    v = await _open_to(query, ctx, callback_data.dispute_id, "respond")
    if v is not None:
        await begin_respond(ctx, query.from_user.id, v)


@router.callback_query(DisputeCb.filter(F.action == "offer"))
async def offer(query: CallbackQuery, callback_data: DisputeCb, ctx: Ctx) -> None:
    v = await _open_to(query, ctx, callback_data.dispute_id, "offer", "counter_offer")
    if v is not None:
        await begin_offer(ctx, query.from_user.id, v, ctx.actor.user_id)


@router.callback_query(DisputeCb.filter(F.action == "evidence"))
async def evidence(query: CallbackQuery, callback_data: DisputeCb, ctx: Ctx) -> None:
    """Files, photos or videos for the record, at whatever stage the dispute is."""
    await ctx.state.clear()
    dispute = await ctx.market.disputes.check_evidence(ctx.actor, callback_data.dispute_id)
    await begin_evidence(ctx, query.from_user.id, dispute.id)
