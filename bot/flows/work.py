"""The work wizards, registered through one router: delivering, answering a delivery
(changes, part release), reviewing, and requesting a payout."""

from __future__ import annotations

from aiogram import Router

from bot.flows import answer, deliver, payout, review

router = Router(name="work_flow")
router.include_router(deliver.router)
router.include_router(answer.router)
router.include_router(review.router)
router.include_router(payout.router)
