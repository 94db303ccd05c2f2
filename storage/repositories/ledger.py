"""The double-entry ledger: accounts, transactions, postings, and its invariant checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select

from storage.enums import AccountKind
from storage.models import Account, LedgerTransaction, Milestone, Posting
from storage.repositories.base import Repository, among, insert_ignore

#: Balances by account code in one query (built once; see base.insert_ignore).
BALANCES_BY_CODE = (
    select(Account.code, func.coalesce(func.sum(Posting.amount), 0))
    .outerjoin(Posting, Posting.account_id == Account.id)
    .where(among(Account.code, "codes"))
    .group_by(Account.code)
)


class AccountRepository(Repository[Account]):
    model = Account

    async def ensure(
        self,
        code: str,
        kind: AccountKind,
        user_id: int | None = None,
        milestone_id: int | None = None,
    ) -> Account:
        """Get or create an account by code; a concurrent creator is not an error."""
        stmt = select(Account).where(Account.code == code)
        found = (await self.session.execute(stmt)).scalar_one_or_none()
        if found is not None:
            return found
        await insert_ignore(
            self.session,
            Account,
            {"code": code, "kind": kind, "user_id": user_id, "milestone_id": milestone_id},
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def by_code(self, code: str) -> Account | None:
        stmt = select(Account).where(Account.code == code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def lock_ids(self, ids: Iterable[int]) -> None:
        """Lock accounts in id order, so two transfers never deadlock each other."""
        stmt = select(Account.id).where(Account.id.in_(sorted(set(ids)))).order_by(Account.id)
        await self.session.execute(stmt.with_for_update())

    async def balances(self, ids: Iterable[int]) -> dict[int, int]:
        wanted = list(set(ids))
        stmt = (
            select(Posting.account_id, func.coalesce(func.sum(Posting.amount), 0))
            .where(Posting.account_id.in_(wanted))
            .group_by(Posting.account_id)
        )
        found = {int(a): int(b) for a, b in (await self.session.execute(stmt)).all()}
        return {i: found.get(i, 0) for i in wanted}

    async def balances_by_code(self, codes: Iterable[str]) -> dict[str, int]:
        """The balance of each account code (0 for one not opened yet), in one query."""
        wanted = list(dict.fromkeys(codes))
        found = await self.session.execute(BALANCES_BY_CODE, {"codes": wanted})
        sums = {str(code): int(total) for code, total in found}
        return {code: sums.get(code, 0) for code in wanted}

    async def balance_of_kind(self, kind: AccountKind) -> int:
        stmt = (
            select(func.coalesce(func.sum(Posting.amount), 0))
            .join(Account, Account.id == Posting.account_id)
            .where(Account.kind == kind)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def transaction_by_key(self, key: str) -> LedgerTransaction | None:
        stmt = select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def postings_of(self, transaction_id: int) -> list[tuple[str, int]]:
        stmt = (
            select(Account.code, Posting.amount)
            .join(Account, Account.id == Posting.account_id)
            .where(Posting.transaction_id == transaction_id)
            .order_by(Posting.id)
        )
        return [(str(c), int(a)) for c, a in (await self.session.execute(stmt)).all()]

    async def add_transaction(
        self, tx: LedgerTransaction, postings: Sequence[tuple[int, int]]
    ) -> None:
        """Write a transaction and its (account id, amount) postings."""
        self.session.add(tx)
        await self.session.flush()
        self.session.add_all(
            [Posting(transaction_id=tx.id, account_id=a, amount=amount) for a, amount in postings]
        )
        await self.session.flush()

    # invariant checks (tests, admin figures)
    async def total_of_all_postings(self) -> int:
        stmt = select(func.coalesce(func.sum(Posting.amount), 0))
        return int((await self.session.execute(stmt)).scalar_one())

    async def unbalanced_transactions(self) -> list[int]:
        stmt = (
            select(Posting.transaction_id)
            .group_by(Posting.transaction_id)
            .having(func.sum(Posting.amount) != 0)
        )
        return [int(t) for t in (await self.session.execute(stmt)).scalars()]

    async def negative_internal_accounts(self) -> list[tuple[str, int]]:
        total = func.sum(Posting.amount)
        stmt = (
            select(Account.code, total)
            .join(Posting, Posting.account_id == Account.id)
            .where(Account.kind != AccountKind.EXTERNAL)
            .group_by(Account.code)
            .having(total < 0)
        )
        return [(str(c), int(b)) for c, b in (await self.session.execute(stmt)).all()]

    async def escrow_mismatches(self) -> list[tuple[int, int, int]]:
        """Milestones whose escrow account differs from funded - released - refunded."""
        balance = (
            select(func.coalesce(func.sum(Posting.amount), 0))
            .join(Account, Account.id == Posting.account_id)
            .where(Account.milestone_id == Milestone.id, Account.kind == AccountKind.ESCROW)
            .correlate(Milestone)
            .scalar_subquery()
        )
        expected = Milestone.funded_amount - Milestone.released_amount - Milestone.refunded_amount
        stmt = select(Milestone.id, expected, balance).where(expected != balance)
        return [(int(i), int(e), int(b)) for i, e, b in (await self.session.execute(stmt)).all()]
