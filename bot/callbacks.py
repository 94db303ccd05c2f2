"""Inline-button payloads: an action and an id, never data (Telegram caps them at 64 bytes).

Everything a button refers to is loaded again and re-checked when it is pressed.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    action: str


class ProjectCb(CallbackData, prefix="p"):
    action: str
    project_id: int


class BidCb(CallbackData, prefix="b"):
    action: str
    bid_id: int


class AwardCb(CallbackData, prefix="a"):
    action: str
    award_id: int


class ContractCb(CallbackData, prefix="c"):
    action: str
    contract_id: int


class MilestoneCb(CallbackData, prefix="ms"):
    action: str
    milestone_id: int


class DisputeCb(CallbackData, prefix="d"):
    action: str
    dispute_id: int


class OfferCb(CallbackData, prefix="o"):
    action: str
    offer_id: int


class PayoutCb(CallbackData, prefix="po"):
    action: str
    payout_id: int


class UserCb(CallbackData, prefix="u"):
    action: str
    user_id: int


class ChatCb(CallbackData, prefix="ch"):
    """Open a relay chat with ``user_id`` about ``project_id``."""

    project_id: int
    user_id: int


class PageCb(CallbackData, prefix="pg"):
    """A page of a list; ``cursor`` is an opaque keyset cursor or an offset."""

    kind: str
    cursor: str = ""


class SkillCb(CallbackData, prefix="sk"):
    """Toggle a skill in a multi-select keyboard (or ``skill_id=0`` for done)."""

    skill_id: int


class FlowCb(CallbackData, prefix="f"):
    """A choice inside the current conversation (confirm, skip, back...)."""

    action: str


class AlertsCb(CallbackData, prefix="al"):
    """New-project alert settings; ``project_id`` names the alert a Stop or Undo was
    pressed on (to redraw it), never whose alerts: that is always the presser's."""

    action: str
    project_id: int = 0
