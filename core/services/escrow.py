"""Moving a milestone's escrow: the only code that releases or refunds money.

Callers hold the milestone's row lock and have checked who may act; this module
keeps the milestone's counters and the ledger in step, so that escrow always
equals funded - released - refunded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core import ledger
from core.context import Service
from core.errors import ValidationFailed
from core.events.milestones import HandedOver
from core.money import release_fee
from core.services.contracts import ContractService
from core.services.refunds import RefundService
from storage.enums import MilestoneStatus
from storage.models import Contract, Milestone, MilestoneEvent


@dataclass(frozen=True)
class Settlement:
    milestone: Milestone
    released: int  # gross, fee included
    fee: int
    refunded: int
    replayed: bool = False
    # Nothing is left on the contract but ending it (``contracts.settled``): the one who
    # acted is asked to end it in the reply, the other side by an alert.
    contract_settled: bool = False

    @property
    def paid_to_freelancer(self) -> int:
        return self.released - self.fee


def version(m: Milestone) -> str:
    """Changes with every movement of this milestone's money: part of state-derived keys."""
    return f"{m.funded_amount}.{m.released_amount}.{m.refunded_amount}"


class Escrow(Service):
    def log(
        self,
        m: Milestone,
        kind: str,
        actor_id: int | None,
        *,
        amount: int | None = None,
        note: str | None = None,
        file_ids: list[str] | None = None,
        protected: bool = False,
    ) -> None:
        self.uow.milestones.log(
            MilestoneEvent(
                milestone_id=m.id,
                actor_id=actor_id,
                kind=kind,
                amount=amount,
                note=note,
                file_ids=file_ids or [],
                protected=protected,
                created_at=self.now(),
            )
        )

    def fee_of(self, m: Milestone, release: int) -> int:
        """The fee :meth:`settle` takes on ``release`` now: previews show this very figure."""
        return release_fee(
            release,
            self.settings.platform_fee_bps,
            released=m.released_amount,
            fee_taken=m.fee_amount,
        )

    async def fund(self, m: Milestone, payer_id: int, amount: int, key: str) -> None:
        """Move ``amount`` from the payer's balance into this milestone's escrow."""
        await ledger.Ledger(self.uow).post(
            key,
            "fund",
            [(ledger.available(payer_id), -amount), (ledger.escrow(m.id), amount)],
            milestone_id=m.id,
            now=self.now(),
        )
        now = self.now()
        m.funded_amount += amount
        m.funded_at = now
        m.status = MilestoneStatus.FUNDED

    async def settle(
        self,
        m: Milestone,
        contract: Contract,
        *,
        release: int,
        refund: int,
        key: str,
        actor_id: int | None,
        kind: str,
    ) -> Settlement:
        """Pay ``release`` to the freelancer (less the fee) and ``refund`` to the employer."""
        if release < 0 or refund < 0 or release + refund == 0:
            raise ValidationFailed("escrow.amount", "Nothing to move.")
        if release + refund > m.escrow:
            raise ValidationFailed(
                "escrow.exceeds",
                f"Only {m.escrow} (minor units) is held for this milestone.",
                held=m.escrow,
            )
        fee = self.fee_of(m, release)
        postings = [
            (ledger.escrow(m.id), -(release + refund)),
            (ledger.available(contract.freelancer_id), release - fee),
            (ledger.FEES, fee),
            (ledger.available(contract.employer_id), refund),
        ]
        await ledger.Ledger(self.uow).post(key, kind, postings, milestone_id=m.id, now=self.now())
        m.released_amount += release
        m.fee_amount += fee
        m.refunded_amount += refund
        if release:
            self.log(m, "released", actor_id, amount=release)
        if refund:
            self.log(m, "refunded", actor_id, amount=refund)
        if m.escrow == 0:
            m.status = MilestoneStatus.RELEASED if m.released_amount else MilestoneStatus.REFUNDED
            m.closed_at = self.now()
            m.auto_release_at = None
            if m.status is MilestoneStatus.REFUNDED:
                # Money that came as Stars goes back as Stars, whoever refunded it.
                await RefundService(self.ctx).start(m)
            else:
                await self._hand_over(m, contract)
        return Settlement(m, release, fee, refund)

    async def told_if_settled(
        self, result: Settlement, contract: Contract, acted_by: int | None
    ) -> Settlement:
        """``result`` with whether it settled the contract; if it did, the sides are asked
        to end it (see ``ContractService.tell_if_settled``). Called by each operation that
        settles money, after its own event, so its alert comes first."""
        told = await ContractService(self.ctx).tell_if_settled(contract, acted_by)
        return replace(result, contract_settled=told)

    async def _hand_over(self, m: Milestone, contract: Contract) -> None:
        """The milestone is paid for: its protected deliveries go to the employer again,
        in full. Whatever paid it (a release, the timer, an accepted split, a verdict),
        it happens here, once, as the milestone closes with money to the freelancer."""
        history = await self.uow.milestones.history(m.id)
        if any(ev.kind == "delivered" and ev.protected for ev in history):
            self.log(m, "handed_over", None)
            self.emit(HandedOver(recipients=(contract.employer_id,), milestone_id=m.id))
