"""Messages relayed between an employer and a project's bidders, kept as the record."""

from __future__ import annotations

from typing import Any

import pytest

from core.actors import Actor
from tests.harness import Harness


async def bidding(h: Harness) -> tuple[Actor, Actor, int, int]:
    """An employer with an open project and one bidder."""
    employer = await h.employer()
    bidder = await h.freelancer()
    pid = await h.open_project(employer)
    bid_id = await h.bid(bidder, pid)
    return employer, bidder, pid, bid_id


async def send(h: Harness, sender: Actor, pid: int, to: Actor, body: str = "", **kw: Any) -> int:
    async with h.tx() as m:
        return (await m.messages.send(sender, pid, to.user_id, body, **kw)).id


async def test_employer_and_bidder_talk_both_ways(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    async with h.tx() as m:
        question = await m.messages.send(employer, pid, bidder.user_id, "  Can you start today?  ")
    assert (question.sender_id, question.recipient_id) == (employer.user_id, bidder.user_id)
    assert question.text == "Can you start today?"
    assert question.created_at == h.clock.now()
    assert h.events[-1].kind == "message.received"
    assert h.events[-1].recipients == (bidder.user_id,)
    assert h.events[-1].to_payload() == {"message_id": question.id, "project_id": pid}
    await send(h, bidder, pid, employer, "Yes, right after lunch.")
    assert h.events[-1].recipients == (employer.user_id,)


async def test_employer_and_hired_freelancer_talk_both_ways(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    await send(h, employer, contract.project_id, freelancer, "Welcome aboard")
    await send(h, freelancer, contract.project_id, employer, "Thanks!")
    async with h.tx() as m:
        thread = await m.messages.thread(employer, contract.project_id, freelancer.user_id)
    assert [x.text for x in thread] == ["Welcome aboard", "Thanks!"]


async def test_strangers_cannot_message_about_a_project(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    stranger = await h.freelancer("Stan")
    await h.refused(
        lambda m: m.messages.send(stranger, pid, employer.user_id, "Hire me"), "message.not_allowed"
    )
    await h.refused(
        lambda m: m.messages.send(employer, pid, stranger.user_id, "Hi"), "message.not_allowed"
    )
    await h.refused(
        lambda m: m.messages.send(stranger, pid, bidder.user_id, "Psst"), "message.not_allowed"
    )


async def test_bidders_cannot_message_each_other(h: Harness) -> None:
    _employer, bidder, pid, _ = await bidding(h)
    rival = await h.freelancer("Rita")
    await h.bid(rival, pid, amount=25_000)
    await h.refused(
        lambda m: m.messages.send(bidder, pid, rival.user_id, "Lower your bid?"),
        "message.not_allowed",
    )
    await h.refused(
        lambda m: m.messages.send(rival, pid, bidder.user_id, "No"), "message.not_allowed"
    )
    await h.refused(lambda m: m.messages.thread(bidder, pid, rival.user_id), "message.not_allowed")


async def test_nobody_messages_themselves(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    await h.refused(
        lambda m: m.messages.send(employer, pid, employer.user_id, "Note to self"),
        "message.not_allowed",
    )
    await h.refused(
        lambda m: m.messages.send(bidder, pid, bidder.user_id, "Note"), "message.not_allowed"
    )


async def test_a_retracted_bidder_is_out_of_the_conversation(h: Harness) -> None:
    employer, bidder, pid, bid_id = await bidding(h)
    await send(h, employer, pid, bidder, "Tell me more")
    async with h.tx() as m:
        await m.bids.retract(bidder, bid_id)
    await h.refused(
        lambda m: m.messages.send(employer, pid, bidder.user_id, "Still there?"),
        "message.not_allowed",
    )
    await h.refused(
        lambda m: m.messages.send(bidder, pid, employer.user_id, "One more thing"),
        "message.not_allowed",
    )


async def test_messages_have_a_length_limit_and_cannot_be_empty(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    limit = h.settings.message_max
    await h.refused(
        lambda m: m.messages.send(employer, pid, bidder.user_id, "x" * (limit + 1)),
        "message.too_long",
    )
    for empty in ("", "   \n\t", "\u200b"):
        await h.refused(
            lambda m, e=empty: m.messages.send(employer, pid, bidder.user_id, e), "message.empty"
        )
    await send(h, employer, pid, bidder, "x" * limit)


async def test_files_can_be_sent_with_or_without_text(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    async with h.tx() as m:
        doc = await m.messages.send(
            bidder, pid, employer.user_id, file_id="BQACAgIAAx", file_kind="document"
        )
        photo = await m.messages.send(
            employer, pid, bidder.user_id, "Like this", file_id="AgACAgIAAx", file_kind="photo"
        )
    assert (doc.text, doc.file_id, doc.file_kind) == ("", "BQACAgIAAx", "document")
    assert (photo.text, photo.file_kind) == ("Like this", "photo")
    await h.refused(
        lambda m: m.messages.send(employer, pid, bidder.user_id, file_id="x", file_kind="sticker"),
        "message.bad_file",
    )
    await h.refused(
        lambda m: m.messages.send(employer, pid, bidder.user_id, file_id="x", file_kind=None),
        "message.bad_file",
    )
    await h.refused(
        lambda m: m.messages.send(
            employer, pid, bidder.user_id, file_id="x" * 256, file_kind="photo"
        ),
        "message.bad_file",
    )


async def test_no_messages_about_a_draft_or_unknown_project(h: Harness) -> None:
    employer = await h.employer()
    freelancer = await h.freelancer()
    draft = await h.draft(employer)
    await h.refused(
        lambda m: m.messages.send(employer, draft, freelancer.user_id, "Hi"), "project.not_found"
    )
    await h.refused(
        lambda m: m.messages.send(employer, 404_404, freelancer.user_id, "Hi"), "project.not_found"
    )


async def test_banned_people_neither_send_nor_receive(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    admin = await h.admin()
    async with h.tx() as m:
        await m.users.ban(admin, bidder.user_id, "Spam")
    await h.refused(
        lambda m: m.messages.send(bidder, pid, employer.user_id, "Hello"), "user.banned"
    )
    await h.refused(
        lambda m: m.messages.send(employer, pid, bidder.user_id, "Hello"),
        "message.recipient_unavailable",
    )


async def test_a_thread_reads_oldest_first_and_pages_backwards(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    ids = []
    for i in range(5):
        sender, to = (employer, bidder) if i % 2 == 0 else (bidder, employer)
        ids.append(await send(h, sender, pid, to, f"message {i}"))
        h.clock.advance(minutes=1)
    # A conversation with someone else on the same project is another thread.
    other = await h.freelancer("Olga")
    await h.bid(other, pid)
    await send(h, employer, pid, other, "not in this thread")

    async with h.tx() as m:
        everything = await m.messages.thread(bidder, pid, employer.user_id)
        latest = await m.messages.thread(employer, pid, bidder.user_id, limit=2)
        before = await m.messages.thread(
            employer, pid, bidder.user_id, limit=2, before_id=latest[0].id
        )
        first = await m.messages.thread(
            employer, pid, bidder.user_id, limit=2, before_id=before[0].id
        )
        nothing = await m.messages.thread(
            employer, pid, bidder.user_id, limit=2, before_id=first[0].id
        )
    assert [x.id for x in everything] == ids
    assert [x.text for x in latest] == ["message 3", "message 4"]
    assert [x.text for x in before] == ["message 1", "message 2"]
    assert [x.text for x in first] == ["message 0"]
    assert nothing == []


async def test_only_the_two_sides_and_admins_read_a_thread_or_a_message(h: Harness) -> None:
    employer, bidder, pid, _ = await bidding(h)
    message_id = await send(h, employer, pid, bidder, "Private")
    stranger = await h.freelancer("Stan")
    admin = await h.admin()
    await h.refused(
        lambda m: m.messages.thread(stranger, pid, employer.user_id), "message.not_allowed"
    )
    await h.refused(lambda m: m.messages.get(stranger, message_id), "message.not_found")
    async with h.tx() as m:
        assert (await m.messages.get(bidder, message_id)).text == "Private"
        assert (await m.messages.get(admin, message_id)).text == "Private"


@pytest.mark.parametrize("kind", ["document", "photo", "voice", "video", "audio"])
async def test_every_supported_file_kind_is_accepted(h: Harness, kind: str) -> None:
    employer, bidder, pid, _ = await bidding(h)
    await send(h, bidder, pid, employer, file_id=f"{kind}-1", file_kind=kind)


async def test_a_relayed_text_over_the_limit_goes_in_parts_cut_between_paragraphs(
    h: Harness,
) -> None:
    employer, bidder, pid, _ = await bidding(h)
    limit = h.settings.message_max
    paragraph = ("word " * (limit // 15)).strip()  # three fit in one message, not four
    body = "\n\n".join([paragraph] * 5)
    assert limit < len(body) < 2 * limit
    async with h.tx() as m:
        sent = await m.messages.relay(employer, pid, bidder.user_id, body)
    assert [x.text.count("\n\n") for x in sent] == [2, 1]  # whole paragraphs in each
    assert "\n\n".join(x.text for x in sent) == body
    told = [e for e in h.events if e.kind == "message.received"]
    assert [e.to_payload()["message_id"] for e in told] == [x.id for x in sent]  # each is delivered
    # A word longer than the limit is cut inside it; past four parts, it is refused whole.
    async with h.tx() as m:
        cut = await m.messages.relay(employer, pid, bidder.user_id, "x" * (limit + 1))
    assert [len(x.text) for x in cut] == [limit, 1]
    await h.refused(
        lambda m: m.messages.relay(employer, pid, bidder.user_id, "x " * (2 * limit + 1)),
        "message.too_long",
    )
