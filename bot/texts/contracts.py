"""Contracts on screen: the list, one contract, ending it. Milestones, reviews and the
awarded terms have their own modules (``milestones``, ``reviews``, ``awards``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.i18n import _, phrase
from bot.render import button, clip, e
from bot.texts import labels, titled
from bot.texts.awards import endings, terms
from bot.texts.common import day, sandbox_note
from bot.texts.milestones import (
    milestone_line,
)
from core.money import Currency
from storage.enums import ContractEnding, ContractStatus
from storage.models import Contract, Milestone

#: A contract's status, as its list and its screen show it.
contract_status = labels(
    {
        ContractStatus.ACTIVE: phrase("🟢 active"),
        ContractStatus.COMPLETED: phrase("✅ completed"),
        ContractStatus.CANCELLED: phrase("✖ cancelled"),
    }
)


# --- buttons ---------------------------------------------------------------------------


end_contract = phrase("🏁 End contract")

confirm_end = phrase("🏁 Yes, end the contract")

end_and_review = phrase("🏁 End contract & review")

back_to_contracts = phrase("« Contracts")

back_to_contract = phrase("« Contract")

open_contract = phrase("🤝 Open contract")

confirm = phrase("✅ Confirm")

confirm_reask = phrase("Use the buttons: confirm to go ahead, or Cancel to leave.")

next_page = phrase("Older ›")

prev_page = phrase("‹ Newer")


def message_other(name: str) -> str:
    return button(_("💬 Message {name}").format(name=name))


# --- the list --------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractLine:
    contract: Contract
    project_title: str
    other_name: str
    employer: bool  # the viewer's side


def contracts_list(lines: Sequence[ContractLine], money: Currency, first: int, badge: str) -> str:
    head = _("🤝 <b>Your contracts</b>")
    if not lines:
        return (
            head
            + "\n\n"
            + _(
                "No contracts yet. A contract starts when a freelancer accepts an award: "
                "post a project (/post) or bid on one (/find)."
            )
        )
    out = [head, ""]
    for n, line in enumerate(lines, start=first):
        c = line.contract
        if line.employer:
            template = _(
                "{n}. <b>{title}</b> — freelancer: {name} · {amount} · due {due} · {status}"
            )
        else:
            template = _("{n}. <b>{title}</b> — client: {name} · {amount} · due {due} · {status}")
        out.append(
            template.format(
                n=n,
                title=e(clip(line.project_title, 60)),
                name=e(line.other_name),
                amount=money.format(c.agreed_amount),
                due=day(c.deadline_at),
                status=contract_status(c.status),
            )
        )
    return "\n".join(out) + sandbox_note(badge)


def contract_button(n: int, project_title: str) -> str:
    return button(f"{n}. {project_title}")


# --- one contract ----------------------------------------------------------------------


def contract_view(
    contract: Contract,
    project_title: str,
    employer: bool,
    other_name: str,
    milestones: Sequence[Milestone],
    money: Currency,
    now: datetime,
    badge: str,
) -> str:
    if employer:
        side = _("You are the employer · Freelancer: <b>{name}</b>")
    else:
        side = _("You are the freelancer · Client: <b>{name}</b>")
    deadline = contract.deadline_at
    if deadline < now and contract.status is ContractStatus.ACTIVE:
        agreed = _("Agreed: {amount} · Deadline: {deadline} (passed)")
    else:
        agreed = _("Agreed: {amount} · Deadline: {deadline}")
    held = sum(m.escrow for m in milestones)
    paid = sum(m.released_amount for m in milestones)
    lines = [
        f"🤝 <b>{e(clip(project_title, 100))}</b>",
        side.format(name=e(other_name)),
        agreed.format(amount=money.format(contract.agreed_amount), deadline=day(deadline)),
        _("Status: {status}").format(status=contract_status(contract.status)),
        _("In escrow: {held} · Released: {released}").format(
            held=money.format(held), released=money.format(paid)
        ),
        "",
        terms(contract.deliverables, contract.revision_rounds, deadline),
        "",
        _("<b>Milestones</b>"),
    ]
    if milestones:
        lines += [milestone_line(n, m, money) for n, m in enumerate(milestones, start=1)]
    elif contract.status is ContractStatus.ACTIVE:
        lines.append(
            _(
                "None yet. The employer creates milestones (the freelancer may request one); "
                "each is funded into escrow before work starts."
            )
        )
    else:
        lines.append(_("None."))
    return "\n".join(lines) + sandbox_note(badge)


# --- ending -----------------------------------------------------------------------------


end_confirm = titled(
    phrase(
        "<b>End the contract for “{title}”?</b>\n\n"
        "Unfunded milestones and open requests are withdrawn. Money still in escrow must be "
        "released, refunded or settled first. Once ended, you can both leave a review, "
        "however it ended."
    ),
    80,
)


def ask_to_end(employer: str) -> str:
    return button(_("🏁 Ask {name} to end it").format(name=employer))


def settled_prompt(project_title: str, employer: bool, other: str) -> str:
    """To each side once nothing is held or pending: end it (the employer, in one tap) or
    ask for it (the freelancer), so both can review."""
    title = e(clip(project_title, 80))
    if employer:
        return _(
            "🏁 Nothing is held or pending on <b>{title}</b> any more: end the contract now "
            "and review {name}. Reviews stay hidden until you both have written."
        ).format(title=title, name=e(other))
    return _(
        "🏁 Nothing is held or pending on <b>{title}</b> any more. Once {name} ends the "
        "contract you can both review: ask them to end it now."
    ).format(title=title, name=e(other))


def end_requested(freelancer: str, project_title: str) -> str:
    return _(
        "🏁 {name} asks you to end the contract for <b>{title}</b>: nothing is held or "
        "pending any more. End it and review {name}; reviews stay hidden until you both "
        "have written."
    ).format(name=e(freelancer), title=e(clip(project_title, 80)))


def asked_to_end(employer: str) -> str:
    return _(
        "🏁 {name} has been asked to end the contract. You will be told when it ends, and "
        "can review then."
    ).format(name=e(employer))


def ended(project_title: str, completed: bool, ending: ContractEnding | None) -> str:
    title = e(clip(project_title, 80))
    if ending is None:
        if completed:
            return _(
                "🏁 The contract for “{title}” is <b>completed</b>: nothing was ever funded, "
                "so there is nothing to review."
            ).format(title=title)
        return _(
            "🏁 The contract for “{title}” is <b>cancelled</b>: nothing was ever funded, "
            "so there is nothing to review."
        ).format(title=title)
    if completed:
        head = _("🏁 The contract for “{title}” is <b>completed</b> ({ending}).")
    else:
        head = _("🏁 The contract for “{title}” is <b>cancelled</b> ({ending}).")
    review = _(
        "Leave a review: it stays hidden until the other side writes theirs (or the review "
        "window closes), so nobody can retaliate."
    )
    return head.format(title=title, ending=endings()[ending]) + " " + review


# --- alerts -----------------------------------------------------------------------------


def alert_contract_ended(
    project: str, completed: bool, can_review: bool, ending: ContractEnding | None
) -> str:
    title = e(clip(project, 80))
    if ending:
        if completed:
            text = _("🏁 The contract for <b>{title}</b> is completed ({ending}).")
        else:
            text = _("🏁 The contract for <b>{title}</b> is cancelled ({ending}).")
        text = text.format(title=title, ending=endings()[ending])
    elif completed:
        text = _("🏁 The contract for <b>{title}</b> is completed.").format(title=title)
    else:
        text = _("🏁 The contract for <b>{title}</b> is cancelled.").format(title=title)
    if can_review:
        text += " " + _(
            "Leave a review: it stays hidden until you both have written (or the window closes)."
        )
    return text
