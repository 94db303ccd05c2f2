"""The framework's ceiling: a bare aiogram 3 bot that answers every text with itself.

    BOT_TOKEN=... TELEGRAM_API_URL=http://127.0.0.1:PORT python -m bench.echo

Run by the throughput benchmark next to bidgram, on the same emulator, with the same
transport and process count, and with the same logging as ``bidgram run`` (aiogram logs
one INFO line per handled update), so the ratio between the two is the cost of
bidgram itself: its middlewares, database work, rendering and alerts.
"""

from __future__ import annotations

import asyncio
import logging
import os

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

router = Router(name="echo")


@router.message(F.text)
async def echo(message: Message) -> None:
    await message.answer(message.text or "")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    dp = Dispatcher()
    dp.include_router(router)
    await bot.delete_webhook(drop_pending_updates=False)
    await dp.start_polling(bot, handle_signals=True, close_bot_session=True)


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(main())
