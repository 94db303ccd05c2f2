"""/privacy through the real bot: my data as a JSON file in the chat, and deleting my
account after a confirmation, refused while money of mine is in escrow."""

from __future__ import annotations

import json
from typing import Any

from emulator import ChatMessage, SimulatedUser
from tests.e2e.conftest import App
from tests.e2e.work_support import (
    bidding,
    check_books,
    hired,
    market,
    seeded_milestone,
    settled,
)

SCREEN = "Your data on bidgram"


def downloaded(app: App, message: ChatMessage) -> dict[str, Any]:
    """The JSON file the bot sent, as the person's Telegram client would save it."""
    assert message.document is not None
    stored = app.emu.state.files.get(message.document["file_id"])
    assert stored is not None
    parsed: dict[str, Any] = json.loads(stored.content)
    return parsed


async def my_data(person: SimulatedUser) -> ChatMessage:
    await person.send_text("/privacy")
    return await person.wait_for_message(SCREEN)


async def test_my_data_arrives_as_a_json_file(app: App) -> None:
    b = await bidding(app)
    frank = b.freelancer
    await frank.send_text("/profile")
    profile = await frank.wait_for_message("Senior Python developer")
    await frank.click(profile, "🔒 My data and account")  # the profile's way in
    screen = await frank.wait_for_message(SCREEN)
    assert screen.button_texts == ["📦 Export my data", "🗑 Delete my account"]

    answer = await frank.click(screen, "📦 Export my data")
    assert answer.text == "Your data is on its way."
    sent = await frank.wait_for_message(lambda m: m.document is not None)
    day = app.clock.now().date().isoformat()
    assert sent.document is not None
    assert sent.document["file_name"] == f"bidgram-data-{day}.json"
    assert "Everything bidgram holds about you" in sent.text
    data = downloaded(app, sent)
    assert data["format"] == "bidgram-export/1"
    assert (data["account"]["id"], data["account"]["telegram_id"]) == (b.worker.user_id, frank.id)
    assert data["freelancer_profile"]["headline"] == "Senior Python developer"
    assert [(x["project_id"], x["status"]) for x in data["bids"]] == [(b.project_id, "active")]
    assert str(b.employer.id) not in json.dumps(data)  # Erin's Telegram id is hers


async def test_deleting_my_account_after_the_confirmation(app: App) -> None:
    b = await bidding(app)
    erin, frank = b.employer, b.freelancer
    await settled(app)
    screen = await my_data(frank)
    await frank.click(screen, "🗑 Delete my account")
    ask = await frank.wait_for_message("Delete your account?")
    for said in (
        "Erased:",
        "your freelancer profile",
        "Closed first:</b> 1 bid withdrawn",
        f"Kept, as “Deleted user #{b.worker.user_id}”",
        "This cannot be undone.",
    ):
        assert said in ask.html or said in ask.text, said
    assert ask.button_texts == ["🗑 Yes, delete my account", "✖ Keep my account"]

    await frank.click(ask, "🗑 Yes, delete my account")
    await frank.wait_for_message("Your bidgram account is deleted")
    told = await erin.wait_for_message("retracted their bid")
    assert f"Deleted user #{b.worker.user_id}" in told.text

    answer = await frank.click(ask, "🗑 Yes, delete my account")  # a stale confirmation
    assert answer.show_alert and answer.text == (
        "This button belongs to an account that no longer exists."
    )
    await frank.send_text("/profile")
    fresh = await frank.wait_for_message("profile")
    assert "Senior Python developer" not in fresh.text  # a new account, empty
    async with market(app) as m:
        old = await m.users.get(b.worker.user_id)
        new = await m.users.by_telegram_id(frank.id)
    assert old.deleted_at is not None and old.telegram_id == -old.id
    assert new is not None and new.id != old.id
    await check_books(app)


async def test_deletion_is_refused_while_money_of_mine_is_in_escrow(app: App) -> None:
    deal = await hired(app)
    await seeded_milestone(app, deal, 10_000)
    screen = await my_data(deal.freelancer)
    await deal.freelancer.click(screen, "🗑 Delete my account")
    refused = await deal.freelancer.wait_for_message("cannot be deleted yet")
    assert "100.00 USD is held in escrow on your contracts" in refused.text
    assert "a contract that is still running" in refused.text
    assert refused.button_texts == ["« My data"]
    async with market(app) as m:
        still = await m.users.get(deal.worker.user_id)
    assert still.deleted_at is None and still.first_name == "Frank"
