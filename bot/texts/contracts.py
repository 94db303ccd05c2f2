"""Contracts on screen: the list, one contract, ending it. Milestones, reviews and the
awarded terms have their own modules (``milestones``, ``reviews``, ``awards``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.render import button, clip, e
from bot.texts.awards import endings, terms
from bot.texts.common import day, sandbox_note
from bot.texts.milestones import (
    milestone_line,
)
from core.money import Currency
from storage.enums import ContractEnding, ContractStatus
from storage.models import Contract, Milestone

CONTRACT_STATUS = {
    ContractStatus.ACTIVE: "🟢 active",
    ContractStatus.COMPLETED: "✅ completed",
    ContractStatus.CANCELLED: "✖ cancelled",
}


# --- buttons ---------------------------------------------------------------------------

END_CONTRACT = "🏁 End contract"
CONFIRM_END = "🏁 Yes, end the contract"
END_AND_REVIEW = "🏁 End contract & review"
BACK_TO_CONTRACTS = "« Contracts"
BACK_TO_CONTRACT = "« Contract"
OPEN_CONTRACT = "🤝 Open contract"
CONFIRM = "✅ Confirm"
CONFIRM_REASK = "Use the buttons: confirm to go ahead, or Cancel to leave."
NEXT_PAGE = "Older ›"


def message_other(name: str) -> str:
    return button(f"💬 Message {name}")


# --- the terms accepted at award ---------------------------------------------------------


# --- the list --------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractLine:
    contract: Contract
    project_title: str
    other_name: str
    employer: bool  # the viewer's side


def contracts_list(lines: Sequence[ContractLine], money: Currency, first: int, badge: str) -> str:
    if not lines:
        return (
            "🤝 <b>Your contracts</b>\n\nNo contracts yet. A contract starts when a freelancer "
            "accepts an award: post a project (/post) or bid on one (/find)."
        )
    out = ["🤝 <b>Your contracts</b>", ""]
    for n, line in enumerate(lines, start=first):
        c = line.contract
        side = "freelancer" if line.employer else "client"
        out.append(
            f"{n}. <b>{e(clip(line.project_title, 60))}</b> — {side}: {e(line.other_name)} · "
            f"{money.format(c.agreed_amount)} · due {day(c.deadline_at)} · "
            f"{CONTRACT_STATUS[c.status]}"
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
    role = "employer" if employer else "freelancer"
    other_role = "Freelancer" if employer else "Client"
    deadline = contract.deadline_at
    overdue = " (passed)" if deadline < now and contract.status is ContractStatus.ACTIVE else ""
    held = sum(m.escrow for m in milestones)
    paid = sum(m.released_amount for m in milestones)
    lines = [
        f"🤝 <b>{e(clip(project_title, 100))}</b>",
        f"You are the {role} · {other_role}: <b>{e(other_name)}</b>",
        f"Agreed: {money.format(contract.agreed_amount)} · Deadline: {day(deadline)}{overdue}",
        f"Status: {CONTRACT_STATUS[contract.status]}",
        f"In escrow: {money.format(held)} · Released: {money.format(paid)}",
        "",
        terms(contract.deliverables, contract.revision_rounds, deadline),
        "",
        "<b>Milestones</b>",
    ]
    if milestones:
        lines += [milestone_line(n, m, money) for n, m in enumerate(milestones, start=1)]
    elif contract.status is ContractStatus.ACTIVE:
        lines.append(
            "None yet. The employer creates milestones (the freelancer may request one); "
            "each is funded into escrow before work starts."
        )
    else:
        lines.append("None.")
    return "\n".join(lines) + sandbox_note(badge)


# --- milestone wizard -------------------------------------------------------------------


# --- delivering -------------------------------------------------------------------------


# --- changes ----------------------------------------------------------------------------


# --- cancelling -------------------------------------------------------------------------


# --- ending -----------------------------------------------------------------------------


def end_confirm(project_title: str) -> str:
    return (
        f"<b>End the contract for “{e(clip(project_title, 80))}”?</b>\n\n"
        "Unfunded milestones and open requests are withdrawn. Money still in escrow must be "
        "released, refunded or settled first. Once ended, you can both leave a review, "
        "however it ended."
    )


def ask_to_end(employer: str) -> str:
    return button(f"🏁 Ask {employer} to end it")


def settled_prompt(project_title: str, employer: bool, other: str) -> str:
    """To each side once nothing is held or pending: end it (the employer, in one tap) or
    ask for it (the freelancer), so both can review."""
    where = f"<b>{e(clip(project_title, 80))}</b>"
    if employer:
        return (
            f"🏁 Nothing is held or pending on {where} any more: end the contract now and "
            f"review {e(other)}. Reviews stay hidden until you both have written."
        )
    return (
        f"🏁 Nothing is held or pending on {where} any more. Once {e(other)} ends the "
        "contract you can both review: ask them to end it now."
    )


def end_requested(freelancer: str, project_title: str) -> str:
    return (
        f"🏁 {e(freelancer)} asks you to end the contract for "
        f"<b>{e(clip(project_title, 80))}</b>: nothing is held or pending any more. End it "
        f"and review {e(freelancer)}; reviews stay hidden until you both have written."
    )


def asked_to_end(employer: str) -> str:
    return (
        f"🏁 {e(employer)} has been asked to end the contract. You will be told when it "
        "ends, and can review then."
    )


def ended(project_title: str, completed: bool, ending: ContractEnding | None) -> str:
    state = "completed" if completed else "cancelled"
    head = f"🏁 The contract for “{e(clip(project_title, 80))}” is <b>{state}</b>"
    if ending is None:
        return f"{head}: nothing was ever funded, so there is nothing to review."
    return (
        f"{head} ({endings()[ending]}). Leave a review: it stays hidden until the other side "
        "writes theirs (or the review window closes), so nobody can retaliate."
    )


# --- reviews ----------------------------------------------------------------------------


# --- alerts -----------------------------------------------------------------------------


def alert_contract_ended(
    project: str, completed: bool, can_review: bool, ending: ContractEnding | None
) -> str:
    state = "completed" if completed else "cancelled"
    how = f" ({endings()[ending]})" if ending else ""
    review = (
        " Leave a review: it stays hidden until you both have written (or the window closes)."
        if can_review
        else ""
    )
    return f"🏁 The contract for <b>{e(clip(project, 80))}</b> is {state}{how}.{review}"


# --- reminders (timed rules) --------------------------------------------------------------
