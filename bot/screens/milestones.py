"""The milestone card and its buttons, and what the employer sees after a release;
sent by the milestone buttons and the milestone wizards."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ContractCb, MilestoneCb
from bot.context import Ctx
from bot.render import pages
from bot.screens.contracts import contract_button, settled_prompt_for
from bot.settings import BotSettings
from bot.texts import contracts as contract_texts
from bot.texts import milestones as texts
from bot.texts import payments as payment_texts
from bot.texts.common import money_badge
from bot.ui import replace_prompt
from core.actors import Actor
from core.marketplace import Marketplace
from core.services.escrow import Settlement
from core.views.milestones import ReleaseConfirm
from storage.enums import MilestoneStatus
from storage.models import Milestone


def milestone_keyboard(
    m: Milestone,
    actions: frozenset[str],
    settings: BotSettings,
    *,
    contract_id: int | None = None,
    history: bool = True,
    rounds_left: int = 0,
) -> InlineKeyboardMarkup:
    """The buttons for what this person may do with the milestone now (``rounds_left``:
    the change rounds still included, shown on Request changes)."""
    money = settings.money
    kb = InlineKeyboardBuilder()
    sizes: list[int] = []

    def row(*buttons: tuple[str, CallbackData]) -> None:
        for text, data in buttons:
            kb.button(text=text, callback_data=data)
        sizes.append(len(buttons))

    def cb(action: str) -> MilestoneCb:
        return MilestoneCb(action=action, milestone_id=m.id)

    if "accept_request" in actions:
        row(
            (texts.accept_request(), cb("accept_req")),
            (texts.reject_request(), cb("reject_req")),
        )
    if "fund" in actions:
        gateway = settings.gateways().enabled[0]
        row((payment_texts.fund_button(gateway, money.format(m.amount)), cb("fund")))
    if "fund_balance" in actions:
        row((payment_texts.pay_from_balance(), cb("fund_balance")))
    if "deliver" in actions:
        row((texts.deliver(), cb("deliver")))
    if "release" in actions:
        full = (payment_texts.release_button(money.format(m.escrow)), cb("release"))
        if m.escrow > 1:
            row(full, (payment_texts.release_part(), cb("release_part")))
        else:
            row(full)
    if "request_changes" in actions:
        row((texts.request_changes(rounds_left), cb("changes")))
    if "extra_milestone" in actions:
        row((texts.extra_milestone(), cb("extra")))
    if "cancel" in actions:
        if m.status is MilestoneStatus.REQUESTED:
            label = texts.withdraw_request()
        elif m.status in (MilestoneStatus.FUNDED, MilestoneStatus.DELIVERED):
            label = texts.cancel_and_refund()
        else:
            label = texts.cancel_milestone()
        row((label, cb("cancel")))
    if "dispute" in actions:
        row((texts.dispute(), cb("dispute")))
    if history:
        row((texts.history_button(), cb("history")))
    if contract_id is not None:
        row((contract_texts.back_to_contract(), ContractCb(action="view", contract_id=contract_id)))
    kb.adjust(*sizes)
    return kb.as_markup()


async def milestone_screen(
    market: Marketplace, actor: Actor, settings: BotSettings, milestone_id: int
) -> tuple[list[str], InlineKeyboardMarkup]:
    screen = await market.views.milestones.screen(actor, milestone_id)  # refuses strangers
    m, head = screen.milestone, screen.header
    text = texts.milestone_card(
        m,
        head.contract,
        head.project_title,
        head.employer,
        head.other_name,
        settings.money,
        money_badge(settings.gateways()),
    )
    keyboard = milestone_keyboard(
        m, screen.actions, settings, contract_id=head.contract.id, rounds_left=screen.rounds_left
    )
    return pages(text), keyboard


def release_confirm_text(confirm: ReleaseConfirm, settings: BotSettings) -> str:
    """The question before a release (all of it, or a part) moves the money: how much,
    the fee, what the freelancer gets and what stays in escrow."""
    preview = confirm.preview
    m = preview.milestone
    money = settings.money
    return payment_texts.release_confirm(
        m.description,
        confirm.freelancer_name,
        money.format(preview.amount),
        money.format(preview.fee),
        money.format(preview.net),
        money.format(m.escrow),
        money_badge(settings.gateways()),
    )


async def answer_release(query: CallbackQuery, ctx: Ctx, result: Settlement) -> None:
    """The confirmation tapped: a release core replayed (the same confirmation tapped
    again) is said in an alert; otherwise the prompt turns into :func:`released_reply`."""
    if result.replayed:
        ctx.callback_reply.text, ctx.callback_reply.alert = payment_texts.already_done(), True
        return
    ctx.callback_reply.text = "✅"
    await replace_prompt(
        query, ctx.bot, *await released_reply(ctx.market, ctx.actor, ctx.settings, result)
    )


async def released_reply(
    market: Marketplace, actor: Actor, settings: BotSettings, result: Settlement
) -> tuple[str, InlineKeyboardMarkup]:
    """What the employer sees once a release went through (all of it, or a part); with
    the end of the contract one tap away when core says it was the last of the money."""
    m = result.milestone
    head = await market.views.contracts.header(actor, m.contract_id)  # the employer's
    money = settings.money
    text = payment_texts.released(
        m.description,
        head.other_name,
        money.format(result.released),
        money.format(result.fee),
        money.format(result.paid_to_freelancer),
        money.format(m.escrow) if m.escrow else "",
        money_badge(settings.gateways()),
    )
    if result.contract_settled:
        prompt, keyboard = settled_prompt_for(head)
        return f"{text}\n\n{prompt}", keyboard
    return text, contract_button(head.contract.id)
