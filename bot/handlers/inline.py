"""Inline mode: "@bot logo design" in any chat lists matching open projects to share.

Each result is a short project card with a URL button (a ``p`` deep link) that opens
the project in the bot: callback buttons would not work in chats the bot is not in.
An empty query lists the newest projects; ``p_<id>`` (what the Share button types)
finds one project.
"""

from __future__ import annotations

import re

from aiogram.enums import ParseMode
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
)

from bot import deeplinks
from bot.render import clip
from bot.routers import Area
from bot.settings import BotSettings
from bot.texts import projects as texts
from bot.texts import skills as skill_names
from core.errors import DomainError
from core.marketplace import Marketplace
from core.services.projects import ProjectListing

router = Area("handlers.inline")

PAGE = 20
_ONE = re.compile(r"^p_?(\d{1,18})$", re.IGNORECASE)


def _article(
    view: ProjectListing, settings: BotSettings, bot_username: str
) -> InlineQueryResultArticle:
    p = view.project
    open_it = InlineKeyboardButton(
        text=texts.open_in_bot(), url=deeplinks.link(bot_username, "p", p.id)
    )
    skills = ", ".join(skill_names.skill(s) for s in view.skills)
    return InlineQueryResultArticle(
        id=f"p{p.id}",
        title=clip(p.title, 100),
        description=clip(
            f"{texts.budget(p.budget_min, p.budget_max, settings.money)} · {skills}", 200
        ),
        input_message_content=InputTextMessageContent(
            message_text=texts.short_card(view, settings.money), parse_mode=ParseMode.HTML
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[open_it]]),
    )


@router.inline_query()
async def share_projects(
    query: InlineQuery, market: Marketplace, settings: BotSettings, bot_username: str
) -> None:
    words = query.query.strip()
    one = _ONE.match(words)
    next_offset = ""
    # An inline query must always be answered: a refusal (a draft, a mangled offset)
    # simply finds nothing.
    try:
        if one:
            view = await market.projects.view(int(one.group(1)))
            views: list[ProjectListing] = [view] if view.taking_bids else []
        else:
            page = await market.projects.search(words, cursor=query.offset or None, limit=PAGE)
            views = await market.projects.listings(page.items)
            next_offset = page.next_cursor or ""
    except DomainError:
        views = []
    results: list[InlineQueryResultUnion] = [_article(v, settings, bot_username) for v in views]
    await query.answer(results, cache_time=10, is_personal=False, next_offset=next_offset)
