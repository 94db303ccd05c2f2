"""One milestone: its card, and the one-tap actions (fund, accept, release, cancel...).

Which buttons a person sees comes from core (``market.milestones.actions``); every
press is re-checked by the service it calls, so an old button gets a clear alert.
Confirmations that move money carry what was shown (``WorkCb.amount``) and the
prompt message as a request key, so a double tap moves money once.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.types import CallbackQuery
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ContractCb, MilestoneCb, WorkCb
from bot.handlers.payments import send_invoice
from bot.middlewares import CallbackReply
from bot.render import pages
from bot.routers import Area
from bot.screens.contracts import settled_prompt
from bot.screens.milestones import milestone_keyboard, milestone_screen, released_reply
from bot.settings import BotSettings
from bot.texts import contracts as contract_texts
from bot.texts import milestones as texts
from bot.texts import payments as payment_texts
from bot.texts.common import money_badge
from bot.ui import replace_prompt, request_key, send_screen, yes_or_not
from core.actors import Actor
from core.marketplace import Marketplace

router = Area("handlers.milestones")


@router.callback_query(MilestoneCb.filter(F.action == "view"))
async def open_milestone(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    parts, kb = await milestone_screen(market, actor, settings, callback_data.milestone_id)
    await send_screen(bot, query.from_user.id, parts, kb)


@router.callback_query(MilestoneCb.filter(F.action == "history"))
async def milestone_history(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    history = await market.views.milestones.history(actor, callback_data.milestone_id)
    m, events, names = history.milestone, list(history.events), history.names
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts.open_milestone(),
        callback_data=MilestoneCb(action="view", milestone_id=m.id),
    )
    badge = money_badge(settings.gateways())
    parts = pages(texts.history(m.description, events, names, settings.money, badge))
    await send_screen(bot, query.from_user.id, parts, kb.as_markup())


# --- requests ---------------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "accept_req"))
async def accept_request(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    m = await market.milestones.accept_request(actor, callback_data.milestone_id)
    callback_reply.text = "✅"
    actions = await market.milestones.actions(actor, m.id)
    await bot.send_message(
        query.from_user.id,
        texts.request_accepted_reply(
            m.description, settings.money.format(m.amount), money_badge(settings.gateways())
        ),
        reply_markup=milestone_keyboard(m, actions, settings, contract_id=m.contract_id),
    )


@router.callback_query(MilestoneCb.filter(F.action == "reject_req"))
async def reject_request(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    callback_reply: CallbackReply,
) -> None:
    m = await market.milestones.reject_request(actor, callback_data.milestone_id)
    callback_reply.text = "✖"
    await bot.send_message(query.from_user.id, texts.request_rejected_reply(m.description))


# --- funding ----------------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "fund"))
async def fund(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    started = await market.milestones.start_funding(
        actor, callback_data.milestone_id, settings.funding_gateway
    )
    m = started.milestone
    amount = settings.money.format(m.amount)
    kb = InlineKeyboardBuilder()
    kb.button(
        text=contract_texts.open_contract(),
        callback_data=ContractCb(action="view", contract_id=m.contract_id),
    )
    if started.funded:
        callback_reply.text = "✅"
        await bot.send_message(
            query.from_user.id,
            payment_texts.funded_sandbox(m.description, amount, money_badge(settings.gateways())),
            reply_markup=kb.as_markup(),
        )
        return
    head = await market.views.contracts.header(actor, m.contract_id)  # the project's title
    callback_reply.text = payment_texts.invoice_on_its_way()
    badge = money_badge(settings.gateways())
    await bot.send_message(query.from_user.id, payment_texts.invoice_sent(amount, badge))
    await send_invoice(bot, query.from_user.id, settings, started.payment, m, head.project_title)


@router.callback_query(MilestoneCb.filter(F.action == "fund_balance"))
async def fund_from_balance(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    m = await market.milestones.fund_from_balance(actor, callback_data.milestone_id)
    callback_reply.text = "✅"
    kb = InlineKeyboardBuilder()
    kb.button(
        text=contract_texts.open_contract(),
        callback_data=ContractCb(action="view", contract_id=m.contract_id),
    )
    await bot.send_message(
        query.from_user.id,
        payment_texts.funded_from_balance(
            m.description, settings.money.format(m.amount), money_badge(settings.gateways())
        ),
        reply_markup=kb.as_markup(),
    )


# --- releasing --------------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "release"))
async def release_prompt(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    confirm = await market.views.milestones.release(actor, callback_data.milestone_id)
    preview = confirm.preview
    m = preview.milestone
    money = settings.money
    keyboard = yes_or_not(
        payment_texts.confirm_release(money.format(preview.amount)),
        WorkCb(action="release", milestone_id=m.id, amount=preview.amount),
        payment_texts.not_now(),
        WorkCb(action="dismiss", milestone_id=m.id),
    )
    await bot.send_message(
        query.from_user.id,
        payment_texts.release_confirm(
            m.description,
            confirm.freelancer_name,
            money.format(preview.amount),
            money.format(preview.fee),
            money.format(preview.net),
            money.format(m.escrow),
            money_badge(settings.gateways()),
        ),
        reply_markup=keyboard,
    )


@router.callback_query(WorkCb.filter(F.action == "release"))
async def release(
    query: CallbackQuery,
    callback_data: WorkCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    result = await market.milestones.release(
        actor, callback_data.milestone_id, callback_data.amount, request_key=request_key(query)
    )
    if result.replayed:
        callback_reply.text, callback_reply.alert = payment_texts.already_done(), True
        return
    callback_reply.text = "✅"
    await replace_prompt(query, bot, *await released_reply(market, actor, settings, result))


@router.callback_query(WorkCb.filter(F.action == "dismiss"))
async def dismiss(query: CallbackQuery, bot: Bot, callback_reply: CallbackReply) -> None:
    callback_reply.text = payment_texts.dismissed()
    await replace_prompt(query, bot, payment_texts.dismissed())


# --- cancelling -------------------------------------------------------------------------


@router.callback_query(MilestoneCb.filter(F.action == "cancel"))
async def cancel_prompt(
    query: CallbackQuery,
    callback_data: MilestoneCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
) -> None:
    m = await market.milestones.check(actor, callback_data.milestone_id, "cancel")
    keyboard = yes_or_not(
        texts.confirm_cancel(),
        WorkCb(action="cancel", milestone_id=m.id),
        payment_texts.not_now(),
        WorkCb(action="dismiss", milestone_id=m.id),
    )
    await bot.send_message(
        query.from_user.id,
        texts.cancel_confirm(
            m.description,
            m.status,
            settings.money.format(m.escrow),
            money_badge(settings.gateways()),
        ),
        reply_markup=keyboard,
    )


@router.callback_query(WorkCb.filter(F.action == "cancel"))
async def cancel(
    query: CallbackQuery,
    callback_data: WorkCb,
    bot: Bot,
    market: Marketplace,
    actor: Actor,
    settings: BotSettings,
    callback_reply: CallbackReply,
) -> None:
    done = await market.milestones.cancel_reporting(
        actor, callback_data.milestone_id, request_key=request_key(query)
    )
    if done.replayed:  # the same confirmation tapped again: core replayed the first cancel
        callback_reply.text, callback_reply.alert = payment_texts.already_done(), True
        return
    m, refunded = done.milestone, done.refunded
    text = texts.cancelled(
        m.description,
        settings.money.format(refunded) if refunded else None,
        money_badge(settings.gateways()),
    )
    callback_reply.text = "✖"
    if done.contract_settled:
        prompt, keyboard = await settled_prompt(market, actor, m.contract_id)
        await replace_prompt(query, bot, f"{text}\n\n{prompt}", keyboard)
        return
    await replace_prompt(query, bot, text)
