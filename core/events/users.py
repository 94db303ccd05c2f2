"""Events of accounts: a ban and its lifting, told to the person concerned."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class UserEvent(Event):
    user_id: int


@dataclass(frozen=True, kw_only=True)
class UserBanned(UserEvent, kind="user.banned"):
    pass


@dataclass(frozen=True, kw_only=True)
class UserUnbanned(UserEvent, kind="user.unbanned"):
    pass
