"""New-project alerts: the /alerts screen, its conversations, and the Stop button."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import _, phrase
from bot.render import e
from bot.texts import skills as skill_names
from core.money import Currency
from core.services.subscriptions import SubscriptionView

# --- buttons ---------------------------------------------------------------------------


choose_skills = phrase("🧩 Choose skills")

min_budget = phrase("💵 Minimum budget")

pause = phrase("⏸ Pause")

resume = phrase("▶️ Resume")

turn_off = phrase("🔕 Turn off")

turn_off_yes = phrase("Yes, turn them off")

back = phrase("« Back")

stop = phrase("🔕 Stop these alerts")

undo = phrase("↩️ Undo")

settings = phrase("⚙️ Alert settings")

any_budget = phrase("Any budget")


# --- button answers ----------------------------------------------------------------------


paused_answer = phrase("Alerts paused.")

resumed_answer = phrase("Alerts are back on.")

off_answer = phrase("Alerts turned off.")


def budget_text(amount: int, money: Currency) -> str:
    return money.format(amount) if amount else _("any")


def screen(view: SubscriptionView | None, money: Currency, header: str = "") -> str:
    """One's alert settings: status, skills, minimum budget, and what they mean."""
    lines = [header, ""] if header else []
    lines.append(_("🔔 <b>New-project alerts</b>"))
    lines.append("")
    if view is None or view.off:
        lines.append(_("Status: 🔕 Off"))
        if view is not None and view.min_budget:
            lines.append(
                _("Minimum budget: {budget}").format(budget=budget_text(view.min_budget, money))
            )
        lines += [
            "",
            _(
                "You get no alerts about new projects. <b>Choose skills</b> and you will get a "
                "message for every new project that needs one of them."
            ),
        ]
        return "\n".join(lines)
    lines.append(_("Status: ⏸ Paused") if view.paused else _("Status: 🟢 On"))
    lines.append(_("Skills: {skills}").format(skills=skill_names.skills(view.skills)))
    lines.append(_("Minimum budget: {budget}").format(budget=budget_text(view.min_budget, money)))
    lines.append("")
    if view.paused:
        lines.append(_("Nothing reaches you while alerts are paused; your choices are kept."))
    else:
        lines.append(
            _(
                "You get a message for every new project that needs one of these skills and "
                "whose budget reaches your minimum; the best matches hear first."
            )
        )
    return "\n".join(lines)


saved = phrase("✅ Saved.")

confirm_off = phrase(
    "Turn new-project alerts off? Your skill choices are cleared; choose skills again any "
    "time to turn them back on. To stop them for a while, <b>Pause</b> instead."
)


def ask_skills(maximum: int, page: int, pages: int, categories: Sequence[str]) -> str:
    ask = _(
        "<b>Alert skills</b>: tap up to {maximum}, then <b>Done</b>. You will hear about new "
        "projects that need any of them. You can also type them, separated by commas."
    ).format(maximum=maximum)
    if pages > 1:
        ask += "\n" + _("<i>Page {page} of {pages}: {categories}</i>").format(
            page=page + 1, pages=pages, categories=e(", ".join(categories))
        )
    return ask


def ask_min_budget(current: int, money: Currency) -> str:
    return _(
        "<b>Minimum budget</b>: send the smallest budget worth an alert, in {unit} (like "
        "{example}), or 0 for any budget. A project qualifies when its budget reaches it.\n"
        "Now: {current}"
    ).format(unit=e(money.unit), example=money.example, current=budget_text(current, money))


budget_not_text = phrase(
    "Please send the minimum budget as a number, like 100, or 0 for any budget."
)

skills_as_buttons = phrase("Tap the skills above, or type their names separated by commas.")

stopped_note = phrase(
    "⏸ <b>Alerts paused.</b> You will get no new-project alerts until you resume them. "
    "Changed your mind? Tap <b>Undo</b>."
)
