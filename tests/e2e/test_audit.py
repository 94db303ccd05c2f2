"""📜 Audit trail in the admin panel, through the real bot: a ban and a verdict with their
reasons; what another admin did about the viewing admin stays out of her sight."""

from __future__ import annotations

import pytest

from emulator import SimulatedUser
from storage.enums import DisputeResolution, ReportTarget
from tests.e2e.conftest import ADMIN_ID, App
from tests.e2e.test_disputes import delivered
from tests.e2e.work_support import market, started

BEA_ID = 900_000_002


@pytest.fixture
def bot_overrides() -> dict[str, object]:
    return {"admin_ids": frozenset({ADMIN_ID, BEA_ID})}


async def trail(admin: SimulatedUser) -> str:
    await admin.send_text("/admin")
    panel = await admin.wait_for_message("Admin panel")
    await admin.click(panel, "📜 Audit trail")
    return (await admin.wait_for_message("Audit trail · page 1")).text


async def test_the_trail_shows_who_did_what_and_why_but_never_about_the_reader(
    app: App,
) -> None:
    deal, ms_id, _ = await delivered(app)
    ada = app.person("Ada", admin=True)
    bea = app.emu.user("Bea", username="bea", user_id=BEA_ID, started=True)
    bob = app.person("Bob")
    for person in (ada, bea, bob):
        await started(person)

    # Ada bans Bob, with a reason, from the panel.
    await ada.send_text("/admin")
    await ada.click(await ada.wait_for_message("Admin panel"), "🚫 Ban / unban")
    await ada.wait_for_message("Ban or unban")
    await ada.send_text("@bob")
    await ada.click(await ada.wait_for_message("Telegram id"), "🚫 Ban")
    await ada.wait_for_message("Why?")
    await ada.send_text("Spammed every bidder <twice>.")
    await ada.wait_for_message("is suspended")

    # Ada decides a dispute, with a note; Bea dismisses a report about Ada, with a note.
    async with market(app) as m:
        dispute = await m.disputes.open(
            deal.worker, ms_id, reason="All of it was delivered.", claimed_amount=10_000
        )
        await m.disputes.respond(deal.boss, dispute.id, "Half of it is missing.")
        await m.disputes.escalate(deal.boss, dispute.id)
        ada_user = await m.users.by_telegram_id(ada.id)
        assert ada_user is not None
        admin_ada = m.users.actor(ada_user)
        await m.disputes.resolve(
            admin_ada, dispute.id, DisputeResolution.RELEASE, note="The repository has it all."
        )
        report = await m.reports.report(deal.boss, ReportTarget.PROFILE, admin_ada.user_id, "spam")
    await bea.send_text("/admin")
    await bea.click(await bea.wait_for_message("Admin panel"), "🚩 Reports (1)")
    queue = await bea.wait_for_message("Reports waiting")
    await bea.click(queue, f"#{report.id}")
    await bea.click(await bea.wait_for_message(f"Report #{report.id}"), "✔ Dismiss")
    await bea.wait_for_message("Dismiss report")
    await bea.send_text("An admin doing her job is not spam.")
    await bea.wait_for_message(f"Report #{report.id} dismissed")

    seen = await trail(ada)
    assert "🚫 banned Bob (#" in seen and "why: Spammed every bidder <twice>." in seen
    assert f"⚖️ verdict on dispute #{dispute.id}: all released to the freelancer" in seen
    assert "why: The repository has it all." in seen
    assert "dismissed report" not in seen and "not spam" not in seen  # about Ada: not hers
    assert seen.index("verdict") < seen.index("banned Bob")  # newest first

    seen_by_bea = await trail(bea)
    assert f"✔ dismissed report #{report.id} about Ada" in seen_by_bea
    assert "why: An admin doing her job is not spam." in seen_by_bea
    assert "banned Bob" in seen_by_bea

    # Asking for the entries about herself is refused; about Bob, she sees the ban only.
    listing = ada.messages[-1]
    await ada.click(listing, "👤 About a person…")
    await ada.wait_for_message("About whom?")
    await ada.send_text("@ada")
    await ada.wait_for_message("Entries about you are kept from you")
    await ada.send_text("@bob")
    about_bob = await ada.wait_for_message("Actions about Bob")
    assert "banned Bob" in about_bob.text and "verdict" not in about_bob.text
    assert "📜 All entries" in about_bob.button_texts
