"""Double-entry ledger: every movement of money is a balanced transaction.

Accounts are named by code (``user:7:available``, ``milestone:3:escrow``,
``platform:fees``, ``external:sandbox``). External accounts are the outside
world seen through one gateway and go negative as money comes in; every other
account must stay at or above zero. Each transaction carries an idempotency key:
posting the same key again returns the first transaction and moves nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.errors import IdempotencyConflict, InsufficientFunds
from core.money import MAX_AMOUNT
from storage.enums import AccountKind
from storage.errors import UniqueViolation
from storage.models import Account, LedgerTransaction
from storage.uow import UnitOfWork

FEES = "platform:fees"


def available(user_id: int) -> str:
    return f"user:{user_id}:available"


def payout_hold(user_id: int) -> str:
    return f"user:{user_id}:payout_hold"


def refund_hold(user_id: int) -> str:
    """Money on its way back to where it came from (see core.services.refunds)."""
    return f"user:{user_id}:refund_hold"


def escrow(milestone_id: int) -> str:
    return f"milestone:{milestone_id}:escrow"


def external(gateway: str) -> str:
    return f"external:{gateway}"


def _describe(code: str) -> tuple[AccountKind, int | None, int | None]:
    """Kind, user id and milestone id of an account, read from its code."""
    parts = code.split(":")
    if parts[0] == "user" and len(parts) == 3 and parts[2] == "available":
        return AccountKind.AVAILABLE, int(parts[1]), None
    if parts[0] == "user" and len(parts) == 3 and parts[2] == "payout_hold":
        return AccountKind.PAYOUT_HOLD, int(parts[1]), None
    if parts[0] == "user" and len(parts) == 3 and parts[2] == "refund_hold":
        return AccountKind.REFUND_HOLD, int(parts[1]), None
    if parts[0] == "milestone" and len(parts) == 3 and parts[2] == "escrow":
        return AccountKind.ESCROW, None, int(parts[1])
    if code == FEES:
        return AccountKind.FEES, None, None
    if parts[0] == "external" and len(parts) == 2 and parts[1]:
        return AccountKind.EXTERNAL, None, None
    raise ValueError(f"unknown account code {code!r}")


#: The longest idempotency key the ledger stores (ledger_transactions.idempotency_key).
KEY_MAX = 160


def stored_key(key: str) -> str:
    """The key as stored: a longer one (a gateway's long charge id) keeps its start and
    ends in its SHA-256, so it still names one movement and fits the column."""
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_MAX - len(digest) - 1]}~{digest}"


@dataclass(frozen=True)
class Transfer:
    transaction_id: int
    key: str
    postings: tuple[tuple[str, int], ...]
    replayed: bool  # True when the key had been posted before: nothing moved now


class Ledger:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def balance(self, code: str) -> int:
        account = await self.uow.accounts.by_code(code)
        if account is None:
            return 0
        return (await self.uow.accounts.balances([account.id]))[account.id]

    async def balances(self, *codes: str) -> dict[str, int]:
        """:meth:`balance` of several accounts in one query (a screen's figures)."""
        return await self.uow.accounts.balances_by_code(codes)

    async def find(self, key: str) -> Transfer | None:
        key = stored_key(key)
        tx = await self.uow.accounts.transaction_by_key(key)
        if tx is None:
            return None
        postings = await self.uow.accounts.postings_of(tx.id)
        return Transfer(tx.id, key, tuple(postings), replayed=True)

    async def post(
        self,
        key: str,
        kind: str,
        postings: Sequence[tuple[str, int]],
        *,
        now: datetime,
        milestone_id: int | None = None,
        memo: str | None = None,
    ) -> Transfer:
        """Record one balanced transaction, or return the earlier one with the same key.

        Services refuse a bad amount before they write anything; one that gets here is a
        bug, so it raises a programming error naming the posting, not a refusal.
        """
        key = stored_key(key)
        merged: dict[str, int] = defaultdict(int)
        for code, amount in postings:
            if not isinstance(amount, int) or isinstance(amount, bool):
                raise TypeError(
                    f"ledger amounts are int minor units: {amount!r} to {code} in {key}"
                )
            if abs(amount) > MAX_AMOUNT:
                raise ValueError(f"ledger amount out of range: {amount} to {code} in {key}")
            _describe(code)
            merged[code] += amount
        lines = tuple(sorted((c, a) for c, a in merged.items() if a != 0))
        if sum(a for _, a in lines) != 0:
            raise ValueError(f"unbalanced transaction {key}: {lines}")
        if len(lines) < 2:
            raise ValueError(f"a transaction moves money between two accounts at least: {lines}")
        fingerprint = hashlib.sha256(repr((kind, lines)).encode()).hexdigest()

        earlier = await self.uow.accounts.transaction_by_key(key)
        if earlier is not None:
            return await self._replay(earlier, fingerprint, key)

        # Accounts are created on first use: a refused transfer must not leave them behind.
        async with self.uow.savepoint():
            return await self._record(key, kind, lines, fingerprint, now, milestone_id, memo)

    async def _record(
        self,
        key: str,
        kind: str,
        lines: tuple[tuple[str, int], ...],
        fingerprint: str,
        now: datetime,
        milestone_id: int | None,
        memo: str | None,
    ) -> Transfer:
        accounts: dict[str, Account] = {}
        for code, _ in lines:
            kind_of, user_id, ms_id = _describe(code)
            accounts[code] = await self.uow.accounts.ensure(code, kind_of, user_id, ms_id)
        await self.uow.accounts.lock_ids(a.id for a in accounts.values())
        # The same key posted concurrently may have committed while we waited for the
        # locks: that is a replay, even when a second copy would no longer fit the balance.
        earlier = await self.uow.accounts.transaction_by_key(key)
        if earlier is not None:
            return await self._replay(earlier, fingerprint, key)
        debited = [
            accounts[c] for c, a in lines if a < 0 and accounts[c].kind != AccountKind.EXTERNAL
        ]
        if debited:
            balances = await self.uow.accounts.balances(a.id for a in debited)
            for code, amount in lines:
                account = accounts[code]
                external = account.kind == AccountKind.EXTERNAL
                if amount < 0 and not external and balances[account.id] + amount < 0:
                    raise InsufficientFunds(
                        "ledger.insufficient_funds",
                        "There is not enough money for this.",
                        account=code,
                        balance=balances[account.id],
                        needed=-amount,
                    )

        tx = LedgerTransaction(
            idempotency_key=key,
            kind=kind,
            fingerprint=fingerprint,
            milestone_id=milestone_id,
            memo=memo,
            created_at=now,
        )
        try:
            async with self.uow.savepoint():
                await self.uow.accounts.add_transaction(tx, [(accounts[c].id, a) for c, a in lines])
        except UniqueViolation:
            # Someone posted the same key concurrently and committed first.
            earlier = await self.uow.accounts.transaction_by_key(key)
            if earlier is None:
                raise
            return await self._replay(earlier, fingerprint, key)
        return Transfer(tx.id, key, lines, replayed=False)

    async def _replay(self, earlier: LedgerTransaction, fingerprint: str, key: str) -> Transfer:
        if earlier.fingerprint != fingerprint:
            raise IdempotencyConflict(
                "ledger.idempotency_conflict",
                "This request was already processed with different amounts.",
                key=key,
            )
        postings = await self.uow.accounts.postings_of(earlier.id)
        return Transfer(earlier.id, key, tuple(postings), replayed=True)
