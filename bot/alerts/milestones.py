"""Alerts of milestones: created or requested, funded, delivered (with the files) and
answered, paid, cancelled; and the timed reminders (due dates, a delivery about to
release itself), which say nothing once what they would ask for is done.

Each renderer loads the milestone, its contract and project once per event; what the
buttons offer is asked of core as the recipient (``milestones.actions``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup

from bot.alerts.common import (
    ButtonRow,
    Recipient,
    badge,
    column,
    each,
    first_names,
    keyboard,
    recipients,
    renders_with,
    to_all,
)
from bot.callbacks import ChatCb, ContractCb, MilestoneCb
from bot.notifier import Alert, AlertContext
from bot.render import CAPTION_LIMIT, clip
from bot.texts import contracts as contract_texts
from bot.texts import milestones as texts
from bot.texts import payments as payment_texts
from bot.texts.common import shown
from bot.ui import parse_ref
from core.actors import Actor
from core.events.milestones import (
    AutoReleaseSoon,
    ChangesRequested,
    DueNow,
    DueReminder,
    DueSoon,
    HandedOver,
    MilestoneAutoReleased,
    MilestoneCancelled,
    MilestoneCreated,
    MilestoneDelivered,
    MilestoneEvent,
    MilestoneFunded,
    MilestonePaid,
    MilestoneReleased,
    MilestoneRequested,
    Overdue,
    RequestAccepted,
    RequestAnswered,
    RequestRejected,
)
from storage.enums import MilestoneStatus
from storage.models import Contract, Milestone, Project
from storage.models import MilestoneEvent as Logged


@dataclass(frozen=True)
class Work:
    """What every recipient of a milestone's event shares, loaded once."""

    people: list[Recipient]
    m: Milestone
    contract: Contract
    project: Project


async def work_of(ctx: AlertContext, event: MilestoneEvent) -> Work | None:
    """The recipients and the milestone's work (None when nobody is left to tell).
    Every recipient is a party to the contract, so the first one's view is everyone's."""
    people = await recipients(ctx, event)
    if not people:
        return None
    m = await ctx.market.milestones.get(event.milestone_id)
    contract = await ctx.market.contracts.get(people[0].actor, m.contract_id)
    project = await ctx.market.projects.get(contract.project_id)
    return Work(people, m, contract, project)


async def _history(ctx: AlertContext, w: Work, kind: str) -> list[Logged]:
    """The milestone's logged steps of one kind, oldest first."""
    events = await ctx.market.milestones.history(w.people[0].actor, w.m.id)
    return [ev for ev in events if ev.kind == kind]


def open_milestone(m: Milestone) -> tuple[str, MilestoneCb]:
    return texts.open_milestone(), MilestoneCb(action="view", milestone_id=m.id)


def open_contract(contract_id: int) -> tuple[str, ContractCb]:
    return contract_texts.open_contract(), ContractCb(action="view", contract_id=contract_id)


def _deliver(m: Milestone) -> tuple[str, MilestoneCb]:
    return texts.deliver(), MilestoneCb(action="deliver", milestone_id=m.id)


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
        rows.append([(payment_texts.release_button(money.format(m.escrow)), cb("release"))])
    answers: ButtonRow = []
    if "request_changes" in actions:
        left = ctx.market.milestones.revisions_left(m, contract)
        answers.append((texts.request_changes(left), cb("changes")))
    if "extra_milestone" in actions:
        answers.append((texts.extra_milestone(), cb("extra")))
    if "dispute" in actions:
        answers.append((texts.dispute(), cb("dispute")))
    return keyboard(*rows, answers, *extra)


def _files(
    person: Recipient,
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
        alerts.append(Alert(person.chat, text, file_id=file_id, file_kind=kind, protect=protect))
    return alerts


@renders_with(work_of, MilestoneCreated)
async def created(event: MilestoneCreated, ctx: AlertContext, w: Work) -> list[Alert]:
    m = w.m
    amount = ctx.settings.money.format(m.amount)
    text = texts.alert_created(w.project.title, m.description, amount, m.due_at, badge(ctx))
    return to_all(w.people, text, column(open_milestone(m), open_contract(w.contract.id)))


@renders_with(work_of, MilestoneRequested)
async def requested(event: MilestoneRequested, ctx: AlertContext, w: Work) -> list[Alert]:
    m = w.m
    freelancer = await ctx.market.users.get(w.contract.freelancer_id)
    text = texts.alert_requested(
        w.project.title,
        shown(freelancer),
        m.description,
        ctx.settings.money.format(m.amount),
        badge(ctx),
    )
    markup = keyboard(
        [
            (texts.accept_request(), MilestoneCb(action="accept_req", milestone_id=m.id)),
            (texts.reject_request(), MilestoneCb(action="reject_req", milestone_id=m.id)),
        ],
        [open_contract(w.contract.id)],
    )
    return to_all(w.people, text, markup)


@renders_with(work_of, RequestAccepted, RequestRejected)
async def request_answered(event: RequestAnswered, ctx: AlertContext, w: Work) -> list[Alert]:
    m = w.m
    if isinstance(event, RequestAccepted):
        amount = ctx.settings.money.format(m.amount)
        text = texts.alert_request_accepted(m.description, amount, badge(ctx))
    else:
        rejected = await _history(ctx, w, "request_rejected")
        note = rejected[-1].note if rejected else None
        text = texts.alert_request_rejected(m.description, note)
    return to_all(w.people, text, column(open_contract(w.contract.id)))


@renders_with(work_of, MilestoneFunded)
async def funded(event: MilestoneFunded, ctx: AlertContext, w: Work) -> list[Alert]:
    """The freelancer may start; the employer was answered by the action that funded it."""
    m = w.m
    amount = ctx.settings.money.format(m.funded_amount)
    text = texts.alert_funded(w.project.title, m.description, amount, badge(ctx))
    markup = column(_deliver(m), open_contract(w.contract.id))
    freelancer = [p for p in w.people if p.user.id == w.contract.freelancer_id]
    return to_all(freelancer, text, markup)


@renders_with(work_of, MilestoneDelivered)
async def delivered(event: MilestoneDelivered, ctx: AlertContext, w: Work) -> list[Alert]:
    """Release / changes (or extra work) / dispute in one tap, the auto-release date, then
    the files: a protected preview (note and files) unless handed over in full."""
    m, contract = w.m, w.contract
    freelancer = await ctx.market.users.get(contract.freelancer_id)
    deliveries = await _history(ctx, w, "delivered")
    delivery = deliveries[-1] if deliveries else None
    note = (delivery.note or "") if delivery else ""
    files = list(delivery.file_ids) if delivery else []
    protect = bool(delivery and delivery.protected)
    text = texts.alert_delivered(
        w.project.title,
        shown(freelancer),
        m.description,
        note,
        len(files),
        ctx.settings.money.format(m.escrow),
        m.auto_release_at,
        badge(ctx),
        protected=protect,
        rounds_left=ctx.market.milestones.revisions_left(m, contract),
    )
    caption = functools.partial(texts.delivered_file_caption, protected=protect)

    async def alert(person: Recipient) -> list[Alert]:
        markup = await answer_keyboard(ctx, person.actor, m, contract, [open_milestone(m)])
        head = Alert(person.chat, text, markup, protect=protect)
        return [head, *_files(person, m.description, files, caption, protect)]

    return await each(w.people, alert)


@renders_with(work_of, HandedOver)
async def handed_over(event: HandedOver, ctx: AlertContext, w: Work) -> list[Alert]:
    """The milestone is paid for: its protected deliveries again, in full, to keep."""
    m = w.m
    deliveries = [ev for ev in await _history(ctx, w, "delivered") if ev.protected]
    files = list(dict.fromkeys(ref for ev in deliveries for ref in ev.file_ids))
    note = deliveries[-1].note or "" if deliveries else ""
    text = texts.alert_handed_over(m.description, note, len(files))
    markup = column(open_contract(w.contract.id))

    async def alert(person: Recipient) -> list[Alert]:
        caption = texts.handed_over_file_caption
        return [
            Alert(person.chat, text, markup),
            *_files(person, m.description, files, caption, False),
        ]

    return await each(w.people, alert)


@renders_with(work_of, ChangesRequested)
async def changes_requested(event: ChangesRequested, ctx: AlertContext, w: Work) -> list[Alert]:
    m = w.m
    asked = await _history(ctx, w, "changes_requested")
    left = ctx.market.milestones.revisions_left(m, w.contract)
    text = texts.alert_changes(m.description, (asked[-1].note or "") if asked else "", left)
    return to_all(w.people, text, column(_deliver(m), open_milestone(m)))


@renders_with(work_of, MilestoneReleased, MilestoneAutoReleased)
async def paid(event: MilestonePaid, ctx: AlertContext, w: Work) -> list[Alert]:
    """The amounts are the settlement's, carried by the event."""
    money = ctx.settings.money
    args = (
        w.m.description,
        money.format(event.amount),
        money.format(event.fee),
        money.format(event.paid_to_freelancer),
    )
    markup = column(open_contract(w.contract.id))
    if isinstance(event, MilestoneReleased):
        return to_all(w.people, texts.alert_released(*args, badge(ctx)), markup)

    async def alert(person: Recipient) -> list[Alert]:
        to_freelancer = person.user.id == w.contract.freelancer_id
        text = texts.alert_auto_released(*args, to_freelancer, badge(ctx))
        return [Alert(person.chat, text, markup)]

    return await each(w.people, alert)


@renders_with(work_of, MilestoneCancelled)
async def cancelled(event: MilestoneCancelled, ctx: AlertContext, w: Work) -> list[Alert]:
    m = w.m
    markup = column(open_contract(w.contract.id))

    async def alert(person: Recipient) -> list[Alert]:
        by_freelancer = person.user.id == w.contract.employer_id
        refunded = (
            ctx.settings.money.format(m.refunded_amount)
            if by_freelancer and m.refunded_amount
            else None
        )
        text = texts.alert_cancelled(m.description, by_freelancer, refunded, badge(ctx))
        return [Alert(person.chat, text, markup)]

    return await each(w.people, alert)


# --- timed reminders ------------------------------------------------------------------


def _hours_until(ctx: AlertContext, moment: datetime) -> int:
    return max(1, round((moment - ctx.clock.now()).total_seconds() / 3600))


@renders_with(work_of, DueSoon, DueNow, Overdue)
async def due(event: DueReminder, ctx: AlertContext, w: Work) -> list[Alert]:
    """The freelancer: deliver (or talk to the employer); the employer, once overdue:
    talk to the freelancer. Nothing once the work is delivered or the money gone."""
    m, contract, project = w.m, w.contract, w.project
    if m.status is not MilestoneStatus.FUNDED or m.due_at is None:
        return []
    due_at = m.due_at
    names = await first_names(ctx, contract.employer_id, contract.freelancer_id)

    async def alert(person: Recipient) -> list[Alert]:
        to_freelancer = person.user.id == contract.freelancer_id
        other_id = contract.employer_id if to_freelancer else contract.freelancer_id
        if isinstance(event, DueSoon):
            hours = _hours_until(ctx, due_at)
            text = texts.alert_due_soon(project.title, m.description, due_at, hours)
        elif isinstance(event, DueNow):
            text = texts.alert_due_now(project.title, m.description, due_at)
        else:
            assert isinstance(event, Overdue)
            last = event.notice >= event.notices
            text = texts.alert_overdue(
                project.title, m.description, due_at, names[other_id], to_freelancer, last
            )
        chat = ChatCb(project_id=project.id, user_id=other_id)
        if to_freelancer:
            markup = column(_deliver(m), (texts.message_employer(), chat), open_milestone(m))
        else:
            markup = column((texts.message_freelancer(), chat), open_milestone(m))
        return [Alert(person.chat, text, markup)]

    return await each(w.people, alert)


@renders_with(work_of, AutoReleaseSoon)
async def auto_release_soon(event: AutoReleaseSoon, ctx: AlertContext, w: Work) -> list[Alert]:
    """The employer, before silence releases a delivery: the same answers as the delivery
    alert, in one tap."""
    m, contract = w.m, w.contract
    if m.status is not MilestoneStatus.DELIVERED or m.auto_release_at is None:
        return []
    freelancer = await ctx.market.users.get(contract.freelancer_id)
    text = texts.alert_auto_release_soon(
        w.project.title,
        shown(freelancer),
        m.description,
        ctx.settings.money.format(m.escrow),
        m.auto_release_at,
        _hours_until(ctx, m.auto_release_at),
        badge(ctx),
    )
    extra = [open_milestone(m), open_contract(contract.id)]

    async def alert(person: Recipient) -> list[Alert]:
        markup = await answer_keyboard(ctx, person.actor, m, contract, extra)
        return [Alert(person.chat, text, markup)]

    return await each(w.people, alert)
