"""Greeting, menus, help, cancel and error texts, and the date formats every area uses."""

from __future__ import annotations

from datetime import datetime

from bot.render import clip, e
from core.gateways import SANDBOX, STARS, Gateways

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Main menu"),
    ("post", "Post a project"),
    ("find", "Find work"),
    ("projects", "My projects"),
    ("bids", "My bids"),
    ("contracts", "My contracts"),
    ("profile", "My freelancer profile"),
    ("alerts", "New-project alerts: skills, budget, pause"),
    ("balance", "Balance and payouts"),
    ("disputes", "My disputes"),
    ("chat", "Relay chat: who I am talking to"),
    ("privacy", "My data: export it, or delete my account"),
    ("cancel", "Leave what I am doing"),
    ("help", "How bidgram works"),
)

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (("admin", "Admin panel"),)


def welcome(name: str, badge: str) -> str:
    lines = [
        f"👋 Hi, <b>{e(name)}</b>! This is <b>bidgram</b>, "
        "a freelance marketplace inside Telegram.",
        "",
        "<b>Hiring?</b> Post a project, get bids, pick a freelancer and pay per milestone. "
        "Your money waits in escrow until you approve the work.",
        "<b>Freelancing?</b> Fill in your profile, get alerts for projects that match your "
        "skills, bid, and get paid safely.",
    ]
    if badge:
        lines += ["", f"<i>{badge}</i>"]
    return "\n".join(lines)


MENU = "What would you like to do?"

HELP = (
    "<b>How bidgram works</b>\n\n"
    "1. An employer posts a project with a budget; freelancers bid (price, days, proposal).\n"
    "2. The employer reviews bidders' profiles, chats with them here, and awards one with "
    "terms: the deliverables, the revision rounds each milestone includes, the due date.\n"
    "3. The freelancer accepts the offer and its terms; the employer funds milestones. "
    "Funded money sits in escrow.\n"
    "4. The freelancer delivers (a protected preview until it is paid for); the employer "
    "releases the money, asks for changes (up to the included rounds) or opens a dispute "
    "naming what is missing. If the employer stays silent, the money is released "
    "automatically; both sides get the same time to answer a dispute.\n"
    "5. Both sides review each other, however the contract ended; reviews stay hidden until "
    "both have written.\n\n"
    "Nobody has to share a username: messages go through the bot and are kept as the record "
    "if there is ever a dispute.\n\n"
    "Freelancers: /alerts chooses which new projects you hear about (skills, minimum budget), "
    "or pauses them.\n\n"
    "/cancel leaves whatever you are doing."
)

CANCELLED = "Cancelled. Nothing was changed."
NOTHING_TO_CANCEL = "There is nothing to cancel."
SUSPENDED = (
    "🚫 Your account is suspended. Contact the administrators if you think this is a mistake."
)
UNEXPECTED = "😔 Sorry, something went wrong on our side. Please try again in a moment."
FAILED_KEPT = (
    "😔 Sorry, something went wrong on our side and nothing was changed. "
    "We have kept what you sent and will look into it."
)
STALE_BUTTON = "This button has expired. Open the item again from the menu."
UNKNOWN_INPUT = "I did not understand that. Here is the menu: pick what to do, or see /help."
NOT_FOR_THIS_STEP = (
    "This step does not take that. Answer the question above (its buttons are there too), "
    "or send /cancel to leave."
)
NOT_ADMIN = "This is for administrators only."
SANDBOX_BADGE = "🧪 SANDBOX — test money, not real"
TEST_STARS_BADGE = "🧪 TEST STARS — Telegram's test environment, not real Stars"
TEST_PAYMENTS_BADGE = "🧪 TEST PAYMENTS — Telegram's test environment, not real money"


def money_badge(gateways: Gateways) -> str:
    """The label of every screen that shows money, when it is not real ("" when it is)."""
    gateway = gateways.test_money
    if gateway is None:
        return ""
    badges = {SANDBOX.name: SANDBOX_BADGE, STARS.name: TEST_STARS_BADGE}
    return badges.get(gateway.name, TEST_PAYMENTS_BADGE)


def sandbox_note(badge: str) -> str:
    """``badge`` (see :func:`money_badge`) under a text, or nothing for real money."""
    return f"\n\n<i>{badge}</i>" if badge else ""


# --- a step that takes files: a project's, a delivery's -------------------------------

FILES_DONE = "✔ Done"
FILES_SKIP = "Skip"


def files_ask(what: str, limit: int) -> str:
    """``what``: the question, e.g. "Any <b>files</b> for freelancers?"."""
    return (
        f"📎 {what} Send up to {limit} documents or photos, then tap <b>Done</b>. "
        "No files? Tap <b>Skip</b>."
    )


def file_added(count: int, limit: int) -> str:
    more = (
        "Send more, or tap <b>Done</b>." if count < limit else "That is the most: tap <b>Done</b>."
    )
    return f"📎 File {count} of at most {limit} attached. {more}"


def files_reask(any_files: bool) -> str:
    """Anything but a file at a files step: it names the one button under it."""
    if any_files:
        return "Send a document or a photo, or tap <b>Done</b>."
    return "Send a document or a photo, or tap <b>Skip</b> if there are none."


# Domain error codes whose default English message is not the best thing to say in a chat.
ERRORS: dict[str, str] = {
    "user.banned": SUSPENDED,
    "user.unknown": "Please send /start first.",
    "bid.profile_incomplete": (
        "Complete your freelancer profile before bidding: /profile. Employers decide by it."
    ),
    "dispute.deliverables_required": (
        "The work was delivered: tap at least one agreed deliverable that is missing or "
        "wrong, then Next."
    ),
}


def error(code: str, message: str) -> str:
    """The friendly text for a domain error (plain text, safe for alerts and messages)."""
    return ERRORS.get(code, message)


BAD_LINK = "That link does not point to anything I know. Here is the menu instead."


def when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


def day(moment: datetime) -> str:
    return moment.strftime("%d %b %Y")


def quoted(description: str, limit: int = 80) -> str:
    return f"“{e(clip(description, limit))}”"
