"""Amounts as each reader writes and reads them: Russian "1 234,50 $", Spanish
"1.234,50 US$", English unchanged; a typed amount with the reader's decimal separator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import ReaderMoney, decimal, speaking
from bot.texts import milestones as milestone_texts
from core.errors import ValidationFailed

USD = ReaderMoney("USD", 2)
XTR = ReaderMoney("XTR", 0)
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "dollars", "stars"),
    [
        ("en", "1,234.50 USD", "⭐ 1,200"),
        ("ru", f"1{NBSP}234,50{NBSP}$", f"⭐ 1{NBSP}200"),
        ("es", f"1.234,50{NBSP}US$", "⭐ 1.200"),
    ],
)
def test_an_amount_is_written_as_its_reader_writes_it(
    language: str, dollars: str, stars: str
) -> None:
    with speaking(language):
        assert USD.format(123_450) == dollars
        assert XTR.format(1_200) == stars


def test_a_currency_with_three_decimals_loses_none_of_them() -> None:
    kwd = ReaderMoney("KWD", 3)
    with speaking("ru"):
        assert kwd.format(1_234_567) == f"1{NBSP}234,567{NBSP}KWD"
        assert kwd.parse(kwd.format(1_234_567)) == 1_234_567


@pytest.mark.parametrize(
    ("language", "typed", "minor"),
    [
        ("ru", "1 234,50", 123_450),
        ("ru", "99,9", 9_990),
        ("ru", "150.50", 15_050),  # as English writes it: still understood
        ("es", "1.234,5", 123_450),
        ("es", "1.234", 123_400),  # a Spanish reader's thousands
        ("es", "12,5 US$", 1_250),
        ("en", "1,234.50", 123_450),
        ("en", "12,50", 1_250),
    ],
)
def test_a_typed_amount_is_read_with_the_readers_separators(
    language: str, typed: str, minor: int
) -> None:
    with speaking(language):
        assert USD.parse(typed) == minor


@pytest.mark.parametrize(("language", "typed"), [("es", "12,555"), ("ru", "0,001")])
def test_more_decimals_than_the_currency_has_are_refused(language: str, typed: str) -> None:
    with speaking(language), pytest.raises(ValidationFailed) as refused:
        USD.parse(typed)
    assert refused.value.code == "money.precision"


@pytest.mark.parametrize("typed", ["-5", "abc", "", "1e5", "NaN"])
def test_what_is_no_amount_is_refused_in_any_language(typed: str) -> None:
    for language in ("en", "ru", "es"):
        with speaking(language), pytest.raises(ValidationFailed):
            USD.parse(typed)


@given(
    minor=st.integers(min_value=0, max_value=10**15),
    language=st.sampled_from(["en", "ru", "es"]),
    currency=st.sampled_from([USD, XTR, ReaderMoney("KWD", 3), ReaderMoney("EUR", 2)]),
)
def test_what_is_written_for_a_reader_reads_back_as_the_same_amount(
    minor: int, language: str, currency: ReaderMoney
) -> None:
    with speaking(language):
        assert currency.parse(currency.format(minor)) == minor


@pytest.mark.parametrize(("language", "written"), [("en", "4.5"), ("ru", "4,5"), ("es", "4,5")])
def test_a_rating_is_written_as_its_reader_writes_numbers(language: str, written: str) -> None:
    with speaking(language):
        assert decimal(4.46) == written


def test_the_files_step_is_finished_by_typing_done_in_the_readers_words_too() -> None:
    with speaking("ru"):
        assert {"готово", "пропустить", "done"} <= milestone_texts.finish_words()
    with speaking("es"):
        assert {"listo", "omitir", "skip"} <= milestone_texts.finish_words()
