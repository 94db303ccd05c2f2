"""Safety in the relay: flagged messages go through with one note per conversation,
muted bidders and declined ones on closed projects cannot write to the employer."""

from __future__ import annotations

from bot.texts import admin as admin_texts
from core.actors import Actor
from storage.enums import BidStatus
from storage.models import Message
from tests.core.test_messages import bidding
from tests.harness import Harness

SCAM = "Great news! Pay the activation fee to receive your payment: t.me/fastpay"


async def send(h: Harness, sender: Actor, pid: int, to: Actor, body: str) -> Message:
    async with h.tx() as m:
        return await m.messages.send(sender, pid, to.user_id, body)


def notes(h: Harness) -> list[tuple[int, ...]]:
    return [e.recipients for e in h.events if e.kind == "message.safety_note"]


# --- red flags ------------------------------------------------------------------------


async def test_a_scam_message_goes_through_flagged_with_one_note_per_conversation(
    h: Harness,
) -> None:
    employer, bidder, pid, _ = await bidding(h)
    first = await send(h, bidder, pid, employer, SCAM)
    assert first.flags == "link,fee"
    assert [e.kind for e in h.events[-2:]] == ["message.received", "message.safety_note"]
    assert h.events[-1].to_payload() == {"message_id": first.id, "project_id": pid}
    again = await send(h, bidder, pid, employer, "Or call me: +1 415 555 2671")
    assert again.flags == "phone"
    assert notes(h) == [(employer.user_id,)]  # once in this conversation
    # The other side of the same conversation gets its own note, once.
    await send(h, employer, pid, bidder, "Write me at erin@example.com")
    await send(h, employer, pid, bidder, "or @erin_shop")
    assert notes(h) == [(employer.user_id,), (bidder.user_id,)]
    # A conversation about another project is another conversation.
    other = await h.open_project(employer, title="Another shop bot to build")
    await h.bid(bidder, other)
    await send(h, bidder, other, employer, SCAM)
    assert notes(h)[-1] == (employer.user_id,) and len(notes(h)) == 3


async def test_a_clean_message_has_no_flags_and_no_note(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    message = await send(h, bidder, pid, employer, "I can deliver for $1,500 by 2025-01-15.")
    assert message.flags is None
    assert notes(h) == []


async def test_flags_show_in_the_admins_record_of_the_thread(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    await send(h, bidder, pid, employer, SCAM)
    await send(h, employer, pid, bidder, "No thanks.")
    async with h.tx() as m:
        thread = await m.messages.thread(employer, pid, bidder.user_id)
    assert [x.flags for x in thread] == ["link,fee", None]
    flagged, clean = (admin_texts.message_line(x, "someone") for x in thread)
    assert flagged.endswith("⚠️ <i>flagged: link, pay-to-get-paid</i>")
    assert "flagged" not in clean


# --- mutes ------------------------------------------------------------------------------


async def test_a_muted_bidder_cannot_write_and_sends_no_bid_alerts(h: Harness) -> None:
    employer, bidder, pid, bid_id = await bidding(h)
    async with h.tx() as m:
        await m.safety.mute(employer, bid_id)
    async with h.tx() as m:
        await m.safety.mute(employer, bid_id)  # twice is the same
        assert await m.safety.muted(employer.user_id, bidder.user_id)
        view = await m.bids.view_for_employer(employer, bid_id)
    assert view.muted
    await h.refused(
        lambda m: m.messages.send(bidder, pid, employer.user_id, "Please answer"),
        "message.muted",
    )
    # The employer may still write to them, and their bid stands but alerts stop.
    await send(h, employer, pid, bidder, "Sorry, not this time.")
    since = len(h.events)
    async with h.tx() as m:
        await m.bids.edit(bidder, bid_id, amount=25_000)
    other = await h.open_project(employer, title="Another shop bot to build")
    await h.bid(bidder, other)
    async with h.tx() as m:
        await m.bids.retract(bidder, bid_id)
    alerts = [e.kind for e in h.events[since:] if e.kind.startswith("bid.")]
    assert alerts == []
    # Another bidder's alerts still arrive.
    rival = await h.freelancer("Rita")
    await h.bid(rival, pid)
    assert h.events[-1].kind == "bid.placed" and h.events[-1].recipients == (employer.user_id,)


async def test_unmuting_lets_messages_and_alerts_through_again(h: Harness) -> None:
    employer, bidder, pid, bid_id = await bidding(h)
    async with h.tx() as m:
        await m.safety.mute(employer, bid_id)
    async with h.tx() as m:
        await m.safety.unmute(employer, bid_id)
        assert not await m.safety.muted(employer.user_id, bidder.user_id)
    await send(h, bidder, pid, employer, "Thanks for hearing me out")
    async with h.tx() as m:
        await m.bids.edit(bidder, bid_id, amount=26_000)
    assert h.events[-1].kind == "bid.edited"


async def test_only_the_employer_mutes_their_own_bidders(h: Harness) -> None:
    employer, bidder, _, bid_id = await bidding(h)
    stranger = await h.employer("Stan")
    await h.refused(lambda m: m.safety.mute(stranger, bid_id), "project.not_owner")
    await h.refused(lambda m: m.safety.mute(bidder, bid_id), "project.not_owner")
    await h.refused(lambda m: m.safety.unmute(stranger, bid_id), "project.not_owner")
    await h.refused(lambda m: m.safety.mute(employer, 999_999), "bid.not_found")
    admin = await h.admin()
    async with h.tx() as m:
        await m.users.ban(admin, employer.user_id, "Abuse")
    await h.refused(lambda m: m.safety.mute(employer, bid_id), "user.banned")


async def test_a_muted_freelancer_who_is_hired_keeps_the_contracts_channel(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    async with h.tx() as m:
        await m.safety.mute(employer, contract.bid_id)
    await send(h, freelancer, contract.project_id, employer, "The first draft is ready.")


# --- declined bidders -----------------------------------------------------------------


async def test_a_declined_bidder_on_a_closed_project_can_no_longer_write(h: Harness) -> None:
    employer, bidder, pid, bid_id = await bidding(h)
    async with h.tx() as m:
        assert (await m.bids.decline(employer, bid_id)).status is BidStatus.DECLINED
    await send(h, bidder, pid, employer, "Could you tell me why?")  # still open: allowed
    async with h.tx() as m:
        await m.projects.cancel(employer, pid)
    await h.refused(
        lambda m: m.messages.send(bidder, pid, employer.user_id, "Why?"),
        "message.declined_closed",
    )
    # The employer may still write to them; the thread stays readable.
    await send(h, employer, pid, bidder, "Sorry, the project is off.")
    async with h.tx() as m:
        assert len(await m.messages.thread(bidder, pid, employer.user_id)) == 2


async def test_a_bidder_whose_project_went_to_someone_else_may_still_write(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    winner = await h.freelancer("Wanda")
    bid_id = await h.bid(winner, pid)
    async with h.tx() as m:
        award = await m.awards.offer(employer, bid_id)
    async with h.tx() as m:
        await m.awards.accept(winner, award.id)
    await send(h, bidder, pid, employer, "Keep me in mind next time.")  # not declined
