"""Alerts for the work and the money: milestones, payments, contracts ending, reviews, payouts.

Each renderer looks the objects up again (as the recipient, so core's access rules
hold) and offers the next step as quick-reply buttons.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ContractCb, MilestoneCb
from bot.notifier import Alert, AlertContext, renders
from bot.render import CAPTION_LIMIT, clip
from bot.screens.contracts import settled_keyboard, settled_prompt
from bot.texts import contracts as texts
from bot.texts import money as money_texts
from bot.texts.common import money_badge
from bot.ui import parse_ref
from core.actors import Actor
from core.events import Event
from storage.enums import ContractStatus
from storage.models import Contract, Milestone, MilestoneEvent, Project, User

#: A row of buttons: (label, payload) pairs.
ButtonRow = list[tuple[str, CallbackData]]


def _int(event: Event, key: str) -> int:
    value = event.data.get(key)
    assert isinstance(value, int), f"{event.kind} without {key}"
    return value


def _badge(ctx: AlertContext) -> str:
    """The label of money that is not real ("" for real money)."""
    return money_badge(ctx.gateways)


async def _person(ctx: AlertContext, user_id: int) -> tuple[User, Actor]:
    user = await ctx.market.users.get(user_id)
    return user, ctx.market.users.actor(user)


async def _work(
    ctx: AlertContext, milestone_id: int, actor: Actor
) -> tuple[Milestone, Contract, Project]:
    m = await ctx.market.milestones.get(milestone_id)
    contract = await ctx.market.contracts.get(actor, m.contract_id)
    project = await ctx.market.projects.get(contract.project_id)
    return m, contract, project


async def _last(ctx: AlertContext, actor: Actor, m: Milestone, kind: str) -> MilestoneEvent | None:
    events = await ctx.market.milestones.history(actor, m.id)
    return next((ev for ev in reversed(events) if ev.kind == kind), None)


def _keyboard(*buttons: tuple[str, CallbackData]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for text, data in buttons:
        kb.button(text=text, callback_data=data)
    kb.adjust(1)
    return kb.as_markup()


def _open(m: Milestone) -> tuple[str, MilestoneCb]:
    return texts.OPEN_MILESTONE, MilestoneCb(action="view", milestone_id=m.id)


def _contract(contract_id: int) -> tuple[str, ContractCb]:
    return texts.OPEN_CONTRACT, ContractCb(action="view", contract_id=contract_id)


async def answer_keyboard(
    ctx: AlertContext, actor: Actor, m: Milestone, contract: Contract, *extra: ButtonRow
) -> InlineKeyboardMarkup:
    """The employer's answers to a delivery, as core offers them now: release; changes
    while included rounds are left, else a new milestone for the extra work; a dispute."""
    actions = await ctx.market.milestones.actions(actor, m.id)
    money = ctx.settings.money

    def cb(action: str) -> MilestoneCb:
        return MilestoneCb(action=action, milestone_id=m.id)

    rows: list[ButtonRow] = []
    if "release" in actions:
        rows.append(
            [(money_texts.label(money_texts.RELEASE, money.format(m.escrow)), cb("release"))]
        )
    answers: ButtonRow = []
    if "request_changes" in actions:
        left = ctx.market.milestones.revisions_left(m, contract)
        answers.append((texts.request_changes(left), cb("changes")))
    if "extra_milestone" in actions:
        answers.append((texts.EXTRA_MILESTONE, cb("extra")))
    if "dispute" in actions:
        answers.append((texts.DISPUTE, cb("dispute")))
    rows += [answers, *extra]
    kb = InlineKeyboardBuilder()
    for row in rows:
        if row:
            kb.row(*(InlineKeyboardButton(text=t, callback_data=d.pack()) for t, d in row))
    return kb.as_markup()


def _files(
    user: User,
    description: str,
    refs: list[str],
    caption: Callable[[int, int, str], str],
    protect: bool,
) -> list[Alert]:
    """A delivery's files, one message each, captioned n of total."""
    alerts = []
    for n, ref in enumerate(refs, start=1):
        kind, file_id = parse_ref(ref)
        text = clip(caption(n, len(refs), description), CAPTION_LIMIT)
        alerts.append(
            Alert(user.telegram_id, text, file_id=file_id, file_kind=kind, protect=protect)
        )
    return alerts


# --- milestones -------------------------------------------------------------------------


@renders("milestone.created")
async def created(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, project = await _work(ctx, _int(event, "milestone_id"), actor)
        text = texts.alert_created(
            project.title,
            m.description,
            ctx.settings.money.format(m.amount),
            m.due_at,
            _badge(ctx),
        )
        alerts.append(Alert(user.telegram_id, text, _keyboard(_open(m), _contract(contract.id))))
    return alerts


@renders("milestone.requested")
async def requested(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, project = await _work(ctx, _int(event, "milestone_id"), actor)
        freelancer = await ctx.market.users.get(contract.freelancer_id)
        text = texts.alert_requested(
            project.title,
            freelancer.first_name,
            m.description,
            ctx.settings.money.format(m.amount),
            _badge(ctx),
        )
        kb = InlineKeyboardBuilder()
        kb.button(
            text=texts.ACCEPT_REQUEST,
            callback_data=MilestoneCb(action="accept_req", milestone_id=m.id),
        )
        kb.button(
            text=texts.REJECT_REQUEST,
            callback_data=MilestoneCb(action="reject_req", milestone_id=m.id),
        )
        label, data = _contract(contract.id)
        kb.button(text=label, callback_data=data)
        kb.adjust(2, 1)
        alerts.append(Alert(user.telegram_id, text, kb.as_markup()))
    return alerts


@renders("milestone.request_accepted", "milestone.request_rejected")
async def request_answered(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, _ = await _work(ctx, _int(event, "milestone_id"), actor)
        if event.kind == "milestone.request_accepted":
            text = texts.alert_request_accepted(
                m.description, ctx.settings.money.format(m.amount), _badge(ctx)
            )
        else:
            rejected = await _last(ctx, actor, m, "request_rejected")
            text = texts.alert_request_rejected(m.description, rejected.note if rejected else None)
        alerts.append(Alert(user.telegram_id, text, _keyboard(_contract(contract.id))))
    return alerts


@renders("milestone.funded")
async def funded(event: Event, ctx: AlertContext) -> list[Alert]:
    """The freelancer may start; the employer was answered by the action that funded it."""
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, project = await _work(ctx, _int(event, "milestone_id"), actor)
        if uid != contract.freelancer_id:
            continue
        text = texts.alert_funded(
            project.title, m.description, ctx.settings.money.format(m.funded_amount), _badge(ctx)
        )
        kb = _keyboard(
            (texts.DELIVER, MilestoneCb(action="deliver", milestone_id=m.id)),
            _contract(contract.id),
        )
        alerts.append(Alert(user.telegram_id, text, kb))
    return alerts


@renders("milestone.delivered")
async def delivered(event: Event, ctx: AlertContext) -> list[Alert]:
    """Release / changes (or extra work) / dispute in one tap, the auto-release date, then
    the files: a protected preview (note and files) unless handed over in full."""
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, project = await _work(ctx, _int(event, "milestone_id"), actor)
        freelancer = await ctx.market.users.get(contract.freelancer_id)
        delivery = await _last(ctx, actor, m, "delivered")
        note = (delivery.note or "") if delivery else ""
        files = list(delivery.file_ids) if delivery else []
        protect = bool(delivery and delivery.protected)
        text = texts.alert_delivered(
            project.title,
            freelancer.first_name,
            m.description,
            note,
            len(files),
            ctx.settings.money.format(m.escrow),
            m.auto_release_at,
            _badge(ctx),
            protected=protect,
            rounds_left=ctx.market.milestones.revisions_left(m, contract),
        )
        kb = await answer_keyboard(ctx, actor, m, contract, [_open(m)])
        alerts.append(Alert(user.telegram_id, text, kb, protect=protect))
        caption = functools.partial(texts.delivered_file_caption, protected=protect)
        alerts += _files(user, m.description, files, caption, protect)
    return alerts


@renders("milestone.handed_over")
async def handed_over(event: Event, ctx: AlertContext) -> list[Alert]:
    """The milestone is paid for: its protected deliveries again, in full, to keep."""
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, _ = await _work(ctx, _int(event, "milestone_id"), actor)
        history = await ctx.market.milestones.history(actor, m.id)
        deliveries = [ev for ev in history if ev.kind == "delivered" and ev.protected]
        files = list(dict.fromkeys(ref for ev in deliveries for ref in ev.file_ids))
        note = deliveries[-1].note or "" if deliveries else ""
        text = texts.alert_handed_over(m.description, note, len(files))
        alerts.append(Alert(user.telegram_id, text, _keyboard(_contract(contract.id))))
        alerts += _files(user, m.description, files, texts.handed_over_file_caption, False)
    return alerts


@renders("milestone.changes_requested")
async def changes_requested(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, _ = await _work(ctx, _int(event, "milestone_id"), actor)
        asked = await _last(ctx, actor, m, "changes_requested")
        left = ctx.market.milestones.revisions_left(m, contract)
        text = texts.alert_changes(m.description, (asked.note or "") if asked else "", left)
        kb = _keyboard((texts.DELIVER, MilestoneCb(action="deliver", milestone_id=m.id)), _open(m))
        alerts.append(Alert(user.telegram_id, text, kb))
    return alerts


@renders("milestone.released", "milestone.auto_released")
async def released(event: Event, ctx: AlertContext) -> list[Alert]:
    money = ctx.settings.money
    amount, fee = _int(event, "amount"), _int(event, "fee")
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, _ = await _work(ctx, _int(event, "milestone_id"), actor)
        to_freelancer = uid == contract.freelancer_id
        args = (m.description, money.format(amount), money.format(fee), money.format(amount - fee))
        if event.kind == "milestone.released":
            text = texts.alert_released(*args, _badge(ctx))
        else:
            text = texts.alert_auto_released(*args, to_freelancer, _badge(ctx))
        alerts.append(Alert(user.telegram_id, text, _keyboard(_contract(contract.id))))
    return alerts


@renders("milestone.cancelled")
async def cancelled(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, _ = await _work(ctx, _int(event, "milestone_id"), actor)
        by_freelancer = uid == contract.employer_id
        refunded = (
            ctx.settings.money.format(m.refunded_amount)
            if by_freelancer and m.refunded_amount
            else None
        )
        text = texts.alert_cancelled(m.description, by_freelancer, refunded, _badge(ctx))
        alerts.append(Alert(user.telegram_id, text, _keyboard(_contract(contract.id))))
    return alerts


# --- money ------------------------------------------------------------------------------


@renders("payment.credited_to_balance")
async def credited(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, _ = await _person(ctx, uid)
        m = await ctx.market.milestones.get(_int(event, "milestone_id"))
        text = money_texts.credited_to_balance(
            ctx.settings.money.format(_int(event, "amount")), m.description
        )
        alerts.append(Alert(user.telegram_id, text))
    return alerts


@renders("payment.refunded", "payment.refund_refused")
async def refunded_to_source(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, _ = await _person(ctx, uid)
        amount = ctx.settings.money.format(_int(event, "amount"))
        if event.kind == "payment.refunded":
            text = money_texts.refunded_to_stars(amount)
        else:
            text = money_texts.refund_refused(amount)
        alerts.append(Alert(user.telegram_id, text))
    return alerts


@renders("payment.refund_started")
async def refund_started(event: Event, ctx: AlertContext) -> list[Alert]:
    """Nobody is told yet: the payer hears when Telegram has the Stars back (or not).
    The event wakes the refund loop (``bot.delivery``)."""
    return []


@renders("payout.paid", "payout.rejected")
async def payout_decided(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        payout = await ctx.market.payouts.get(actor, _int(event, "payout_id"))
        amount = ctx.settings.money.format(payout.amount)
        if event.kind == "payout.paid":
            text = money_texts.payout_paid(amount, payout.destination, _badge(ctx))
        else:
            text = money_texts.payout_rejected(amount, payout.note, _badge(ctx))
        alerts.append(Alert(user.telegram_id, text))
    return alerts


# --- contracts and reviews --------------------------------------------------------------


def _review_keyboard(contract_id: int, can_review: bool) -> InlineKeyboardMarkup:
    buttons: list[tuple[str, CallbackData]] = []
    if can_review:
        buttons.append((texts.REVIEW, ContractCb(action="review", contract_id=contract_id)))
    buttons.append(_contract(contract_id))
    return _keyboard(*buttons)


@renders("contract.completed", "contract.cancelled")
async def contract_ended(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        contract = await ctx.market.contracts.get(actor, _int(event, "contract_id"))
        project = await ctx.market.projects.get(contract.project_id)
        reviews = await ctx.market.reviews.for_contract(actor, contract.id)
        completed = contract.status is ContractStatus.COMPLETED
        text = texts.alert_contract_ended(
            project.title, completed, reviews.can_write, reviews.ending
        )
        alerts.append(
            Alert(user.telegram_id, text, _review_keyboard(contract.id, reviews.can_write))
        )
    return alerts


@renders("contract.settled")
async def contract_settled(event: Event, ctx: AlertContext) -> list[Alert]:
    """Nothing is held or pending: end it and review (the employer), or ask (the
    freelancer). Not if it ended meanwhile."""
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        contract_id = _int(event, "contract_id")
        if await ctx.market.contracts.ready_to_end(actor, contract_id):
            text, keyboard = await settled_prompt(ctx.market, actor, contract_id)
            alerts.append(Alert(user.telegram_id, text, keyboard))
    return alerts


@renders("contract.end_requested")
async def end_requested(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        contract = await ctx.market.contracts.get(actor, _int(event, "contract_id"))
        if not await ctx.market.contracts.ready_to_end(actor, contract.id):
            continue  # ended (or reopened with new work) since
        project = await ctx.market.projects.get(contract.project_id)
        freelancer = await ctx.market.users.get(contract.freelancer_id)
        text = texts.end_requested(freelancer.first_name, project.title)
        keyboard = settled_keyboard(contract.id, True, freelancer.first_name)
        alerts.append(Alert(user.telegram_id, text, keyboard))
    return alerts


@renders("review.written")
async def review_written(event: Event, ctx: AlertContext) -> list[Alert]:
    """Double-blind: the review itself is shown only once core makes it visible."""
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        contract = await ctx.market.contracts.get(actor, _int(event, "contract_id"))
        project = await ctx.market.projects.get(contract.project_id)
        author_id = (
            contract.employer_id if uid == contract.freelancer_id else contract.freelancer_id
        )
        author = await ctx.market.users.get(author_id)
        reviews = await ctx.market.reviews.for_contract(actor, contract.id)
        text = texts.alert_review_written(author.first_name, project.title, reviews.theirs)
        alerts.append(
            Alert(user.telegram_id, text, _review_keyboard(contract.id, reviews.can_write))
        )
    return alerts
