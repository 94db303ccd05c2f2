"""The dispute screen: what it shows, its buttons, and sending it; used by the dispute
buttons and the dispute conversations."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ChatCb, DisputeCb, OfferCb
from bot.context import Ctx
from bot.settings import BotSettings
from bot.texts import disputes as texts
from bot.texts.disputes import DisputeView
from bot.ui import action_button
from core.actors import Actor
from core.marketplace import Marketplace


async def load_view(market: Marketplace, actor: Actor, dispute_id: int) -> DisputeView:
    """Everything the screen shows; core refuses anyone but the two sides and admins."""
    s = await market.views.disputes.screen(actor, dispute_id)
    return DisputeView(
        s.dispute,
        s.milestone,
        s.contract,
        s.project,
        list(s.offers),
        s.names,
        list(s.evidence),
        s.actions,
    )


def dispute_keyboard(v: DisputeView, viewer_id: int, settings: BotSettings) -> InlineKeyboardMarkup:
    """The buttons a side may use now (``v.actions``); core checks every press again."""
    kb = InlineKeyboardBuilder()
    d, actions = v.dispute, v.actions

    def row(label: str, data: CallbackData) -> None:
        kb.row(action_button(label, data))

    if "respond" in actions:
        row(texts.respond(), DisputeCb(action="respond", dispute_id=d.id))
    offer = v.open_offer
    if "accept_offer" in actions and offer is not None:
        amount = settings.money.format(offer.release_amount)
        row(texts.accept(amount), OfferCb(action="accept", offer_id=offer.id))
    if "counter_offer" in actions:
        row(texts.counter(), DisputeCb(action="offer", dispute_id=d.id))
    if "offer" in actions:
        row(texts.offer(), DisputeCb(action="offer", dispute_id=d.id))
    if "escalate" in actions:
        row(texts.escalate(), DisputeCb(action="escalate", dispute_id=d.id))
    if "evidence" in actions:
        row(texts.add_evidence(), DisputeCb(action="evidence", dispute_id=d.id))
    if "withdraw" in actions:
        row(texts.withdraw(), DisputeCb(action="withdraw", dispute_id=d.id))
    if "message" in actions:
        other = v.other(viewer_id)
        row(
            texts.message_button(v.names.get(other, "")),
            ChatCb(project_id=v.project.id, user_id=other),
        )
    row(texts.refresh(), DisputeCb(action="view", dispute_id=d.id))
    return kb.as_markup()


async def send_dispute(
    bot: Bot, chat_id: int, v: DisputeView, viewer_id: int, settings: BotSettings
) -> None:
    """Send the screen (in several messages if the texts are long), buttons on the last."""
    chunks = texts.messages(texts.screen(v, viewer_id, settings.money, settings.platform_fee_bps))
    for chunk in chunks[:-1]:
        await bot.send_message(chat_id, chunk)
    await bot.send_message(
        chat_id, chunks[-1], reply_markup=dispute_keyboard(v, viewer_id, settings)
    )


async def show(ctx: Ctx, dispute_id: int) -> None:
    """The dispute screen, read and sent to the person asking."""
    view = await load_view(ctx.market, ctx.actor, dispute_id)
    await send_dispute(ctx.bot, ctx.actor.telegram_id, view, ctx.actor.user_id, ctx.settings)
