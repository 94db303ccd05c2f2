"""Profiles show how each reviewed contract ended, so a refund's review reads as one."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.texts.profiles import employer_profile
from core.services.reputation import Reputation
from storage.enums import ContractEnding, PartyRole
from storage.models import Review


def test_a_profile_review_says_how_its_contract_ended() -> None:
    rep = Reputation(PartyRole.EMPLOYER, 4.0, 2, 1, 1, 0, 1, 0, 0, 0, 0, 0)
    reviews = [
        Review(
            rating=5,
            text="Paid <fast>",
            created_at=datetime(2026, 3, 1, tzinfo=UTC),
            ending=ContractEnding.PAID,
        ),
        Review(
            rating=3,
            text="We split it",
            created_at=datetime(2026, 4, 1, tzinfo=UTC),
            ending=ContractEnding.VERDICT_SPLIT,
        ),
    ]
    text = employer_profile("Erin", rep, reviews, "")
    assert "Paid &lt;fast&gt; <i>(Mar 2026; paid in full)</i>" in text
    assert "We split it <i>(Apr 2026; split by an admin's verdict)</i>" in text
