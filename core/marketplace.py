"""The marketplace's API: one object per unit of work, one attribute per area."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.clock import Clock, SystemClock
from core.context import Context
from core.events import Event
from core.gateways import Gateways
from core.services.admin import AdminService
from core.services.audit import AuditService
from core.services.awards import AwardService
from core.services.bids import BidService
from core.services.contracts import ContractService
from core.services.disputes import DisputeService
from core.services.messages import MessageService
from core.services.milestones import MilestoneService
from core.services.payments import PaymentService
from core.services.payouts import PayoutService
from core.services.privacy import PrivacyService
from core.services.projects import ProjectService
from core.services.refunds import RefundService
from core.services.reports import ReportService
from core.services.reputation import ReputationService
from core.services.reviews import ReviewService
from core.services.safety import SafetyService
from core.services.subscriptions import SubscriptionService
from core.services.timers import TimerService
from core.services.users import UserService
from core.settings import Settings
from core.views import Views
from storage.models import OutboxEvent
from storage.uow import UnitOfWork


class Marketplace:
    def __init__(
        self,
        uow: UnitOfWork,
        settings: Settings,
        clock: Clock | None = None,
        gateways: Gateways | None = None,
    ) -> None:
        self.ctx = Context(uow, settings, clock or SystemClock(), gateways or Gateways())
        self.users = UserService(self.ctx)
        self.projects = ProjectService(self.ctx)
        self.bids = BidService(self.ctx)
        self.awards = AwardService(self.ctx)
        self.contracts = ContractService(self.ctx)
        self.milestones = MilestoneService(self.ctx)
        self.payments = PaymentService(self.ctx)
        self.refunds = RefundService(self.ctx)
        self.payouts = PayoutService(self.ctx)
        self.disputes = DisputeService(self.ctx)
        self.messages = MessageService(self.ctx)
        self.reviews = ReviewService(self.ctx)
        self.reputation = ReputationService(self.ctx)
        self.subscriptions = SubscriptionService(self.ctx)
        self.timers = TimerService(self.ctx)
        self.admin = AdminService(self.ctx)
        self.reports = ReportService(self.ctx)
        self.safety = SafetyService(self.ctx)
        self.audit = AuditService(self.ctx)
        self.privacy = PrivacyService(self.ctx)
        self.views = Views(self.ctx)  # the read side: one call per screen

    def write_events(self) -> list[tuple[Event, OutboxEvent]]:
        """Add the events recorded so far to the outbox, each with its row, to be written
        with the transaction: the bot may expand them into messages in it too."""
        now = self.ctx.clock.now()
        outbox = self.ctx.uow.outbox
        return [
            (event, outbox.add_event(event.kind, event.recipients, event.to_payload(), now))
            for event in self.take_events()
        ]

    async def commit(self) -> list[Event]:
        """Commit the unit of work with its events written to the outbox in the same
        transaction: an alert exists exactly when the change that caused it does.
        Refused when an operation failed half-done and its caller carried on (see
        ``core.context.atomic``): that is a bug, and nothing of it is written."""
        if self.ctx.broken:
            raise RuntimeError(
                "an operation failed without a savepoint and its caller carried on: "
                "call it inside Marketplace.attempt()"
            )
        written = self.write_events()
        await self.ctx.uow.commit()
        return [event for event, _ in written]

    async def rollback(self) -> None:
        """Undo the whole unit of work, its events too; it may be used again."""
        self.take_events()
        self.ctx.broken = False
        await self.ctx.uow.rollback()

    def all_or_nothing(self) -> Marketplace:
        """Mark this unit of work as ended by any failed operation (see
        ``core.context.atomic``): operations open no savepoints of their own."""
        self.ctx.all_or_nothing = True
        return self

    @asynccontextmanager
    async def attempt(self) -> AsyncIterator[None]:
        """A block whose refusal the caller answers and then carries on: undone alone
        (a savepoint), even in a unit of work that is all or nothing."""
        async with self.ctx.uow.savepoint():
            yield

    def take_events(self) -> list[Event]:
        """Events recorded so far; call after commit to deliver alerts."""
        events, self.ctx.events[:] = list(self.ctx.events), []
        return events
