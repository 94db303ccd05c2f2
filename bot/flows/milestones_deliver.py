"""Delivering work (freelancer): note → files (documents or photos; Done / Skip) → confirm.

At the confirm step the freelancer chooses how the employer gets the work: a protected
preview until it is paid for (the default), or in full at once.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import FlowCb, MilestoneCb
from bot.context import Ctx
from bot.keyboards import only_cancel
from bot.routers import Area
from bot.texts import common
from bot.texts import contracts as contract_texts
from bot.texts import milestones as texts
from bot.ui import TYPED, ask, choices, file_ref, finish, replace_prompt
from core import text

router = Area("flows.milestones_deliver")


class DeliverForm(StatesGroup):
    note = State()
    files = State()
    confirm = State()


@router.callback_query(MilestoneCb.filter(F.action == "deliver"))
async def start(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    m = await ctx.market.milestones.check(ctx.actor, callback_data.milestone_id, "deliver")
    await ask(
        ctx,
        query.from_user.id,
        DeliverForm.note,
        texts.deliver_note_ask(m.description, ctx.settings.delivery_note_max),
        milestone_id=m.id,
        description=m.description,
        files=[],
        names=[],
        protected=True,
    )


@router.message(DeliverForm.note, TYPED)
async def note(message: Message, ctx: Ctx) -> None:
    value = text.bounded(message.text, "milestone.note", 1, ctx.settings.delivery_note_max)
    await ctx.state.update_data(note=value)
    await ctx.state.set_state(DeliverForm.files)
    await message.answer(
        texts.deliver_files_ask(ctx.settings.max_attachments),
        reply_markup=_files_keyboard(False),
    )


router.reminds(
    "note_reask", DeliverForm.note, text=texts.deliver_note_reask, reply_markup=only_cancel
)


async def _add_file(message: Message, ctx: Ctx, ref: str, name: str) -> None:
    data = await ctx.state.get_data()
    files: list[str] = list(data.get("files", []))
    names: list[str] = list(data.get("names", []))
    limit = ctx.settings.max_attachments
    if len(files) >= limit:
        await message.answer(texts.deliver_files_full(limit), reply_markup=_files_keyboard(True))
        return
    files.append(ref)
    names.append(name)
    await ctx.state.update_data(files=files, names=names)
    await message.answer(common.file_added(len(files), limit), reply_markup=_files_keyboard(True))


def _files_keyboard(any_files: bool) -> InlineKeyboardMarkup:
    """Skip until a file is attached, then Done (as when posting a project)."""
    return choices(
        (common.files_done(), "dl_done") if any_files else (common.files_skip(), "dl_skip")
    )


@router.message(DeliverForm.files, F.document)
async def document(message: Message, ctx: Ctx) -> None:
    doc = message.document
    assert doc is not None
    await _add_file(message, ctx, file_ref("document", doc.file_id), doc.file_name or "document")


@router.message(DeliverForm.files, F.photo)
async def photo(message: Message, ctx: Ctx) -> None:
    assert message.photo
    await _add_file(message, ctx, file_ref("photo", message.photo[-1].file_id), "photo")


def _confirm_keyboard(protected: bool) -> InlineKeyboardMarkup:
    toggle = (
        (texts.hand_over_now(), "dl_open") if protected else (texts.protect_until_paid(), "dl_lock")
    )
    return choices((texts.send_delivery(), "dl_ok"), toggle)


def _confirm_text(data: dict[str, Any]) -> str:
    return texts.deliver_confirm(
        data["description"], data["note"], data.get("names", []), bool(data["protected"])
    )


async def _preview(chat_id: int, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    await ask(
        ctx,
        chat_id,
        DeliverForm.confirm,
        _confirm_text(data),
        _confirm_keyboard(bool(data["protected"])),
    )


@router.callback_query(DeliverForm.files, FlowCb.filter(F.action.in_({"dl_done", "dl_skip"})))
async def files_done(query: CallbackQuery, ctx: Ctx) -> None:
    await _preview(query.from_user.id, ctx)


@router.message(DeliverForm.files, TYPED)
async def files_text(message: Message, ctx: Ctx) -> None:
    if (message.text or "").strip().lower() in texts.finish_words():
        await _preview(message.chat.id, ctx)
        return
    await files_reask(message, ctx.state)


@router.message(DeliverForm.files)
async def files_reask(message: Message, state: FSMContext) -> None:
    any_files = bool((await state.get_data()).get("files"))
    await message.answer(common.files_reask(any_files), reply_markup=_files_keyboard(any_files))


@router.callback_query(DeliverForm.confirm, FlowCb.filter(F.action.in_({"dl_open", "dl_lock"})))
async def protection(query: CallbackQuery, callback_data: FlowCb, ctx: Ctx) -> None:
    """Switch between a protected preview and handing the work over in full."""
    data = await ctx.state.update_data(protected=callback_data.action == "dl_lock")
    await replace_prompt(
        query, ctx.bot, _confirm_text(data), _confirm_keyboard(bool(data["protected"]))
    )


@router.callback_query(DeliverForm.confirm, FlowCb.filter(F.action == "dl_ok"))
async def confirm(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    protected = bool(data["protected"])
    m = await ctx.market.milestones.deliver(
        ctx.actor, data["milestone_id"], data["note"], data.get("files", []), protected=protected
    )
    text = texts.delivered(m.description, m.auto_release_at, protected)
    await finish(query, ctx, "📦", text)


@router.message(DeliverForm.confirm)
async def confirm_reask(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await message.answer(
        contract_texts.confirm_reask(), reply_markup=_confirm_keyboard(bool(data["protected"]))
    )
