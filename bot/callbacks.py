"""Inline-button payloads: an action and an id, never data (Telegram caps them at 64 bytes).

Everything a button refers to is loaded again and re-checked when it is pressed. Numbers
are bounded (``Id``, ``Count``): a forged payload with an id no database column can hold
matches no button filter, so it is answered as an expired button.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

#: The largest id or amount stored (signed 64-bit columns).
LARGEST = 2**63 - 1
#: A row's id: 1 and up.
Id = Annotated[int, Field(ge=1, le=LARGEST)]
#: An offset, a page, an amount, or an optional id where 0 means none.
Count = Annotated[int, Field(ge=0, le=LARGEST)]


class MenuCb(CallbackData, prefix="m"):
    action: str


class ProjectCb(CallbackData, prefix="p"):
    action: str
    project_id: Id


class BidCb(CallbackData, prefix="b"):
    action: str
    bid_id: Id


class AwardCb(CallbackData, prefix="a"):
    action: str
    award_id: Id


class ContractCb(CallbackData, prefix="c"):
    action: str
    contract_id: Id


class MilestoneCb(CallbackData, prefix="ms"):
    action: str
    milestone_id: Id


class DisputeCb(CallbackData, prefix="d"):
    action: str
    dispute_id: Id


class OfferCb(CallbackData, prefix="o"):
    action: str
    offer_id: Id


class PayoutCb(CallbackData, prefix="po"):
    action: str
    payout_id: Id


class UserCb(CallbackData, prefix="u"):
    action: str
    user_id: Id


class ChatCb(CallbackData, prefix="ch"):
    """Open a relay chat with ``user_id`` about ``project_id``."""

    project_id: Id
    user_id: Id


class PageCb(CallbackData, prefix="pg"):
    """A page of a list; ``cursor`` is an opaque keyset cursor or an offset."""

    kind: str
    cursor: str = ""


class SkillCb(CallbackData, prefix="sk"):
    """Toggle a skill in a multi-select keyboard (or ``skill_id=0`` for done)."""

    skill_id: Count


class FlowCb(CallbackData, prefix="f"):
    """A choice inside the current conversation (confirm, skip, back...)."""

    action: str


class AlertsCb(CallbackData, prefix="al"):
    """New-project alert settings; ``project_id`` names the alert a Stop or Undo was
    pressed on (to redraw it), never whose alerts: that is always the presser's."""

    action: str
    project_id: Count = 0


class ReportCb(CallbackData, prefix="rp"):
    """🚩 Report a ``kind`` (message, bid, project or profile) by its id."""

    action: str
    kind: str
    target_id: Id


class AuditCb(CallbackData, prefix="aud"):
    """A page of the admins' audit trail: ``admin`` and ``person`` filter it (0: no
    filter); ``turn`` is set on page buttons, whose press turns the page in place."""

    page: Count = 0
    admin: Count = 0
    person: Count = 0
    turn: bool = False


class AdminCb(CallbackData, prefix="adm"):
    """Admin buttons. ``id`` names a dispute, payout or user; ``page`` a page; ``turn``
    is set on page buttons, whose press turns the page in place."""

    action: str
    id: Count = 0
    page: Count = 0
    turn: bool = False


class WalletCb(CallbackData, prefix="wl"):
    action: str  # payout


class ProfileEditCb(CallbackData, prefix="mpe"):
    """Start the profile wizard: ``all`` fields, the ``missing`` ones, or one field."""

    field: str  # all | missing | headline | bio | skills | rate | portfolio


class WorkCb(CallbackData, prefix="wk"):
    """A confirmation in the work area, bound to the amount it showed."""

    action: str  # release | cancel | dismiss
    milestone_id: Id
    amount: Count = 0


class PrivacyCb(CallbackData, prefix="pv"):
    """``open``, ``export``, ``delete`` (asks), ``confirm`` (deletes ``user_id``'s account:
    a confirmation left in the chat never deletes the account of someone who came back)."""

    action: str
    user_id: Count = 0


class BidSortCb(CallbackData, prefix="mbs"):
    """The employer's list of bids on one project, in one order, from one offset."""

    project_id: Id
    order: str
    offset: Count = 0


class FindCb(CallbackData, prefix="mkf"):
    """A filter button of Find work: ``words``, ``skill``, ``budget``, ``band`` or ``clear``."""

    action: str
    value: Count = 0
