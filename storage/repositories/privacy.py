"""A person's own data: read for their export, erased when they delete their account."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Select, and_, delete, exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import ContractStatus, PayoutStatus, ProjectStatus
from storage.models import (
    Account,
    AlertSubscription,
    AlertSubscriptionSkill,
    Award,
    Bid,
    Contract,
    Dispute,
    FreelancerProfile,
    LedgerTransaction,
    Message,
    Milestone,
    Mute,
    Payment,
    PaymentReceipt,
    Payout,
    Posting,
    ProfileSkill,
    Project,
    ProjectAttachment,
    ProjectTerm,
    Report,
    Review,
    SafetyNote,
)
from storage.repositories.disputes import OPEN_DISPUTE


class PersonalDataRepository:
    """Everything bidgram holds about one person, read for their export and erased (or
    kept) when they delete their account (``core.services.privacy`` decides which)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt: Select[Any]) -> list[Any]:
        return list((await self.session.execute(stmt)).scalars())

    # --- reading --------------------------------------------------------------------------

    async def awards(self, user_id: int, limit: int) -> list[Award]:
        """Offers made to them, or on their projects, newest first."""
        stmt = (
            select(Award)
            .join(Project, Project.id == Award.project_id)
            .where(or_(Award.freelancer_id == user_id, Project.employer_id == user_id))
            .order_by(Award.id.desc())
            .limit(limit)
        )
        return await self._all(stmt)

    async def payments(self, user_id: int, limit: int) -> list[Payment]:
        stmt = select(Payment).where(Payment.payer_id == user_id)
        return await self._all(stmt.order_by(Payment.id.desc()).limit(limit))

    async def postings(self, user_id: int, limit: int) -> list[tuple[Any, ...]]:
        """(account code, transaction kind, key, amount, when, milestone) of every posting
        to their own accounts (available, payout hold, refund hold), newest first."""
        t = LedgerTransaction
        stmt = (
            select(
                Account.code,
                t.kind,
                t.idempotency_key,
                Posting.amount,
                t.created_at,
                t.milestone_id,
            )
            .join(Posting, Posting.account_id == Account.id)
            .join(t, t.id == Posting.transaction_id)
            .where(Account.user_id == user_id)
            .order_by(Posting.id.desc())
            .limit(limit)
        )
        return [tuple(row) for row in (await self.session.execute(stmt)).all()]

    async def messages(self, user_id: int, *, sent: bool, limit: int) -> list[Message]:
        column = Message.sender_id if sent else Message.recipient_id
        stmt = select(Message).where(column == user_id)
        return await self._all(stmt.order_by(Message.id.desc()).limit(limit))

    async def reviews_by(self, user_id: int, limit: int) -> list[Review]:
        stmt = select(Review).where(Review.author_id == user_id)
        return await self._all(stmt.order_by(Review.id.desc()).limit(limit))

    async def reports_by(self, user_id: int, limit: int) -> list[Report]:
        stmt = select(Report).where(Report.reporter_id == user_id)
        return await self._all(stmt.order_by(Report.id.desc()).limit(limit))

    async def mutes_by(self, user_id: int, limit: int) -> list[Mute]:
        stmt = select(Mute).where(Mute.user_id == user_id)
        return await self._all(stmt.order_by(Mute.created_at.desc()).limit(limit))

    async def safety_notes_of(self, user_id: int, limit: int) -> list[SafetyNote]:
        stmt = select(SafetyNote).where(SafetyNote.user_id == user_id)
        return await self._all(stmt.order_by(SafetyNote.shown_at.desc()).limit(limit))

    # --- what keeps an account from being deleted ----------------------------------------

    async def escrow_held(self, user_id: int) -> int:
        """Money in escrow on the contracts they are a side of."""
        held = Milestone.funded_amount - Milestone.released_amount - Milestone.refunded_amount
        stmt = (
            select(func.coalesce(func.sum(held), 0))
            .join(Contract, Contract.id == Milestone.contract_id)
            .where(or_(Contract.employer_id == user_id, Contract.freelancer_id == user_id))
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def open_disputes(self, user_id: int) -> int:
        stmt = select(func.count(Dispute.id)).where(
            or_(Dispute.filed_by_id == user_id, Dispute.respondent_id == user_id),
            Dispute.status.in_(OPEN_DISPUTE),
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def active_contracts(self, user_id: int) -> int:
        stmt = select(func.count(Contract.id)).where(
            or_(Contract.employer_id == user_id, Contract.freelancer_id == user_id),
            Contract.status == ContractStatus.ACTIVE,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def uncredited_payments(self, telegram_id: int) -> int:
        """Charges Telegram reported from them that are not credited yet (the sweep will)."""
        stmt = select(func.count(PaymentReceipt.id)).where(
            PaymentReceipt.telegram_user_id == telegram_id, PaymentReceipt.credited_at.is_(None)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def open_projects(self, user_id: int) -> list[int]:
        """Their projects that never got as far as a contract and have not ended."""
        stmt = select(Project.id).where(
            Project.employer_id == user_id,
            Project.status.in_(
                [
                    ProjectStatus.DRAFT,
                    ProjectStatus.OPEN,
                    ProjectStatus.BIDDING_ENDED,
                    ProjectStatus.AWARDED,
                ]
            ),
        )
        return list((await self.session.execute(stmt.order_by(Project.id))).scalars())

    # --- erasing ---------------------------------------------------------------------------

    async def _run(self, stmt: Any) -> int:
        result = await self.session.execute(stmt.execution_options(synchronize_session="fetch"))
        return int(cast(CursorResult[Any], result).rowcount or 0)

    async def erase_profile(self, user_id: int) -> None:
        """The freelancer profile, its skills and the new-project alert settings."""
        for model in (ProfileSkill, FreelancerProfile, AlertSubscriptionSkill, AlertSubscription):
            await self._run(delete(model).where(model.user_id == user_id))

    async def erase_projects(self, user_id: int, placeholder: str) -> int:
        """Projects they posted that never became a contract: description, files, index and
        offers' terms; the title too, unless someone bid on it (their bids name it)."""
        alone = select(Project.id).where(
            Project.employer_id == user_id,
            ~exists().where(Contract.project_id == Project.id),
        )
        ids = list((await self.session.execute(alone)).scalars())
        if ids:
            await self._run(delete(ProjectAttachment).where(ProjectAttachment.project_id.in_(ids)))
            await self._run(delete(ProjectTerm).where(ProjectTerm.project_id.in_(ids)))
            await self._run(
                update(Project).where(Project.id.in_(ids)).values(description=placeholder)
            )
            await self._run(
                update(Project)
                .where(Project.id.in_(ids), ~exists().where(Bid.project_id == Project.id))
                .values(title=placeholder)
            )
            await self._run(update(Award).where(Award.project_id.in_(ids)).values(deliverables=[]))
        return len(ids)

    async def erase_bids(self, user_id: int, placeholder: str) -> int:
        """Their proposals on projects they were not hired for."""
        return await self._run(
            update(Bid)
            .where(Bid.freelancer_id == user_id, ~exists().where(Contract.bid_id == Bid.id))
            .values(proposal=placeholder)
        )

    async def erase_messages(self, user_id: int, placeholder: str) -> int:
        """What they sent outside a contract's conversation (the two sides of a contract
        about its project): text, file and flags."""
        in_contract = exists().where(
            Contract.project_id == Message.project_id,
            or_(
                and_(
                    Contract.employer_id == Message.sender_id,
                    Contract.freelancer_id == Message.recipient_id,
                ),
                and_(
                    Contract.freelancer_id == Message.sender_id,
                    Contract.employer_id == Message.recipient_id,
                ),
            ),
        )
        return await self._run(
            update(Message)
            .where(Message.sender_id == user_id, ~in_contract)
            .values(text=placeholder, file_id=None, file_kind=None, flags=None)
        )

    async def erase_choices(self, user_id: int) -> None:
        """Whom they muted, and the safety notes shown to them."""
        await self._run(delete(Mute).where(Mute.user_id == user_id))
        await self._run(delete(SafetyNote).where(SafetyNote.user_id == user_id))

    async def erase_rejected_payouts(self, user_id: int, placeholder: str) -> int:
        """Where they asked to be paid, on payouts that never paid (a paid one's destination
        is where the money went: the books keep it)."""
        return await self._run(
            update(Payout)
            .where(Payout.user_id == user_id, Payout.status == PayoutStatus.REJECTED)
            .values(destination=placeholder)
        )
