"""The states the database can hold.

They live in storage because columns are typed by them; the rules about which
transitions are legal live in ``core.states``.
"""

from __future__ import annotations

from enum import StrEnum


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    BIDDING_ENDED = "bidding_ended"  # no more bids; the employer may still award one
    AWARDED = "awarded"  # an offer is pending
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"  # bidding ended with no bids, or the award decision window passed
    CANCELLED = "cancelled"


class BidStatus(StrEnum):
    ACTIVE = "active"
    RETRACTED = "retracted"
    DECLINED = "declined"  # the employer said no to this bid
    AWARDED = "awarded"  # an offer on this bid is pending
    HIRED = "hired"  # the offer was accepted
    CLOSED = "closed"  # the project went to someone else, closed or was cancelled


class AwardStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MilestoneStatus(StrEnum):
    REQUESTED = "requested"  # proposed by the freelancer, awaiting the employer
    REJECTED = "rejected"  # request turned down
    PENDING = "pending"  # agreed, not funded yet
    FUNDED = "funded"  # money in escrow, work under way
    DELIVERED = "delivered"  # freelancer asked for release
    DISPUTED = "disputed"  # escrow frozen
    RELEASED = "released"  # escrow emptied, some money went to the freelancer
    REFUNDED = "refunded"  # escrow emptied, all of it went back to the employer
    CANCELLED = "cancelled"  # never funded, withdrawn


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundStatus(StrEnum):
    PENDING = "pending"  # held, the gateway asked (or about to be)
    DONE = "done"  # the gateway returned it
    REFUSED = "refused"  # the gateway said no: the money went back to the balance


class PayoutStatus(StrEnum):
    REQUESTED = "requested"
    PAID = "paid"
    REJECTED = "rejected"


class DisputeStatus(StrEnum):
    AWAITING_RESPONSE = "awaiting_response"
    NEGOTIATION = "negotiation"
    ARBITRATION = "arbitration"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class DisputeResolution(StrEnum):
    RELEASE = "release"
    REFUND = "refund"
    SPLIT = "split"
    AGREED = "agreed"  # both sides accepted an offer
    DEFAULT = "default"  # respondent stayed silent, the filer's claim stands


class EvidenceStage(StrEnum):
    """When in a dispute a file was attached (the admin's record orders evidence by it)."""

    FILED = "filed"  # with the dispute, by the side that filed it
    RESPONSE = "response"  # before the response window closed, by the other side
    NEGOTIATION = "negotiation"
    ARBITRATION = "arbitration"  # while an admin decides


class ContractEnding(StrEnum):
    """How the money of an ended contract went, and whether an admin decided any of it."""

    PAID = "paid"  # everything funded was released to the freelancer
    SPLIT = "split"  # part released, part refunded
    REFUNDED = "refunded"  # everything funded went back to the employer
    VERDICT_PAID = "verdict_paid"  # as above, with an admin's verdict on a dispute
    VERDICT_SPLIT = "verdict_split"
    VERDICT_REFUNDED = "verdict_refunded"


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"
    CLOSED = "closed"


class PartyRole(StrEnum):
    EMPLOYER = "employer"
    FREELANCER = "freelancer"


class AccountKind(StrEnum):
    AVAILABLE = "available"  # a user's spendable balance
    PAYOUT_HOLD = "payout_hold"  # a user's balance set aside for a requested payout
    ESCROW = "escrow"  # one milestone's escrow
    FEES = "fees"  # the platform's revenue
    EXTERNAL = "external"  # the outside world seen through one gateway; may go negative
    REFUND_HOLD = "refund_hold"  # a user's money on its way back to where it came from


class ReportTarget(StrEnum):
    """What a report is about (see core.services.reports)."""

    MESSAGE = "message"
    BID = "bid"
    PROJECT = "project"
    PROFILE = "profile"


class ReportReason(StrEnum):
    SCAM = "scam"  # asks for money, a fee or payment outside escrow
    OFF_PLATFORM = "off_platform"  # pushes to talk or deal outside bidgram
    ABUSE = "abuse"
    SPAM = "spam"
    OTHER = "other"


class ReportStatus(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    WARNED = "warned"  # the reported person was warned
    BANNED = "banned"  # the reported person was banned
