"""The dispute screen: what it shows, its buttons, and sending it; used by the dispute
buttons and the dispute conversations."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ChatCb, DisputeCb, OfferCb
from bot.settings import BotSettings
from bot.texts import disputes as texts
from bot.texts.disputes import DisputeView
from bot.ui import action_button
from core.actors import Actor
from core.marketplace import Marketplace
from storage.enums import DisputeStatus


async def load_view(market: Marketplace, actor: Actor, dispute_id: int) -> DisputeView:
    """Everything the screen shows; core refuses anyone but the two sides and admins."""
    dispute = await market.disputes.get(actor, dispute_id)
    offers = await market.disputes.offers(actor, dispute_id)
    milestone = await market.milestones.get(dispute.milestone_id)
    contract = await market.contracts.get(actor, dispute.contract_id)
    project = await market.projects.get(contract.project_id)
    names = {
        uid: (await market.users.get(uid)).first_name
        for uid in (contract.employer_id, contract.freelancer_id)
    }
    evidence = await market.disputes.evidence(actor, dispute_id)
    return DisputeView(dispute, milestone, contract, project, offers, names, evidence)


def dispute_keyboard(v: DisputeView, viewer_id: int, settings: BotSettings) -> InlineKeyboardMarkup:
    """The buttons a side may use now; core checks every press again."""
    kb = InlineKeyboardBuilder()
    d = v.dispute
    parties = (d.filed_by_id, d.respondent_id)
    if v.is_open and viewer_id in parties:
        if d.status is DisputeStatus.AWAITING_RESPONSE and viewer_id == d.respondent_id:
            kb.row(action_button(texts.RESPOND, DisputeCb(action="respond", dispute_id=d.id)))
        if d.status is not DisputeStatus.ARBITRATION:
            offer = v.open_offer
            if offer is not None and offer.by_user_id != viewer_id:
                amount = settings.money.format(offer.release_amount)
                kb.row(
                    action_button(texts.accept(amount), OfferCb(action="accept", offer_id=offer.id))
                )
                kb.row(action_button(texts.COUNTER, DisputeCb(action="offer", dispute_id=d.id)))
            else:
                kb.row(action_button(texts.OFFER, DisputeCb(action="offer", dispute_id=d.id)))
        if d.status is DisputeStatus.NEGOTIATION:
            kb.row(action_button(texts.ESCALATE, DisputeCb(action="escalate", dispute_id=d.id)))
        kb.row(action_button(texts.ADD_EVIDENCE, DisputeCb(action="evidence", dispute_id=d.id)))
        if viewer_id == d.filed_by_id:
            kb.row(action_button(texts.WITHDRAW, DisputeCb(action="withdraw", dispute_id=d.id)))
    if viewer_id in parties:
        other = v.other(viewer_id)
        kb.row(
            action_button(
                texts.message_button(v.names.get(other, "")),
                ChatCb(project_id=v.project.id, user_id=other),
            )
        )
    kb.row(action_button(texts.REFRESH, DisputeCb(action="view", dispute_id=d.id)))
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


async def show(
    bot: Bot,
    chat_id: int,
    market: Marketplace,
    actor: Actor,
    dispute_id: int,
    settings: BotSettings,
) -> None:
    await send_dispute(
        bot, chat_id, await load_view(market, actor, dispute_id), actor.user_id, settings
    )
