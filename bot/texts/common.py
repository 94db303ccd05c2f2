"""Greeting, menus, help, cancel and error texts, and the date formats every area uses."""

from __future__ import annotations

from datetime import datetime

from babel.support import LazyProxy

from bot.i18n import _, __, phrase, written
from bot.render import clip, e
from core.gateways import SANDBOX, STARS, Gateways
from storage.models import User

COMMANDS: tuple[tuple[str, LazyProxy], ...] = (
    ("start", __("Main menu")),
    ("post", __("Post a project")),
    ("find", __("Find work")),
    ("projects", __("My projects")),
    ("bids", __("My bids")),
    ("contracts", __("My contracts")),
    ("profile", __("My freelancer profile")),
    ("alerts", __("New-project alerts: skills, budget, pause")),
    ("balance", __("Balance and payouts")),
    ("disputes", __("My disputes")),
    ("chat", __("Relay chat: who I am talking to")),
    ("privacy", __("My data: export it, or delete my account")),
    ("language", __("Language")),
    ("timezone", __("Time zone for dates and deadlines")),
    ("cancel", __("Leave what I am doing")),
    ("help", __("How bidgram works")),
)

ADMIN_COMMANDS: tuple[tuple[str, LazyProxy], ...] = (("admin", __("Admin panel")),)

#: What Telegram shows in an empty chat with the bot ("What can this bot do?") and on its
#: profile and in shared links (the short one), in each language (``bot.app.describe``).
DESCRIPTION = __(
    "bidgram is a freelance marketplace inside Telegram. Employers post projects and "
    "award them; freelancers get alerts for their skills and bid. The money waits in "
    "escrow, milestone by milestone, until the work is approved, with reviews and "
    "disputes when needed. Press START to begin."
)
SHORT_DESCRIPTION = __("Post projects, bid on work and get paid through escrow, in Telegram.")


def welcome(name: str, badge: str) -> str:
    lines = [
        _(
            "👋 Hi, <b>{name}</b>! This is <b>bidgram</b>, a freelance marketplace inside Telegram."
        ).format(name=e(name)),
        "",
        _(
            "<b>Hiring?</b> Post a project, get bids, pick a freelancer and pay per milestone. "
            "Your money waits in escrow until you approve the work."
        ),
        _(
            "<b>Freelancing?</b> Fill in your profile, get alerts for projects that match "
            "your skills, bid, and get paid safely."
        ),
    ]
    if badge:
        lines += ["", f"<i>{badge}</i>"]
    return "\n".join(lines)


def shown(user: User) -> str:
    """Someone's name as others read it: their first name, or, for an account its owner
    deleted (core keeps it under an anonymous name), "Deleted user #12" in the reader's
    language."""
    return deleted_name(user.id) if user.deleted_at is not None else user.first_name


def deleted_name(user_id: int) -> str:
    """What a deleted account is called (``core.services.privacy.anonymous_name`` is the
    English one it is stored under)."""
    return _("Deleted user #{id}").format(id=user_id)


menu = phrase("What would you like to do?")

help_text = phrase(
    "<b>How bidgram works</b>\n\n"
    "1. An employer posts a project with a budget; freelancers bid (price, days, "
    "proposal).\n"
    "2. The employer reviews bidders' profiles, chats with them here, and awards one with "
    "terms: the deliverables, the revision rounds each milestone includes, the due date.\n"
    "3. The freelancer accepts the offer and its terms; the employer funds milestones. "
    "Funded money sits in escrow.\n"
    "4. The freelancer delivers (a protected preview until it is paid for); the employer "
    "releases the money, asks for changes (up to the included rounds) or opens a dispute "
    "naming what is missing. If the employer stays silent, the money is released "
    "automatically; both sides get the same time to answer a dispute.\n"
    "5. Both sides review each other, however the contract ended; reviews stay hidden "
    "until both have written.\n\n"
    "Nobody has to share a username: messages go through the bot and are kept as the "
    "record if there is ever a dispute.\n\n"
    "Freelancers: /alerts chooses which new projects you hear about (skills, minimum "
    "budget), or pauses them.\n\n"
    "/cancel leaves whatever you are doing."
)

cancelled = phrase("Cancelled. Nothing was changed.")

nothing_to_cancel = phrase("There is nothing to cancel.")

suspended = phrase(
    "🚫 Your account is suspended. Contact the administrators if you think this is a mistake."
)

failed_kept = phrase(
    "😔 Sorry, something went wrong on our side and nothing was changed. "
    "We have kept what you sent and will look into it."
)

stale_button = phrase("This button has expired. Open the item again from the menu.")

unknown_input = phrase(
    "I did not understand that. Here is the menu: pick what to do, or see /help."
)

not_for_this_step = phrase(
    "This step does not take that. Answer the question above (its buttons are there "
    "too), or send /cancel to leave."
)

not_admin = phrase("This is for administrators only.")

bad_link = phrase("That link does not point to anything I know. Here is the menu instead.")


def money_badge(gateways: Gateways) -> str:
    """The label of every screen that shows money, when it is not real ("" when it is)."""
    gateway = gateways.test_money
    if gateway is None:
        return ""
    if gateway.name == SANDBOX.name:
        return _("🧪 SANDBOX — test money, not real")
    if gateway.name == STARS.name:
        return _("🧪 TEST STARS — Telegram's test environment, not real Stars")
    return _("🧪 TEST PAYMENTS — Telegram's test environment, not real money")


def sandbox_note(badge: str) -> str:
    """``badge`` (see :func:`money_badge`) under a text, or nothing for real money."""
    return f"\n\n<i>{badge}</i>" if badge else ""


# --- a step that takes files: a project's, a delivery's -------------------------------


files_done = phrase("✔ Done")

files_skip = phrase("Skip")


def files_ask(what: str, limit: int) -> str:
    """``what``: the question, e.g. "Any <b>files</b> for freelancers?"."""
    return f"📎 {what} " + _(
        "Send up to {limit} documents or photos, then tap <b>Done</b>. No files? Tap <b>Skip</b>."
    ).format(limit=limit)


def file_added(count: int, limit: int) -> str:
    if count < limit:
        return _(
            "📎 File {count} of at most {limit} attached. Send more, or tap <b>Done</b>."
        ).format(count=count, limit=limit)
    return _(
        "📎 File {count} of at most {limit} attached. That is the most: tap <b>Done</b>."
    ).format(count=count, limit=limit)


def files_reask(any_files: bool) -> str:
    """Anything but a file at a files step: it names the one button under it."""
    if any_files:
        return _("Send a document or a photo, or tap <b>Done</b>.")
    return _("Send a document or a photo, or tap <b>Skip</b> if there are none.")


def when(moment: datetime) -> str:
    """A date and time, in the reader's zone (named) and language."""
    return written(moment, "%d %b %Y, %H:%M", "d MMM y, HH:mm")


def day(moment: datetime) -> str:
    """A date, as the reader's calendar has it."""
    return written(moment, "%d %b %Y", "d MMM y", zone_name=False)


def quoted(description: str, limit: int = 80) -> str:
    return f"“{e(clip(description, limit))}”"
