"""Projects: cards, lists, search results, and the post / edit project conversations.

Worded through the catalogues (``bot.i18n``): every text is a function, read in the
current reader's language when it is called."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import _, counted, decimal, phrase, until, written
from bot.render import button, clip, e
from bot.texts import skills as skill_names
from bot.texts import titled
from bot.texts.common import files_ask
from core.money import Currency
from core.services.projects import ProjectListing, ProjectView
from core.services.reputation import Reputation
from storage.enums import ProjectStatus
from storage.models import Award, Project


def statuses() -> dict[ProjectStatus, str]:
    """Each project status, as the reader reads it."""
    return {
        ProjectStatus.DRAFT: _("📝 Draft (not published)"),
        ProjectStatus.OPEN: _("🟢 Open for bids"),
        ProjectStatus.BIDDING_ENDED: _("🏁 Bidding over, freelancer being chosen"),
        ProjectStatus.AWARDED: _("⏳ Offer pending"),
        ProjectStatus.IN_PROGRESS: _("🔨 In progress"),
        ProjectStatus.COMPLETED: _("✅ Completed"),
        ProjectStatus.CLOSED: _("⛔ Bidding closed"),
        ProjectStatus.CANCELLED: _("✖ Cancelled"),
    }


#: Each status's icon alone (the list buttons of My projects): no words to translate.
STATUS_ICON: dict[ProjectStatus, str] = {
    ProjectStatus.DRAFT: "📝",
    ProjectStatus.OPEN: "🟢",
    ProjectStatus.BIDDING_ENDED: "🏁",
    ProjectStatus.AWARDED: "⏳",
    ProjectStatus.IN_PROGRESS: "🔨",
    ProjectStatus.COMPLETED: "✅",
    ProjectStatus.CLOSED: "⛔",
    ProjectStatus.CANCELLED: "✖",
}


def when(moment: datetime) -> str:
    """A deadline near enough to name its weekday, in the reader's zone and language, and
    how far off it is ("Sun 13 Dec, 12:00 UTC, in 1 week")."""
    date = written(moment, "%a %d %b, %H:%M", "EEE d MMM, HH:mm")
    away = until(moment)
    return _("{date}, {away}").format(date=date, away=away) if away else date


def budget(lo: int, hi: int, money: Currency) -> str:
    if lo == hi:
        return _("{amount} (fixed)").format(amount=money.format(lo))
    return f"{money.format(lo)} – {money.format(hi)}"


bids_count = counted("{count} bid", "{count} bids")


def employer_line(rep: Reputation | None) -> str:
    if rep is None or rep.rating is None:
        return _("👔 Employer: no reviews yet")
    return _(
        "👔 Employer: ★ {rating} ({count} review)",
        "👔 Employer: ★ {rating} ({count} reviews)",
        rep.reviews,
    ).format(rating=decimal(rep.rating), count=rep.reviews)


files_count = counted("📎 {count} file", "📎 {count} files")


def card(
    title: str,
    description: str,
    skills: Sequence[str],
    lo: int,
    hi: int,
    money: Currency,
    *,
    facts: Sequence[str] = (),
    header: str = "",
    footer: Sequence[str] = (),
) -> str:
    """A project as a message: every user-typed value escaped; the description last so a
    long one pages cleanly (bot.render.pages splits between lines)."""
    lines = [header] if header else []
    lines += [
        f"<b>{e(title)}</b>",
        f"💰 {budget(lo, hi, money)}",
        f"🏷 {e(', '.join(skills)) if skills else '—'}",
        *facts,
        "",
        e(description),
    ]
    if footer:
        lines += ["", *footer]
    return "\n".join(lines)


def project_card(
    view: ProjectView,
    money: Currency,
    *,
    employer: Reputation | None = None,
    record: str | None = None,
    owner: bool = False,
    pending: Award | None = None,
    share_link: str | None = None,
    my_bid: str | None = None,
    header: str = "",
) -> str:
    p = view.project
    # Past its bidding window a project takes no bids, even before the sweep notices.
    bidding_over = p.status is ProjectStatus.BIDDING_ENDED or (
        p.status is ProjectStatus.OPEN and not view.taking_bids
    )
    status = statuses()[ProjectStatus.BIDDING_ENDED if bidding_over else p.status]
    facts = [f"{status} · 💼 {bids_count(view.bid_count)}"]
    if not owner:
        facts.append(employer_line(employer))
        if record:
            facts.append(record)
    if view.taking_bids and p.bidding_ends_at is not None:
        facts.append(_("⏳ Bidding ends {when}").format(when=when(p.bidding_ends_at)))
    elif bidding_over and p.bidding_ends_at is not None:
        facts.append(_("🏁 Bidding ended {when}").format(when=when(p.bidding_ends_at)))
    if view.attachments:
        facts.append(files_count(len(view.attachments)))
    if my_bid:
        facts.append(my_bid)
    footer: list[str] = []
    if owner and pending is not None:
        footer.append(
            _("⏳ Your offer awaits an answer until {when}.").format(when=when(pending.expires_at))
        )
    if owner and p.status is ProjectStatus.BIDDING_ENDED and p.award_by is not None:
        footer.append(
            _(
                "🏆 Award one of the bids by <b>{when}</b>, or the project closes without a hire."
            ).format(when=when(p.award_by))
        )
    if owner and share_link and view.taking_bids:
        footer.append(_("🔗 Share: {link}").format(link=e(share_link)))
    names = [skill_names.skill(s) for s in view.skills]
    return card(
        p.title,
        p.description,
        names,
        p.budget_min,
        p.budget_max,
        money,
        facts=facts,
        header=header,
        footer=footer,
    )


def short_card(view: ProjectListing, money: Currency) -> str:
    """A project in a few lines (inline mode, the projects channel)."""
    p = view.project
    names = ", ".join(skill_names.skill(s) for s in view.skills)
    return (
        f"<b>{e(p.title)}</b>\n💰 {budget(p.budget_min, p.budget_max, money)}\n"
        f"🏷 {e(names)}\n\n{e(clip(p.description, 600))}"
    )


def list_button(n: int, project: Project) -> str:
    return button(f"{n}. {project.title}")


prev_page = phrase("‹ Prev")

next_page = phrase("Next ›")


# --- my projects --------------------------------------------------------------------------


no_projects = phrase(
    "You have not posted any projects yet. Post one and freelancers will bid on it."
)

post_one = phrase("📝 Post a project")


def my_projects(views: Sequence[ProjectListing], money: Currency, first: int) -> str:
    lines = [_("📂 <b>Your projects</b>"), ""]
    status = statuses()
    for n, view in enumerate(views, first):
        p = view.project
        lines.append(
            f"{n}. <b>{e(clip(p.title, 80))}</b>\n    {status[p.status]} · "
            f"{bids_count(view.bid_count)} · {budget(p.budget_min, p.budget_max, money)}"
        )
    return "\n".join(lines)


# --- owner actions -------------------------------------------------------------------------


view_bids = phrase("💼 View bids")

edit = phrase("✏️ Edit")

cancel_project = phrase("🗑 Cancel project")

publish = phrase("🚀 Publish")

withdraw_offer = phrase("↩️ Withdraw offer")

open_contract = phrase("🤝 Open contract")

share = phrase("📣 Share")

back = phrase("« Back")

yes_cancel = phrase("Yes, cancel it")

no_keep = phrase("No, keep it")

confirm_cancel = titled(
    phrase(
        "Cancel <b>{title}</b>? Bidders are told, and the project cannot be reopened. "
        "Any pending offer is withdrawn."
    )
)

cancelled = titled(phrase("✖ <b>{title}</b> is cancelled. Bidders have been told."))

#: Above the project's card, whose 🔗 Share line carries the link.
published = titled(
    phrase(
        "🚀 <b>{title}</b> is live! Freelancers with matching skills are being told. "
        "Share its link (🔗 below) to get more bids."
    )
)


# --- find work -----------------------------------------------------------------------------


find_words = phrase("🔎 Search words")

find_skill = phrase("🏷 Skill")

find_budget = phrase("💰 Budget")

find_clear = phrase("✖ Clear filters")

any_skill = phrase("Any skill")

any_budget = phrase("Any budget")

search_expired = phrase("This search has expired. Open Find work again.")

ask_words = phrase("Type the words to look for (e.g. <i>logo bakery</i>).")

words_as_text = phrase("Please type the words to search for as a text message.")

ask_filter_skill = phrase("Show projects that need this skill:")

ask_filter_budget = phrase("Show projects whose budget fits:")

files = phrase("📎 Files")

employer = phrase("👔 The employer")

open_in_bot = phrase("Open in bidgram")

view_and_bid = phrase("👁 View and bid")

my_projects_button = phrase("📂 My projects")

no_files = phrase("This project has no files.")


def budget_band(lo: int | None, hi: int | None, money: Currency) -> str:
    if lo is None and hi is not None:
        return _("Up to {amount}").format(amount=money.format(hi))
    if hi is None and lo is not None:
        return _("{amount} or more").format(amount=money.format(lo))
    if lo is not None and hi is not None:
        return f"{money.format(lo)} – {money.format(hi)}"
    return any_budget()


def results(
    views: Sequence[ProjectListing],
    money: Currency,
    *,
    words: str,
    skill: str | None,
    band: str | None,
    page: int,
    size: int,
    records: Sequence[str] = (),
) -> str:
    """``records``: the employer's record line of each project, in the same order."""
    filters = []
    if words:
        filters.append(_("words “{words}”").format(words=e(words)))
    if skill:
        filters.append(_("skill {skill}").format(skill=e(skill)))
    if band:
        filters.append(_("budget {band}").format(band=e(band)))
    title = _("🔎 <b>Open projects</b>") + (f" · {', '.join(filters)}" if filters else "")
    lines = [title, _("<i>Page {page}</i>").format(page=page), ""]
    if not views:
        lines.append(
            _("Nothing matches. Try other words or clear the filters.")
            if filters
            else _("No open projects right now. Come back soon!")
        )
    first = (page - 1) * size + 1
    for i, view in enumerate(views):
        p = view.project
        names = ", ".join(skill_names.skill(s) for s in view.skills)
        price = budget(p.budget_min, p.budget_max, money)
        lines.append(
            f"{first + i}. <b>{e(clip(p.title, 90))}</b>\n    💰 {price}"
            f" · 💼 {bids_count(view.bid_count)} · 🏷 {e(clip(names, 60))}"
        )
        if i < len(records):
            lines.append(f"    {records[i]}")
    return "\n".join(lines)


# --- post a project ------------------------------------------------------------------------


def ask_title(minimum: int, maximum: int) -> str:
    return _(
        "📝 <b>New project</b> <i>(step 1 of 5)</i>\n\n"
        "What do you need? Send a short <b>title</b> ({minimum}–{maximum} characters), e.g. "
        "<i>Logo for my bakery</i>."
    ).format(minimum=minimum, maximum=maximum)


def ask_description(minimum: int, maximum: int) -> str:
    return _(
        "<i>Step 2 of 5</i>\n\n"
        "Now <b>describe the work</b> ({minimum}–{maximum} characters): what you need, what you "
        "will provide, what a good result looks like."
    ).format(minimum=minimum, maximum=maximum)


def ask_project_skills(maximum: int, page: int, pages: int, categories: Sequence[str]) -> str:
    where = (
        "\n"
        + _("<i>Page {page} of {pages}: {categories}</i>").format(
            page=page + 1, pages=pages, categories=e(", ".join(categories))
        )
        if pages > 1
        else ""
    )
    return (
        _(
            "<i>Step 3 of 5</i>\n\nWhich <b>skills</b> does it need? Tap 1 to {maximum}, then "
            "<b>Done</b> (or type them, separated by commas)."
        ).format(maximum=maximum)
        + where
    )


def ask_budget(money: Currency, minimum: str) -> str:
    return _(
        "<i>Step 4 of 5</i>\n\n"
        "Your <b>budget</b> in {unit}: a range like <code>100-500</code>, or one "
        "amount for a fixed price. The smallest budget is {minimum}."
    ).format(unit=e(money.unit), minimum=e(minimum))


def ask_budget_max(lo: str) -> str:
    return _(
        "From {lowest} up to how much? Send the <b>highest</b> amount you would pay, or press "
        "<b>Fixed price</b>."
    ).format(lowest=e(lo))


def ask_files(maximum: int) -> str:
    what = _("Any <b>files</b> for freelancers (a brief, sketches, photos)?")
    return _("<i>Step 5 of 5</i>") + "\n\n" + files_ask(what, maximum)


fixed_price = phrase("Fixed price")

bad_budget = phrase(
    "Send the budget as one amount (e.g. <code>300</code>) or a range (e.g. <code>100-500</code>)."
)

preview_header = phrase("👀 <b>Preview</b>: this is how freelancers will see your project.")

publish_now = phrase("🚀 Publish")

save_draft = phrase("💾 Save as draft")


def not_text(what: str) -> str:
    """What a text step says to anything but text; ``what`` is the step: ``title``,
    ``description``, ``budget``, ``budget_max``, ``new_value`` (else any answer)."""
    asks = {
        "title": _("Please send the title as a text message."),
        "description": _("Please send the description as a text message."),
        "budget": _("Please send the budget as a text message."),
        "budget_max": _("Please send the highest budget as a text message."),
        "new_value": _("Please send the new value as a text message."),
    }
    return asks.get(what) or _("Please send the answer as a text message.")


draft_saved = titled(
    phrase("💾 <b>{title}</b> is saved as a draft. Publish it from /projects when you are ready.")
)


# --- edit a project ------------------------------------------------------------------------


edit_what = phrase("What would you like to change?")

edit_title = phrase("Title")

edit_description = phrase("Description")

edit_budget = phrase("Budget")

edit_skills = phrase("Skills")


def ask_new_title(minimum: int, maximum: int) -> str:
    return _("Send the new <b>title</b> ({minimum}–{maximum} characters).").format(
        minimum=minimum, maximum=maximum
    )


def ask_new_description(minimum: int, maximum: int) -> str:
    return _("Send the new <b>description</b> ({minimum}–{maximum} characters).").format(
        minimum=minimum, maximum=maximum
    )


def ask_new_budget(money: Currency) -> str:
    return _(
        "Send the new <b>budget</b> in {unit}: a range like <code>100-500</code> "
        "or one amount for a fixed price."
    ).format(unit=e(money.unit))


edited = titled(phrase("✅ <b>{title}</b> is updated; anyone who bid on it is told."))
