"""Deep links: t.me/<bot>?start=<kind>_<id>; 64 characters of A-Z a-z 0-9 _ - at most.

Areas register an opener for their kind (``p`` opens a project) so /start can
route a link without knowing every area.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram.types import Message

from core.actors import Actor
from core.marketplace import Marketplace

PAYLOAD = re.compile(r"^([a-z]{1,8})_([0-9]{1,18})$")


@dataclass(frozen=True)
class Target:
    kind: str
    id: int


Opener = Callable[[Message, int, Marketplace, Actor], Awaitable[None]]
OPENERS: dict[str, Opener] = {}


def payload(kind: str, id_: int) -> str:
    value = f"{kind}_{id_}"
    assert PAYLOAD.match(value) and len(value) <= 64
    return value


def link(bot_username: str, kind: str, id_: int) -> str:
    return f"https://t.me/{bot_username}?start={payload(kind, id_)}"


def parse(value: str) -> Target | None:
    match = PAYLOAD.match(value.strip())
    if not match:
        return None
    return Target(match.group(1), int(match.group(2)))


def opens(kind: str) -> Callable[[Opener], Opener]:
    def register(fn: Opener) -> Opener:
        OPENERS[kind] = fn
        return fn

    return register
