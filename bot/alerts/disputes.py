"""Dispute alerts: the side that did not act hears of every step, the admins of escalations.

The side that acted sees the dispute screen in reply to its own press; core names
the other side (or both, when time decided) as the event's recipients. Each recipient
sees the dispute as core shows it to them (``load_view`` as their actor).
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from bot.alerts.common import Recipient, admins, each, recipients
from bot.callbacks import AdminCb, DisputeCb, OfferCb
from bot.notifier import Alert, AlertContext, renders
from bot.screens.disputes import load_view
from bot.texts import admin as admin_texts
from bot.texts import disputes as texts
from bot.texts.disputes import DisputeView
from bot.ui import action_button, markup
from core.events.disputes import (
    DisputeEscalated,
    DisputeEvent,
    DisputeOpened,
    DisputeResolved,
    DisputeResponded,
    DisputeSettled,
    DisputeWithdrawn,
    EvidenceAdded,
    NeedsArbiter,
    OfferMade,
)
from storage.enums import OfferStatus

ViewAlerts = Callable[[Recipient, DisputeView], list[Alert]]


async def _each_view(
    ctx: AlertContext,
    event: DisputeEvent,
    alerts: ViewAlerts,
    people: list[Recipient] | None = None,
) -> list[Alert]:
    """Each recipient's alerts, from the dispute as they may see it."""

    async def one(person: Recipient) -> list[Alert]:
        view = await load_view(ctx.market, person.actor, event.dispute_id)
        return alerts(person, view)

    return await each(await recipients(ctx, event) if people is None else people, one)


def _row(label: str, data: CallbackData) -> list[InlineKeyboardButton]:
    return [action_button(label, data)]


def _view_row(v: DisputeView) -> list[InlineKeyboardButton]:
    return _row(texts.view(), DisputeCb(action="view", dispute_id=v.dispute.id))


@renders(DisputeOpened)
async def opened(event: DisputeOpened, ctx: AlertContext) -> list[Alert]:
    def alert(person: Recipient, v: DisputeView) -> list[Alert]:
        did = v.dispute.id
        keyboard = markup(
            _row(texts.respond(), DisputeCb(action="respond", dispute_id=did)),
            _row(texts.offer(), DisputeCb(action="offer", dispute_id=did)),
            _row(texts.add_evidence(), DisputeCb(action="evidence", dispute_id=did)),
            _view_row(v),
        )
        return [Alert(person.chat, texts.alert_opened(v, ctx.settings.money), keyboard)]

    return await _each_view(ctx, event, alert)


@renders(DisputeResponded)
async def responded(event: DisputeResponded, ctx: AlertContext) -> list[Alert]:
    def alert(person: Recipient, v: DisputeView) -> list[Alert]:
        keyboard = markup(
            _row(texts.offer(), DisputeCb(action="offer", dispute_id=v.dispute.id)), _view_row(v)
        )
        return [Alert(person.chat, texts.alert_responded(v), keyboard)]

    return await _each_view(ctx, event, alert)


@renders(EvidenceAdded)
async def evidence(event: EvidenceAdded, ctx: AlertContext) -> list[Alert]:
    """The other side sees every file attached, as it is attached: nothing is secret
    from them in a record an admin may judge."""

    def alert(person: Recipient, v: DisputeView) -> list[Alert]:
        found = next((x for x in v.evidence if x.id == event.evidence_id), None)
        if found is None:
            return []
        return [
            Alert(
                person.chat,
                texts.alert_evidence(v, found),
                markup(_view_row(v)),
                file_id=found.file_id,
                file_kind=found.file_kind,
            )
        ]

    return await _each_view(ctx, event, alert)


@renders(OfferMade)
async def offered(event: OfferMade, ctx: AlertContext) -> list[Alert]:
    s = ctx.settings

    def alert(person: Recipient, v: DisputeView) -> list[Alert]:
        offer = next((o for o in v.offers if o.id == event.offer_id), None)
        if offer is None or offer.status is not OfferStatus.OPEN:
            return []  # superseded or settled before this alert went out
        amount = s.money.format(offer.release_amount)
        keyboard = markup(
            _row(texts.accept(amount), OfferCb(action="accept", offer_id=offer.id)),
            _row(texts.counter(), DisputeCb(action="offer", dispute_id=v.dispute.id)),
            _view_row(v),
        )
        text = texts.alert_offer(v, offer, s.money, s.platform_fee_bps)
        return [Alert(person.chat, text, keyboard)]

    return await _each_view(ctx, event, alert)


@renders(DisputeSettled, DisputeResolved)
async def decided(event: DisputeEvent, ctx: AlertContext) -> list[Alert]:
    """Settled by an accepted offer, or resolved (a verdict, or time): how the money went."""
    s = ctx.settings
    told = texts.alert_settled if isinstance(event, DisputeSettled) else texts.alert_resolved

    def alert(person: Recipient, v: DisputeView) -> list[Alert]:
        text = told(v, s.money, s.platform_fee_bps)
        return [Alert(person.chat, text, markup(_view_row(v)))]

    return await _each_view(ctx, event, alert)


@renders(DisputeEscalated, DisputeWithdrawn)
async def left_to_others(event: DisputeEvent, ctx: AlertContext) -> list[Alert]:
    """Escalated to an admin, or withdrawn by the filer."""
    told = texts.alert_escalated if isinstance(event, DisputeEscalated) else texts.alert_withdrawn

    def alert(person: Recipient, v: DisputeView) -> list[Alert]:
        return [Alert(person.chat, told(v), markup(_view_row(v)))]

    return await _each_view(ctx, event, alert)


@renders(NeedsArbiter)
async def needs_arbiter(event: NeedsArbiter, ctx: AlertContext) -> list[Alert]:
    keyboard = markup(_row(admin_texts.open_record(), AdminCb(action="rec", id=event.dispute_id)))

    def alert(person: Recipient, v: DisputeView) -> list[Alert]:
        return [Alert(person.chat, texts.alert_needs_arbiter(v, ctx.settings.money), keyboard)]

    return await _each_view(ctx, event, alert, await admins(ctx))
