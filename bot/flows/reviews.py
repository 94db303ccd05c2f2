"""Reviews after a contract ends (paid, refunded or decided by an admin): stars → text →
confirm. Double-blind: the other side's review shows only when core makes it visible
(both wrote, or the window closed). Each says how the contract ended.
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ContractCb, FlowCb
from bot.context import Ctx
from bot.keyboards import only_cancel
from bot.routers import Area
from bot.screens.contracts import end_now
from bot.texts import contracts as contract_texts
from bot.texts import reviews as texts
from bot.ui import TYPED, ask, choices, finish
from core import text
from core.views.contracts import ReviewsScreen

router = Area("flows.reviews")
RATINGS = {f"rv_{n}": n for n in range(1, 6)}


class ReviewForm(StatesGroup):
    rating = State()
    body = State()
    confirm = State()


def _stars_keyboard() -> InlineKeyboardMarkup:
    return choices(*((texts.star_button(n), f"rv_{n}") for n in range(1, 6)), columns=5)


def _status(screen: ReviewsScreen, *, published: bool = False) -> str:
    reviews = screen.reviews
    return texts.reviews_status(
        screen.header.other_name,
        reviews.mine,
        reviews.theirs,
        screen.closes_at,
        ending=reviews.ending,
        published=published,
    )


async def _ask_rating(chat_id: int, ctx: Ctx, screen: ReviewsScreen, header: str = "") -> None:
    """The first step of a review: the stars, under ``header`` (how the contract ended)."""
    other = screen.header.other_name
    await ask(
        ctx,
        chat_id,
        ReviewForm.rating,
        header + texts.review_rating_ask(other),
        _stars_keyboard(),
        contract_id=screen.header.contract.id,
        other=other,
    )


@router.callback_query(ContractCb.filter(F.action == "review"))
async def start(query: CallbackQuery, callback_data: ContractCb, ctx: Ctx) -> None:
    await ctx.state.clear()
    screen = await ctx.market.views.contracts.reviews(ctx.actor, callback_data.contract_id)
    if "write" not in screen.actions:
        reviews = screen.reviews
        reply = (
            _status(screen)
            if reviews.mine is not None or reviews.theirs is not None
            else texts.review_not_open()
        )
        await ctx.bot.send_message(query.from_user.id, reply)
        return
    await _ask_rating(query.from_user.id, ctx, screen)


@router.callback_query(ContractCb.filter(F.action == "end_review"))
async def end_and_review(query: CallbackQuery, callback_data: ContractCb, ctx: Ctx) -> None:
    """One tap once nothing is held or pending: the contract ends, and the stars follow."""
    await ctx.state.clear()
    screen, ended = await end_now(ctx.market, ctx.actor, callback_data.contract_id)
    ctx.callback_reply.text = "🏁"
    if "write" not in screen.actions:
        await ctx.bot.send_message(query.from_user.id, ended)
        return
    await _ask_rating(query.from_user.id, ctx, screen, ended + "\n\n")


async def _rated(chat_id: int, ctx: Ctx, rating: int) -> None:
    await ctx.state.update_data(rating=rating)
    await ask(ctx, chat_id, ReviewForm.body, texts.review_text_ask(rating, ctx.settings.review_max))


@router.callback_query(ReviewForm.rating, FlowCb.filter(F.action.in_(RATINGS)))
async def rating_button(query: CallbackQuery, callback_data: FlowCb, ctx: Ctx) -> None:
    await _rated(query.from_user.id, ctx, RATINGS[callback_data.action])


@router.message(ReviewForm.rating, TYPED)
async def rating_typed(message: Message, ctx: Ctx) -> None:
    raw = (message.text or "").strip()
    if raw in {"1", "2", "3", "4", "5"}:
        await _rated(message.chat.id, ctx, int(raw))
        return
    await message.answer(texts.review_rating_reask(), reply_markup=_stars_keyboard())


router.reminds(
    "rating_reask", ReviewForm.rating, text=texts.review_rating_reask, reply_markup=_stars_keyboard
)


@router.message(ReviewForm.body, TYPED)
async def body(message: Message, ctx: Ctx) -> None:
    value = text.bounded(message.text, "review.text", 1, ctx.settings.review_max)
    data = await ctx.state.update_data(body=value)
    await ctx.state.set_state(ReviewForm.confirm)
    await message.answer(
        texts.review_confirm(data["other"], data["rating"], value),
        reply_markup=choices((texts.send_review(), "rv_ok")),
    )


router.reminds(
    "body_reask", ReviewForm.body, text=texts.review_text_reask, reply_markup=only_cancel
)


@router.callback_query(ReviewForm.confirm, FlowCb.filter(F.action == "rv_ok"))
async def confirm(query: CallbackQuery, ctx: Ctx) -> None:
    data = await ctx.state.get_data()
    review = await ctx.market.reviews.write(
        ctx.actor, data["contract_id"], data["rating"], data["body"]
    )
    screen = await ctx.market.views.contracts.reviews(ctx.actor, review.contract_id)
    await finish(query, ctx, "⭐", _status(screen, published=True))


router.reminds(
    "confirm_reask",
    ReviewForm.confirm,
    text=contract_texts.confirm_reask,
    reply_markup=lambda: choices((texts.send_review(), "rv_ok")),
)
