"""A strict Telegram Bot API emulator for end-to-end tests of real aiogram bots.

Start a :class:`BotAPIEmulator`, point an aiogram ``Bot`` at :attr:`BotAPIEmulator.base_url`,
and drive the conversation with :class:`SimulatedUser` objects from :meth:`BotAPIEmulator.user`.
Anything real Telegram would reject is rejected here too and recorded as a :class:`Violation`::

    async with running_emulator() as emu:
        bot = make_bot(emu)  # or Bot(token, session=AiohttpSession(api=TelegramAPIServer...))
        async with polling(dispatcher, bot, emu):
            alice = emu.user(first_name="Alice", username="alice")
            await alice.send_text("/start")
            welcome = await alice.wait_for_message("Welcome")
            await alice.click(welcome, "Post a project")
            await alice.wait_for_message(lambda m: "Describe" in m.text)
        emu.assert_clean()
"""

from __future__ import annotations

from emulator.chats import Button, ChatEvent, ChatMessage, EventKind
from emulator.errors import (
    ButtonNotFound,
    EmulatorError,
    EmulatorTimeout,
    PaymentDeclined,
    TelegramError,
    ViolationsFound,
)
from emulator.faults import FaultKind
from emulator.html import parse_html, render_html
from emulator.limits import RateLimits
from emulator.payments import Charge, InvoiceTerms, Refund
from emulator.people import CallbackAnswer, ForwardAttempt, InlineAnswer, SimulatedUser
from emulator.records import ApiCall, Violation, ViolationKind
from emulator.server import BotAPIEmulator
from emulator.testing import make_bot, polling, running_emulator
from emulator.text import FormattedText, parse_formatted, utf16_len
from emulator.webhook import SECRET_HEADER, WebhookAttempt

__all__ = [
    "SECRET_HEADER",
    "ApiCall",
    "BotAPIEmulator",
    "Button",
    "ButtonNotFound",
    "CallbackAnswer",
    "Charge",
    "ChatEvent",
    "ChatMessage",
    "EmulatorError",
    "EmulatorTimeout",
    "EventKind",
    "FaultKind",
    "FormattedText",
    "ForwardAttempt",
    "InlineAnswer",
    "InvoiceTerms",
    "PaymentDeclined",
    "RateLimits",
    "Refund",
    "SimulatedUser",
    "TelegramError",
    "Violation",
    "ViolationKind",
    "ViolationsFound",
    "WebhookAttempt",
    "make_bot",
    "parse_formatted",
    "parse_html",
    "polling",
    "render_html",
    "running_emulator",
    "utf16_len",
]
