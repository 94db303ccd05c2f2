"""Money: parsing what people type, formatting it back, and the platform fee."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationFailed
from core.money import Currency, fee_for

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
    [("150", 150), ("0", 0), ("150 XTR", 150), ("1,234", 1_234), ("1,234 XTR", 1_234)],
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
def test_whole_number_currency_refuses_decimals(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        XTR.parse(text)
    assert caught.value.code == "money.precision"
    assert "whole numbers" in caught.value.message


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
    assert XTR.format(1_234) == "1,234 XTR"
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
