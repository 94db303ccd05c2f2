"""New-project alerts: the /alerts screen, its conversations, and the Stop button."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render import e
from core.money import Currency
from core.services.subscriptions import SubscriptionView

# buttons
CHOOSE_SKILLS = "🧩 Choose skills"
MIN_BUDGET = "💵 Minimum budget"
PAUSE = "⏸ Pause"
RESUME = "▶️ Resume"
TURN_OFF = "🔕 Turn off"
TURN_OFF_YES = "Yes, turn them off"
BACK = "« Back"
STOP = "🔕 Stop these alerts"
UNDO = "↩️ Undo"
SETTINGS = "⚙️ Alert settings"
ANY_BUDGET = "Any budget"

# button answers
PAUSED_ANSWER = "Alerts paused."
RESUMED_ANSWER = "Alerts are back on."
OFF_ANSWER = "Alerts turned off."


def budget_text(amount: int, money: Currency) -> str:
    return money.format(amount) if amount else "any"


def screen(view: SubscriptionView | None, money: Currency, header: str = "") -> str:
    """One's alert settings: status, skills, minimum budget, and what they mean."""
    lines = [header, ""] if header else []
    lines.append("🔔 <b>New-project alerts</b>")
    lines.append("")
    if view is None or view.off:
        lines.append("Status: 🔕 Off")
        if view is not None and view.min_budget:
            lines.append(f"Minimum budget: {budget_text(view.min_budget, money)}")
        lines += [
            "",
            "You get no alerts about new projects. <b>Choose skills</b> and you will get a "
            "message for every new project that needs one of them.",
        ]
        return "\n".join(lines)
    lines.append("Status: ⏸ Paused" if view.paused else "Status: 🟢 On")
    lines.append(f"Skills: {e(', '.join(s.name for s in view.skills))}")
    lines.append(f"Minimum budget: {budget_text(view.min_budget, money)}")
    lines.append("")
    if view.paused:
        lines.append("Nothing reaches you while alerts are paused; your choices are kept.")
    else:
        lines.append(
            "You get a message for every new project that needs one of these skills and whose "
            "budget reaches your minimum; the best matches hear first."
        )
    return "\n".join(lines)


SAVED = "✅ Saved."
CONFIRM_OFF = (
    "Turn new-project alerts off? Your skill choices are cleared; choose skills again any "
    "time to turn them back on. To stop them for a while, <b>Pause</b> instead."
)


def ask_skills(maximum: int, page: int, pages: int, categories: Sequence[str]) -> str:
    where = f"\n<i>Page {page + 1} of {pages}: {e(', '.join(categories))}</i>" if pages > 1 else ""
    return (
        f"<b>Alert skills</b>: tap up to {maximum}, then <b>Done</b>. You will hear about new "
        "projects that need any of them. You can also type them, separated by commas." + where
    )


def ask_min_budget(current: int, money: Currency) -> str:
    return (
        "<b>Minimum budget</b>: send the smallest budget worth an alert, in "
        f"{e(money.unit)} (like {money.example}), or 0 for any budget. A project qualifies "
        "when its budget reaches it.\n"
        f"Now: {budget_text(current, money)}"
    )


BUDGET_NOT_TEXT = "Please send the minimum budget as a number, like 100, or 0 for any budget."
SKILLS_AS_BUTTONS = "Tap the skills above, or type their names separated by commas."

STOPPED_NOTE = (
    "⏸ <b>Alerts paused.</b> You will get no new-project alerts until you resume them. "
    "Changed your mind? Tap <b>Undo</b>."
)
