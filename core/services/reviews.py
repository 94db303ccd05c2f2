"""Reviews: both sides rate each other after a contract ends, double-blind.

Every ending counts, refunds and admins' verdicts included: a contract whose money
went back to the employer can be reviewed by both sides, and each review records
how the contract ended, so a refund is never a way out of a fair record. Only a
contract on which nothing was ever funded (no work was at stake) has no reviews.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import Conflict, InvalidState, NotAllowed, NotFound, ValidationFailed
from core.events.reviews import ReviewsPublished, ReviewWritten
from core.services.contracts import ContractService
from storage.enums import ContractEnding, ContractStatus, PartyRole
from storage.models import Contract, Review

ENDED = (ContractStatus.COMPLETED, ContractStatus.CANCELLED)


@dataclass(frozen=True)
class ContractReviews:
    mine: Review | None
    theirs: Review | None  # None until visible: both wrote, or the window closed
    can_write: bool
    ending: ContractEnding | None  # how the contract ended; None while it runs


class ReviewService(Service):
    def _window_open(self, contract: Contract) -> bool:
        return (
            contract.ended_at is not None
            and self.now() < contract.ended_at + self.settings.review_window
        )

    @atomic
    async def write(self, actor: Actor, contract_id: int, rating: int, body: str) -> Review:
        await self.active_user(actor)
        contract = await self.uow.contracts.lock(contract_id)
        if contract is None:
            raise NotFound("contract.not_found", "This contract does not exist.")
        if actor.user_id == contract.employer_id:
            subject, role = contract.freelancer_id, PartyRole.FREELANCER
        elif actor.user_id == contract.freelancer_id:
            subject, role = contract.employer_id, PartyRole.EMPLOYER
        else:
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        if contract.status not in ENDED:
            raise InvalidState("review.not_ended", "Reviews open when the contract has ended.")
        ending = await ContractService(self.ctx).ending(contract)
        if ending is None:
            raise InvalidState(
                "review.nothing_at_stake",
                "Nothing was ever funded on this contract, so there is nothing to review.",
            )
        if not self._window_open(contract):
            raise InvalidState("review.window_closed", "The time to review this contract is over.")
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            raise ValidationFailed("review.rating", "Rate from 1 to 5 stars.")
        body = text.bounded(body, "review.text", 1, self.settings.review_max)
        existing_all = await self.uow.reviews.for_contract(contract.id)
        existing = [r for r in existing_all if r.author_id == actor.user_id]
        if existing:
            raise Conflict("review.exists", "You have already reviewed this contract.")
        review = self.uow.reviews.add(
            Review(
                contract_id=contract.id,
                author_id=actor.user_id,
                subject_id=subject,
                subject_role=role,
                rating=rating,
                text=body,
                created_at=self.now(),
                ending=ending,
            )
        )
        await self.uow.flush()
        if len(existing_all) + 1 == 2 and contract.reviews_published_at is None:
            # The second review: both are visible now. Its author sees both in the reply
            # to publishing it; the other side is told, once.
            self._publish(contract, [subject])
        else:
            self.emit(ReviewWritten(recipients=(subject,), contract_id=contract.id))
        return review

    def _publish(self, contract: Contract, told: list[int]) -> None:
        contract.reviews_published_at = self.now()
        self.emit(ReviewsPublished(recipients=tuple(told), contract_id=contract.id))

    @atomic
    async def publish_if_due(self, contract_id: int) -> bool:
        """The review window closed: whatever was written becomes visible, and both sides
        are told, once (only if someone wrote; the window is marked closed either way).

        Returns whether anything was published.
        """
        contract = await self.uow.contracts.lock(contract_id)
        if (
            contract is None
            or contract.status not in ENDED
            or contract.reviews_published_at is not None
            or contract.ended_at is None
            or self._window_open(contract)
        ):
            return False
        if not await self.uow.reviews.for_contract(contract.id):
            contract.reviews_published_at = self.now()
            return False
        self._publish(contract, [contract.employer_id, contract.freelancer_id])
        return True

    async def for_contract(self, actor: Actor, contract_id: int) -> ContractReviews:
        contract = await self.uow.contracts.get(contract_id)
        if contract is None:
            raise NotFound("contract.not_found", "This contract does not exist.")
        if (
            actor.user_id not in (contract.employer_id, contract.freelancer_id)
            and not actor.is_admin
        ):
            raise NotAllowed("contract.not_party", "This contract is not yours.")
        reviews = await self.uow.reviews.for_contract(contract_id)
        mine = next((r for r in reviews if r.author_id == actor.user_id), None)
        theirs = next((r for r in reviews if r.author_id != actor.user_id), None)
        visible = len(reviews) == 2 or not self._window_open(contract)
        ending = await ContractService(self.ctx).ending(contract)
        return ContractReviews(
            mine=mine,
            theirs=theirs if visible else None,
            can_write=mine is None
            and actor.user_id in (contract.employer_id, contract.freelancer_id)
            and ending is not None
            and self._window_open(contract),
            ending=ending,
        )
