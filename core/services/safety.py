"""Mutes: an employer who no longer wants to hear from a bidder.

A muted bidder's messages to that employer are refused (they are told why, so nobody
waits for an answer that cannot come) and their bid alerts stop; their bids still stand
and can be read and awarded. A freelancer hired on a project is never muted there: a
contract keeps its channel, which is also the record of any dispute (see
``MessageService``).
"""

from __future__ import annotations

from core.actors import Actor
from core.context import Service, atomic
from core.services.bids import BidService
from storage.models import Bid


class SafetyService(Service):
    @atomic
    async def mute(self, actor: Actor, bid_id: int) -> Bid:
        """Mute the bidder behind one of one's bids (pressing twice changes nothing)."""
        bid, _ = await BidService(self.ctx).on_own_project(actor, bid_id)
        await self.uow.safety.mute(actor.user_id, bid.freelancer_id, self.now())
        return bid

    @atomic
    async def unmute(self, actor: Actor, bid_id: int) -> Bid:
        bid, _ = await BidService(self.ctx).on_own_project(actor, bid_id)
        await self.uow.safety.unmute(actor.user_id, bid.freelancer_id)
        return bid

    async def muted(self, employer_id: int, freelancer_id: int) -> bool:
        """Whether ``employer_id`` muted ``freelancer_id``."""
        return await self.uow.safety.muted(employer_id, freelancer_id)
