"""Red flags in relayed text: what scams look like, and what ordinary talk looks like."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.redflags import EMAIL, FEE, FLAGS, LINK, PHONE, USERNAME, WALLET, red_flags


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Call me at +1 415 555 2671", PHONE),
        ("my number is 8 (916) 123-45-67", PHONE),
        ("whatsapp 4155552671 anytime", PHONE),
        ("+7 916 123 45 67", PHONE),
        ("+44 20 7946 0958", PHONE),
        ("write to john.doe@gmail.com instead", EMAIL),
        ("ping me @frank_dev on telegram", USERNAME),
        ("join t.me/cheapwork", LINK),
        ("see https://example.com/portfolio", LINK),
        ("http://198.51.100.7/pay", LINK),
        ("www.mysite.ru has my prices", LINK),
        ("details at mysite.com/contact", LINK),
        ("wa.me/14155552671", LINK),
        ("ETH 0x52908400098527886E0F7030069857D2E4169EE7", WALLET),
        ("btc bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq please", WALLET),
        ("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", WALLET),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", WALLET),
        ("TRC20: TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", WALLET),
        ("Please pay a small fee to receive your payment", FEE),
        ("There is an activation fee of $20", FEE),
        ("deposit $50 to unlock your earnings", FEE),
        ("Deposit to receive payment", FEE),
        ("Send 30 USDT to get paid faster", FEE),
        ("To withdraw you need to pay the release fee", FEE),
        ("pay me directly via PayPal and skip the fees", FEE),
        ("let's do it outside, pay in USDT", FEE),
        ("my USDT wallet is below", FEE),
        ("A refundable registration deposit is required", FEE),
    ],
)
def test_pushes_off_the_platform_and_pay_to_get_paid_are_flagged(text: str, flag: str) -> None:
    assert flag in red_flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "My price is $1,500 and I can deliver in 10 days",
        "Budget 1 500 000 RUB is fine",
        "150 000 000 is too much",
        "Total: 12 000 000",
        "I charge 1500.00 USD, or 1,500.00 with tax",
        "Deadline 2025-01-15, call on 15.01.2025 at 10:30-12:00",
        "Range 100-500 dollars, 2024-2025",
        "Version 3.11.4 of Python, ISO 9001, order #12345678",
        "The platform fee is 10%, that's fine",
        "the payment fee is shown before I release",
        "Please release the payment when you are happy",
        "Send the files and I'll pay the first milestone",
        "I'll send the draft to get your feedback",
        "I'm paying tax on this, so the price includes it",
        "I pay attention to detail",
        "Transfer learning with PyTorch",
        "I use Node.js and React, not a site builder",
        "Use the @ sign in the template",
        "Message me here in the bot whenever you like.",
    ],
)
def test_ordinary_talk_about_prices_dates_and_work_is_not_flagged(text: str) -> None:
    assert red_flags(text) == ()


def test_an_email_is_one_flag_not_a_link_and_a_username_too() -> None:
    assert red_flags("mail me: anna.designs@studio.io") == (EMAIL,)


def test_several_flags_come_in_one_order() -> None:
    text = (
        "Pay the activation fee to 0x52908400098527886E0F7030069857D2E4169EE7, "
        "or call +1 415 555 2671, t.me/x"
    )
    assert red_flags(text) == (PHONE, LINK, WALLET, FEE)


def test_empty_text_has_no_flags() -> None:
    assert red_flags("") == ()


@given(st.text(max_size=300))
def test_any_text_gives_known_flags_in_order(text: str) -> None:
    found = red_flags(text)
    assert set(found) <= set(FLAGS)
    assert list(found) == [f for f in FLAGS if f in found]
