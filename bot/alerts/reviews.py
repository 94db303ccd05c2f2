"""Alerts of reviews: one written about you (double-blind: shown once core makes it
visible), and both published when the window closes."""

from __future__ import annotations

from bot.alerts.common import Recipient, each, first_names, renders_with
from bot.alerts.contracts import Deal, deal_of, review_keyboard
from bot.notifier import Alert, AlertContext
from bot.texts import reviews as texts
from core.events.reviews import ReviewEvent, ReviewsPublished, ReviewWritten


@renders_with(deal_of, ReviewWritten, ReviewsPublished)
async def reviewed(event: ReviewEvent, ctx: AlertContext, d: Deal) -> list[Alert]:
    """A review written about you (shown only once core makes it visible), or both
    published: what the other wrote about you now visible, or that they did not."""
    contract = d.contract
    names = await first_names(ctx, contract.employer_id, contract.freelancer_id)

    async def alert(person: Recipient) -> list[Alert]:
        uid = person.user.id
        other = contract.employer_id if uid == contract.freelancer_id else contract.freelancer_id
        reviews = await ctx.market.reviews.for_contract(person.actor, contract.id)
        if isinstance(event, ReviewWritten):
            text = texts.alert_review_written(names[other], d.project.title, reviews.theirs)
        else:
            text = texts.alert_reviews_published(
                d.project.title, names[other], reviews.theirs, reviews.mine is not None
            )
        return [Alert(person.chat, text, review_keyboard(contract.id, reviews.can_write))]

    return await each(d.people, alert)
