"""Unit of work: one session, the repositories over it, and an explicit commit.

Nothing is committed unless the caller says so; leaving the block without a
commit (or with an exception) rolls everything back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from storage.repositories import (
    AccountRepository,
    AuditRepository,
    AwardRepository,
    BidRepository,
    ContractRepository,
    DeadLetterRepository,
    DisputeRepository,
    MessageRepository,
    MilestoneRepository,
    OutboxRepository,
    PaymentReceiptRepository,
    PaymentRepository,
    PayoutRepository,
    PersonalDataRepository,
    ProjectRepository,
    RecordRepository,
    ReminderRepository,
    ReportRepository,
    ReviewRepository,
    SafetyRepository,
    SkillRepository,
    SubscriptionRepository,
    UpdateRepository,
    UserRepository,
)


class HoldingSession(Session):
    """A session that keeps every row it loaded or wrote until it closes.

    SQLAlchemy's identity map holds rows weakly: a row a service loaded and let go of
    (a recipient checked, then dropped) is forgotten, and the next ``get`` of it in the
    same update reads it again. A unit of work is one update or one job, so holding its
    rows costs little and makes each row one read per unit of work. The end of its
    transaction (not a savepoint's) lets them go, so a job that commits item by item
    does not gather every row it ever touched (a bulk UPDATE or DELETE walks them all).
    """


def _hold(session: Session, instance: object) -> None:
    session.info.setdefault("held", []).append(instance)


def _let_go(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the unit of work's own, not a savepoint
        session.info.pop("held", None)


event.listen(HoldingSession, "loaded_as_persistent", _hold)
event.listen(HoldingSession, "pending_to_persistent", _hold)
event.listen(HoldingSession, "after_transaction_end", _let_go)


class UnitOfWork:
    session: AsyncSession

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._open = False

    async def __aenter__(self) -> UnitOfWork:
        if self._open:
            raise RuntimeError("unit of work is already open")
        self.session = self._sessions()
        self._open = True
        s = self.session
        self.users = UserRepository(s)
        self.skills = SkillRepository(s)
        self.projects = ProjectRepository(s)
        self.bids = BidRepository(s)
        self.awards = AwardRepository(s)
        self.contracts = ContractRepository(s)
        self.milestones = MilestoneRepository(s)
        self.payments = PaymentRepository(s)
        self.receipts = PaymentReceiptRepository(s)
        self.accounts = AccountRepository(s)
        self.payouts = PayoutRepository(s)
        self.disputes = DisputeRepository(s)
        self.messages = MessageRepository(s)
        self.reviews = ReviewRepository(s)
        self.reminders = ReminderRepository(s)
        self.outbox = OutboxRepository(s)
        self.subscriptions = SubscriptionRepository(s)
        self.updates = UpdateRepository(s)
        self.dead_letters = DeadLetterRepository(s)
        self.records = RecordRepository(s)
        self.reports = ReportRepository(s)
        self.safety = SafetyRepository(s)
        self.audit = AuditRepository(s)
        self.personal = PersonalDataRepository(s)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()
            self._open = False

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def flush(self) -> None:
        await self.session.flush()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Run a block atomically inside the open transaction (SAVEPOINT)."""
        async with self.session.begin_nested():
            yield

    def in_savepoint(self) -> bool:
        return self.session.in_nested_transaction()
