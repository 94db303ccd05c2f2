"""Freelancer profiles: one's own profile, the public card, the profile wizard, skills."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import written
from bot.render import button, clip, e, percent, stars
from bot.texts.awards import endings
from core.money import Currency
from core.services.reputation import Reputation
from core.services.users import ProfileView
from storage.models import Review, Skill

FIELD_NAMES: dict[str, str] = {
    "headline": "headline",
    "bio": "bio",
    "skills": "skills",
    "hourly_rate": "hourly rate",
    "rate": "hourly rate",
    "portfolio": "portfolio links",
}
COMPLETE_FIELDS = 4  # headline, bio, skills, hourly rate (core's completeness rule)

# buttons
EDIT_ALL = "✏️ Fill in the whole profile"
COMPLETE_MISSING = "✏️ Complete my profile"
EDIT_HEADLINE = "Headline"
EDIT_BIO = "Bio"
EDIT_SKILLS = "Skills"
EDIT_RATE = "Hourly rate"
EDIT_PORTFOLIO = "Portfolio"
PUBLIC_VIEW = "👁 How employers see me"
KEEP = "↪️ Keep as it is"
DONE = "✔ Done"
SKIP = "Skip"
CLEAR_LINKS = "🗑 Remove all links"
PREV = "‹ Prev"
NEXT = "Next ›"


def skill_label(skill: Skill, selected: bool) -> str:
    return button(("✅ " if selected else "") + skill.name)


def skills_done(count: int) -> str:
    return f"✔ Done ({count} selected)" if count else "✔ Done"


def skill_names(skills: Sequence[Skill]) -> str:
    return ", ".join(e(s.name) for s in skills) if skills else "—"


def rate_text(amount: int | None, money: Currency) -> str:
    return f"{money.format(amount)} / hour" if amount else "—"


def reputation_line(rep: Reputation) -> str:
    rating = stars(rep.rating)
    reviews = f" ({rep.reviews} review{'s' if rep.reviews != 1 else ''})" if rep.reviews else ""
    return f"⭐ {rating}{reviews}"


def track_record(rep: Reputation) -> str:
    done = rep.completed
    return (
        f"Completion {percent(rep.completion_rate)} · On time {percent(rep.on_time_rate)} · "
        f"On budget {percent(rep.on_budget_rate)} ({done} job{'s' if done != 1 else ''} done)"
    )


def completeness(missing: Sequence[str]) -> str:
    if not missing:
        return "✅ Your profile is complete: you can bid on projects."
    done = max(0, COMPLETE_FIELDS - len(missing))
    share = round(done * 100 / COMPLETE_FIELDS)
    names = ", ".join(FIELD_NAMES.get(m, m) for m in missing)
    return f"⚠️ Profile {share}% complete. Missing: <b>{e(names)}</b>. You can bid once it is done."


def own_profile(view: ProfileView, rep: Reputation, money: Currency, record: str = "") -> str:
    """``record``: the person's record (bot.texts.reputation), shown under the track record."""
    profile = view.profile
    headline = profile.headline if profile and profile.headline else ""
    bio = profile.bio if profile and profile.bio else ""
    links = list(profile.portfolio) if profile else []
    lines = [
        "👤 <b>Your freelancer profile</b>",
        "",
        f"<b>Headline:</b> {e(headline) if headline else '—'}",
        f"<b>Skills:</b> {skill_names(view.skills)}",
        f"<b>Hourly rate:</b> {rate_text(profile.hourly_rate if profile else None, money)}",
        "<b>Portfolio:</b>" + ("" if links else " —"),
        *[f"• {e(link)}" for link in links],
        "<b>About me:</b>" + ("" if bio else " —"),
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
    lines = [f"👤 <b>{e(view.user.first_name or 'Freelancer')}</b>"]
    if profile and profile.headline:
        lines.append(f"<i>{e(profile.headline)}</i>")
    lines += [
        reputation_line(rep),
        track_record(rep),
        *(["", record] if record else []),
        "",
        f"<b>Skills:</b> {skill_names(view.skills)}",
        f"<b>Rate:</b> {rate_text(profile.hourly_rate if profile else None, money)}",
    ]
    if profile and profile.bio:
        lines += ["", "<b>About</b>", e(profile.bio)]
    if profile and profile.portfolio:
        lines += ["", "<b>Portfolio</b>", *[f"• {e(link)}" for link in profile.portfolio]]
    if reviews:
        lines += ["", "<b>Latest reviews</b>", *[_review(r) for r in reviews]]
    elif not rep.reviews:
        lines += ["", "<i>No reviews yet.</i>"]
    return "\n".join(lines)


def employer_profile(name: str, rep: Reputation, reviews: Sequence[Review], record: str) -> str:
    """Someone as an employer: their name, their rating as one, their record."""
    lines = [f"👤 <b>{e(name or 'Employer')}</b>", f"As an employer: {reputation_line(rep)}"]
    if record:
        lines += ["", record]
    if reviews:
        lines += ["", "<b>Latest reviews</b>", *[_review(r) for r in reviews]]
    return "\n".join(lines)


def profile_line(first_name: str, rep: Reputation) -> str:
    """A bidder in one line of a list."""
    rating = f"★ {rep.rating:.1f} ({rep.reviews})" if rep.rating is not None else "new"
    return f"{e(clip(first_name or 'Freelancer', 40))} · {rating}"


# --- the wizard --------------------------------------------------------------------------


def step(n: int, total: int) -> str:
    return f"<i>Step {n} of {total}</i>\n" if total > 1 else ""


def ask_headline(current: str) -> str:
    now = f"\nNow: <i>{e(current)}</i>" if current else ""
    return (
        "<b>Your headline</b>: one line employers see first, e.g. "
        "<i>Python developer, Telegram bots and scrapers</i>." + now
    )


def ask_bio(minimum: int, maximum: int, current: str) -> str:
    now = f"\n\nNow:\n<i>{e(clip(current, 500))}</i>" if current else ""
    return (
        f"<b>About you</b>: {minimum}–{maximum} characters on what you do, for whom, and what "
        "you are proud of." + now
    )


def ask_skills(maximum: int, page: int, pages: int, categories: Sequence[str]) -> str:
    where = f"\n<i>Page {page + 1} of {pages}: {e(', '.join(categories))}</i>" if pages > 1 else ""
    return (
        f"<b>Your skills</b>: tap up to {maximum}, then <b>Done</b>. "
        "You can also type them, separated by commas." + where
    )


def ask_rate(money: Currency, current: str | None) -> str:
    now = f"\nNow: {e(current)}" if current else ""
    examples = " or ".join(f"<code>{x}</code>" for x in money.example.split(" or "))
    return f"<b>Your hourly rate</b> in {e(money.unit)}, e.g. {examples}." + now


def ask_portfolio(links: Sequence[str], maximum: int) -> str:
    listed = "\n".join(f"• {e(link)}" for link in links)
    now = f"\n\nYour links ({len(links)}/{maximum}):\n{listed}" if links else ""
    return (
        "<b>Portfolio</b>: send links to your work (https://...), one per message. "
        "Press <b>Done</b> when finished, or <b>Skip</b>." + now
    )


def portfolio_added(count: int, maximum: int) -> str:
    return f"🔗 Added ({count}/{maximum}). Send another link, or press <b>Done</b>."


PORTFOLIO_CLEARED = "🗑 Portfolio links removed. Send new links, or press <b>Done</b>."


def not_text(what: str) -> str:
    return f"Please send your {e(what)} as a text message."


NOT_A_LINK_MESSAGE = "Please send a link as text (https://...), or press Done."
SKILLS_AS_BUTTONS = "Tap your skills on the buttons above, or type them separated by commas."
UNKNOWN_SKILL_BUTTON = "That skill is no longer in the catalogue."
SAVED = "✅ Saved."
PROFILE_SAVED = "✅ Your profile is saved."


def field_saved(field: str) -> str:
    return f"✅ {e(FIELD_NAMES.get(field, field).capitalize())} saved."
