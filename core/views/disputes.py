"""The dispute screen: where it stands, the offers and evidence, what each side may do."""

from __future__ import annotations

from dataclasses import dataclass

from core.actors import Actor
from core.context import Service
from core.errors import NotAllowed, NotFound
from storage.enums import DisputeStatus, OfferStatus
from storage.models import Contract, Dispute, DisputeEvidence, DisputeOffer, Milestone, Project

CLOSED = (DisputeStatus.RESOLVED, DisputeStatus.WITHDRAWN)


@dataclass(frozen=True)
class DisputeScreen:
    """A dispute with everything its screen mentions.

    ``actions`` for its two sides: ``respond`` (the respondent, while awaiting the
    response), ``offer`` or, when the other side made an open offer, ``accept_offer``
    and ``counter_offer`` (not once an admin decides), ``escalate`` (in negotiation),
    ``evidence``, ``withdraw`` (the filer) while it is open; ``message`` always.
    """

    dispute: Dispute
    milestone: Milestone
    contract: Contract
    project: Project
    offers: tuple[DisputeOffer, ...]
    names: dict[int, str]  # user id -> first name, for both sides
    evidence: tuple[DisputeEvidence, ...]
    actions: tuple[str, ...]

    @property
    def open_offer(self) -> DisputeOffer | None:
        return open_offer(self.offers)


def open_offer(offers: tuple[DisputeOffer, ...]) -> DisputeOffer | None:
    """The offer waiting for an answer (at most one is open)."""
    return next((o for o in offers if o.status is OfferStatus.OPEN), None)


def _actions(d: Dispute, offer: DisputeOffer | None, viewer_id: int) -> tuple[str, ...]:
    if viewer_id not in (d.filed_by_id, d.respondent_id):
        return ()
    if d.status in CLOSED:
        return ("message",)
    actions = []
    if d.status is DisputeStatus.AWAITING_RESPONSE and viewer_id == d.respondent_id:
        actions.append("respond")
    if d.status is not DisputeStatus.ARBITRATION:
        if offer is not None and offer.by_user_id != viewer_id:
            actions += ["accept_offer", "counter_offer"]
        else:
            actions.append("offer")
    if d.status is DisputeStatus.NEGOTIATION:
        actions.append("escalate")
    actions.append("evidence")
    if viewer_id == d.filed_by_id:
        actions.append("withdraw")
    actions.append("message")
    return tuple(actions)


class DisputeViews(Service):
    async def screen(self, actor: Actor, dispute_id: int) -> DisputeScreen:
        """The dispute screen in three queries; anyone but its two sides and admins is
        refused."""
        found = await self.uow.disputes.screen(dispute_id)
        if found is None:
            raise NotFound("dispute.not_found", "This dispute does not exist.")
        d, milestone, contract, project, employer_name, freelancer_name = found
        if actor.user_id not in (d.filed_by_id, d.respondent_id) and not actor.is_admin:
            raise NotAllowed("dispute.not_party", "This dispute is not yours.")
        offers = tuple(await self.uow.disputes.offers(d.id))
        evidence = tuple(await self.uow.disputes.evidence(d.id))
        names = {contract.employer_id: employer_name, contract.freelancer_id: freelancer_name}
        actions = _actions(d, open_offer(offers), actor.user_id)
        return DisputeScreen(d, milestone, contract, project, offers, names, evidence, actions)
