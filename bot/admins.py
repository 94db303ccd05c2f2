"""Who the admins are: the filter on admin-only handlers, and the admins alerts go to."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import (
    TelegramObject,
)

from core.actors import Actor
from core.marketplace import Marketplace
from core.settings import Settings
from storage.models import User


class IsAdmin(Filter):
    async def __call__(self, event: TelegramObject, actor: Actor) -> bool:
        return actor.is_admin


async def admin_users(market: Marketplace, settings: Settings) -> list[User]:
    """The configured admins who have talked to the bot (it cannot message the others)."""
    found = []
    for telegram_id in sorted(settings.admin_ids):
        user = await market.users.by_telegram_id(telegram_id)
        if user is not None:
            found.append(user)
    return found
