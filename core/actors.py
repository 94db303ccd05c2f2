"""Who is acting. Admin rights come from configuration, not from the database."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int
    telegram_id: int
    is_admin: bool = False
