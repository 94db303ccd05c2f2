"""Configuration from the environment and ``.env``.

Every window and limit the product rules name is here, with the reference value
from the big platforms as default. A bad value stops the program at start with a
message naming the setting (see :func:`load_settings`).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.locales import LANGUAGES
from core.money import Currency


def _seconds(value: object) -> object:
    """Seconds as the environment spells them: pydantic refuses the string "3600"."""
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+(\.\d+)?\s*", value):
        return float(value)
    return value


Window = Annotated[timedelta, BeforeValidator(_seconds), Field(gt=timedelta(0))]
Positive = Annotated[int, Field(gt=0)]


class Settings(BaseSettings):
    """All of bidgram's knobs. Durations accept seconds or ISO 8601 (``P7D``, ``PT36H``)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", validate_default=True
    )

    database_url: str = "sqlite+aiosqlite:///bidgram.db"

    # money
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    currency_exponent: int = Field(2, ge=0, le=4)
    platform_fee_bps: int = Field(1000, ge=0, le=5000)
    min_budget: Positive = 1000
    max_budget: Positive = 100_000_000
    min_payout: Positive = 1000

    # windows (PRODUCT.md)
    bidding_window: Window = timedelta(days=7)
    award_acceptance_window: Window = timedelta(hours=36)
    delivery_review_window: Window = timedelta(days=14)  # silence past it auto-releases
    # One window for both sides of a dispute (PRODUCT.md "Fairness": equal time).
    dispute_response_window: Window = timedelta(days=4)
    # Replaced by DISPUTE_RESPONSE_WINDOW: honoured only when both are set and equal
    # (that was already one window); anything else stops the program at start.
    dispute_response_window_freelancer: Window | None = None
    dispute_response_window_employer: Window | None = None
    negotiation_window: Window = timedelta(days=7)
    review_window: Window = timedelta(days=14)

    # timed rules: what happens, and who is reminded, when nobody presses a button
    award_decision_window: Window = timedelta(days=7)  # after bidding ends, time to award
    due_reminder_before: Window = timedelta(hours=24)  # a milestone's "due soon" reminder
    overdue_reminder_interval: Window = timedelta(days=1)
    overdue_reminder_max: Annotated[int, Field(ge=0, le=20)] = 3
    # before an auto-release, the employer is reminded at each of these (longest first)
    auto_release_reminders: Annotated[tuple[timedelta, ...], NoDecode] = (
        timedelta(hours=48),
        timedelta(hours=24),
    )

    # fairness: the terms accepted with an award, and what a dispute may carry
    revision_rounds: Annotated[int, Field(ge=0, le=20)] = 2  # included per milestone
    revision_rounds_max: Annotated[int, Field(ge=0, le=20)] = 5  # the most an award offers
    deliverables_max: Annotated[int, Field(gt=0, le=20)] = 10  # lines of an award's scope
    deliverable_text_max: Annotated[int, Field(gt=0, le=200)] = 100  # characters per line
    evidence_max: Positive = 10  # files each side may attach to one dispute

    # people
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # spoken to someone whose client's language bidgram does not speak (core.locales)
    default_language: str = "en"

    # limits
    bids_per_day: Positive = 30
    max_delivery_days: Positive = 365
    title_min: Positive = 10
    title_max: Annotated[int, Field(gt=0, le=200)] = 100
    description_min: Positive = 30
    description_max: Annotated[int, Field(gt=0, le=20_000)] = 4000
    proposal_min: Positive = 20
    proposal_max: Positive = 2000
    headline_max: Annotated[int, Field(gt=0, le=200)] = 100
    bio_min: Positive = 30
    bio_max: Positive = 2000
    portfolio_max_links: Positive = 10
    milestone_description_max: Positive = 500
    delivery_note_max: Positive = 2000
    message_max: Positive = 3500
    review_max: Positive = 1500
    dispute_reason_max: Positive = 2000
    max_attachments: Positive = 10
    reports_per_day: Positive = 10  # reports one person may file in 24 hours
    report_note_max: Positive = 500

    @field_validator("default_language")
    @classmethod
    def _spoken(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"bidgram speaks {', '.join(LANGUAGES)}")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("a comma-separated list of Telegram user ids") from None
        return value

    @field_validator("auto_release_reminders", mode="before")
    @classmethod
    def _split_durations(cls, value: object) -> object:
        """A comma-separated list of durations (``PT48H,PT24H`` or ``172800,86400``)."""
        if isinstance(value, str):
            return [_seconds(p.strip()) for p in value.split(",") if p.strip()]
        return value

    @field_validator("auto_release_reminders")
    @classmethod
    def _longest_first(cls, value: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
        if any(d <= timedelta(0) for d in value):
            raise ValueError("every reminder must come a positive time before the release")
        return tuple(sorted(set(value), reverse=True))

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///file.db or postgresql+asyncpg://user@host/db")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.min_budget > self.max_budget:
            raise ValueError("MIN_BUDGET must not exceed MAX_BUDGET")
        if self.title_min > self.title_max:
            raise ValueError("TITLE_MIN must not exceed TITLE_MAX")
        if self.description_min > self.description_max:
            raise ValueError("DESCRIPTION_MIN must not exceed DESCRIPTION_MAX")
        if self.proposal_min > self.proposal_max:
            raise ValueError("PROPOSAL_MIN must not exceed PROPOSAL_MAX")
        if self.bio_min > self.bio_max:
            raise ValueError("BIO_MIN must not exceed BIO_MAX")
        if any(d >= self.delivery_review_window for d in self.auto_release_reminders):
            raise ValueError(
                "AUTO_RELEASE_REMINDERS must each be shorter than DELIVERY_REVIEW_WINDOW"
            )
        if self.revision_rounds > self.revision_rounds_max:
            raise ValueError("REVISION_ROUNDS must not exceed REVISION_ROUNDS_MAX")
        self._one_response_window()
        return self

    def _one_response_window(self) -> None:
        """The two old per-side windows were replaced by DISPUTE_RESPONSE_WINDOW.

        Both set to one value is the same rule under old names, and keeps working;
        one of them alone, or two different values, asked for unequal time, which
        bidgram no longer gives: that stops the program instead of being ignored.
        """
        old = (self.dispute_response_window_freelancer, self.dispute_response_window_employer)
        if old == (None, None):
            return
        window = old[0]
        explicit = "dispute_response_window" in self.model_fields_set
        if old[0] != old[1] or (explicit and window != self.dispute_response_window):
            raise ValueError(
                "DISPUTE_RESPONSE_WINDOW_FREELANCER and DISPUTE_RESPONSE_WINDOW_EMPLOYER are "
                "replaced by DISPUTE_RESPONSE_WINDOW, one response window for both sides: "
                "set DISPUTE_RESPONSE_WINDOW and remove the old two"
            )
        assert window is not None
        self.dispute_response_window = window

    @property
    def money(self) -> Currency:
        return Currency(self.currency, self.currency_exponent)


class ConfigurationError(Exception):
    """Raised with one line per bad setting, each naming the environment variable."""


def describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        name = "_".join(str(part) for part in problem["loc"]).upper() or "SETTINGS"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{name}: {message}")
    return "\n".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's report into one that names each setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigurationError(describe(error)) from None
