"""The double-entry ledger: balanced, integer, idempotent, and never below zero inside."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from core import ledger
from core.actors import Actor
from core.marketplace import Marketplace
from tests.harness import Harness

SANDBOX = ledger.external("sandbox")


def book(m: Marketplace) -> ledger.Ledger:
    return ledger.Ledger(m.ctx.uow)


async def post(
    h: Harness, key: str, postings: list[tuple[str, int]], kind: str = "test"
) -> ledger.Transfer:
    async with h.tx() as m:
        return await book(m).post(key, kind, postings, now=h.clock.now())


async def deposit(h: Harness, actor: Actor, amount: int, key: str = "deposit-1") -> None:
    await post(h, key, [(SANDBOX, -amount), (ledger.available(actor.user_id), amount)])


async def rejected(
    h: Harness, fn: Callable[[Marketplace], Awaitable[Any]], error: type[Exception]
) -> Exception:
    """A programming error (not a refusal) is raised and nothing is written, even on commit."""
    before = await h.snapshot()
    async with h.db.uow() as uow:
        market = Marketplace(uow, h.settings, h.clock)
        with pytest.raises(error) as caught:
            await fn(market)
        await uow.commit()
    assert await h.snapshot() == before, "a rejected posting changed the database"
    return caught.value


async def test_a_deposit_moves_money_from_the_gateway_to_the_user(h: Harness) -> None:
    alice = await h.user("Alice")
    transfer = await post(h, "dep-1", [(SANDBOX, -5_000), (ledger.available(alice.user_id), 5_000)])
    assert transfer.replayed is False
    assert await h.available(alice) == 5_000
    assert await h.balance(SANDBOX) == -5_000  # the outside world may go negative
    await h.check_books()


async def test_unbalanced_postings_are_rejected_and_nothing_is_written(h: Harness) -> None:
    alice = await h.user("Alice")

    async def unbalanced(m: Marketplace) -> None:
        await book(m).post(
            "bad-1",
            "test",
            [(SANDBOX, -5_000), (ledger.available(alice.user_id), 4_999)],
            now=h.clock.now(),
        )

    error = await rejected(h, unbalanced, ValueError)
    assert "unbalanced" in str(error)
    await h.check_books()


async def test_a_transaction_needs_two_accounts(h: Harness) -> None:
    alice = await h.user("Alice")
    code = ledger.available(alice.user_id)

    async def self_transfer(m: Marketplace) -> None:
        await book(m).post("self-1", "test", [(code, 100), (code, -100)], now=h.clock.now())

    async def nothing(m: Marketplace) -> None:
        await book(m).post("empty-1", "test", [], now=h.clock.now())

    await rejected(h, self_transfer, ValueError)
    await rejected(h, nothing, ValueError)


@pytest.mark.parametrize("amount", [10.0, 10.5, True, "10"])
async def test_ledger_amounts_must_be_integers(h: Harness, amount: Any) -> None:
    alice = await h.user("Alice")

    async def floaty(m: Marketplace) -> None:
        await book(m).post(
            "float-1",
            "test",
            [(SANDBOX, -amount), (ledger.available(alice.user_id), amount)]
            if not isinstance(amount, str)
            else [(SANDBOX, amount), (ledger.available(alice.user_id), amount)],
            now=h.clock.now(),
        )

    error = await rejected(h, floaty, TypeError)
    assert f"{amount!r} to " in str(error)  # the error names the posting


async def test_ledger_amounts_must_fit_the_books(h: Harness) -> None:
    alice = await h.user("Alice")
    huge = 2**63  # one past what a BIGINT column holds

    async def overflow(m: Marketplace) -> None:
        await book(m).post(
            "huge-1",
            "test",
            [(SANDBOX, -huge), (ledger.available(alice.user_id), huge)],
            now=h.clock.now(),
        )

    error = await rejected(h, overflow, ValueError)
    assert "out of range" in str(error) and "huge-1" in str(error)


@pytest.mark.parametrize(
    "code",
    ["user:1:savings", "bank:1", "external:", "milestone:x:escrow", "platform:profit", ""],
)
async def test_unknown_account_codes_are_rejected(h: Harness, code: str) -> None:
    await h.user("Alice")

    async def unknown(m: Marketplace) -> None:
        await book(m).post("unknown-1", "test", [(SANDBOX, -100), (code, 100)], now=h.clock.now())

    await rejected(h, unknown, ValueError)


async def test_internal_accounts_cannot_go_negative(h: Harness) -> None:
    alice, bob = await h.user("Alice"), await h.user("Bob")
    await deposit(h, alice, 1_000)

    async def overspend(m: Marketplace) -> None:
        await book(m).post(
            "overspend-1",
            "test",
            [(ledger.available(alice.user_id), -1_001), (ledger.available(bob.user_id), 1_001)],
            now=h.clock.now(),
        )

    error = await h.refused(overspend, "ledger.insufficient_funds")
    assert error.details["balance"] == 1_000
    assert error.details["needed"] == 1_001
    assert await h.available(alice) == 1_000
    assert await h.available(bob) == 0
    await h.check_books()


async def test_a_user_without_any_account_cannot_pay_and_no_account_is_left_behind(
    h: Harness,
) -> None:
    alice, bob = await h.user("Alice"), await h.user("Bob")

    async def from_nothing(m: Marketplace) -> None:
        await book(m).post(
            "nothing-1",
            "test",
            [(ledger.available(alice.user_id), -1), (ledger.available(bob.user_id), 1)],
            now=h.clock.now(),
        )

    await h.refused(from_nothing, "ledger.insufficient_funds")
    await h.check_books()


async def test_spending_the_whole_balance_is_allowed(h: Harness) -> None:
    alice, bob = await h.user("Alice"), await h.user("Bob")
    await deposit(h, alice, 1_000)
    await post(
        h,
        "all-of-it",
        [(ledger.available(alice.user_id), -1_000), (ledger.available(bob.user_id), 1_000)],
    )
    assert await h.available(alice) == 0
    assert await h.available(bob) == 1_000
    await h.check_books()


async def test_the_same_key_with_the_same_postings_moves_money_once(h: Harness) -> None:
    alice = await h.user("Alice")
    postings = [(SANDBOX, -2_500), (ledger.available(alice.user_id), 2_500)]
    first = await post(h, "once", postings)
    before = await h.snapshot()

    again = await post(h, "once", list(reversed(postings)))  # same movement, other order

    assert again.replayed is True
    assert again.transaction_id == first.transaction_id
    assert sorted(again.postings) == sorted(first.postings)
    assert await h.snapshot() == before
    assert await h.available(alice) == 2_500
    await h.check_books()


async def test_a_replay_is_returned_even_when_the_money_has_since_been_spent(h: Harness) -> None:
    alice, bob = await h.user("Alice"), await h.user("Bob")
    await deposit(h, alice, 1_000)
    pay_bob = [(ledger.available(alice.user_id), -1_000), (ledger.available(bob.user_id), 1_000)]
    await post(h, "pay-bob", pay_bob)
    again = await post(h, "pay-bob", pay_bob)
    assert again.replayed is True
    assert await h.available(alice) == 0
    assert await h.available(bob) == 1_000
    await h.check_books()


async def test_the_same_key_with_different_postings_is_an_idempotency_conflict(
    h: Harness,
) -> None:
    alice = await h.user("Alice")
    await post(h, "k-1", [(SANDBOX, -2_500), (ledger.available(alice.user_id), 2_500)])

    async def different_amount(m: Marketplace) -> None:
        await book(m).post(
            "k-1",
            "test",
            [(SANDBOX, -3_000), (ledger.available(alice.user_id), 3_000)],
            now=h.clock.now(),
        )

    async def different_kind(m: Marketplace) -> None:
        await book(m).post(
            "k-1",
            "other",
            [(SANDBOX, -2_500), (ledger.available(alice.user_id), 2_500)],
            now=h.clock.now(),
        )

    await h.refused(different_amount, "ledger.idempotency_conflict")
    await h.refused(different_kind, "ledger.idempotency_conflict")
    assert await h.available(alice) == 2_500
    await h.check_books()


async def test_postings_to_the_same_account_are_merged(h: Harness) -> None:
    alice = await h.user("Alice")
    code = ledger.available(alice.user_id)
    transfer = await post(h, "merged", [(SANDBOX, -700), (code, 300), (code, 400)])
    assert sorted(transfer.postings) == sorted([(SANDBOX, -700), (code, 700)])
    assert await h.available(alice) == 700
    await h.check_books()


async def test_find_returns_an_earlier_transaction_by_key(h: Harness) -> None:
    alice = await h.user("Alice")
    first = await post(h, "findme", [(SANDBOX, -10), (ledger.available(alice.user_id), 10)])
    async with h.tx() as m:
        found = await book(m).find("findme")
        missing = await book(m).find("nope")
    assert found is not None and found.transaction_id == first.transaction_id
    assert found.replayed is True
    assert missing is None


async def test_fees_and_escrow_accounts_cannot_go_negative_either(h: Harness) -> None:
    employer, _, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)

    async def drain_escrow(m: Marketplace) -> None:
        await book(m).post(
            "drain",
            "test",
            [(ledger.escrow(ms.id), -10_001), (ledger.available(employer.user_id), 10_001)],
            now=h.clock.now(),
        )

    async def drain_fees(m: Marketplace) -> None:
        await book(m).post(
            "fees",
            "test",
            [(ledger.FEES, -1), (ledger.available(employer.user_id), 1)],
            now=h.clock.now(),
        )

    await h.refused(drain_escrow, "ledger.insufficient_funds")
    await h.refused(drain_fees, "ledger.insufficient_funds")
    assert await h.balance(ledger.escrow(ms.id)) == 10_000
    await h.check_books()


async def test_a_long_key_still_moves_money_once(h: Harness) -> None:
    alice = await h.user("Alice")
    key = "pay:telegram:" + "x" * 300
    postings = [(SANDBOX, -100), (ledger.available(alice.user_id), 100)]
    first = await post(h, key, postings)
    again = await post(h, key, postings)
    assert again.replayed is True and again.transaction_id == first.transaction_id
    # Two long keys that differ only at the end are two movements.
    other = await post(h, key[:-1] + "y", postings)
    assert other.replayed is False
    assert await h.available(alice) == 200
    async with h.tx() as m:
        found = await book(m).find(key)
    assert found is not None and found.transaction_id == first.transaction_id
    assert len(ledger.stored_key(key)) == ledger.KEY_MAX
    await h.check_books()
