"""Issue 16: every word a person reads comes from the zh/en catalogs.

* the catalogs hold every msgid the code can show, translated, placeholders intact;
* no error a person can read is written as a bare literal: ``raise NotFound("...")``,
  ``ValidationError(f"...")`` and ``flash("...")`` must go through ``msg``/``_``
  (a static scan of ``matcher`` and ``web``);
* at run time (tests/conftest.py) any msgid looked up but absent fails the whole run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from matcher.words import Msg, msg, render, word, words
from web import catalog_tools

ROOT = Path(__file__).resolve().parent.parent
BASE_ERRORS = {"DomainError", "ValidationFailed", "Refused", "NotFound", "Forbidden",
               "Conflict", "ValidationError"}
TRANSLATING_CALLS = {"msg", "word", "words", "_", "gettext", "lazy_gettext", "_l", "ngettext"}


def _python_files() -> list[Path]:
    files = [*ROOT.joinpath("matcher").rglob("*.py"), *ROOT.joinpath("web").rglob("*.py")]
    return [f for f in files if "__pycache__" not in f.parts]


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    names = set(BASE_ERRORS)
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                    if bases & names:
                        names.add(node.name)
                        changed = True
    return names


def _literal(node: ast.AST | None) -> bool:
    """A message written as text: a str constant, an f-string, or text glued to a value."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in {"format", "join"}:
        return _literal(node.func.value)
    return False


def _name(func: ast.AST) -> str:
    return getattr(func, "id", "") or getattr(func, "attr", "")


def test_catalogs_hold_every_word_of_the_code_translated():
    assert catalog_tools.problems() == []


def test_no_message_a_person_reads_is_a_bare_literal():
    trees = {p: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in _python_files()}
    errors = _error_classes(trees)
    bad: list[str] = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name in errors or name == "flash":
                first = node.args[0] if node.args else None
                if _literal(first):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(...)")
            if name in errors:  # fields={"x": ["text"]} written as literals
                for kw in node.keywords:
                    if kw.arg == "fields" and isinstance(kw.value, ast.Dict):
                        for value in kw.value.values:
                            items = value.elts if isinstance(value, ast.List) else [value]
                            if any(_literal(i) for i in items):
                                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} fields=")
    assert bad == [], "write these with msg(...) / _(...):\n" + "\n".join(bad)


def test_msg_is_its_english_text_and_keeps_its_parts():
    m = msg("No vacancy %(id)s.", id=7)
    assert m == "No vacancy 7." and isinstance(m, str)
    assert m.msgid == "No vacancy %(id)s." and m.params == {"id": 7}
    table = {"No vacancy %(id)s.": "没有职位 %(id)s。", "agency": "人力资源机构",
             "enterprise": "企业", "This needs the role %(role)s.": "需要%(role)s身份。"}
    assert render(m, table.get) == "没有职位 7。"
    nested = msg("This needs the role %(role)s.", role=words(["agency", "enterprise"], " / "))
    assert str(nested) == "This needs the role agency / enterprise."
    assert render(nested, table.get) == "需要人力资源机构 / 企业身份。"
    assert render(word("agency"), table.get) == "人力资源机构"


def test_a_broken_translation_falls_back_to_english_not_to_an_error():
    m = msg("Only %(n)s left.", n=3)
    assert render(m, lambda _s: "只剩 %(count)s") == "Only 3 left."


@pytest.mark.parametrize("text", ["", "x"])
def test_plain_strings_pass_through_the_lookup(text):
    assert render(text, lambda s: s.upper()) == text.upper()
    assert isinstance(Msg("a"), str)
