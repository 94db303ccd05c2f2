"""Events go into the outbox as JSON and come back the same; rows queued by an older
version (other keys, fields added since) still load, and an unknown kind is nobody's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.events import KINDS, Event, from_payload
from core.events.milestones import MilestoneReleased
from core.events.projects import ProjectPublished
from core.events.users import UserUnbanned
from storage.enums import DisputeResolution

ids = st.lists(st.integers(min_value=1, max_value=2**53), max_size=4).map(tuple)


def events() -> st.SearchStrategy[Event]:
    """Any event of any kind, with any field values its types allow."""
    return st.sampled_from(sorted(KINDS.values(), key=lambda c: c.kind)).flatmap(
        lambda cls: st.builds(cls, recipients=ids)
    )


@given(events())
def test_every_kind_round_trips_through_a_json_payload(event: Event) -> None:
    stored = json.loads(json.dumps(event.to_payload()))  # what the outbox's JSON column keeps
    assert from_payload(event.kind, list(event.recipients), stored) == event


def test_a_row_from_before_the_classes_loads() -> None:
    """milestone.released had the amount and the fee; what was paid is derived from them."""
    old: dict[str, Any] = {"milestone_id": 7, "amount": 10_000, "fee": 1_000}
    event = from_payload("milestone.released", [3], old)
    assert event == MilestoneReleased(
        recipients=(3,), milestone_id=7, amount=10_000, fee=1_000, paid_to_freelancer=9_000
    )


def test_keys_a_kind_no_longer_has_are_ignored_and_new_ones_take_their_defaults() -> None:
    assert from_payload("user.unbanned", [5], {"user_id": 5, "gone": "x"}) == UserUnbanned(
        recipients=(5,), user_id=5
    )
    assert from_payload("project.published", [1], {"project_id": 2}) == ProjectPublished(
        recipients=(1,), project_id=2, skills=""
    )


def test_an_unknown_kind_is_nobodys() -> None:
    assert from_payload("no.such.kind", [1], {"x": 1}) is None


def test_a_malformed_row_is_refused_not_guessed() -> None:
    with pytest.raises(TypeError):
        from_payload("user.banned", [1], {})  # its one field missing
    with pytest.raises(TypeError):
        from_payload("user.banned", [1], {"user_id": "5"})
    with pytest.raises(TypeError):
        from_payload("dispute.resolved", [1], {"dispute_id": 1, "resolution": "coin_toss"})


def test_enums_are_stored_as_their_values() -> None:
    event = from_payload("dispute.resolved", [1], {"dispute_id": 4, "resolution": "default"})
    assert event is not None and event.to_payload() == {"dispute_id": 4, "resolution": "default"}
    assert event.resolution is DisputeResolution.DEFAULT
