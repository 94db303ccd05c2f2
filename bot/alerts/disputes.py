"""Dispute alerts: the side that did not act hears of every step, the admins of escalations.

The side that acted sees the dispute screen in reply to its own press; core names
the other side (or both, when time decided) as the event's recipients.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from bot.admins import admin_users
from bot.callbacks import AdminCb, DisputeCb, OfferCb
from bot.notifier import Alert, AlertContext, renders
from bot.screens.disputes import load_view
from bot.texts import admin as admin_texts
from bot.texts import disputes as texts
from bot.texts.disputes import DisputeView
from bot.ui import action_button, markup
from core.events import Event
from storage.enums import OfferStatus
from storage.models import User


async def _views(event: Event, ctx: AlertContext) -> list[tuple[User, DisputeView]]:
    """Each recipient with the dispute as they may see it."""
    dispute_id = int(event.data["dispute_id"] or 0)
    found = []
    for user_id in event.recipients:
        user = await ctx.market.users.get(user_id)
        view = await load_view(ctx.market, ctx.market.users.actor(user), dispute_id)
        found.append((user, view))
    return found


def _row(label: str, data: CallbackData) -> list[InlineKeyboardButton]:
    return [action_button(label, data)]


def _view_row(v: DisputeView) -> list[InlineKeyboardButton]:
    return _row(texts.VIEW, DisputeCb(action="view", dispute_id=v.dispute.id))


@renders("dispute.opened")
async def opened(event: Event, ctx: AlertContext) -> list[Alert]:
    alerts = []
    for user, v in await _views(event, ctx):
        did = v.dispute.id
        keyboard = markup(
            _row(texts.RESPOND, DisputeCb(action="respond", dispute_id=did)),
            _row(texts.OFFER, DisputeCb(action="offer", dispute_id=did)),
            _row(texts.ADD_EVIDENCE, DisputeCb(action="evidence", dispute_id=did)),
            _view_row(v),
        )
        text = texts.alert_opened(v, ctx.settings.money)
        alerts.append(Alert(user.telegram_id, text, keyboard))
    return alerts


@renders("dispute.responded")
async def responded(event: Event, ctx: AlertContext) -> list[Alert]:
    return [
        Alert(
            user.telegram_id,
            texts.alert_responded(v),
            markup(
                _row(texts.OFFER, DisputeCb(action="offer", dispute_id=v.dispute.id)),
                _view_row(v),
            ),
        )
        for user, v in await _views(event, ctx)
    ]


@renders("dispute.evidence")
async def evidence(event: Event, ctx: AlertContext) -> list[Alert]:
    """The other side sees every file attached, as it is attached: nothing is secret
    from them in a record an admin may judge."""
    evidence_id = int(event.data["evidence_id"] or 0)
    alerts = []
    for user, v in await _views(event, ctx):
        found = next((x for x in v.evidence if x.id == evidence_id), None)
        if found is None:
            continue
        alerts.append(
            Alert(
                user.telegram_id,
                texts.alert_evidence(v, found),
                markup(_view_row(v)),
                file_id=found.file_id,
                file_kind=found.file_kind,
            )
        )
    return alerts


@renders("dispute.offer")
async def offered(event: Event, ctx: AlertContext) -> list[Alert]:
    offer_id = int(event.data["offer_id"] or 0)
    alerts = []
    for user, v in await _views(event, ctx):
        offer = next((o for o in v.offers if o.id == offer_id), None)
        if offer is None or offer.status is not OfferStatus.OPEN:
            continue  # superseded or settled before this alert went out
        amount = ctx.settings.money.format(offer.release_amount)
        keyboard = markup(
            _row(texts.accept(amount), OfferCb(action="accept", offer_id=offer.id)),
            _row(texts.COUNTER, DisputeCb(action="offer", dispute_id=v.dispute.id)),
            _view_row(v),
        )
        text = texts.alert_offer(v, offer, ctx.settings.money, ctx.settings.platform_fee_bps)
        alerts.append(Alert(user.telegram_id, text, keyboard))
    return alerts


@renders("dispute.settled")
async def settled(event: Event, ctx: AlertContext) -> list[Alert]:
    s = ctx.settings
    return [
        Alert(
            user.telegram_id,
            texts.alert_settled(v, s.money, s.platform_fee_bps),
            markup(_view_row(v)),
        )
        for user, v in await _views(event, ctx)
    ]


@renders("dispute.escalated")
async def escalated(event: Event, ctx: AlertContext) -> list[Alert]:
    return [
        Alert(user.telegram_id, texts.alert_escalated(v), markup(_view_row(v)))
        for user, v in await _views(event, ctx)
    ]


@renders("dispute.withdrawn")
async def withdrawn(event: Event, ctx: AlertContext) -> list[Alert]:
    return [
        Alert(user.telegram_id, texts.alert_withdrawn(v), markup(_view_row(v)))
        for user, v in await _views(event, ctx)
    ]


@renders("dispute.resolved")
async def resolved(event: Event, ctx: AlertContext) -> list[Alert]:
    s = ctx.settings
    return [
        Alert(
            user.telegram_id,
            texts.alert_resolved(v, s.money, s.platform_fee_bps),
            markup(_view_row(v)),
        )
        for user, v in await _views(event, ctx)
    ]


@renders("dispute.needs_arbiter")
async def needs_arbiter(event: Event, ctx: AlertContext) -> list[Alert]:
    dispute_id = int(event.data["dispute_id"] or 0)
    alerts = []
    for admin in await admin_users(ctx.market, ctx.settings):
        v = await load_view(ctx.market, ctx.market.users.actor(admin), dispute_id)
        keyboard = markup(
            _row(admin_texts.OPEN_RECORD, AdminCb(action="rec", id=dispute_id)),
        )
        text = texts.alert_needs_arbiter(v, ctx.settings.money)
        alerts.append(Alert(admin.telegram_id, text, keyboard))
    return alerts
