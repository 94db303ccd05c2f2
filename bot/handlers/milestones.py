"""One milestone: its card, and the one-tap actions (fund, accept, release, cancel...).

Which buttons a person sees comes from core (``market.milestones.actions``); every
press is re-checked by the service it calls, so an old button gets a clear alert.
Confirmations that move money carry what was shown (``WorkCb.amount``) and the
prompt message as a request key, so a double tap moves money once.
"""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ContractCb, MilestoneCb, WorkCb
from bot.context import Ctx
from bot.handlers.payments import send_invoice
from bot.render import pages
from bot.routers import Area
from bot.screens.contracts import settled_prompt
from bot.screens.milestones import (
    answer_release,
    milestone_keyboard,
    milestone_screen,
    release_confirm_text,
)
from bot.texts import contracts as contract_texts
from bot.texts import milestones as texts
from bot.texts import payments as payment_texts
from bot.texts.common import money_badge
from bot.ui import replace_prompt, request_key, send_screen, yes_or_not

router = Area("handlers.milestones")


@router.callback_query(MilestoneCb.filter(F.action == "view"))
async def open_milestone(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    parts, kb = await milestone_screen(
        ctx.market, ctx.actor, ctx.settings, callback_data.milestone_id
    )
    await send_screen(ctx.bot, query.from_user.id, parts, kb)


@router.callback_query(MilestoneCb.filter(F.action == "history"))
async def milestone_history(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    history = await ctx.market.views.milestones.history(ctx.actor, callback_data.milestone_id)
    m, events, names = history.milestone, list(history.events), history.names
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts.open_milestone(),
        callback_data=MilestoneCb(action="view", milestone_id=m.id),
    )
    badge = money_badge(ctx.settings.gateways())
    parts = pages(texts.history(m.description, events, names, ctx.settings.money, badge))
    await send_screen(ctx.bot, query.from_user.id, parts, kb.as_markup())


# --- requests ---------------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "accept_req"))
async def accept_request(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    m = await ctx.market.milestones.accept_request(ctx.actor, callback_data.milestone_id)
    ctx.callback_reply.text = "✅"
    actions = await ctx.market.milestones.actions(ctx.actor, m.id)
    await ctx.bot.send_message(
        query.from_user.id,
        texts.request_accepted_reply(
            m.description, ctx.settings.money.format(m.amount), money_badge(ctx.settings.gateways())
        ),
        reply_markup=milestone_keyboard(m, actions, ctx.settings, contract_id=m.contract_id),
    )


@router.callback_query(MilestoneCb.filter(F.action == "reject_req"))
async def reject_request(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    m = await ctx.market.milestones.reject_request(ctx.actor, callback_data.milestone_id)
    ctx.callback_reply.text = "✖"
    await ctx.bot.send_message(query.from_user.id, texts.request_rejected_reply(m.description))


# --- funding ----------------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "fund"))
async def fund(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    started = await ctx.market.milestones.start_funding(
        ctx.actor, callback_data.milestone_id, ctx.settings.funding_gateway
    )
    m = started.milestone
    amount = ctx.settings.money.format(m.amount)
    kb = InlineKeyboardBuilder()
    kb.button(
        text=contract_texts.open_contract(),
        callback_data=ContractCb(action="view", contract_id=m.contract_id),
    )
    if started.funded:
        ctx.callback_reply.text = "✅"
        await ctx.bot.send_message(
            query.from_user.id,
            payment_texts.funded_sandbox(
                m.description, amount, money_badge(ctx.settings.gateways())
            ),
            reply_markup=kb.as_markup(),
        )
        return
    head = await ctx.market.views.contracts.header(ctx.actor, m.contract_id)  # the project's title
    ctx.callback_reply.text = payment_texts.invoice_on_its_way()
    badge = money_badge(ctx.settings.gateways())
    await ctx.bot.send_message(query.from_user.id, payment_texts.invoice_sent(amount, badge))
    await send_invoice(
        ctx.bot, query.from_user.id, ctx.settings, started.payment, m, head.project_title
    )


@router.callback_query(MilestoneCb.filter(F.action == "fund_balance"))
async def fund_from_balance(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    m = await ctx.market.milestones.fund_from_balance(ctx.actor, callback_data.milestone_id)
    ctx.callback_reply.text = "✅"
    kb = InlineKeyboardBuilder()
    kb.button(
        text=contract_texts.open_contract(),
        callback_data=ContractCb(action="view", contract_id=m.contract_id),
    )
    await ctx.bot.send_message(
        query.from_user.id,
        payment_texts.funded_from_balance(
            m.description, ctx.settings.money.format(m.amount), money_badge(ctx.settings.gateways())
        ),
        reply_markup=kb.as_markup(),
    )


# --- releasing --------------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "release"))
async def release_prompt(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    confirm = await ctx.market.views.milestones.release(ctx.actor, callback_data.milestone_id)
    preview = confirm.preview
    m = preview.milestone
    keyboard = yes_or_not(
        payment_texts.confirm_release(ctx.settings.money.format(preview.amount)),
        WorkCb(action="release", milestone_id=m.id, amount=preview.amount),
        payment_texts.not_now(),
        WorkCb(action="dismiss", milestone_id=m.id),
    )
    text = release_confirm_text(confirm, ctx.settings)
    await ctx.bot.send_message(query.from_user.id, text, reply_markup=keyboard)


@router.callback_query(WorkCb.filter(F.action == "release"))
async def release(query: CallbackQuery, callback_data: WorkCb, ctx: Ctx) -> None:
    result = await ctx.market.milestones.release(
        ctx.actor, callback_data.milestone_id, callback_data.amount, request_key=request_key(query)
    )
    await answer_release(query, ctx, result)


@router.callback_query(WorkCb.filter(F.action == "dismiss"))
async def dismiss(query: CallbackQuery, ctx: Ctx) -> None:
    ctx.callback_reply.text = payment_texts.dismissed()
    await replace_prompt(query, ctx.bot, payment_texts.dismissed())


# --- cancelling -------------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "cancel"))
async def cancel_prompt(query: CallbackQuery, callback_data: MilestoneCb, ctx: Ctx) -> None:
    m = await ctx.market.milestones.check(ctx.actor, callback_data.milestone_id, "cancel")
    keyboard = yes_or_not(
        texts.confirm_cancel(),
        WorkCb(action="cancel", milestone_id=m.id),
        payment_texts.not_now(),
        WorkCb(action="dismiss", milestone_id=m.id),
    )
    await ctx.bot.send_message(
        query.from_user.id,
        texts.cancel_confirm(
            m.description,
            m.status,
            ctx.settings.money.format(m.escrow),
            money_badge(ctx.settings.gateways()),
        ),
        reply_markup=keyboard,
    )


@router.callback_query(WorkCb.filter(F.action == "cancel"))
async def cancel(query: CallbackQuery, callback_data: WorkCb, ctx: Ctx) -> None:
    done = await ctx.market.milestones.cancel_reporting(
        ctx.actor, callback_data.milestone_id, request_key=request_key(query)
    )
    if done.replayed:  # the same confirmation tapped again: core replayed the first cancel
        ctx.callback_reply.text, ctx.callback_reply.alert = payment_texts.already_done(), True
        return
    m, refunded = done.milestone, done.refunded
    text = texts.cancelled(
        m.description,
        ctx.settings.money.format(refunded) if refunded else None,
        money_badge(ctx.settings.gateways()),
    )
    ctx.callback_reply.text = "✖"
    if done.contract_settled:
        prompt, keyboard = await settled_prompt(ctx.market, ctx.actor, m.contract_id)
        await replace_prompt(query, ctx.bot, f"{text}\n\n{prompt}", keyboard)
        return
    await replace_prompt(query, ctx.bot, text)
