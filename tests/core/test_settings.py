"""Configuration: defaults, environment parsing, and refusals that name the setting."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.money import Currency
from core.settings import ConfigurationError, Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the machine's environment or a stray .env file."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_the_reference_values() -> None:
    s = load_settings()
    assert s.database_url == "sqlite+aiosqlite:///bidgram.db"
    assert s.money == Currency("USD", 2)
    assert s.platform_fee_bps == 1000
    assert s.bidding_window == timedelta(days=7)
    assert s.award_acceptance_window == timedelta(hours=36)
    assert s.delivery_review_window == timedelta(days=14)
    assert s.dispute_response_window == timedelta(days=4)  # the same for both sides
    assert s.revision_rounds == 2 and s.revision_rounds_max == 5
    assert (s.deliverables_max, s.deliverable_text_max) == (10, 100)
    assert s.evidence_max == 10
    assert s.admin_ids == frozenset()
    assert s.bids_per_day == 30
    assert s.max_delivery_days == 365
    assert (s.title_min, s.title_max) == (10, 100)
    assert (s.description_min, s.description_max) == (30, 4000)
    assert (s.proposal_min, s.proposal_max) == (20, 2000)
    assert s.min_budget <= s.max_budget


def test_admin_ids_accept_commas_and_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1, 2")
    assert load_settings().admin_ids == frozenset({1, 2})
    monkeypatch.setenv("ADMIN_IDS", " 10;20 30,,40 ")
    assert load_settings().admin_ids == frozenset({10, 20, 30, 40})
    monkeypatch.setenv("ADMIN_IDS", "")
    assert load_settings().admin_ids == frozenset()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("P7D", timedelta(days=7)),
        ("PT36H", timedelta(hours=36)),
        ("P1DT12H30M", timedelta(days=1, hours=12, minutes=30)),
        ("3600", timedelta(hours=1)),
        ("90", timedelta(seconds=90)),
        ("1.5", timedelta(seconds=1.5)),
        ("1 day, 2:00:00", timedelta(days=1, hours=2)),
    ],
)
def test_durations_take_iso_8601_or_seconds(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: timedelta
) -> None:
    monkeypatch.setenv("BIDDING_WINDOW", raw)
    monkeypatch.setenv("AWARD_ACCEPTANCE_WINDOW", raw)
    s = load_settings()
    assert s.bidding_window == expected
    assert s.award_acceptance_window == expected


def test_numbers_and_names_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CURRENCY", "XTR")
    monkeypatch.setenv("CURRENCY_EXPONENT", "0")
    monkeypatch.setenv("PLATFORM_FEE_BPS", "0")
    monkeypatch.setenv("BIDS_PER_DAY", "5")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot@db/bidgram")
    s = load_settings()
    assert s.money == Currency("XTR", 0)
    assert s.platform_fee_bps == 0
    assert s.bids_per_day == 5
    assert s.database_url == "postgresql+asyncpg://bot@db/bidgram"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BIDS_PER_DAY=7\nADMIN_IDS=42\n", encoding="utf-8")
    s = load_settings()
    assert s.bids_per_day == 7
    assert s.admin_ids == frozenset({42})


def test_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDS_PER_DAY", "5")
    assert load_settings(bids_per_day=9).bids_per_day == 9


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("ADMIN_IDS", "1, two", "ADMIN_IDS: a comma-separated list of Telegram user ids"),
        ("BIDDING_WINDOW", "0", "BIDDING_WINDOW:"),
        ("BIDDING_WINDOW", "-P1D", "BIDDING_WINDOW:"),
        ("BIDDING_WINDOW", "soon", "BIDDING_WINDOW:"),
        ("AWARD_ACCEPTANCE_WINDOW", "-60", "AWARD_ACCEPTANCE_WINDOW:"),
        ("DELIVERY_REVIEW_WINDOW", "PT0S", "DELIVERY_REVIEW_WINDOW:"),
        ("CURRENCY", "usd", "CURRENCY:"),
        ("CURRENCY", "EURO", "CURRENCY:"),
        ("CURRENCY_EXPONENT", "5", "CURRENCY_EXPONENT:"),
        ("PLATFORM_FEE_BPS", "-1", "PLATFORM_FEE_BPS:"),
        ("PLATFORM_FEE_BPS", "5001", "PLATFORM_FEE_BPS:"),
        ("BIDS_PER_DAY", "0", "BIDS_PER_DAY:"),
        ("BIDS_PER_DAY", "many", "BIDS_PER_DAY:"),
        ("MIN_BUDGET", "-5", "MIN_BUDGET:"),
        ("TITLE_MAX", "201", "TITLE_MAX:"),
        ("DESCRIPTION_MAX", "20001", "DESCRIPTION_MAX:"),
        ("HEADLINE_MAX", "0", "HEADLINE_MAX:"),
        ("DATABASE_URL", "mysql://root@localhost/bidgram", "DATABASE_URL: use sqlite"),
        ("MIN_BUDGET", "200000000", "MIN_BUDGET must not exceed MAX_BUDGET"),
        ("TITLE_MIN", "150", "TITLE_MIN must not exceed TITLE_MAX"),
        ("DESCRIPTION_MIN", "5000", "DESCRIPTION_MIN must not exceed DESCRIPTION_MAX"),
        ("PROPOSAL_MIN", "3000", "PROPOSAL_MIN must not exceed PROPOSAL_MAX"),
        ("BIO_MIN", "3000", "BIO_MIN must not exceed BIO_MAX"),
        ("REVISION_ROUNDS", "6", "REVISION_ROUNDS must not exceed REVISION_ROUNDS_MAX"),
        ("REVISION_ROUNDS", "-1", "REVISION_ROUNDS:"),
        ("DELIVERABLES_MAX", "0", "DELIVERABLES_MAX:"),
        ("EVIDENCE_MAX", "0", "EVIDENCE_MAX:"),
        ("DISPUTE_RESPONSE_WINDOW", "PT0S", "DISPUTE_RESPONSE_WINDOW:"),
    ],
)
def test_bad_value_fails_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert says in str(caught.value)
    assert name in str(caught.value)


def test_every_bad_setting_is_reported_on_its_own_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDS_PER_DAY", "0")
    monkeypatch.setenv("CURRENCY", "dollars")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert {line.split(":")[0] for line in lines} == {"BIDS_PER_DAY", "CURRENCY"}


# --- the one dispute response window and the two settings it replaced ------------------------


def test_one_response_window_for_both_sides_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISPUTE_RESPONSE_WINDOW", "P5D")
    assert load_settings().dispute_response_window == timedelta(days=5)


def test_the_two_old_windows_keep_working_when_they_are_one_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISPUTE_RESPONSE_WINDOW_FREELANCER", "P6D")
    monkeypatch.setenv("DISPUTE_RESPONSE_WINDOW_EMPLOYER", "P6D")
    assert load_settings().dispute_response_window == timedelta(days=6)
    monkeypatch.setenv("DISPUTE_RESPONSE_WINDOW", "P6D")  # the new name agreeing with them
    assert load_settings().dispute_response_window == timedelta(days=6)


@pytest.mark.parametrize(
    "old",
    [
        {"DISPUTE_RESPONSE_WINDOW_FREELANCER": "P4D", "DISPUTE_RESPONSE_WINDOW_EMPLOYER": "P14D"},
        {"DISPUTE_RESPONSE_WINDOW_FREELANCER": "P4D"},
        {"DISPUTE_RESPONSE_WINDOW_EMPLOYER": "P14D"},
        {
            "DISPUTE_RESPONSE_WINDOW_FREELANCER": "P6D",
            "DISPUTE_RESPONSE_WINDOW_EMPLOYER": "P6D",
            "DISPUTE_RESPONSE_WINDOW": "P4D",
        },
    ],
)
def test_unequal_old_windows_stop_the_program_naming_what_replaced_them(
    monkeypatch: pytest.MonkeyPatch, old: dict[str, str]
) -> None:
    for name, value in old.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    said = str(caught.value)
    assert "replaced by DISPUTE_RESPONSE_WINDOW" in said
    assert "one response window for both sides" in said
