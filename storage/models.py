"""SQLAlchemy models: the marketplace's tables.

Amounts are integer minor units (BIGINT). Times are timezone-aware UTC.
Nothing here holds a balance: balances are sums of ledger postings.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column

from storage.enums import (
    AccountKind,
    AwardStatus,
    BidStatus,
    ContractEnding,
    ContractStatus,
    DisputeResolution,
    DisputeStatus,
    EvidenceStage,
    MilestoneStatus,
    OfferStatus,
    PartyRole,
    PaymentStatus,
    PayoutStatus,
    ProjectStatus,
    RefundStatus,
    ReportReason,
    ReportStatus,
    ReportTarget,
)
from storage.types import BigIntPK, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def state_type(enum: type[StrEnum]) -> SAEnum:
    """A status column stored as its string value (no native enum: easy to migrate)."""
    return SAEnum(
        enum,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of the rows where ``where`` holds; both backends take the same SQL.

    The predicate is named for SQLite here and for PostgreSQL by `postgresql_predicates`
    where DDL or a schema comparison needs it (migrations): a ``postgresql_`` option in
    the models would load SQLAlchemy's PostgreSQL dialect (2 MiB) into every bot on
    SQLite. The tables themselves are built by the migrations, which name both.
    """
    return Index(name, *columns, unique=unique, sqlite_where=text(where), info={"where": where})


def postgresql_predicates(metadata: MetaData) -> None:
    """Give each `partial_index` its PostgreSQL predicate (loads that dialect)."""
    for table in metadata.tables.values():
        for index in table.indexes:
            if "where" in index.info:
                index.dialect_options["postgresql"]["where"] = text(index.info["where"])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


# --- people -----------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(128), default="")
    last_name: Mapped[str | None] = mapped_column(String(128))
    language_code: Mapped[str | None] = mapped_column(String(16))  # the client's, as sent
    # The person's own choices (core.locales): None follows the client / shows UTC.
    language: Mapped[str | None] = mapped_column(String(8))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    is_banned: Mapped[bool] = mapped_column(Boolean, default=False)
    banned_at: Mapped[datetime | None]
    ban_reason: Mapped[str | None] = mapped_column(String(500))
    # Set when Telegram answers 403 "bot was blocked"; cleared when they write again.
    blocked_bot_at: Mapped[datetime | None]
    # The person deleted their account (core.services.privacy): the row stays, under an
    # anonymous name, for what others and the books still need.
    deleted_at: Mapped[datetime | None]

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or f"user{self.id}"


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(40))


class FreelancerProfile(Base):
    __tablename__ = "freelancer_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    headline: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    hourly_rate: Mapped[int | None] = mapped_column(BigInteger)
    portfolio: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]


class ProfileSkill(Base):
    __tablename__ = "profile_skills"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("freelancer_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)

    __table_args__ = (Index("ix_profile_skills_skill", "skill_id", "user_id"),)


# --- projects and bids ------------------------------------------------------------


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    budget_min: Mapped[int] = mapped_column(BigInteger)
    budget_max: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[ProjectStatus] = mapped_column(state_type(ProjectStatus))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    bidding_ends_at: Mapped[datetime | None]
    # Set when bidding ends with bids: the employer may award until then (timed rules).
    award_by: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]  # closed, cancelled or completed

    __table_args__ = (
        CheckConstraint("budget_min > 0 AND budget_min <= budget_max", name="budget"),
        Index("ix_projects_listing", "status", "published_at", "id"),
        Index("ix_projects_employer", "employer_id", "created_at"),
        Index("ix_projects_bidding_end", "status", "bidding_ends_at"),
        Index("ix_projects_award_by", "status", "award_by"),
    )


class ProjectSkill(Base):
    __tablename__ = "project_skills"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)

    __table_args__ = (Index("ix_project_skills_skill", "skill_id", "project_id"),)


class ProjectTerm(Base):
    """Inverted index of a project's words: indexed text search on any backend."""

    __tablename__ = "project_terms"

    term: Mapped[str] = mapped_column(
        String(40).with_variant(String(40, collation="C"), "postgresql"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    # The project's, copied so a word's projects can be walked newest first in one
    # index; it never changes once a project is published (only then is it indexed).
    published_at: Mapped[datetime]

    __table_args__ = (
        # a word's projects, newest first: the search walks this for its driving word
        Index("ix_project_terms_order", "term", "published_at", "project_id"),
        # a project's words: re-indexing, and the other words' probes (prefix ranges)
        Index("ix_project_terms_project", "project_id", "term"),
    )


class ProjectAttachment(Base):
    __tablename__ = "project_attachments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    file_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))  # document | photo
    file_name: Mapped[str | None] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_project_attachments_project", "project_id", "position"),)


class Bid(Base):
    __tablename__ = "bids"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    delivery_days: Mapped[int] = mapped_column(Integer)
    proposal: Mapped[str] = mapped_column(Text)
    status: Mapped[BidStatus] = mapped_column(state_type(BidStatus))
    created_at: Mapped[datetime]
    placed_at: Mapped[datetime]  # last time it was placed (counts toward the daily limit)
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("project_id", "freelancer_id"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("delivery_days > 0", name="delivery_days"),
        Index("ix_bids_freelancer_placed", "freelancer_id", "placed_at"),
        Index("ix_bids_project_status", "project_id", "status"),
    )


class Award(Base):
    """An offer of the project to one bidder, which they accept or decline in a window."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"))
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[AwardStatus] = mapped_column(state_type(AwardStatus))
    offered_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    # The terms the freelancer accepts together with the offer (copied to the contract).
    deliverables: Mapped[list[str]] = mapped_column(JSON, default=list)
    revision_rounds: Mapped[int] = mapped_column(SmallInteger)  # included per milestone
    due_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_awards_due", "status", "expires_at"),
        Index("ix_awards_project", "project_id", "status"),
    )


class Contract(Base):
    """Created when an award is accepted; at most one per project."""

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), unique=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    agreed_amount: Mapped[int] = mapped_column(BigInteger)
    delivery_days: Mapped[int] = mapped_column(Integer)
    # The accepted terms: what is to be delivered, and the change rounds each milestone
    # includes; ``deadline_at`` is their due date.
    deliverables: Mapped[list[str]] = mapped_column(JSON, default=list)
    revision_rounds: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[ContractStatus] = mapped_column(state_type(ContractStatus))
    started_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    last_delivered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # When the double-blind reviews became visible (both wrote, or the window closed);
    # set once, so both sides are told once (timed rules).
    reviews_published_at: Mapped[datetime | None]
    # Who ended it (core.services.reputation: a cancellation counts against that side only).
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        Index("ix_contracts_freelancer", "freelancer_id", "status"),
        Index("ix_contracts_employer", "employer_id", "status"),
        Index("ix_contracts_reviews_due", "status", "reviews_published_at", "ended_at"),
    )


# --- milestones and money ----------------------------------------------------------


class Milestone(Base):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    description: Mapped[str] = mapped_column(Text)
    amount: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime | None]
    status: Mapped[MilestoneStatus] = mapped_column(state_type(MilestoneStatus))
    requested_by_freelancer: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    funded_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    auto_release_at: Mapped[datetime | None]
    funded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    released_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # gross, fee included
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    status_before_dispute: Mapped[MilestoneStatus | None] = mapped_column(
        state_type(MilestoneStatus)
    )
    revisions_used: Mapped[int] = mapped_column(SmallInteger, default=0)  # change requests

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint(
            "released_amount >= 0 AND refunded_amount >= 0 AND fee_amount >= 0"
            " AND released_amount + refunded_amount <= funded_amount",
            name="escrow",
        ),
        Index("ix_milestones_contract", "contract_id", "id"),
        Index("ix_milestones_auto_release", "status", "auto_release_at"),
    )

    @property
    def escrow(self) -> int:
        """What is held for this milestone right now."""
        return self.funded_amount - self.released_amount - self.refunded_amount


class MilestoneEvent(Base):
    """Everything that happened to a milestone, in order: the record an arbiter reads."""

    __tablename__ = "milestone_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    file_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A delivery sent as a protected preview (Telegram's protect_content) until paid.
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_milestone_events_milestone", "milestone_id", "id"),)


class Payment(Base):
    """Money coming in through a funding gateway for one milestone."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"))
    payer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    gateway: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))
    status: Mapped[PaymentStatus] = mapped_column(state_type(PaymentStatus))
    external_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # back at the source
    # A refund to the source is recorded before the gateway is asked (its money held in
    # the payer's refund hold), then confirmed or given back (see core.services.refunds).
    refund_status: Mapped[RefundStatus | None] = mapped_column(state_type(RefundStatus))
    refund_started_at: Mapped[datetime | None]
    refund_next_at: Mapped[datetime | None]  # when to ask the gateway (again)
    refund_attempts: Mapped[int] = mapped_column(Integer, default=0)
    refund_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("gateway", "external_id"),
        Index("ix_payments_milestone", "milestone_id"),
        partial_index(
            "ix_payments_refunds_due", "refund_next_at", where="refund_status = 'pending'"
        ),
    )


class PaymentReceipt(Base):
    """Money a gateway says it took, journaled in its own transaction before anything
    else happens, so a failure later in the update cannot lose it. Crediting it (in the
    update, or by the sweep until that succeeds) marks it ``credited_at``; the charge id
    is unique, so a charge is journaled once however often it is delivered."""

    __tablename__ = "payment_receipts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    charge_id: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[str] = mapped_column(String(128))
    payment_id: Mapped[int | None] = mapped_column(BigInteger)  # what the payload names
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime]
    credited_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))  # credited, duplicate, unmatched
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        partial_index("ix_payment_receipts_uncredited", "received_at", where="credited_at IS NULL"),
    )


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[AccountKind] = mapped_column(state_type(AccountKind))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"))


class LedgerTransaction(Base):
    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"))
    memo: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_ledger_transactions_milestone", "milestone_id"),)


class Posting(Base):
    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("amount <> 0", name="nonzero"),
        Index("ix_postings_account", "account_id", "amount"),
        Index("ix_postings_transaction", "transaction_id"),
    )


class Payout(Base):
    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    destination: Mapped[str] = mapped_column(String(500))
    status: Mapped[PayoutStatus] = mapped_column(state_type(PayoutStatus))
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        Index("ix_payouts_status", "status", "requested_at"),
        Index("ix_payouts_user", "user_id", "requested_at"),
    )


# --- disputes ----------------------------------------------------------------------


class Dispute(Base):
    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filer_role: Mapped[PartyRole] = mapped_column(state_type(PartyRole))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    claimed_amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[DisputeStatus] = mapped_column(state_type(DisputeStatus))
    created_at: Mapped[datetime]
    respond_by: Mapped[datetime]
    response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    negotiation_ends_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[DisputeResolution | None] = mapped_column(state_type(DisputeResolution))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    released_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    # The agreed deliverables the employer names as missing or wrong (their text).
    deliverables: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (
        CheckConstraint("claimed_amount > 0", name="claimed"),
        Index("ix_disputes_milestone", "milestone_id", "status"),
        Index("ix_disputes_contract", "contract_id"),
        Index("ix_disputes_due", "status", "respond_by"),
        Index("ix_disputes_negotiation_due", "status", "negotiation_ends_at"),
    )


class DisputeOffer(Base):
    """A proposed split: how much of the escrow goes to the freelancer."""

    __tablename__ = "dispute_offers"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    release_amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[OfferStatus] = mapped_column(state_type(OfferStatus))
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_dispute_offers_dispute", "dispute_id", "status"),)


class DisputeEvidence(Base):
    """A file either side attached to a dispute, at any stage, for the admin's record."""

    __tablename__ = "dispute_evidence"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    file_id: Mapped[str] = mapped_column(String(255))
    file_kind: Mapped[str] = mapped_column(String(16))  # document | photo | video
    caption: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[EvidenceStage] = mapped_column(state_type(EvidenceStage))
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_dispute_evidence_dispute", "dispute_id", "author_id"),)


# --- conversation and reputation ---------------------------------------------------


class Message(Base):
    """A message relayed between the two parties of a project; kept for arbitration."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(String(255))
    file_kind: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    # Where the bot delivered it, so a Telegram reply to that copy answers the sender.
    relay_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    relay_message_id: Mapped[int | None] = mapped_column(Integer)
    # Red flags found in the text (core.redflags), comma-separated; shown in the record.
    flags: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_messages_relay", "relay_chat_id", "relay_message_id"),
        Index("ix_messages_project", "project_id", "id"),
        Index("ix_messages_pair", "project_id", "sender_id", "recipient_id"),
        # a person's latest messages, sent and received: reply times on the record
        Index("ix_messages_sender", "sender_id", "id"),
        Index("ix_messages_recipient", "recipient_id", "id"),
    )


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject_role: Mapped[PartyRole] = mapped_column(state_type(PartyRole))
    rating: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    ending: Mapped[ContractEnding] = mapped_column(state_type(ContractEnding))  # how it ended

    __table_args__ = (
        UniqueConstraint("contract_id", "author_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        Index("ix_reviews_subject", "subject_id", "subject_role"),
    )


# --- outbox: alerts written with the change that caused them, then delivered ------------


class OutboxEvent(Base):
    """An event a committed change recorded; expanded into messages by the delivery loop."""

    __tablename__ = "outbox_events"
    __table_args__ = (partial_index("ix_outbox_events_pending", "id", where="expanded_at IS NULL"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    recipients: Mapped[list[int]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expanded_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """One message to one chat, sent at most once per lease (see bot.delivery)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        partial_index("ix_outbox_messages_ready", "priority", "id", where="status = 'pending'"),
        Index("ix_outbox_messages_chat", "chat", "status", "priority", "id"),
        Index("ix_outbox_messages_chat_created", "chat", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_events.id"))
    chat: Mapped[str] = mapped_column(String(64))  # a Telegram chat id or @channel
    text: Mapped[str] = mapped_column(Text, default="")
    keyboard: Mapped[str | None] = mapped_column(Text)  # InlineKeyboardMarkup as JSON
    file_id: Mapped[str | None] = mapped_column(String(256))
    file_kind: Mapped[str | None] = mapped_column(String(16))
    after_sent: Mapped[str | None] = mapped_column(String(64))  # e.g. "relay:42"
    protect: Mapped[bool] = mapped_column(Boolean, default=False)  # Telegram's protect_content
    digest: Mapped[str | None] = mapped_column(String(32))  # alerts of one kind may merge
    ref_id: Mapped[int | None] = mapped_column(BigInteger)  # what a digest line shows
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0 direct, 1 bulk
    status: Mapped[str] = mapped_column(String(16), default="pending")
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)


# --- timed rules: reminders ---------------------------------------------------------


class Reminder(Base):
    """One stage of a reminder schedule, dealt with once.

    A schedule counts from a deadline (``target_at``: a milestone's due date, a
    delivery's auto-release moment); its stages are numbered in time order
    (``seq``). The row is written in the same savepoint as the alert it stands
    for, and its unique key refuses a second one, so a second sweep or process
    never sends a stage twice. A stage whose moment came before the schedule
    applied (e.g. "due tomorrow" for a milestone funded an hour before its due
    date) is recorded without an alert (``announced`` false).
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20))  # e.g. "milestone"
    subject_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # e.g. "due", "auto_release"
    target_at: Mapped[datetime]
    seq: Mapped[int] = mapped_column(SmallInteger)
    announced: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("subject_kind", "subject_id", "kind", "target_at", "seq"),)


# --- alert subscriptions -----------------------------------------------------------


class AlertSubscription(Base):
    """What new projects a freelancer wants to hear about: any of their subscribed skills
    and at least ``min_budget``, unless paused. A row without skills is alerts turned
    off; it stays, so a profile edit never subscribes someone who opted out."""

    __tablename__ = "alert_subscriptions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    min_budget: Mapped[int] = mapped_column(BigInteger, default=0)  # 0: any budget
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Last bid or change of settings: among equal matches, the most active hear first.
    active_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]  # when the freelancer turned alerts off

    __table_args__ = (CheckConstraint("min_budget >= 0", name="min_budget"),)


class AlertSubscriptionSkill(Base):
    """A skill a subscriber follows, carrying copies of everything matching needs (their
    settings, Telegram id and ban) so a new project's recipients are ranges of one index,
    read without touching another table. ``SubscriptionRepository`` keeps the copies."""

    __tablename__ = "alert_subscription_skills"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscriptions.user_id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)  # never changes for a user
    min_budget: Mapped[int] = mapped_column(BigInteger)
    active_at: Mapped[datetime]
    paused: Mapped[bool] = mapped_column(Boolean)
    banned: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        # a new project's subscribers: per skill, the receiving ones whose minimum its
        # budget reaches, with all the query returns and orders by (index-only)
        Index(
            "ix_alert_subscription_skills_match",
            "skill_id",
            "paused",
            "banned",
            "min_budget",
            "user_id",
            "telegram_id",
            "active_at",
        ),
    )


# --- webhook mode: updates already handled ------------------------------------------


class ProcessedUpdate(Base):
    """A Telegram update some process has handled (or is handling: the row is written
    first, in the update's own transaction). Telegram re-delivers an update whose webhook
    call got no 200; the primary key makes the second delivery wait for the first and
    then do nothing, on whichever process it lands. Rows older than a day are pruned."""

    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    received_at: Mapped[datetime]

    __table_args__ = (Index("ix_processed_updates_received", "received_at"),)


class DeadLetter(Base):
    """An update whose handling failed with a bug (not an outage): kept raw, with the
    error, so the update can be acknowledged (nobody waits behind it) and replayed once
    the bug is fixed (``bidgram replay``)."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    bot_id: Mapped[int] = mapped_column(BigInteger)
    update_id: Mapped[int] = mapped_column(BigInteger)
    update: Mapped[str] = mapped_column(Text)  # the update as Telegram sent it (JSON)
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    failed_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    replayed_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("bot_id", "update_id"),)


# --- on the record: reports, mutes, safety notes ------------------------------------


class Report(Base):
    """Someone flagged a message, bid, project or profile; an admin decides. ``context``
    is what was reported as it read then (a bid or project may be edited later)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who is reported
    target_kind: Mapped[ReportTarget] = mapped_column(state_type(ReportTarget))
    target_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    reason: Mapped[ReportReason] = mapped_column(state_type(ReportReason))
    note: Mapped[str | None] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text, default="")
    flags: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[ReportStatus] = mapped_column(state_type(ReportStatus))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_reports_queue", "status", "created_at", "id"),
        Index("ix_reports_reporter", "reporter_id", "created_at"),
        Index("ix_reports_subject", "subject_id", "status"),
        # one open report per reporter and target, even when two presses race
        partial_index(
            "ix_reports_open_once",
            "reporter_id",
            "target_kind",
            "target_id",
            where="status = 'open'",
            unique=True,
        ),
    )


class Mute(Base):
    """An employer who no longer takes messages or bid alerts from a freelancer."""

    __tablename__ = "mutes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    muted_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime]


class SafetyNote(Base):
    """The safety note was shown to ``user_id`` in their conversation with ``other_id``
    about a project: once per conversation, so it stays a warning, not noise."""

    __tablename__ = "safety_notes"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    shown_at: Mapped[datetime]


# --- the admins' audit trail -----------------------------------------------------------


class AdminAction(Base):
    """One action an admin (or an operator at the command line) took: who, when, what,
    why, and whom it concerns. Written by core in the transaction of the action itself
    (``core.services.audit``), never changed or removed: the repository has no path to,
    and the ORM refuses it (``storage.repositories.AuditRepository``)."""

    __tablename__ = "admin_actions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    created_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: an operator
    by: Mapped[str] = mapped_column(String(20))  # "admin" or "operator"
    action: Mapped[str] = mapped_column(String(40))  # a stable code, e.g. "user.ban"
    subject_kind: Mapped[str] = mapped_column(String(20))  # user, dispute, payout, report...
    subject_id: Mapped[int] = mapped_column(BigInteger)
    # The people it concerns: the person acted on, and for a dispute's verdict the other
    # side too. An admin never sees the entries that concern them.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    other_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what: amounts...
    reason: Mapped[str | None] = mapped_column(Text)  # why, as the admin gave it

    __table_args__ = (
        Index("ix_admin_actions_actor", "actor_id", "id"),
        Index("ix_admin_actions_user", "user_id", "id"),
        Index("ix_admin_actions_other_user", "other_user_id", "id"),
    )


class AppendOnly(RuntimeError):
    """Code tried to change or remove an audit entry: a bug, never a refusal."""


@event.listens_for(AdminAction, "before_update")
def _entries_never_change(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if any(attr.history.has_changes() for attr in inspect(target).attrs):
        raise AppendOnly(f"admin_actions #{target.id} is append-only: it cannot be changed")


@event.listens_for(AdminAction, "before_delete")
def _entries_stay(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    raise AppendOnly(f"admin_actions #{target.id} is append-only: it cannot be removed")
