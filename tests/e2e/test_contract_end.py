"""The last of the money moved: both sides are asked to end the contract, so they can review.

However the last milestone closed (the employer's release, in full or in part, the
auto-release timer, a split the sides agreed, an admin's verdict), core says the contract
is settled and the bot offers the end: one tap for the employer ("End contract & review"),
and for the freelancer a button that asks the employer for it.
"""

from __future__ import annotations

from datetime import timedelta

from storage.enums import ContractStatus, DisputeResolution
from tests.e2e.conftest import ADMIN_ID, App
from tests.e2e.test_milestones import at_the_release_prompt, delivered_alert, open_card
from tests.e2e.work_support import buttons, hired, market, publish, seeded_milestone

END = "🏁 End contract & review"
ASK = "🏁 Ask Erin to end it"


async def contract_status(app: App, contract_id: int) -> ContractStatus:
    async with app.db.uow() as uow:
        contract = await uow.contracts.get(contract_id)
        assert contract is not None
        return contract.status


async def test_the_last_release_ends_the_contract_and_opens_the_review_in_one_tap(
    app: App,
) -> None:
    deal, _, prompt = await at_the_release_prompt(app)
    erin, frank = deal.employer, deal.freelancer
    await erin.click(prompt, "✅ Yes, release 100.00 USD")
    done = await erin.wait_for_message("Released 100.00 USD")
    assert "Nothing is held or pending on" in done.text and END in buttons(done)

    # Frank is paid, then asked to have it ended; he asks, Erin gets the end button too.
    await frank.wait_for_message("released to you")
    settled = await frank.wait_for_message("Nothing is held or pending")
    assert buttons(settled) == [ASK, "🤝 Open contract"]
    await frank.click(settled, ASK)
    await frank.wait_for_message("Erin has been asked to end the contract")
    assert ASK not in buttons(frank.message(settled.message_id) or settled)  # asked once
    asked = await erin.wait_for_message("Frank asks you to end the contract")
    assert END in buttons(asked)

    await erin.click(done, END)
    stars = await erin.wait_for_message("How was working with Frank?")
    assert "is <b>completed</b> (paid in full)" in stars.html
    assert "★★★★★" in buttons(stars)
    assert await contract_status(app, deal.contract_id) is ContractStatus.COMPLETED
    told = await frank.wait_for_message("is completed")
    assert "⭐ Review" in buttons(told)
    answer = await erin.click(asked, END)  # the request's button, once it has ended
    assert answer.show_alert and answer.text == "This contract has already ended."


async def test_a_part_release_that_pays_the_last_money_offers_the_end(app: App) -> None:
    deal = await hired(app)
    await delivered_alert(app, deal)
    erin = deal.employer
    await erin.wait_for_message("Frank delivered")
    await open_card(erin)
    await erin.click(erin.messages[-1], "➗ Release part")
    await erin.wait_for_message("How much of the 100.00 USD")
    await erin.send_text("40")
    await erin.click(await erin.wait_for_message("Release 40.00 USD"), "✅ Yes, release 40.00 USD")
    part = await erin.wait_for_message("Released 40.00 USD")
    assert END not in buttons(part)  # 60.00 USD is still held
    await open_card(erin)
    await erin.click(erin.messages[-1], "➗ Release part")
    await erin.wait_for_message("How much of the 60.00 USD")
    await erin.send_text("60")
    await erin.click(await erin.wait_for_message("Release 60.00 USD"), "✅ Yes, release 60.00 USD")
    last = await erin.wait_for_message("Released 60.00 USD")
    assert END in buttons(last)
    await deal.freelancer.wait_for_message("Nothing is held or pending")


async def test_an_auto_release_asks_both_sides(app: App) -> None:
    deal = await hired(app)
    await seeded_milestone(app, deal, deliver=True)
    app.clock.advance(timedelta(days=14, minutes=1))
    await app.sweep()
    await deal.freelancer.wait_for_message("released automatically")
    frank_asked = await deal.freelancer.wait_for_message("Nothing is held or pending")
    assert ASK in buttons(frank_asked)
    await deal.employer.wait_for_message("did not answer")
    erin_asked = await deal.employer.wait_for_message("Nothing is held or pending")
    assert END in buttons(erin_asked)


async def test_an_admins_split_asks_both_sides(app: App) -> None:
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal, deliver=True)
    async with market(app) as m:
        dispute = await m.disputes.open(
            deal.boss,
            ms_id,
            deliverables=[0],
            reason="Half of it is missing.",
            claimed_amount=5_000,
        )
        await m.disputes.respond(deal.worker, dispute.id, "All of it is there.")
        await m.disputes.escalate(deal.boss, dispute.id)
    async with market(app) as m:
        admin = m.users.actor(await m.users.register(ADMIN_ID, "Ada"))
        result = await m.disputes.resolve(
            admin, dispute.id, DisputeResolution.SPLIT, release_amount=6_500
        )
        events = m.take_events()
    assert result.contract_settled
    await publish(app, events)
    for person, button in ((deal.employer, END), (deal.freelancer, ASK)):
        await person.wait_for_message("Resolved")
        asked = await person.wait_for_message("Nothing is held or pending")
        assert button in buttons(asked)


async def test_a_milestone_still_to_fund_means_nobody_is_asked(app: App) -> None:
    deal = await hired(app)
    await seeded_milestone(app, deal, 5_000, description="Checkout page", fund=False)
    await delivered_alert(app, deal)
    erin, frank = deal.employer, deal.freelancer
    alert = await erin.wait_for_message("Frank delivered")
    await erin.click(alert, "✅ Release 100.00 USD")
    prompt = await erin.wait_for_message("Release 100.00 USD")
    await erin.click(prompt, "✅ Yes, release 100.00 USD")
    done = await erin.wait_for_message("Released 100.00 USD")
    assert END not in buttons(done) and "Nothing is held" not in done.text
    await frank.wait_for_message("released to you")
    await frank.expect_no_message()
