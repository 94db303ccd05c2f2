"""Money: parsing what people type, formatting it back, whole amounts, the platform fee."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationFailed
from core.money import MAX_AMOUNT, Currency, fee_for, release_fee, whole_amount

USD = Currency("USD", 2)
XTR = Currency("XTR", 0)


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("150", 15_000),
        ("150.5", 15_050),
        ("150.50", 15_050),
        ("150,50", 15_050),
        ("0.05", 5),
        ("0", 0),
        (" 12 ", 1_200),
        ("$12.34", 1_234),
        ("12.34 USD", 1_234),
        ("12.34 usd", 1_234),
        ("1 234.50", 123_450),
        ("1\u00a0234", 123_400),
        ("1,234.56", 123_456),
        ("1,234", 123_400),
        ("12,345,678.90", 1_234_567_890),
        ("1,234.56 USD", 123_456),
    ],
)
def test_parse_two_decimal_currency(text: str, minor: int) -> None:
    assert USD.parse(text) == minor


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("150", 150),
        ("0", 0),
        ("150 XTR", 150),
        ("1,234", 1_234),
        ("1,234 XTR", 1_234),
        ("⭐ 1,200", 1_200),
        ("⭐️1200", 1_200),
    ],
)
def test_parse_whole_number_currency(text: str, minor: int) -> None:
    assert XTR.parse(text) == minor


@pytest.mark.parametrize("text", ["-5", "-0.50", "- 5"])
def test_negative_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        USD.parse(text)
    assert caught.value.code == "money.format"


@pytest.mark.parametrize("text", ["12.345", "0.001", "1,234.567"])
def test_too_many_decimals_are_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        USD.parse(text)
    assert caught.value.code == "money.precision"


@pytest.mark.parametrize("text", ["1.5", "10,5", "0.01"])
def test_stars_refuse_fractions_saying_they_are_whole(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        XTR.parse(text)
    assert caught.value.code == "money.precision"
    assert caught.value.details == {"currency": "XTR", "digits": 0}


def test_a_bad_amount_is_answered_with_an_example_in_the_currency() -> None:
    with pytest.raises(ValidationFailed) as stars:
        XTR.parse("lots")
    assert stars.value.details == {"currency": "XTR", "digits": 0}
    with pytest.raises(ValidationFailed) as dollars:
        USD.parse("lots")
    assert dollars.value.details == {"currency": "USD", "digits": 2}


@pytest.mark.parametrize(
    "text",
    ["", "  ", "abc", "12abc", "1e5", "12.5.5", "1..5", ".5", "12.", "NaN", "1_000", "0x10"],
)
def test_garbage_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        USD.parse(text)
    assert caught.value.code == "money.format"


def test_absurdly_long_amounts_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        USD.parse("1" * 16)


def test_format() -> None:
    assert USD.format(0) == "0.00 USD"
    assert USD.format(5) == "0.05 USD"
    assert USD.format(123_456) == "1,234.56 USD"
    assert USD.format(-1_050) == "-10.50 USD"
    assert XTR.format(1_234) == "⭐ 1,234"  # Stars: one way, everywhere
    assert XTR.format(30_000) == "⭐ 30,000"
    assert Currency("KWD", 3).format(1_234_567) == "1,234.567 KWD"


def test_fee_rounds_down_in_the_freelancers_favour() -> None:
    assert fee_for(10_000, 1000) == 1_000
    assert fee_for(9_999, 1000) == 999
    assert fee_for(9, 1000) == 0
    assert fee_for(1, 5000) == 0
    assert fee_for(12_345, 250) == 308  # 308.625 rounded down
    assert fee_for(10_000, 0) == 0


@given(amount=st.integers(min_value=0, max_value=10**17), bps=st.integers(0, 10_000))
def test_fee_never_exceeds_the_exact_share(amount: int, bps: int) -> None:
    fee = fee_for(amount, bps)
    assert 0 <= fee <= amount
    assert fee * 10_000 <= amount * bps < (fee + 1) * 10_000


def fees_of(releases: list[int], fee_bps: int) -> list[int]:
    """The fee of each release of one milestone in turn, as the escrow charges them."""
    released = taken = 0
    fees = []
    for release in releases:
        fee = release_fee(release, fee_bps, released=released, fee_taken=taken)
        fees.append(fee)
        released, taken = released + release, taken + fee
    return fees


def test_twenty_small_releases_pay_the_same_fee_as_one() -> None:
    fees = fees_of([9] * 20, 1000)
    assert sum(fees) == 18 == fee_for(180, 1000)
    assert fees[:4] == [0, 1, 1, 1]  # 0.9, 1.8, 2.7, 3.6 cents so far: each cent when due


@st.composite
def milestone_splits(draw: st.DrawFn) -> tuple[int, list[int]]:
    """A milestone's escrow and one way of releasing all of it, in parts."""
    total = draw(st.integers(1, 10**12))
    cuts = draw(st.lists(st.integers(1, total), max_size=30))
    points = sorted({0, total, *cuts})
    return total, [b - a for a, b in itertools.pairwise(points)]


@given(case=milestone_splits(), fee_bps=st.integers(0, 10_000))
def test_splitting_a_release_never_changes_the_fee(
    case: tuple[int, list[int]], fee_bps: int
) -> None:
    total, releases = case
    fees = fees_of(releases, fee_bps)
    assert sum(fees) == fee_for(total, fee_bps)
    for release, fee in zip(releases, fees, strict=True):
        # The freelancer never gets more than the release, nor less than nothing; each
        # fee is the release's own share rounded down or up, never a larger catch-up.
        assert 0 <= fee <= release
        assert abs(fee - Fraction(release * fee_bps, 10_000)) < 1


def test_a_milestone_charged_per_release_before_catches_up_a_cent_at_a_time() -> None:
    # Nineteen 9-cent releases charged per release (the old rule) took no fee at all.
    assert release_fee(9, 1000, released=171, fee_taken=0) == 1  # not the 18 cents due
    # A lower rate since: no refund out of a later release.
    assert release_fee(1_000, 500, released=10_000, fee_taken=1_000) == 50


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (2_500.5, "money.not_whole"),
        (10.0, "money.not_whole"),
        (Decimal(2_500), "money.not_whole"),
        (True, "money.not_whole"),
        ("2500", "money.not_whole"),
        (None, "money.not_whole"),
        (MAX_AMOUNT + 1, "money.out_of_range"),
        (-MAX_AMOUNT - 1, "money.out_of_range"),
    ],
)
def test_an_amount_is_a_whole_number_of_minor_units_the_books_can_hold(
    value: object, code: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        whole_amount(value)
    assert caught.value.code == code
    assert whole_amount(MAX_AMOUNT) == MAX_AMOUNT and whole_amount(0) == 0


@st.composite
def currencies_and_amounts(draw: st.DrawFn) -> tuple[Currency, int]:
    exponent = draw(st.integers(min_value=0, max_value=4))
    code = draw(st.sampled_from(["USD", "EUR", "XTR", "KWD", "JPY"]))
    amount = draw(st.integers(min_value=0, max_value=10**15 * 10**exponent - 1))
    return Currency(code, exponent), amount


@given(currencies_and_amounts())
def test_format_then_parse_round_trips(case: tuple[Currency, int]) -> None:
    currency, amount = case
    assert currency.parse(currency.format(amount)) == amount


@given(currencies_and_amounts())
def test_plain_digits_parse_as_written(case: tuple[Currency, int]) -> None:
    currency, amount = case
    whole, frac = divmod(amount, 10**currency.exponent)
    typed = f"{whole}.{frac:0{currency.exponent}d}" if currency.exponent else str(whole)
    assert currency.parse(typed) == amount
