"""Disputes: their offers and evidence, and what counts as one lost."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, false, func, or_, select
from sqlalchemy.orm import aliased

from storage.enums import DisputeResolution, DisputeStatus, OfferStatus, PartyRole
from storage.models import (
    Contract,
    Dispute,
    DisputeEvidence,
    DisputeOffer,
    Milestone,
    Project,
    User,
)
from storage.repositories.base import Repository

OPEN_DISPUTE = (
    DisputeStatus.AWAITING_RESPONSE,
    DisputeStatus.NEGOTIATION,
    DisputeStatus.ARBITRATION,
)


#: Verdicts that go against a side: (a resolution, the filer's side it needs or None).
LostRule = Sequence[tuple[DisputeResolution, PartyRole | None]]


def lost_clause(lost: LostRule) -> Any:
    """SQL: the dispute was settled with one of the verdicts in ``lost``."""
    terms = [
        and_(Dispute.resolution == resolution, Dispute.filer_role == filer)
        if filer is not None
        else Dispute.resolution == resolution
        for resolution, filer in lost
    ]
    return and_(Dispute.status == DisputeStatus.RESOLVED, or_(*terms)) if terms else false()


_EMPLOYER = aliased(User, name="employer")  # made once: see base
_FREELANCER = aliased(User, name="freelancer")
#: A dispute screen's rows in one query: the dispute, its milestone, contract and project,
#: and the first names of the contract's employer and freelancer (built once).
SCREEN = (
    select(Dispute, Milestone, Contract, Project, _EMPLOYER.first_name, _FREELANCER.first_name)
    .join(Milestone, Milestone.id == Dispute.milestone_id)
    .join(Contract, Contract.id == Dispute.contract_id)
    .join(Project, Project.id == Contract.project_id)
    .join(_EMPLOYER, _EMPLOYER.id == Contract.employer_id)
    .join(_FREELANCER, _FREELANCER.id == Contract.freelancer_id)
    .where(Dispute.id == bindparam("dispute_id"))
)


class DisputeRepository(Repository[Dispute]):
    model = Dispute

    async def screen(
        self, dispute_id: int
    ) -> tuple[Dispute, Milestone, Contract, Project, str, str] | None:
        """A dispute, its milestone, contract and project, and the first names of the
        contract's employer and freelancer: all but its offers and evidence, in one query."""
        row = (await self.session.execute(SCREEN, {"dispute_id": dispute_id})).one_or_none()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4], row[5])

    async def open_for_milestone(self, milestone_id: int) -> Dispute | None:
        stmt = select(Dispute).where(
            Dispute.milestone_id == milestone_id,
            Dispute.status.in_(OPEN_DISPUTE),
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def for_milestone(self, milestone_id: int) -> list[Dispute]:
        stmt = select(Dispute).where(Dispute.milestone_id == milestone_id).order_by(Dispute.id)
        return await self._all(stmt)

    async def for_contract(self, contract_id: int) -> list[Dispute]:
        stmt = select(Dispute).where(Dispute.contract_id == contract_id).order_by(Dispute.id)
        return await self._all(stmt)

    async def count_by_status(self, status: DisputeStatus) -> int:
        stmt = select(func.count(Dispute.id)).where(Dispute.status == status)
        return int((await self.session.execute(stmt)).scalar_one())

    async def open_count_for_contract(self, contract_id: int) -> int:
        stmt = select(func.count(Dispute.id)).where(
            Dispute.contract_id == contract_id, Dispute.status.in_(OPEN_DISPUTE)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def due_unanswered(self, now: datetime, limit: int) -> list[int]:
        stmt = (
            select(Dispute.id)
            .where(Dispute.status == DisputeStatus.AWAITING_RESPONSE, Dispute.respond_by <= now)
            .order_by(Dispute.respond_by)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def due_to_escalate(self, now: datetime, limit: int) -> list[int]:
        stmt = (
            select(Dispute.id)
            .where(
                Dispute.status == DisputeStatus.NEGOTIATION,
                Dispute.negotiation_ends_at <= now,
            )
            .order_by(Dispute.negotiation_ends_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def queue(self, limit: int, offset: int = 0) -> list[Dispute]:
        stmt = (
            select(Dispute)
            .where(Dispute.status == DisputeStatus.ARBITRATION)
            .order_by(Dispute.escalated_at, Dispute.id)
            .limit(limit)
            .offset(offset)
        )
        return await self._all(stmt)

    async def of_user(self, user_id: int, limit: int) -> list[Dispute]:
        stmt = (
            select(Dispute)
            .where(or_(Dispute.filed_by_id == user_id, Dispute.respondent_id == user_id))
            .order_by(Dispute.created_at.desc(), Dispute.id.desc())
            .limit(limit)
        )
        return await self._all(stmt)

    async def offers(self, dispute_id: int) -> list[DisputeOffer]:
        stmt = select(DisputeOffer).where(DisputeOffer.dispute_id == dispute_id)
        return list((await self.session.execute(stmt.order_by(DisputeOffer.id))).scalars())

    async def offer(self, offer_id: int) -> DisputeOffer | None:
        return await self.session.get(DisputeOffer, offer_id)

    async def open_offers(self, dispute_id: int) -> list[DisputeOffer]:
        stmt = select(DisputeOffer).where(
            DisputeOffer.dispute_id == dispute_id, DisputeOffer.status == OfferStatus.OPEN
        )
        return list((await self.session.execute(stmt)).scalars())

    def add_offer(self, offer: DisputeOffer) -> DisputeOffer:
        self.session.add(offer)
        return offer

    def add_evidence(self, evidence: DisputeEvidence) -> DisputeEvidence:
        self.session.add(evidence)
        return evidence

    async def evidence(self, dispute_id: int) -> list[DisputeEvidence]:
        stmt = select(DisputeEvidence).where(DisputeEvidence.dispute_id == dispute_id)
        return list((await self.session.execute(stmt.order_by(DisputeEvidence.id))).scalars())

    async def evidence_count(self, dispute_id: int, author_id: int) -> int:
        stmt = select(func.count(DisputeEvidence.id)).where(
            DisputeEvidence.dispute_id == dispute_id, DisputeEvidence.author_id == author_id
        )
        return int((await self.session.execute(stmt)).scalar_one())
