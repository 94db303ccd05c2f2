"""Every refusal core raises has words of its own, in every language (``bot.texts.errors``).

The raises are found by reading the sources (core, storage, and the bot's own amount
parsing): each call of a ``core.errors`` class with its code and the details it passes.
A code must be a literal, or a parameter typed as a ``Literal`` of codes (or of the fields
``core.text`` builds ``<field>.<kind>`` codes from), so that every code is known here.
Each is worded with its details filled (literals as written, a ``Literal`` parameter's
every value, other values from ``SAMPLES``, every listed variant) and must not fall back
to the generic refusal, warn, or leave a ``{placeholder}``.
"""

from __future__ import annotations

import ast
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import core.errors
from bot.i18n import ReaderMoney, languages, speaking
from bot.texts.errors import generic, refusal
from core.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("core", "storage", "bot")
CLASSES = {
    name
    for name, value in vars(core.errors).items()
    if isinstance(value, type) and issubclass(value, DomainError)
}

#: Values for details a raise computes, by name; every one is tried.
SAMPLES: dict[str, tuple[object, ...]] = {
    "account": ("available:7",),
    "amount": (150_050,),
    "available": (999, 0),
    "balance": (0,),
    "currency": ("USD", "XTR", "JPY"),
    "deliverable": ("Logo in SVG",),
    "digits": (0, 1, 2, 3),
    "escalates": (True, False),
    "gateway": ("paypal",),
    "held": (12_345,),
    "invoiced": ("EUR",),
    "key": ("ms:1:release",),
    "language": ("de",),
    "languages": (("en", "es", "ru"),),
    "length": (130,),
    "limit": (1, 20),
    "link": ("not a link",),
    "lookup": ("@nobody",),
    "maximum": (1, 120, 5_000_000),
    "minimum": (0, 1, 5_000),
    "missing": ("headline,skills",),
    "needed": (100,),
    "operation": ("BidService.place",),
    "paid": (100,),
    "rounds": (1, 2),
    "status": ("paid", "rejected", "resolved", "withdrawn"),
    "time_zone": ("Mars/Olympus",),
    "unknown": ("cobol,fortran",),
}


@dataclass(frozen=True)
class Raise:
    where: str
    code: str
    details: dict[str, tuple[object, ...]]


class _Walker(ast.NodeVisitor):
    def __init__(self, path: Path, tree: ast.Module) -> None:
        self.where = str(path.relative_to(ROOT))
        self.aliases = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.found: list[Raise] = []
        self.unknown: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def _literals(self, annotation: ast.expr | None) -> tuple[str, ...]:
        if isinstance(annotation, ast.Name) and annotation.id in self.aliases:
            return self._literals(self.aliases[annotation.id])
        if (
            isinstance(annotation, ast.Subscript)
            and isinstance(annotation.value, ast.Name)
            and annotation.value.id == "Literal"
        ):
            items = annotation.slice
            elements = items.elts if isinstance(items, ast.Tuple) else [items]
            return tuple(e.value for e in elements if isinstance(e, ast.Constant))
        return ()

    def _parameter(self, name: str) -> tuple[str, ...]:
        for function in reversed(self.functions):
            arguments = function.args
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if argument.arg == name:
                    return self._literals(argument.annotation)
        return ()

    def _codes(self, node: ast.expr) -> list[tuple[str, str | None, str | None]]:
        """(code, the parameter it came from, that parameter's value)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [(node.value, None, None)]
        if isinstance(node, ast.Name):
            return [(value, node.id, value) for value in self._parameter(node.id)]
        if (
            isinstance(node, ast.JoinedStr)
            and len(node.values) == 2
            and isinstance(node.values[0], ast.FormattedValue)
            and isinstance(node.values[0].value, ast.Name)
            and isinstance(node.values[1], ast.Constant)
        ):
            name = node.values[0].value.id
            suffix = str(node.values[1].value)
            return [(value + suffix, name, value) for value in self._parameter(name)]
        return []

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.id if isinstance(function, ast.Name) else None
        if name in CLASSES and node.args:
            codes = self._codes(node.args[0])
            if not codes:
                self.unknown.append(f"{self.where}:{node.lineno}: {ast.unparse(node.args[0])}")
            for code, parameter, value in codes:
                details: dict[str, tuple[object, ...]] = {}
                for keyword in node.keywords:
                    assert keyword.arg is not None, f"{self.where}:{node.lineno}: **details"
                    given = keyword.value
                    if isinstance(given, ast.Constant):
                        details[keyword.arg] = (given.value,)
                    elif isinstance(given, ast.Name) and given.id == parameter:
                        details[keyword.arg] = (value,)
                    elif isinstance(given, ast.Name) and self._parameter(given.id):
                        details[keyword.arg] = self._parameter(given.id)
                    else:
                        details[keyword.arg] = SAMPLES.get(keyword.arg, ())
                self.found.append(Raise(f"{self.where}:{node.lineno}", code, details))
        self.generic_visit(node)


def _walk() -> tuple[list[Raise], list[str]]:
    found: list[Raise] = []
    unknown: list[str] = []
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            walker = _Walker(path, tree)
            walker.visit(tree)
            found += walker.found
            unknown += walker.unknown
    return found, unknown


RAISES, NOT_ENUMERABLE = _walk()


def _variants(details: dict[str, tuple[object, ...]]) -> Iterator[dict[str, object]]:
    names = sorted(details)
    for values in itertools.product(*(details[name] for name in names)):
        yield dict(zip(names, values, strict=True))


def test_every_code_is_known_in_advance() -> None:
    assert NOT_ENUMERABLE == []
    assert len({r.code for r in RAISES}) > 150  # the walk found the raises


def test_every_detail_a_raise_computes_has_a_sample() -> None:
    missing = {
        f"{r.where} {r.code}: {name}"
        for r in RAISES
        for name, values in r.details.items()
        if not values
    }
    assert missing == set()


@pytest.mark.parametrize("language", languages())
def test_every_refusal_has_its_own_words(language: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bidgram.errors")
    bad = []
    with speaking(language):
        fallback = generic()
        for found in RAISES:
            for details in _variants(found.details):
                for money in (ReaderMoney("USD", 2), ReaderMoney("XTR", 0)):
                    error = DomainError(found.code, "developer text", **details)
                    text = refusal(error, money)
                    if text == fallback or "{" in text or "}" in text or not text.strip():
                        bad.append(f"{found.where} {found.code} {details}: {text!r}")
    assert bad == []
    assert [r.getMessage() for r in caplog.records] == []


def test_amounts_are_the_readers() -> None:
    error = DomainError("payout.too_small", "x", minimum=150_050)
    with speaking("en"):
        assert refusal(error, ReaderMoney("USD", 2)) == "The smallest payout is 1,500.50 USD."
    with speaking("es"):
        assert "1500,50" in refusal(error, ReaderMoney("USD", 2)).replace(".", "")


def test_the_english_words_of_a_text_field() -> None:
    error = DomainError(
        "project.title.too_long", "x", field="project.title", maximum=100, length=130
    )
    with speaking("en"):
        text = refusal(error, ReaderMoney("USD", 2))
    assert text == "The title can be at most 100 characters (got 130)."


def test_an_unknown_code_gets_the_generic_refusal_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bidgram.errors")
    with speaking("en"):
        assert refusal(DomainError("nobody.knows", "x"), ReaderMoney("USD", 2)) == generic()
        assert refusal(DomainError("payout.too_small", "x"), ReaderMoney("USD", 2)) == (
            generic()
        )  # its amount is missing
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]
    assert "nobody.knows" in caplog.records[0].getMessage()
