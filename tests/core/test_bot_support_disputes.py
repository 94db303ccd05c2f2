"""Core reads and checks the bot's dispute, relay and admin conversations rely on."""

from __future__ import annotations

from datetime import timedelta

from core.actors import Actor
from core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from storage.enums import DisputeResolution, PartyRole
from storage.models import Milestone
from tests.harness import Harness


async def delivered(h: Harness, amount: int = 10_000) -> tuple[Actor, Actor, Milestone]:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, amount)
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Here it is.")
    return employer, freelancer, ms


async def test_opening_says_who_files_and_how_long_the_other_side_has(h: Harness) -> None:
    employer, freelancer, ms = await delivered(h)
    async with h.tx() as m:
        by_employer = await m.disputes.opening(employer, ms.id)
        by_freelancer = await m.disputes.opening(freelancer, ms.id)
    assert by_employer.role is PartyRole.EMPLOYER
    assert by_employer.respondent_id == freelancer.user_id
    assert by_employer.respond_within == h.settings.dispute_response_window
    assert by_employer.milestone.escrow == 10_000 and by_employer.existing is None
    # the work was delivered: the employer names what is missing; silence goes to an admin
    assert by_employer.must_name and by_employer.silence_escalates
    assert by_employer.deliverables == ["Build a Telegram bot for my shop"]
    assert by_freelancer.role is PartyRole.FREELANCER
    assert by_freelancer.respondent_id == employer.user_id
    assert by_freelancer.respond_within == h.settings.dispute_response_window
    assert not by_freelancer.must_name and not by_freelancer.silence_escalates
    assert by_freelancer.deliverables == []


async def test_opening_refuses_what_open_would_refuse(h: Harness) -> None:
    employer, _, contract = await h.hire()
    unfunded = await h.milestone(employer, contract.id, fund=False)
    stranger = await h.user("Sam")
    error = await h.refused(lambda m: m.disputes.opening(employer, unfunded.id))
    assert isinstance(error, InvalidState) and error.code == "dispute.nothing_to_dispute"
    funded = await h.milestone(employer, contract.id)
    error = await h.refused(lambda m: m.disputes.opening(stranger, funded.id))
    assert isinstance(error, NotAllowed) and error.code == "contract.not_party"
    error = await h.refused(lambda m: m.disputes.opening(employer, 999_999))
    assert isinstance(error, NotFound)
    # and open itself agrees
    await h.refused(
        lambda m: m.disputes.open(
            employer, unfunded.id, deliverables=[0], reason="Nothing here.", claimed_amount=1
        ),
        "dispute.nothing_to_dispute",
    )


async def test_opening_a_disputed_milestone_returns_its_dispute(h: Harness) -> None:
    employer, freelancer, ms = await delivered(h)
    async with h.tx() as m:
        dispute = await m.disputes.open(
            employer,
            ms.id,
            deliverables=[0],
            reason="The work is not finished.",
            claimed_amount=4_000,
        )
    async with h.tx() as m:
        again = await m.disputes.opening(freelancer, ms.id)
    assert again.existing is not None and again.existing.id == dispute.id
    async with h.tx() as m:
        await m.disputes.withdraw(employer, dispute.id)
    async with h.tx() as m:
        fresh = await m.disputes.opening(employer, ms.id)
    assert fresh.existing is None  # withdrawn: the milestone can be disputed anew


async def test_amount_checks_match_the_services(h: Harness) -> None:
    employer, freelancer, ms = await delivered(h)
    async with h.tx() as m:
        d = m.disputes
        assert d.check_claim(10_000, 10_000) == 10_000
        assert d.check_offer(0, 10_000) == 0
        assert d.check_split(1, 10_000) == 1
        for check, amount, code in [
            (d.check_claim, 0, "dispute.claim_range"),
            (d.check_claim, 10_001, "dispute.claim_range"),
            (d.check_offer, -1, "dispute.offer_range"),
            (d.check_offer, 10_001, "dispute.offer_range"),
            (d.check_split, 0, "dispute.split_range"),
            (d.check_split, 10_000, "dispute.split_range"),
        ]:
            try:
                check(amount, 10_000)
            except ValidationFailed as error:
                assert error.code == code
            else:
                raise AssertionError(f"{check.__name__}({amount}) was accepted")
    # the services refuse the same amounts with the same codes
    await h.refused(
        lambda m: m.disputes.open(
            employer, ms.id, deliverables=[0], reason="Not what we agreed.", claimed_amount=0
        ),
        "dispute.claim_range",
    )
    async with h.tx() as m:
        dispute = await m.disputes.open(
            freelancer, ms.id, reason="I delivered everything.", claimed_amount=10_000
        )
    await h.refused(lambda m: m.disputes.offer(employer, dispute.id, 10_001), "dispute.offer_range")
    admin = await h.admin()
    async with h.tx() as m:
        await m.disputes.offer(employer, dispute.id, 5_000)
    async with h.tx() as m:
        await m.disputes.escalate(freelancer, dispute.id)
    await h.refused(
        lambda m: m.disputes.resolve(
            admin, dispute.id, DisputeResolution.SPLIT, release_amount=10_000
        ),
        "dispute.split_range",
    )


async def test_admins_find_people_by_id_or_username(h: Harness) -> None:
    admin = await h.admin()
    bob = await h.user("Bob")  # username "bob"
    async with h.tx() as m:
        assert (await m.users.find(admin, str(bob.user_id))).id == bob.user_id
        assert (await m.users.find(admin, f" #{bob.user_id} ")).id == bob.user_id
        assert (await m.users.find(admin, "@BOB")).id == bob.user_id
        found = await m.users.by_telegram_id(bob.telegram_id)
        assert found is not None and found.id == bob.user_id
        assert await m.users.by_telegram_id(1) is None
    await h.refused(lambda m: m.users.find(admin, "@nobody"), "user.not_found")
    await h.refused(lambda m: m.users.find(admin, "9" * 30), "user.not_found")
    await h.refused(lambda m: m.users.find(admin, "bob"), "user.lookup")
    await h.refused(lambda m: m.users.find(bob, "@bob"), "admin.only")


async def test_the_respondent_window_is_what_opening_announced(h: Harness) -> None:
    employer, _, ms = await delivered(h)
    async with h.tx() as m:
        announced = (await m.disputes.opening(employer, ms.id)).respond_within
    async with h.tx() as m:
        dispute = await m.disputes.open(
            employer,
            ms.id,
            deliverables=[0],
            reason="Missing half the pages.",
            claimed_amount=2_000,
        )
    assert dispute.respond_by - dispute.created_at == announced
    assert announced == timedelta(days=4)


async def test_text_checks_match_the_services(h: Harness) -> None:
    employer, freelancer, ms = await delivered(h)
    async with h.tx() as m:
        assert m.disputes.check_reason("  Pages are missing.  ") == "Pages are missing."
        assert m.disputes.check_response(" No. ") == "No."
        for check, value, code in [
            (m.disputes.check_reason, "Too short", "dispute.reason.too_short"),
            (m.disputes.check_reason, "x" * 2001, "dispute.reason.too_long"),
            (m.disputes.check_response, "   ", "dispute.response.empty"),
        ]:
            try:
                check(value)
            except ValidationFailed as error:
                assert error.code == code
            else:
                raise AssertionError(f"{check.__name__}({value[:20]!r}) was accepted")
    await h.refused(
        lambda m: m.disputes.open(
            employer, ms.id, deliverables=[0], reason="Too short", claimed_amount=1
        ),
        "dispute.reason.too_short",
    )
    async with h.tx() as m:
        dispute = await m.disputes.open(
            employer, ms.id, deliverables=[0], reason="Pages are missing.", claimed_amount=1
        )
    await h.refused(
        lambda m: m.disputes.respond(freelancer, dispute.id, "   "), "dispute.response.empty"
    )


async def test_an_offer_is_read_by_the_two_sides_and_admins_only(h: Harness) -> None:
    employer, freelancer, ms = await delivered(h)
    stranger = await h.user("Sam")
    admin = await h.admin()
    async with h.tx() as m:
        dispute = await m.disputes.open(
            employer, ms.id, deliverables=[0], reason="Half of it is missing.", claimed_amount=5_000
        )
    async with h.tx() as m:
        offer = await m.disputes.offer(freelancer, dispute.id, 7_000)
    async with h.tx() as m:
        for who in (employer, freelancer, admin):
            found = await m.disputes.get_offer(who, offer.id)
            assert (found.dispute_id, found.release_amount) == (dispute.id, 7_000)
    await h.refused(lambda m: m.disputes.get_offer(stranger, offer.id), "dispute.not_party")
    await h.refused(lambda m: m.disputes.get_offer(employer, 999_999), "dispute.offer_not_found")


async def test_a_payout_is_read_by_its_owner_and_admins_only(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 20_000)
    async with h.tx() as m:
        await m.milestones.release(employer, ms.id)
    async with h.tx() as m:
        payout = await m.payouts.request(freelancer, 5_000, "PayPal freelancer@example.com")
    admin = await h.admin()
    async with h.tx() as m:
        assert (await m.payouts.get(freelancer, payout.id)).amount == 5_000
        assert (await m.payouts.get(admin, payout.id)).user_id == freelancer.user_id
    await h.refused(lambda m: m.payouts.get(employer, payout.id), "payout.not_found")
    await h.refused(lambda m: m.payouts.get(admin, 999_999), "payout.not_found")


async def test_opening_refuses_once_silence_has_released_the_delivery(h: Harness) -> None:
    employer, _, ms = await delivered(h)
    h.clock.advance(h.settings.delivery_review_window)
    error = await h.refused(lambda m: m.disputes.opening(employer, ms.id))
    assert error.code == "dispute.nothing_to_dispute"
    assert error.details == {"reason": "review_over"}
    await h.refused(
        lambda m: m.disputes.open(
            employer, ms.id, deliverables=[0], reason="Too late for this.", claimed_amount=1
        ),
        "dispute.nothing_to_dispute",
    )
