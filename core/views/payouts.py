"""The balance screen: what one has, what is on its way out, and the recent payouts."""

from __future__ import annotations

from dataclasses import dataclass

from core.actors import Actor
from core.context import Service
from core.services.payouts import Balance, PayoutService
from storage.models import Payout


@dataclass(frozen=True)
class BalanceScreen:
    """``actions``: ``payout`` when the available balance reaches the smallest payout."""

    balance: Balance
    payouts: tuple[Payout, ...]  # newest first
    actions: tuple[str, ...]


class PayoutViews(Service):
    async def balance(self, actor: Actor, recent: int = 5) -> BalanceScreen:
        """The balance screen in two queries (the three balances are one)."""
        balance = await PayoutService(self.ctx).balance(actor.user_id)
        payouts = tuple(await self.uow.payouts.of_user(actor.user_id, recent))
        user = await self.uow.users.get(actor.user_id)  # the sender: already loaded
        may = user is not None and not user.is_banned
        enough = balance.available >= self.settings.min_payout
        return BalanceScreen(balance, payouts, ("payout",) if may and enough else ())
