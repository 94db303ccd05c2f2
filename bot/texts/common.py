"""Greeting, menus, help, cancel and error texts."""

from __future__ import annotations

from bot.render import e

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


def welcome(name: str, sandbox: bool) -> str:
    lines = [
        f"👋 Hi, <b>{e(name)}</b>! This is <b>bidgram</b>, "
        "a freelance marketplace inside Telegram.",
        "",
        "<b>Hiring?</b> Post a project, get bids, pick a freelancer and pay per milestone. "
        "Your money waits in escrow until you approve the work.",
        "<b>Freelancing?</b> Fill in your profile, get alerts for projects that match your "
        "skills, bid, and get paid safely.",
    ]
    if sandbox:
        lines += ["", "🧪 <i>Sandbox mode: payments here are test money, not real.</i>"]
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
UNKNOWN_INPUT = "I did not understand that. Use the menu below, or /help."
NOT_ADMIN = "This is for administrators only."
SANDBOX_BADGE = "🧪 SANDBOX — test money, not real"


def sandbox_note(sandbox: bool) -> str:
    return f"\n\n<i>{SANDBOX_BADGE}</i>" if sandbox else ""


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
