"""Projects: cards, lists, search results, and the post / edit project conversations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import written
from bot.render import button, clip, e
from bot.texts.common import files_ask
from core.money import Currency
from core.services.projects import ProjectView
from core.services.reputation import Reputation
from storage.enums import ProjectStatus
from storage.models import Award, Project

STATUS: dict[ProjectStatus, str] = {
    ProjectStatus.DRAFT: "📝 Draft (not published)",
    ProjectStatus.OPEN: "🟢 Open for bids",
    ProjectStatus.BIDDING_ENDED: "🏁 Bidding over, freelancer being chosen",
    ProjectStatus.AWARDED: "⏳ Offer pending",
    ProjectStatus.IN_PROGRESS: "🔨 In progress",
    ProjectStatus.COMPLETED: "✅ Completed",
    ProjectStatus.CLOSED: "⛔ Bidding closed",
    ProjectStatus.CANCELLED: "✖ Cancelled",
}
STATUS_ICON: dict[ProjectStatus, str] = {k: v.split(" ", 1)[0] for k, v in STATUS.items()}


def when(moment: datetime) -> str:
    """A deadline near enough to name its weekday, in the reader's zone and language."""
    return written(moment, "%a %d %b, %H:%M", "EEE d MMM, HH:mm")


def budget(lo: int, hi: int, money: Currency) -> str:
    if lo == hi:
        return f"{money.format(lo)} (fixed)"
    return f"{money.format(lo)} – {money.format(hi)}"


def bids_count(n: int) -> str:
    return f"{n} bid{'s' if n != 1 else ''}"


def employer_line(rep: Reputation | None) -> str:
    if rep is None or rep.rating is None:
        return "👔 Employer: no reviews yet"
    return (
        f"👔 Employer: ★ {rep.rating:.1f} ({rep.reviews} review{'s' if rep.reviews != 1 else ''})"
    )


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
    status = STATUS[ProjectStatus.BIDDING_ENDED] if bidding_over else STATUS[p.status]
    facts = [f"{status} · 💼 {bids_count(view.bid_count)}"]
    if not owner:
        facts.append(employer_line(employer))
        if record:
            facts.append(record)
    if view.taking_bids and p.bidding_ends_at is not None:
        facts.append(f"⏳ Bidding ends {when(p.bidding_ends_at)}")
    elif bidding_over and p.bidding_ends_at is not None:
        facts.append(f"🏁 Bidding ended {when(p.bidding_ends_at)}")
    if view.attachments:
        facts.append(f"📎 {len(view.attachments)} file{'s' if len(view.attachments) != 1 else ''}")
    if my_bid:
        facts.append(my_bid)
    footer: list[str] = []
    if owner and pending is not None:
        footer.append(f"⏳ Your offer awaits an answer until {when(pending.expires_at)}.")
    if owner and p.status is ProjectStatus.BIDDING_ENDED and p.award_by is not None:
        footer.append(
            f"🏆 Award one of the bids by <b>{when(p.award_by)}</b>, or the project closes "
            "without a hire."
        )
    if owner and share_link and view.taking_bids:
        footer.append(f"🔗 Share: {e(share_link)}")
    names = [s.name for s in view.skills]
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


def short_card(view: ProjectView, money: Currency) -> str:
    """A project in a few lines (inline mode, the projects channel)."""
    p = view.project
    names = ", ".join(s.name for s in view.skills)
    return (
        f"<b>{e(p.title)}</b>\n💰 {budget(p.budget_min, p.budget_max, money)}\n"
        f"🏷 {e(names)}\n\n{e(clip(p.description, 600))}"
    )


def list_button(n: int, project: Project) -> str:
    return button(f"{n}. {project.title}")


# --- my projects --------------------------------------------------------------------------

NO_PROJECTS = "You have not posted any projects yet. Post one and freelancers will bid on it."
POST_ONE = "📝 Post a project"


def my_projects(views: Sequence[ProjectView], money: Currency, first: int) -> str:
    lines = ["📂 <b>Your projects</b>", ""]
    for n, view in enumerate(views, first):
        p = view.project
        lines.append(
            f"{n}. <b>{e(clip(p.title, 80))}</b>\n    {STATUS[p.status]} · "
            f"{bids_count(view.bid_count)} · {budget(p.budget_min, p.budget_max, money)}"
        )
    return "\n".join(lines)


# --- owner actions -------------------------------------------------------------------------

VIEW_BIDS = "💼 View bids"
EDIT = "✏️ Edit"
CANCEL_PROJECT = "🗑 Cancel project"
PUBLISH = "🚀 Publish"
WITHDRAW_OFFER = "↩️ Withdraw offer"
OPEN_CONTRACT = "🤝 Open contract"
SHARE = "📣 Share"
BACK = "« Back"
MENU = "« Menu"
YES_CANCEL = "Yes, cancel it"
NO_KEEP = "No, keep it"


def confirm_cancel(title: str) -> str:
    return (
        f"Cancel <b>{e(title)}</b>? Bidders are told, and the project cannot be reopened. "
        "Any pending offer is withdrawn."
    )


def cancelled(title: str) -> str:
    return f"✖ <b>{e(title)}</b> is cancelled. Bidders have been told."


def published(title: str) -> str:
    """Above the project's card, whose 🔗 Share line carries the link."""
    return (
        f"🚀 <b>{e(title)}</b> is live! Freelancers with matching skills are being told. "
        "Share its link (🔗 below) to get more bids."
    )


PROJECT_ENDED = "This project has already ended."
PROJECT_NOT_DRAFT = "This project is already published."


# --- find work -----------------------------------------------------------------------------

FIND_WORDS = "🔎 Search words"
FIND_SKILL = "🏷 Skill"
FIND_BUDGET = "💰 Budget"
FIND_CLEAR = "✖ Clear filters"
ANY_SKILL = "Any skill"
ANY_BUDGET = "Any budget"
SEARCH_EXPIRED = "This search has expired. Open Find work again."
ASK_WORDS = "Type the words to look for (e.g. <i>logo bakery</i>)."
WORDS_AS_TEXT = "Please type the words to search for as a text message."
ASK_FILTER_SKILL = "Show projects that need this skill:"
ASK_FILTER_BUDGET = "Show projects whose budget fits:"
FILES = "📎 Files"
EMPLOYER = "👔 The employer"
OPEN_IN_BOT = "Open in bidgram"
VIEW_AND_BID = "👁 View and bid"
MY_PROJECTS = "📂 My projects"
NO_FILES = "This project has no files."


def budget_band(lo: int | None, hi: int | None, money: Currency) -> str:
    if lo is None and hi is not None:
        return f"Up to {money.format(hi)}"
    if hi is None and lo is not None:
        return f"{money.format(lo)} or more"
    if lo is not None and hi is not None:
        return f"{money.format(lo)} – {money.format(hi)}"
    return ANY_BUDGET


def results(
    views: Sequence[ProjectView],
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
        filters.append(f"words “{e(words)}”")
    if skill:
        filters.append(f"skill {e(skill)}")
    if band:
        filters.append(f"budget {e(band)}")
    title = "🔎 <b>Open projects</b>" + (f" · {', '.join(filters)}" if filters else "")
    lines = [title, f"<i>Page {page}</i>", ""]
    if not views:
        lines.append(
            "Nothing matches. Try other words or clear the filters."
            if filters
            else "No open projects right now. Come back soon!"
        )
    first = (page - 1) * size + 1
    for i, view in enumerate(views):
        p = view.project
        names = ", ".join(s.name for s in view.skills)
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
    return (
        "📝 <b>New project</b> <i>(step 1 of 5)</i>\n\n"
        f"What do you need? Send a short <b>title</b> ({minimum}–{maximum} characters), e.g. "
        "<i>Logo for my bakery</i>."
    )


def ask_description(minimum: int, maximum: int) -> str:
    return (
        "<i>Step 2 of 5</i>\n\n"
        f"Now <b>describe the work</b> ({minimum}–{maximum} characters): what you need, what you "
        "will provide, what a good result looks like."
    )


def ask_project_skills(maximum: int, page: int, pages: int, categories: Sequence[str]) -> str:
    where = f"\n<i>Page {page + 1} of {pages}: {e(', '.join(categories))}</i>" if pages > 1 else ""
    return (
        f"<i>Step 3 of 5</i>\n\nWhich <b>skills</b> does it need? Tap 1 to {maximum}, then "
        "<b>Done</b> (or type them, separated by commas)." + where
    )


def ask_budget(money: Currency, minimum: str) -> str:
    return (
        "<i>Step 4 of 5</i>\n\n"
        f"Your <b>budget</b> in {e(money.unit)}: a range like <code>100-500</code>, or one "
        f"amount for a fixed price. The smallest budget is {e(minimum)}."
    )


def ask_budget_max(lo: str) -> str:
    return (
        f"From {e(lo)} up to how much? Send the <b>highest</b> amount you would pay, or press "
        "<b>Fixed price</b>."
    )


def ask_files(maximum: int) -> str:
    what = "Any <b>files</b> for freelancers (a brief, sketches, photos)?"
    return "<i>Step 5 of 5</i>\n\n" + files_ask(what, maximum)


FIXED_PRICE = "Fixed price"
BAD_BUDGET = (
    "Send the budget as one amount (e.g. <code>300</code>) or a range (e.g. <code>100-500</code>)."
)
PREVIEW_HEADER = "👀 <b>Preview</b>: this is how freelancers will see your project."
PUBLISH_NOW = "🚀 Publish"
SAVE_DRAFT = "💾 Save as draft"


def not_text(what: str) -> str:
    return f"Please send the {e(what)} as a text message."


def draft_saved(title: str) -> str:
    return (
        f"💾 <b>{e(title)}</b> is saved as a draft. Publish it from /projects when you are ready."
    )


# --- edit a project ------------------------------------------------------------------------

EDIT_WHAT = "What would you like to change?"
EDIT_TITLE = "Title"
EDIT_DESCRIPTION = "Description"
EDIT_BUDGET = "Budget"
EDIT_SKILLS = "Skills"


def ask_new_title(minimum: int, maximum: int) -> str:
    return f"Send the new <b>title</b> ({minimum}–{maximum} characters)."


def ask_new_description(minimum: int, maximum: int) -> str:
    return f"Send the new <b>description</b> ({minimum}–{maximum} characters)."


def ask_new_budget(money: Currency) -> str:
    return (
        f"Send the new <b>budget</b> in {e(money.unit)}: a range like <code>100-500</code> "
        "or one amount for a fixed price."
    )


def edited(title: str) -> str:
    return f"✅ <b>{e(title)}</b> is updated; anyone who bid on it is told."
