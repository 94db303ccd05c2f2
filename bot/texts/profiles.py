"""Freelancer profiles: one's own profile, the public card, the profile wizard, skills."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import _, decimal, phrase, written
from bot.render import button, clip, e, percent, stars
from bot.texts import labels
from bot.texts import skills as worded_skills
from bot.texts.awards import endings
from bot.texts.common import shown
from core.money import Currency
from core.services.reputation import Reputation
from core.services.users import ProfileView
from storage.models import Review, Skill

COMPLETE_FIELDS = 4  # headline, bio, skills, hourly rate (core's completeness rule)


def field_names() -> dict[str, str]:
    """A profile field's name (core's and the wizard's keys), as a list of them reads it."""
    return {
        "headline": _("headline"),
        "bio": _("bio"),
        "skills": _("skills"),
        "hourly_rate": _("hourly rate"),
        "rate": _("hourly rate"),
        "portfolio": _("portfolio links"),
    }


# --- buttons ---------------------------------------------------------------------------


edit_all = phrase("✏️ Fill in the whole profile")

complete_missing = phrase("✏️ Complete my profile")

edit_headline = phrase("Headline")

edit_bio = phrase("Bio")

edit_skills = phrase("Skills")

edit_rate = phrase("Hourly rate")

edit_portfolio = phrase("Portfolio")

public_view = phrase("👁 How employers see me")

language = phrase("🌐 Language")

keep = phrase("↪️ Keep as it is")

done = phrase("✔ Done")

skip = phrase("Skip")

clear_links = phrase("🗑 Remove all links")

prev_page = phrase("‹ Prev")

next_page = phrase("Next ›")


def skill_label(skill: Skill, selected: bool) -> str:
    return button(("✅ " if selected else "") + worded_skills.skill(skill))


def skills_done(count: int) -> str:
    if not count:
        return done()
    return _("✔ Done ({count} selected)").format(count=count)


def skill_names(skills: Sequence[Skill]) -> str:
    return worded_skills.skills(skills) if skills else "—"


def rate_text(amount: int | None, money: Currency) -> str:
    return _("{amount} / hour").format(amount=money.format(amount)) if amount else "—"


def reputation_line(rep: Reputation) -> str:
    rating = stars(rep.rating) if rep.rating is not None else _("no ratings yet")
    if not rep.reviews:
        return f"⭐ {rating}"
    return _("⭐ {rating} ({count} review)", "⭐ {rating} ({count} reviews)", rep.reviews).format(
        rating=rating, count=rep.reviews
    )


def track_record(rep: Reputation) -> str:
    done = rep.completed
    template = _(
        "Completion {completion} · On time {on_time} · On budget {on_budget} ({count} job done)",
        "Completion {completion} · On time {on_time} · On budget {on_budget} ({count} jobs done)",
        done,
    )
    return template.format(
        completion=percent(rep.completion_rate),
        on_time=percent(rep.on_time_rate),
        on_budget=percent(rep.on_budget_rate),
        count=done,
    )


def completeness(missing: Sequence[str]) -> str:
    if not missing:
        return _("✅ Your profile is complete: you can bid on projects.")
    done = max(0, COMPLETE_FIELDS - len(missing))
    share = round(done * 100 / COMPLETE_FIELDS)
    names = field_names()
    listed = ", ".join(names.get(m, m) for m in missing)
    return _(
        "⚠️ Profile {share}% complete. Missing: <b>{fields}</b>. You can bid once it is done."
    ).format(share=share, fields=e(listed))


def own_profile(view: ProfileView, rep: Reputation, money: Currency, record: str = "") -> str:
    """``record``: the person's record (bot.texts.reputation), shown under the track record."""
    profile = view.profile
    headline = profile.headline if profile and profile.headline else ""
    bio = profile.bio if profile and profile.bio else ""
    links = list(profile.portfolio) if profile else []
    lines = [
        _("👤 <b>Your freelancer profile</b>"),
        "",
        _("<b>Headline:</b> {headline}").format(headline=e(headline) if headline else "—"),
        _("<b>Skills:</b> {skills}").format(skills=skill_names(view.skills)),
        _("<b>Hourly rate:</b> {rate}").format(
            rate=rate_text(profile.hourly_rate if profile else None, money)
        ),
        _("<b>Portfolio:</b>") + ("" if links else " —"),
        *[f"• {e(link)}" for link in links],
        _("<b>About me:</b>") + ("" if bio else " —"),
        *([e(bio)] if bio else []),
        "",
        completeness(view.missing),
        reputation_line(rep),
        track_record(rep),
        *(["", record] if record else []),
    ]
    return "\n".join(lines)


def _review(review: Review) -> str:
    """A review with how its contract ended: a refund's review reads as one."""
    when = written(review.created_at, "%b %Y", "LLL y", zone_name=False)
    stars = f"{'★' * review.rating}{'☆' * (5 - review.rating)}"
    return f"{stars} {e(review.text)} <i>({when}; {endings()[review.ending]})</i>"


def public_profile(
    view: ProfileView,
    rep: Reputation,
    reviews: Sequence[Review],
    money: Currency,
    record: str = "",
) -> str:
    """What employers see: the first name only, never the username (nobody shares contacts).
    ``record``: the person's record (bot.texts.reputation), under the track record."""
    profile = view.profile
    name = shown(view.user) or _("Freelancer")
    lines = [f"👤 <b>{e(name)}</b>"]
    if profile and profile.headline:
        lines.append(f"<i>{e(profile.headline)}</i>")
    lines += [
        reputation_line(rep),
        track_record(rep),
        *(["", record] if record else []),
        "",
        _("<b>Skills:</b> {skills}").format(skills=skill_names(view.skills)),
        _("<b>Rate:</b> {rate}").format(
            rate=rate_text(profile.hourly_rate if profile else None, money)
        ),
    ]
    if profile and profile.bio:
        lines += ["", _("<b>About</b>"), e(profile.bio)]
    if profile and profile.portfolio:
        lines += ["", _("<b>Portfolio</b>"), *[f"• {e(link)}" for link in profile.portfolio]]
    if reviews:
        lines += ["", _("<b>Latest reviews</b>"), *[_review(r) for r in reviews]]
    elif not rep.reviews:
        lines += ["", _("<i>No reviews yet.</i>")]
    return "\n".join(lines)


_employer = phrase("Employer")


def employer_profile(name: str, rep: Reputation, reviews: Sequence[Review], record: str) -> str:
    """Someone as an employer: their name, their rating as one, their record."""
    lines = [
        f"👤 <b>{e(name or _employer())}</b>",
        _("As an employer: {rating}").format(rating=reputation_line(rep)),
    ]
    if record:
        lines += ["", record]
    if reviews:
        lines += ["", _("<b>Latest reviews</b>"), *[_review(r) for r in reviews]]
    return "\n".join(lines)


def profile_line(first_name: str, rep: Reputation) -> str:
    """A bidder in one line of a list."""
    rating = f"★ {decimal(rep.rating)} ({rep.reviews})" if rep.rating is not None else _("new")
    name = first_name or _("Freelancer")
    return f"{e(clip(name, 40))} · {rating}"


# --- the wizard --------------------------------------------------------------------------


def step(n: int, total: int) -> str:
    if total <= 1:
        return ""
    return _("<i>Step {n} of {total}</i>").format(n=n, total=total) + "\n"


def ask_headline(current: str) -> str:
    ask = _(
        "<b>Your headline</b>: one line employers see first, e.g. "
        "<i>Python developer, Telegram bots and scrapers</i>."
    )
    if current:
        ask += "\n" + _("Now: <i>{current}</i>").format(current=e(current))
    return ask


def ask_bio(minimum: int, maximum: int, current: str) -> str:
    ask = _(
        "<b>About you</b>: {minimum}–{maximum} characters on what you do, for whom, and what "
        "you are proud of."
    ).format(minimum=minimum, maximum=maximum)
    if current:
        ask += "\n\n" + _("Now:\n<i>{current}</i>").format(current=e(clip(current, 500)))
    return ask


def _page_line(page: int, pages: int, categories: Sequence[str]) -> str:
    if pages <= 1:
        return ""
    return "\n" + _("<i>Page {page} of {pages}: {categories}</i>").format(
        page=page + 1,
        pages=pages,
        categories=e(", ".join(categories)),
    )


def ask_skills(maximum: int, page: int, pages: int, categories: Sequence[str]) -> str:
    return _(
        "<b>Your skills</b>: tap up to {maximum}, then <b>Done</b>. "
        "You can also type them, separated by commas."
    ).format(maximum=maximum) + _page_line(page, pages, categories)


def ask_rate(money: Currency, current: str | None) -> str:
    examples = money.examples
    if len(examples) > 1:
        ask = _(
            "<b>Your hourly rate</b> in {unit}, e.g. <code>{example}</code> or "
            "<code>{other}</code>."
        ).format(unit=e(money.unit), example=examples[0], other=examples[1])
    else:
        ask = _("<b>Your hourly rate</b> in {unit}, e.g. <code>{example}</code>.").format(
            unit=e(money.unit), example=examples[0]
        )
    if current:
        ask += "\n" + _("Now: {current}").format(current=e(current))
    return ask


def ask_portfolio(links: Sequence[str], maximum: int) -> str:
    ask = _(
        "<b>Portfolio</b>: send links to your work (https://...), one per message. "
        "Press <b>Done</b> when finished, or <b>Skip</b>."
    )
    if links:
        listed = "\n".join(f"• {e(link)}" for link in links)
        ask += "\n\n" + _("Your links ({count}/{maximum}):").format(
            count=len(links), maximum=maximum
        )
        ask += "\n" + listed
    return ask


def portfolio_added(count: int, maximum: int) -> str:
    return _("🔗 Added ({count}/{maximum}). Send another link, or press <b>Done</b>.").format(
        count=count, maximum=maximum
    )


portfolio_cleared = phrase("🗑 Portfolio links removed. Send new links, or press <b>Done</b>.")


def not_text(field: str) -> str:
    """A photo or a sticker where the wizard's ``field`` ("headline", "bio", "rate") is
    asked."""
    asks = {
        "headline": _("Please send your headline as a text message."),
        "bio": _("Please send your bio as a text message."),
        "rate": _("Please send your hourly rate as a text message."),
    }
    return asks.get(field, _("Please send your answer as a text message."))


not_a_link_message = phrase("Please send a link as text (https://...), or press Done.")

skills_as_buttons = phrase(
    "Tap your skills on the buttons above, or type them separated by commas."
)

unknown_skill_button = phrase("That skill is no longer in the catalogue.")

saved = phrase("✅ Saved.")

profile_saved = phrase("✅ Your profile is saved.")


field_saved = labels(
    {
        "headline": phrase("✅ Headline saved."),
        "bio": phrase("✅ Bio saved."),
        "skills": phrase("✅ Skills saved."),
        "hourly_rate": phrase("✅ Hourly rate saved."),
        "rate": phrase("✅ Hourly rate saved."),
        "portfolio": phrase("✅ Portfolio links saved."),
    },
    otherwise=lambda field: _("✅ {field} saved.").format(field=e(field.capitalize())),
)
