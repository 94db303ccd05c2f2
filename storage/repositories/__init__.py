"""Repositories: every query the marketplace makes, so services never write SQL.

One module per area, named as the area is in ``core/services`` (``users``, ``projects``,
``milestones`` ...); ``base`` holds what they share. Import from the package:
``from storage.repositories import ProjectQuery``.
"""

from storage.repositories.audit import AuditRepository
from storage.repositories.awards import AwardRepository
from storage.repositories.base import Repository, insert_ignore
from storage.repositories.bids import BidRepository
from storage.repositories.contracts import ContractRepository
from storage.repositories.disputes import OPEN_DISPUTE, DisputeRepository, LostRule, lost_clause
from storage.repositories.ledger import AccountRepository
from storage.repositories.messages import MessageRepository
from storage.repositories.milestones import MilestoneRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.payments import PaymentReceiptRepository, PaymentRepository
from storage.repositories.payouts import PayoutRepository
from storage.repositories.privacy import PersonalDataRepository
from storage.repositories.projects import SEARCH_EXPANSION, ProjectQuery, ProjectRepository
from storage.repositories.reminders import ReminderRepository
from storage.repositories.reports import ReportRepository
from storage.repositories.reputation import RecordRepository
from storage.repositories.reviews import ReviewRepository
from storage.repositories.safety import SafetyRepository
from storage.repositories.skills import SkillRepository
from storage.repositories.subscriptions import SubscriptionRepository
from storage.repositories.updates import DeadLetterRepository, UpdateRepository
from storage.repositories.users import UserRepository

__all__ = [
    "OPEN_DISPUTE",
    "SEARCH_EXPANSION",
    "AccountRepository",
    "AuditRepository",
    "AwardRepository",
    "BidRepository",
    "ContractRepository",
    "DeadLetterRepository",
    "DisputeRepository",
    "LostRule",
    "MessageRepository",
    "MilestoneRepository",
    "OutboxRepository",
    "PaymentReceiptRepository",
    "PaymentRepository",
    "PayoutRepository",
    "PersonalDataRepository",
    "ProjectQuery",
    "ProjectRepository",
    "RecordRepository",
    "ReminderRepository",
    "ReportRepository",
    "Repository",
    "ReviewRepository",
    "SafetyRepository",
    "SkillRepository",
    "SubscriptionRepository",
    "UpdateRepository",
    "UserRepository",
    "insert_ignore",
    "lost_clause",
]
