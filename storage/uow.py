"""Unit of work: one session, the repositories over it, and an explicit commit.

Nothing is committed unless the caller says so; leaving the block without a
commit (or with an exception) rolls everything back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from types import TracebackType
from typing import Generic, TypeVar, overload

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


R = TypeVar("R")


class _Repo(Generic[R]):
    """A repository of the unit of work, made over its session when first used: an update
    uses a few of the two dozen, and making all of them cost every update."""

    def __init__(self, kind: Callable[[AsyncSession], R]) -> None:
        self.kind = kind

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, uow: None, owner: type) -> _Repo[R]: ...

    @overload
    def __get__(self, uow: UnitOfWork, owner: type | None = None) -> R: ...

    def __get__(self, uow: UnitOfWork | None, owner: type | None = None) -> R | _Repo[R]:
        if uow is None:
            return self  # looked up on the class
        repository = self.kind(uow.session)
        uow.__dict__[self.name] = repository  # found there from now on
        return repository


class UnitOfWork:
    session: AsyncSession
    users = _Repo(UserRepository)
    skills = _Repo(SkillRepository)
    projects = _Repo(ProjectRepository)
    bids = _Repo(BidRepository)
    awards = _Repo(AwardRepository)
    contracts = _Repo(ContractRepository)
    milestones = _Repo(MilestoneRepository)
    payments = _Repo(PaymentRepository)
    receipts = _Repo(PaymentReceiptRepository)
    accounts = _Repo(AccountRepository)
    payouts = _Repo(PayoutRepository)
    disputes = _Repo(DisputeRepository)
    messages = _Repo(MessageRepository)
    reviews = _Repo(ReviewRepository)
    reminders = _Repo(ReminderRepository)
    outbox = _Repo(OutboxRepository)
    subscriptions = _Repo(SubscriptionRepository)
    updates = _Repo(UpdateRepository)
    dead_letters = _Repo(DeadLetterRepository)
    records = _Repo(RecordRepository)
    reports = _Repo(ReportRepository)
    safety = _Repo(SafetyRepository)
    audit = _Repo(AuditRepository)
    personal = _Repo(PersonalDataRepository)

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._open = False

    async def __aenter__(self) -> UnitOfWork:
        if self._open:
            raise RuntimeError("unit of work is already open")
        self.session = self._sessions()
        self._open = True
        for name in [n for n in vars(self) if isinstance(vars(UnitOfWork).get(n), _Repo)]:
            del self.__dict__[name]  # an earlier session's repositories
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

    async def claim(
        self, bot_id: int, update_id: int, at: datetime, sender: int | None = None
    ) -> bool:
        """Claim a Telegram update for this transaction; False if it was handled already
        (``UpdateRepository.claim``). Given the sender's Telegram id, PostgreSQL reads
        their row in the same statement and hands it to ``users.ensure``, which follows
        on every update: one round trip instead of two. SQLite's statements take no trip
        of their own, so there the two stay apart."""
        if sender is None or self.session.get_bind().dialect.name != "postgresql":
            return await self.updates.claim(bot_id, update_id, at)
        claimed, user = await self.updates.claim_reading(bot_id, update_id, at, sender)
        self.users.read_ahead(sender, user)
        return claimed

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
