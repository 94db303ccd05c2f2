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
from core.errors import NotAllowed, NotFound
from storage.models import Bid


class SafetyService(Service):
    async def _employers_bid(self, actor: Actor, bid_id: int) -> Bid:
        await self.active_user(actor)
        bid = await self.uow.bids.get(bid_id)
        if bid is None:
            raise NotFound("bid.not_found", "This bid does not exist.")
        project = await self.uow.projects.get(bid.project_id)
        assert project is not None
        if project.employer_id != actor.user_id:
            raise NotAllowed("project.not_owner", "Only the employer who posted it can do this.")
        return bid

    @atomic
    async def mute(self, actor: Actor, bid_id: int) -> Bid:
        """Mute the bidder behind one of one's bids (pressing twice changes nothing)."""
        bid = await self._employers_bid(actor, bid_id)
        await self.uow.safety.mute(actor.user_id, bid.freelancer_id, self.now())
        return bid

    @atomic
    async def unmute(self, actor: Actor, bid_id: int) -> Bid:
        bid = await self._employers_bid(actor, bid_id)
        await self.uow.safety.unmute(actor.user_id, bid.freelancer_id)
        return bid

    async def muted(self, employer_id: int, freelancer_id: int) -> bool:
        """Whether ``employer_id`` muted ``freelancer_id``."""
        return await self.uow.safety.muted(employer_id, freelancer_id)
