"""Reviews on screen: the review wizard, a contract's reviews status, review alerts."""

from __future__ import annotations

from datetime import datetime

from bot.render import clip, e
from bot.texts.awards import ending_line, endings
from bot.texts.common import when
from storage.enums import ContractEnding
from storage.models import Review

REVIEW = "⭐ Review"


REVIEWS = "⭐ Reviews"


SEND_REVIEW = "⭐ Publish review"


def star_button(rating: int) -> str:
    return "★" * rating


def review_rating_ask(other: str) -> str:
    return f"⭐ How was working with <b>{e(other)}</b>? Tap 1 to 5 stars."


REVIEW_RATING_REASK = "Tap one of the star buttons (1 to 5)."


def review_text_ask(rating: int, limit: int) -> str:
    return (
        f"{'★' * rating}{'☆' * (5 - rating)} — now a few words about the work together "
        f"(up to {limit} characters)."
    )


REVIEW_TEXT_REASK = "Please write your review as a text message."


def review_confirm(other: str, rating: int, body: str) -> str:
    return (
        f"<b>Your review of {e(other)}</b>\n{'★' * rating}{'☆' * (5 - rating)}\n\n{e(body)}\n\n"
        "Publish it? It cannot be edited later."
    )


def review_line(review: Review) -> str:
    stars = "★" * review.rating + "☆" * (5 - review.rating)
    return f"{stars} · {endings()[review.ending]}\n{e(review.text)}"


def reviews_status(
    other: str,
    mine: Review | None,
    theirs: Review | None,
    closes: datetime | None,
    *,
    ending: ContractEnding | None = None,
    published: bool = False,
) -> str:
    lines = ["✅ Your review is published.", ""] if published else []
    lines += ["⭐ <b>Reviews</b>", ""]
    if ending is not None:
        lines += [ending_line(ending), ""]
    lines.append("<b>Yours:</b>\n" + (review_line(mine) if mine else "not written."))
    lines.append("")
    if theirs is not None:
        lines.append(f"<b>{e(other)}'s review of you:</b>\n{review_line(theirs)}")
    else:
        hidden = (
            f"it appears when they write theirs or when the review window closes ({when(closes)})."
            if closes
            else "it appears when they write theirs."
        )
        lines.append(f"<b>{e(other)}'s review of you:</b> {hidden}")
    return "\n".join(lines)


REVIEW_NOT_OPEN = (
    "Reviews open when a contract ends (paid, refunded or decided by an admin), for a limited "
    "time. There is nothing to review here now."
)


def alert_review_written(author: str, project: str, theirs: Review | None) -> str:
    if theirs is not None:
        return (
            f"⭐ <b>{e(author)}</b> reviewed you for <b>{e(clip(project, 80))}</b>:\n"
            f"{review_line(theirs)}"
        )
    return (
        f"⭐ <b>{e(author)}</b> reviewed you for <b>{e(clip(project, 80))}</b>. Reviews are "
        "double-blind: write yours to see theirs."
    )


def alert_reviews_published(
    project: str, other: str, theirs: Review | None, wrote_mine: bool
) -> str:
    lines = [f"⭐ <b>Reviews for {e(clip(project, 80))} are published.</b>", ""]
    if theirs is not None:
        lines += [f"{e(other)} reviewed you:", review_line(theirs)]
    else:
        lines.append(f"{e(other)} did not leave a review.")
    lines += ["", "Your review is now visible to them." if wrote_mine else "You did not review."]
    return "\n".join(lines)
