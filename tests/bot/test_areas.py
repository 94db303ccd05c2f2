"""``Areas`` asks only the areas an update can be for: every area it skips is one whose own
filter refuses the update, and those it asks keep the dispatcher's order."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User

from bot.routers import Areas, areas

CHAT = Chat(id=5, type="private")
PERSON = User(id=5, is_bot=False, first_name="Frank")


def press(data: str | None) -> CallbackQuery:
    message = Message.model_validate({"message_id": 1, "date": 0, "chat": CHAT, "text": "card"})
    return CallbackQuery(id="1", from_user=PERSON, chat_instance="c", data=data, message=message)


def message(text: str = "hello") -> Message:
    return Message.model_validate({"message_id": 2, "date": 0, "chat": CHAT, "text": text})


def in_order(asked: tuple[Router, ...], every: tuple[Router, ...]) -> bool:
    positions = [every.index(router) for router in asked]
    return positions == sorted(positions)


async def refuses(
    router: Router, update_type: str, event: TelegramObject, state: str | None
) -> bool:
    accepted, _ = await router.observers[update_type].check_root_filters(event, raw_state=state)
    return not accepted


def built() -> tuple[Areas, list[str], list[str]]:
    routed = [area.routed() for area in areas()]
    prefixes = sorted(set().union(*(r.prefixes for r in routed)))
    steps = sorted(set().union(*(r.steps for r in routed)))
    return Areas(routed), prefixes, steps


async def test_a_press_asks_only_the_areas_that_take_its_prefix() -> None:
    areas_router, prefixes, _ = built()
    every = tuple(areas_router.sub_routers)
    assert len(prefixes) > 20  # the real areas' buttons
    for data in [*(f"{p}:1" for p in prefixes), "nobody_has_this:1", "", None]:
        event = press(data)
        asked = areas_router.candidates("callback_query", event, {})
        assert asked and in_order(asked, every), data
        for router in every:
            if router not in asked:
                assert await refuses(router, "callback_query", event, None), (data, router.name)
        if data and not data.startswith("nobody"):
            assert len(asked) < len(every) / 2, data  # the point: most areas are skipped


async def test_a_message_asks_only_the_areas_that_take_its_step() -> None:
    areas_router, _, steps = built()
    every = tuple(areas_router.sub_routers)
    assert len(steps) > 20  # the real conversations' steps
    for state in [*steps, None, "Nowhere:step"]:
        event = message()
        asked = areas_router.candidates("message", event, {"raw_state": state})
        assert asked and in_order(asked, every), state
        assert asked[-1].name == "handlers.fallback"  # whatever is left is still answered
        for router in every:
            if router not in asked:
                assert await refuses(router, "message", event, state), (state, router.name)


async def test_other_updates_ask_every_area() -> None:
    areas_router, _, _ = built()
    edited = message("edited")
    assert areas_router.candidates("edited_message", edited, {}) == tuple(areas_router.sub_routers)
