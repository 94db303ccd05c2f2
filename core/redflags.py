"""Red flags in relayed text: pushes off the platform, and pay-to-get-paid scams.

The relay still delivers a flagged message (people legitimately share a portfolio link);
the recipient gets a safety note once per conversation and the message is flagged in the
record admins read. So a miss costs a note, and a false alarm costs a note too: the
patterns aim at what scams look like, and leave prices, dates, times and amounts alone.

All patterns live here. ``red_flags`` is pure: text in, flags out.
"""

from __future__ import annotations

import re
import unicodedata

PHONE = "phone"
EMAIL = "email"
USERNAME = "username"
LINK = "link"
WALLET = "wallet"
FEE = "fee"  # pay a fee or deposit to get paid, or pay outside escrow

FLAGS = (PHONE, EMAIL, USERNAME, LINK, WALLET, FEE)

_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Telegram usernames: 5-32 characters, a letter first; not the middle of an e-mail.
_USERNAME = re.compile(r"(?<![\w@.])@[A-Za-z][A-Za-z0-9_]{4,31}\b")
_TLDS = (
    "com|net|org|io|me|ru|su|ua|by|kz|info|biz|co|app|dev|xyz|link|site|online|shop|top|"
    "store|pro|cc|to|ly|gg|us|uk|de|fr|es|it|nl|pl|in|br|mx|ar|cn|jp|vip|club|live|page"
)
_LINK = re.compile(
    r"\b(?:https?://|www\.|tg://)\S+"
    r"|\b(?:t|telegram|wa)\.me/\S*"
    rf"|\b[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.(?:{_TLDS})\b(?:/\S*)?",
    re.IGNORECASE,
)
_WALLET = re.compile(
    r"\b0x[0-9a-fA-F]{40}\b"  # Ethereum and its kin
    r"|\bbc1[ac-hj-np-z02-9]{11,71}\b"  # Bitcoin bech32
    r"|\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b"  # Bitcoin base58
    r"|\bT[1-9A-HJ-NP-Za-km-z]{33}\b"  # TRON
)
# A run of digits with phone separators (never '.', ',' or ':' so that prices, decimals
# and times stay out), checked further in _is_phone.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s()-]{6,}\d(?![\w])")
_MONEY = r"(?:payment|money|funds|earnings|salary|reward|balance)"
_FEE = re.compile(
    r"\bpay(?:ing)?\s+(?:(?:a|an|the|us|me|small|one-time|one time|refundable|first)\s+){0,3}"
    r"(?:fee|deposit|commission)\b"
    r"|\b(?:activation|registration|verification|unlock(?:ing)?|release|processing|clearance"
    r"|withdrawal|membership|onboarding|insurance|security)\s+(?:fee|deposit|charge)\b"
    r"|\b(?:deposit|send|pay|transfer)\b[\w\s$€£.,]{0,30}?\bto\s+(?:get\s+paid\b"
    rf"|(?:receive|unlock|release|withdraw|get)\s+(?:(?:your|the|my)\s+)?{_MONEY})"
    r"|\b(?:pay|send|transfer)\w*\s+(?:me\s+|us\s+|it\s+|the money\s+)?(?:directly|outside"
    r"|off[- ]?(?:platform|site|bidgram)|via\s+(?:paypal|western union|crypto|bitcoin|usdt"
    r"|wise|zelle|cash\s?app|bank transfer|card)|(?:in|with)\s+(?:usdt|btc|bitcoin|crypto"
    r"|ethereum|eth))\b"
    r"|\b(?:usdt|btc|bitcoin|crypto|ethereum|trc20|erc20)\s+(?:wallet|address)\b",
    re.IGNORECASE,
)


def _is_phone(candidate: str) -> bool:
    """10-15 digits (8-15 after a '+'), and not a number grouped in thousands."""
    digits = sum(ch.isdigit() for ch in candidate)
    plus = candidate.startswith("+")
    if not (8 if plus else 10) <= digits <= 15:
        return False
    groups = candidate.split()
    thousands = (
        len(groups) > 1
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 and g.isdigit() for g in groups[1:])
    )
    return plus or "(" in candidate or not thousands


def red_flags(text: str) -> tuple[str, ...]:
    """The red flags in ``text``, in the order of ``FLAGS`` (empty when it reads clean)."""
    if not text:
        return ()
    value = unicodedata.normalize("NFKC", text)
    found = set()
    emails = list(_EMAIL.finditer(value))
    if emails:
        found.add(EMAIL)
        for match in reversed(emails):  # an e-mail's domain is not a link of its own
            value = value[: match.start()] + " " + value[match.end() :]
    if _USERNAME.search(value):
        found.add(USERNAME)
    if _WALLET.search(value):
        found.add(WALLET)
    if _LINK.search(value):
        found.add(LINK)
    if any(_is_phone(m.group().strip()) for m in _PHONE.finditer(value)):
        found.add(PHONE)
    if _FEE.search(value):
        found.add(FEE)
    return tuple(flag for flag in FLAGS if flag in found)
