"""Nothing bidgram says escapes the catalogues: a guard over the sources of ``bot/``.

``tests/bot/test_catalogues.py`` checks what is marked with ``_``; this checks that what
people read is marked, and marked so that it can work:

- no English sentence (or one-word label) reaches a person as a bare string literal;
- every ``_``/``__``/``phrase``/``counted`` call holds literal texts, which extraction
  can find;
- no ``_`` runs when a module is imported, nor is a ``phrase`` or ``counted`` called
  then, which would word it once, in English, for everyone (module-level texts are
  functions, phrases worded when called, or ``__`` read later).

The end-to-end journeys in each language (``tests/e2e/test_languages.py``) check the same
from the other side: what a Russian or Spanish reader receives.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

#: Modules that never speak to a person: start-up, logs, metrics, transport, settings.
SILENT = {
    "cli.py",
    "settings.py",
    "metrics.py",
    "logs.py",
    "webhook.py",
    "polling.py",
    "lean.py",
    "locks.py",
    "ratelimit.py",
    "session.py",
    "fsm.py",
    "failures.py",
    "updates.py",
    "replies.py",
    "delivery.py",
    "notifier.py",
    "scheduler.py",
    "callbacks.py",
    "deeplinks.py",
    "routers.py",
    "i18n.py",
}

#: Calls whose string arguments nobody reads in a chat: logs, programmer errors, refusals
#: (their message is for logs; people read the code worded by bot.texts.errors), the
#: date patterns ``written`` takes (English strftime, CLDR), the markers themselves.
QUIET_CALLS = {
    "_",
    "__",
    "phrase",
    "counted",
    "debug",
    "info",
    "warning",
    "error",
    "exception",
    "getLogger",
    "written",
    "Area",
    "TypeVar",
    "RuntimeError",
    "ValueError",
    "TypeError",
    "KeyError",
    "AssertionError",
    "NotImplementedError",
    "ConfigurationError",
    "DomainError",
    "NotAllowed",
    "NotFound",
    "InvalidState",
    "ValidationFailed",
    "Conflict",
    "LimitReached",
    "InsufficientFunds",
}

#: How a text is marked for translation (``bot.i18n``): its literals are what pybabel extracts.
MARKS = {"_", "__", "phrase", "counted"}

#: What makes a text worded when it is called (``bot.i18n.Phrase``, ``Counted``, and
#: ``bot.texts.titled`` and ``labels``, which wrap phrases).
LATER = {"phrase", "counted", "titled", "labels"}

#: Literals that are read but are nobody's English: each language's own name.
NOT_ENGLISH = {"English"}

#: Two words, or one capitalised word alone (a button label like "Skip").
PROSE = re.compile(r"[A-Za-z]{2,}[,.'’:;!?)-]*\s+[(]?[A-Za-z]{2,}|^\W*[A-Z][a-z]+\W*$")


def _sources(*, everything: bool = False) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(BOT.rglob("*.py")):
        if not everything and path.parent == BOT and path.name in SILENT:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def _is_docstring(node: ast.AST, parent: ast.AST | None) -> bool:
    return isinstance(parent, ast.Expr)


def _in_quiet_call_or_comparison(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    here: ast.AST | None = parents.get(node)
    while here is not None:
        if isinstance(here, ast.Call) and _name(here) in QUIET_CALLS:
            return True
        if isinstance(here, ast.Compare):  # matching Telegram's own error text
            return True
        here = parents.get(here)
    return False


def test_no_english_sentence_reaches_a_person_unmarked() -> None:
    found = []
    for path, tree in _sources():
        parents = _parents(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value
            if not PROSE.search(text) or text in NOT_ENGLISH:
                continue
            if _is_docstring(node, parents.get(node)):
                continue
            if _in_quiet_call_or_comparison(node, parents):
                continue
            found.append(f"{_where(path, node)}: {text[:60]!r}")
    assert found == [], "mark these with _() or phrase() (see bot/i18n.py):\n" + "\n".join(found)


def test_every_marked_text_is_a_literal_extraction_can_find() -> None:
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node) in MARKS):
                continue
            if isinstance(node.func, ast.Attribute):
                continue  # a method named _ of something else
            texts = node.args[:2]
            if not texts or not all(
                isinstance(t, ast.Constant) and isinstance(t.value, str) for t in texts
            ):
                found.append(f"{_where(path, node)}: {ast.unparse(node)[:60]}")
    assert found == [], "a text pybabel cannot extract:\n" + "\n".join(found)


def _phrases() -> set[str]:
    """The names a module binds to a text worded when called (:data:`LATER`)."""
    return {
        target.id
        for _path, tree in _sources()
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and _name(node.value) in LATER
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _words(call: ast.Call, phrases: set[str]) -> bool:
    """``call`` words a text: ``_(...)``, ``phrase(...)()`` or a phrase's name called."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "_" or func.id in phrases
    if isinstance(func, ast.Attribute):
        return func.attr in phrases
    return isinstance(func, ast.Call) and _name(func) in LATER


def test_nothing_is_worded_when_a_module_is_imported() -> None:
    """A text worded at import is English for everyone, whoever reads it later."""
    found = []
    phrases = _phrases()
    for path, tree in _sources():
        parents = _parents(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _words(node, phrases)):
                continue
            here: ast.AST | None = parents.get(node)
            inside_a_function = False
            while here is not None:
                if isinstance(here, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                    # a default value is worded when the function is defined
                    defaults = here.args.defaults + [d for d in here.args.kw_defaults if d]
                    if not any(node in ast.walk(d) for d in defaults):
                        inside_a_function = True
                    break
                here = parents.get(here)
            if not inside_a_function:
                found.append(f"{_where(path, node)}: {ast.unparse(node)[:60]}")
    assert found == [], (
        "worded at import (make it a function or a phrase, or use __):\n" + "\n".join(found)
    )


def test_every_marked_text_is_in_the_template() -> None:
    """However a call is laid out (ruff adds a trailing comma to a call it splits, which
    Babel counts as an argument), extraction finds it."""
    with (BOT / "locales" / "bidgram.pot").open("rb") as source:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    marked = set()
    for _path, tree in _sources(everything=True):
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            first = node.args[0] if node.args else None
            marked_text = node.func.id in MARKS and isinstance(first, ast.Constant)
            if marked_text and isinstance(first, ast.Constant) and isinstance(first.value, str):
                marked.add(first.value)
    assert marked - template == set()
