"""Money as integer minor units: what people type, how it reads, whole amounts, the fee."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import ValidationFailed

_AMOUNT = re.compile(r"^\s*(\d{1,15})(?:[.,](\d+))?\s*$")
# Thousands separators as format() writes them: "1,234,567.89" (at most 15 digits).
_GROUPED = re.compile(r"^\s*([1-9]\d{0,2}(?:,\d{3}){1,4})(?:\.(\d+))?\s*$")


#: Telegram Stars: written "⭐ 1,200" everywhere, and only ever whole.
STARS = "XTR"
STAR = "⭐"


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int  # digits after the point: 2 for USD, 0 for XTR

    @property
    def unit(self) -> str:
        """What the currency is called in a sentence: "Stars" for XTR, else its code."""
        return "Stars" if self.code == STARS else self.code

    @property
    def examples(self) -> tuple[str, ...]:
        """Amounts as people may type them: ("150",), or ("150", "150.50") with decimals."""
        if self.exponent == 0:
            return ("150",)
        return ("150", f"150.{'5'.ljust(self.exponent, '0')}")

    @property
    def example(self) -> str:
        """The :attr:`examples` in a phrase: "150", or "150 or 150.50"."""
        return " or ".join(self.examples)

    def parse(self, text: str) -> int:
        """Parse "12", "12.5" or "12,50" into minor units; refuse anything else."""
        cleaned = text.replace(" ", "").replace("\u00a0", "").replace("\ufe0f", "")
        for symbol in ("$", "€", "£", STAR, self.code, self.code.lower()):
            cleaned = cleaned.replace(symbol, "")
        grouped = _GROUPED.match(cleaned)
        # "1,234" is a thousands separator unless the currency has 3+ decimals
        # (then it is ambiguous and read as a decimal comma, like "12,50").
        if grouped and (grouped.group(2) is not None or self.exponent < 3):
            whole, frac = grouped.group(1).replace(",", ""), grouped.group(2) or ""
        else:
            match = _AMOUNT.match(cleaned)
            if not match:
                raise ValidationFailed(
                    "money.format",
                    f"Send an amount in {self.unit}, like {self.example}.",
                    currency=self.code,
                    digits=self.exponent,
                )
            whole, frac = match.group(1), match.group(2) or ""
        if len(frac) > self.exponent:
            if self.exponent == 0:
                raise ValidationFailed(
                    "money.precision",
                    f"Amounts in {self.unit} are whole numbers: send one like 150, with "
                    "nothing after the point.",
                    currency=self.code,
                    digits=0,
                )
            raise ValidationFailed(
                "money.precision",
                f"Use at most {self.exponent} digits after the point.",
                currency=self.code,
                digits=self.exponent,
            )
        scale: int = 10**self.exponent
        return int(whole) * scale + int(frac.ljust(self.exponent, "0") or 0)

    def format(self, minor: int) -> str:
        """The one way an amount is written: "1,234.56 USD", or "⭐ 1,234" for Stars."""
        sign = "-" if minor < 0 else ""
        minor = abs(minor)
        if self.exponent == 0:
            number = f"{sign}{minor:,}"
        else:
            whole, frac = divmod(minor, 10**self.exponent)
            number = f"{sign}{whole:,}.{frac:0{self.exponent}d}"
        return f"{STAR} {number}" if self.code == STARS else f"{number} {self.code}"


#: The largest amount the books hold (a signed 64-bit column).
MAX_AMOUNT = 2**63 - 1


def whole_amount(value: object) -> int:
    """``value`` as an amount core may store: an ``int`` of minor units the books can hold.

    Every core entry point that takes an amount calls this before writing anything, so a
    float, a bool or a Decimal is refused here instead of being stored and breaking the
    ledger later. The floor (above zero, the minimum budget, the minimum payout...) is
    each caller's own rule, checked right after with its own message.
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(
            "money.not_whole",
            f"An amount must be a whole number of minor units (cents), not {value!r}.",
        )
    if not -MAX_AMOUNT <= value <= MAX_AMOUNT:
        raise ValidationFailed("money.out_of_range", "This amount is out of range.")
    return value


def fee_for(amount: int, fee_bps: int) -> int:
    """The platform's cut of ``amount``, rounded down so the freelancer never loses a cent."""
    return amount * fee_bps // 10_000


def release_fee(release: int, fee_bps: int, *, released: int, fee_taken: int) -> int:
    """The fee of releasing ``release`` from a milestone that has released ``released``
    (gross) and taken ``fee_taken`` so far.

    The fee is taken on the running total, ``fee_for(released + release) - fee_taken``:
    rounding down per release would let twenty 9-cent releases pay nothing, and how a
    payment is split must never change the fee. The result stays between this release's
    own share rounded down and rounded up, which the running total always does when the
    earlier releases were charged this way at this rate; a milestone charged per release
    before, or a changed rate, cannot load a catch-up onto one release.
    """
    share = release * fee_bps
    lowest, highest = share // 10_000, -(-share // 10_000)
    return min(max(fee_for(released + release, fee_bps) - fee_taken, lowest), highest)
