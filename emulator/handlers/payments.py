"""Payment methods: invoices, pre-checkout answers and Stars refunds."""

from __future__ import annotations

import secrets

from aiogram.methods import (
    AnswerPreCheckoutQuery,
    CreateInvoiceLink,
    RefundStarPayment,
    SendInvoice,
)

from emulator.chats import JSON
from emulator.errors import bad_request
from emulator.handlers.messages import reject_business
from emulator.handlers.registry import handles
from emulator.keyboards import validate_reply_markup
from emulator.payments import InvoiceTerms, validate_invoice
from emulator.queries import QueryKind
from emulator.state import EmulatorState


def _terms(call: SendInvoice | CreateInvoiceLink) -> InvoiceTerms:
    start_parameter = call.start_parameter if isinstance(call, SendInvoice) else None
    return validate_invoice(
        title=call.title,
        description=call.description,
        payload=call.payload,
        currency=call.currency,
        prices=[(price.label, price.amount) for price in call.prices],
        provider_token=call.provider_token,
        start_parameter=start_parameter,
        has_tips=bool(call.max_tip_amount or call.suggested_tip_amounts),
    )


@handles(SendInvoice)
async def send_invoice(state: EmulatorState, call: SendInvoice) -> JSON:
    chat = state.target_chat(call.chat_id)
    terms = _terms(call)
    markup = validate_reply_markup(call.reply_markup, inline_only=True)
    if markup is not None:
        rows = markup.get("inline_keyboard") or [[]]
        if not rows[0] or not rows[0][0].get("pay"):
            raise bad_request("REPLY_MARKUP_BUY_EMPTY")
    reply_to = state.reply_target(
        chat, call.reply_parameters, call.reply_to_message_id, call.allow_sending_without_reply
    )
    message = state.bot_message(
        chat, {"invoice": terms.invoice_json()}, reply_markup=markup, reply_to=reply_to
    )
    state.payments.invoices[(chat.id, message.message_id)] = terms
    return message.payload


@handles(CreateInvoiceLink)
async def create_invoice_link(state: EmulatorState, call: CreateInvoiceLink) -> str:
    reject_business(call.business_connection_id)
    terms = _terms(call)
    link = f"https://t.me/$emu{secrets.token_urlsafe(12)}"
    state.payments.links[link] = terms
    return link


@handles(AnswerPreCheckoutQuery)
async def answer_pre_checkout_query(state: EmulatorState, call: AnswerPreCheckoutQuery) -> bool:
    if not call.ok and not (call.error_message or "").strip():
        raise bad_request("error_message must be non-empty if ok is False")
    answer = {"ok": call.ok, "error_message": call.error_message}
    state.queries.answer(call.pre_checkout_query_id, QueryKind.PRE_CHECKOUT, answer)
    return True


@handles(RefundStarPayment)
async def refund_star_payment(state: EmulatorState, call: RefundStarPayment) -> bool:
    if call.user_id not in state.profiles:
        raise bad_request("user not found")
    state.payments.refund(call.user_id, call.telegram_payment_charge_id)
    return True
