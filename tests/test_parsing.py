"""Parsing: newer grammar is lowered and analysed; only genuinely broken files fail."""

from __future__ import annotations

import ast

import pytest

from layerlint.project.reading.parsing import (
    ParsedModule,
    ParseFailure,
    decode_source,
    parse_source,
)

NEWER = {
    "pep758_except_without_parens": "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    "pep695_class": "class Repo[ModelT: Base, *Ts, **P](Protocol):\n    pass\n",
    "pep695_function": "def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "pep695_class_multiline_bases": "class Repo[T: Base](\n    Abstract[T]\n):\n    x = 1\n",
    "pep695_class_trailing_comma": "class Repo[T: Base](\n    Abstract[T],\n):\n    x = 1\n",
    "pep695_type_alias": "type Ids[T] = list[T]\n",
    "pep701_quotes": 'x = f"{d["key"]} {f"{f"{y}"}"}"\n',
    "pep701_backslash": 'x = f"{"\\n".join(lines)}"\n',
    "pep701_parenthesised_over_lines": 'x = (\n    f"{d["key"]} items"\n)\ny = 1\n',
    "pep701_field_over_lines": 'x = f"-{\n    fmt(d["key"])\n}"\ny = 1\n',
    "pep695_parameters_over_lines": "class Repo[\n    T: Base,  # why\n    ID,\n](Abstract[T]):\n    x = 1\n",
    "pep750_tstring": 'x = t"hello {name!r:>{width}} {{literal}}"\n',
    "pep750_tstring_over_lines": 'x = rt"""a\\d\n{\n    b["k"]\n}\nc"""\ny = 1\n',
}


@pytest.mark.parametrize("name", sorted(NEWER))
def test_newer_grammar_is_lowered_onto_the_same_lines(name: str) -> None:
    parsed = parse_source(NEWER[name])
    assert isinstance(parsed, ParsedModule) and parsed.lowered
    assert parsed.tree.body[-1].end_lineno == NEWER[name].count("\n")


def test_class_type_parameters_survive_as_generic_base() -> None:
    parsed = parse_source(NEWER["pep695_class"])
    assert isinstance(parsed, ParsedModule)
    assert ast.unparse(parsed.tree.body[0].bases[-1]) == "Generic[ModelT, Ts, P]"  # type: ignore[attr-defined]


def test_fstring_becomes_concatenation_with_the_same_parts() -> None:
    parsed = parse_source('def make() -> str:\n    return f"itm_{ULID()}" if x else f"{a["b"]}"\n')
    assert isinstance(parsed, ParsedModule)
    assert "'itm_' + str(ULID())" in ast.unparse(parsed.tree)


@pytest.mark.parametrize("source", [
    "def f(:\n    pass\n",
    "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n",
    "x = 1 +\n",
    "a\x00b = 1\n",
])
def test_broken_files_fail_with_a_location(source: str) -> None:
    failure = parse_source(source)
    assert isinstance(failure, ParseFailure)
    assert failure.line >= 1 and failure.column >= 1


def test_undecodable_bytes_fail_at_their_line() -> None:
    failure = decode_source(b"# ok\nname = 'caf\xe9'\n")
    assert isinstance(failure, ParseFailure) and failure.line == 2


def test_encoding_cookie_is_honoured() -> None:
    assert decode_source("# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1")) == (
        "# -*- coding: latin-1 -*-\nname = 'café'\n")


def test_fstring_inside_implicit_concatenation_keeps_lines() -> None:
    source = 'x = (\n    f"{a["k"]}"\n    "tail"\n)\ny = 1\n'
    parsed = parse_source(source)
    assert isinstance(parsed, ParsedModule) and parsed.lowered
    assert parsed.tree.body[1].lineno == 5
    assert "str(a['k']) + 'tail'" in ast.unparse(parsed.tree)


def test_tstring_becomes_a_template_call_with_its_parts() -> None:
    parsed = parse_source('greeting = t"hello {user.name!r:>{width}}"\n')
    assert isinstance(parsed, ParsedModule) and parsed.lowered
    assert ast.unparse(parsed.tree) == "greeting = string.templatelib.Template('hello ', user.name, width)"


def test_a_file_too_large_for_the_fallback_fails_with_the_first_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """libcst's parse time grows with the size; a large file ast rejects is not handed to it."""
    from layerlint.project.reading import parsing

    newer = "type Alias = list[int]\n"  # 3.12 grammar: ast on 3.11 rejects it, libcst accepts it
    padding = "x = 1\n" * 20
    assert isinstance(parse_source(newer + padding), ParsedModule)
    monkeypatch.setattr(parsing, "MAX_FALLBACK_CHARACTERS", len(newer + padding) - 1)
    tried: list[str] = []
    monkeypatch.setattr(parsing, "lower_newer_syntax", lambda source: tried.append(source))
    failure = parse_source(newer + padding)
    assert isinstance(failure, ParseFailure) and "too large to try newer grammar" in failure.message
    assert (failure.line, tried) == (1, [])

