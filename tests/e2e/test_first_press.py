"""A button the person may not use is refused when first pressed, never after a question.

Every screen that asks "are you sure?" first asks core whether this person may do it now
(``check`` of the area's service, the same rules as the operation), so a forged or
stale button gets its reason at once, and no confirmation is ever shown for it.
"""

from __future__ import annotations

from bot.callbacks import AwardCb, ContractCb, MilestoneCb, ProjectCb
from emulator import SimulatedUser
from storage.enums import ProjectStatus
from tests.e2e.conftest import App
from tests.e2e.work_support import bidding, hired, market, press, seeded_milestone, started


async def refused_at_once(person: SimulatedUser, data: str, why: str) -> None:
    """Press ``data`` (on the person's last message): an alert saying ``why``, nothing else."""
    answer = await press(person, person.messages[-1], data)
    assert answer.show_alert and answer.text == why, (data, answer.text)
    await person.expect_no_message()  # no confirmation screen


async def test_someone_elses_project_cannot_even_be_asked_to_cancel(app: App) -> None:
    b = await bidding(app)
    mallory = app.person("Mallory")
    await started(mallory)
    await refused_at_once(
        mallory,
        ProjectCb(action="cancel", project_id=b.project_id).pack(),
        "Only the employer who posted it can do this.",
    )
    await refused_at_once(  # nor can the bidder
        b.freelancer,
        ProjectCb(action="cancel", project_id=b.project_id).pack(),
        "Only the employer who posted it can do this.",
    )
    async with market(app) as m:
        assert (await m.projects.get(b.project_id)).status is ProjectStatus.OPEN


async def test_a_project_with_money_held_is_refused_before_the_question(app: App) -> None:
    deal = await hired(app)
    await seeded_milestone(app, deal)
    await refused_at_once(
        deal.employer,
        ProjectCb(action="cancel", project_id=deal.project_id).pack(),
        "Money is held in escrow for this project: release it, or ask the freelancer to "
        "cancel the milestone, or open a dispute first.",
    )


async def test_milestone_buttons_for_the_other_side_are_refused_at_once(app: App) -> None:
    deal = await hired(app)
    ms_id = await seeded_milestone(app, deal, deliver=True)
    erin, frank = deal.employer, deal.freelancer
    await refused_at_once(  # the employer cannot take funded money back alone
        erin,
        MilestoneCb(action="cancel", milestone_id=ms_id).pack(),
        "Funded money can only be returned by the freelancer, or through a dispute.",
    )
    await refused_at_once(  # nor the freelancer release it
        frank,
        MilestoneCb(action="release", milestone_id=ms_id).pack(),
        "Only the employer can do this.",
    )
    await refused_at_once(
        frank,
        MilestoneCb(action="release_part", milestone_id=ms_id).pack(),
        "Only the employer can do this.",
    )
    # Once the milestone is in dispute, the freelancer's own Cancel & refund is frozen too.
    async with market(app) as m:
        await m.disputes.open(
            deal.boss, ms_id, deliverables=[0], reason="Half is missing.", claimed_amount=5_000
        )
    await refused_at_once(
        frank,
        MilestoneCb(action="cancel", milestone_id=ms_id).pack(),
        "This milestone is in dispute; its money is frozen.",
    )


async def test_a_contract_with_money_held_is_refused_before_asking_to_end_it(app: App) -> None:
    deal = await hired(app)
    await seeded_milestone(app, deal)
    await refused_at_once(
        deal.employer,
        ContractCb(action="end", contract_id=deal.contract_id).pack(),
        "Money is still held in escrow: release it, cancel the milestone or settle the "
        "dispute first.",
    )
    mallory = app.person("Mallory")
    await started(mallory)
    await refused_at_once(
        mallory,
        ContractCb(action="end", contract_id=deal.contract_id).pack(),
        "This contract is not yours.",
    )


async def test_an_offer_is_declined_only_by_its_freelancer_and_withdrawn_by_its_employer(
    app: App,
) -> None:
    b = await bidding(app)
    async with market(app) as m:
        award = await m.awards.offer(b.boss, b.bid_id)
    await refused_at_once(
        b.freelancer,
        AwardCb(action="withdraw", award_id=award.id).pack(),
        "Only the employer can withdraw this offer.",
    )
    await refused_at_once(
        b.employer,
        AwardCb(action="decline", award_id=award.id).pack(),
        "This offer was made to someone else.",
    )
