"""Alerts of the timed rules: milestone due dates, a delivery about to release itself,
and double-blind reviews becoming visible.

Each renderer looks the milestone up again and says nothing if the reminder went
stale in the meantime (delivered, released, disputed): a reminder must never ask
for something that is already done.
"""

from __future__ import annotations

from datetime import datetime

from bot.alerts.work import (
    _badge,
    _contract,
    _int,
    _keyboard,
    _open,
    _person,
    _review_keyboard,
    answer_keyboard,
)
from bot.alerts.work import _work as work_of
from bot.callbacks import ChatCb, MilestoneCb
from bot.notifier import Alert, AlertContext, renders
from bot.texts import contracts as texts
from core.events import Event
from storage.enums import MilestoneStatus


def _hours_until(ctx: AlertContext, moment: datetime) -> int:
    return max(1, round((moment - ctx.clock.now()).total_seconds() / 3600))


@renders("milestone.due_soon", "milestone.due_now", "milestone.overdue")
async def due(event: Event, ctx: AlertContext) -> list[Alert]:
    """The freelancer: deliver (or talk to the employer); the employer, once overdue:
    talk to the freelancer. Nothing once the work is delivered or the money gone."""
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, project = await work_of(ctx, _int(event, "milestone_id"), actor)
        if m.status is not MilestoneStatus.FUNDED or m.due_at is None:
            continue
        to_freelancer = uid == contract.freelancer_id
        other_id = contract.employer_id if to_freelancer else contract.freelancer_id
        other = await ctx.market.users.get(other_id)
        if event.kind == "milestone.due_soon":
            text = texts.alert_due_soon(
                project.title, m.description, m.due_at, _hours_until(ctx, m.due_at)
            )
        elif event.kind == "milestone.due_now":
            text = texts.alert_due_now(project.title, m.description, m.due_at)
        else:
            last = _int(event, "notice") >= _int(event, "notices")
            text = texts.alert_overdue(
                project.title, m.description, m.due_at, other.first_name, to_freelancer, last
            )
        chat = ChatCb(project_id=project.id, user_id=other_id)
        if to_freelancer:
            kb = _keyboard(
                (texts.DELIVER, MilestoneCb(action="deliver", milestone_id=m.id)),
                (texts.MESSAGE_EMPLOYER, chat),
                _open(m),
            )
        else:
            kb = _keyboard((texts.MESSAGE_FREELANCER, chat), _open(m))
        alerts.append(Alert(user.telegram_id, text, kb))
    return alerts


@renders("milestone.auto_release_soon")
async def auto_release_soon(event: Event, ctx: AlertContext) -> list[Alert]:
    """The employer, before silence releases a delivery: the same answers as the delivery
    alert, in one tap."""
    alerts = []
    money = ctx.settings.money
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        m, contract, project = await work_of(ctx, _int(event, "milestone_id"), actor)
        if m.status is not MilestoneStatus.DELIVERED or m.auto_release_at is None:
            continue
        freelancer = await ctx.market.users.get(contract.freelancer_id)
        text = texts.alert_auto_release_soon(
            project.title,
            freelancer.first_name,
            m.description,
            money.format(m.escrow),
            m.auto_release_at,
            _hours_until(ctx, m.auto_release_at),
            _badge(ctx),
        )
        kb = await answer_keyboard(ctx, actor, m, contract, [_open(m), _contract(contract.id)])
        alerts.append(Alert(user.telegram_id, text, kb))
    return alerts


@renders("reviews.published")
async def reviews_published(event: Event, ctx: AlertContext) -> list[Alert]:
    """Both sides, once: what the other wrote about them (now visible), or that they did not."""
    alerts = []
    for uid in event.recipients:
        user, actor = await _person(ctx, uid)
        contract = await ctx.market.contracts.get(actor, _int(event, "contract_id"))
        project = await ctx.market.projects.get(contract.project_id)
        other_id = contract.employer_id if uid == contract.freelancer_id else contract.freelancer_id
        other = await ctx.market.users.get(other_id)
        reviews = await ctx.market.reviews.for_contract(actor, contract.id)
        text = texts.alert_reviews_published(
            project.title, other.first_name, reviews.theirs, reviews.mine is not None
        )
        alerts.append(
            Alert(user.telegram_id, text, _review_keyboard(contract.id, reviews.can_write))
        )
    return alerts
