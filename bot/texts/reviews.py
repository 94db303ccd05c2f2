"""Reviews on screen: the review wizard, a contract's reviews status, review alerts."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import _, phrase
from bot.render import clip, e
from bot.texts.awards import ending_line, endings
from bot.texts.common import when
from storage.enums import ContractEnding
from storage.models import Review

review = phrase("⭐ Review")

reviews = phrase("⭐ Reviews")

send_review = phrase("⭐ Publish review")


def star_button(rating: int) -> str:
    return "★" * rating


def _stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


def review_rating_ask(other: str) -> str:
    return _("⭐ How was working with <b>{name}</b>? Tap 1 to 5 stars.").format(name=e(other))


review_rating_reask = phrase("Tap one of the star buttons (1 to 5).")


def review_text_ask(rating: int, limit: int) -> str:
    return (
        _stars(rating)
        + " "
        + _("— now a few words about the work together (up to {limit} characters).").format(
            limit=limit
        )
    )


review_text_reask = phrase("Please write your review as a text message.")


def review_confirm(other: str, rating: int, body: str) -> str:
    return (
        _("<b>Your review of {name}</b>").format(name=e(other))
        + f"\n{_stars(rating)}\n\n{e(body)}\n\n"
        + _("Publish it? It cannot be edited later.")
    )


def review_line(review: Review) -> str:
    return f"{_stars(review.rating)} · {endings()[review.ending]}\n{e(review.text)}"


def reviews_status(
    other: str,
    mine: Review | None,
    theirs: Review | None,
    closes: datetime | None,
    *,
    ending: ContractEnding | None = None,
    published: bool = False,
) -> str:
    lines = [_("✅ Your review is published."), ""] if published else []
    lines += [_("⭐ <b>Reviews</b>"), ""]
    if ending is not None:
        lines += [ending_line(ending), ""]
    if mine:
        lines.append(_("<b>Yours:</b>") + "\n" + review_line(mine))
    else:
        lines.append(_("<b>Yours:</b>") + "\n" + _("not written."))
    lines.append("")
    if theirs is not None:
        lines.append(
            _("<b>{name}'s review of you:</b>").format(name=e(other)) + "\n" + review_line(theirs)
        )
    elif closes:
        lines.append(
            _(
                "<b>{name}'s review of you:</b> it appears when they write theirs or when the "
                "review window closes ({closes})."
            ).format(name=e(other), closes=when(closes))
        )
    else:
        lines.append(
            _("<b>{name}'s review of you:</b> it appears when they write theirs.").format(
                name=e(other)
            )
        )
    return "\n".join(lines)


review_not_open = phrase(
    "Reviews open when a contract ends (paid, refunded or decided by an admin), for a "
    "limited time. There is nothing to review here now."
)


def alert_review_written(author: str, project: str, theirs: Review | None) -> str:
    name, title = e(author), e(clip(project, 80))
    if theirs is not None:
        return (
            _("⭐ <b>{name}</b> reviewed you for <b>{title}</b>:").format(name=name, title=title)
            + "\n"
            + review_line(theirs)
        )
    return _(
        "⭐ <b>{name}</b> reviewed you for <b>{title}</b>. Reviews are double-blind: write "
        "yours to see theirs."
    ).format(name=name, title=title)


def alert_reviews_published(
    project: str, other: str, theirs: Review | None, wrote_mine: bool
) -> str:
    lines = [
        _("⭐ <b>Reviews for {title} are published.</b>").format(title=e(clip(project, 80))),
        "",
    ]
    if theirs is not None:
        lines += [_("{name} reviewed you:").format(name=e(other)), review_line(theirs)]
    else:
        lines.append(_("{name} did not leave a review.").format(name=e(other)))
    lines += [
        "",
        _("Your review is now visible to them.") if wrote_mine else _("You did not review."),
    ]
    return "\n".join(lines)
