from tests.harness import Harness


async def test_happy_path_moves_money_once(h: Harness) -> None:
    employer, freelancer, contract = await h.hire()
    ms = await h.milestone(employer, contract.id, 10_000)
    assert ms.status == "funded"
    async with h.tx() as m:
        await m.milestones.deliver(freelancer, ms.id, "Done, see the repo")
    async with h.tx() as m:
        result = await m.milestones.release(employer, ms.id)
    assert result.fee == 1000
    assert await h.available(freelancer) == 9000
    await h.check_books()
