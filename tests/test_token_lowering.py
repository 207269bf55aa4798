"""The token-level lowering gives libcst's lowering of the constructs it knows, and leaves the rest to it."""

from __future__ import annotations

import ast

import pytest

from layerlint.project.reading import parsing
from layerlint.project.reading.lowering import lower
from layerlint.project.reading.token_lowering import lower_from_tokens

LOWERED_FROM_TOKENS = {
    "except_group": "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    "except_star_group": "try:\n    pass\nexcept* ValueError, KeyError:\n    pass\n",
    "except_group_trailing_comma": "try:\n    pass\nexcept A, B,:\n    pass\n",
    "except_group_of_expressions": "try:\n    pass\nexcept errors[0], (C, D), mod.E:  # why\n    pass\n",
    "except_groups_twice_and_plain": (
        "try:\n    pass\nexcept A, B:\n    pass\nexcept (C, D) as e:\n    pass\nexcept E:\n    pass\n"
        "try:\n    pass\nexcept F, G: pass\n"),
    "type_alias": "type Ids = list[int]\n",
    "type_alias_with_parameters": "type Pair[T: (int, str), *Ts] = tuple[T, T]\nx = 1\n",
    "type_alias_indented": "if True:\n    type Ids = list[int]\n",
    "generic_function": "def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "generic_async_method": "class A:\n    async def get[M: Base](self, model: type[M]) -> M:\n        ...\n",
    "all_together": "type X = int\ndef f[T](x: T) -> T:\n    try:\n        return x\n    except A, B:\n        raise\n",
}

LEFT_TO_LIBCST = {
    "generic_class": "class Repo[T: Base](Protocol):\n    pass\n",
    "parameters_over_lines": "def f[\n    T,\n](x: T) -> T:\n    return x\n",
    "pep701_quotes": 'x = f"{d["key"]}"\n',
    "except_group_with_as": "try:\n    pass\nexcept A, B as e:\n    pass\n",
}

PLAIN = "type = 5\nprint(type(x))\ntry:\n    pass\nexcept (A, B):\n    pass\ndef g(x=type): ...\n"


@pytest.mark.parametrize("name", sorted(LOWERED_FROM_TOKENS))
def test_tokens_give_libcsts_lowering(name: str) -> None:
    source = LOWERED_FROM_TOKENS[name]
    lowered = lower_from_tokens(source)
    assert lowered is not None
    assert lowered.count("\n") == source.count("\n")
    assert ast.dump(ast.parse(lowered)) == ast.dump(ast.parse(lower(source)))


@pytest.mark.parametrize("name", sorted(LEFT_TO_LIBCST))
def test_the_rest_is_left_to_libcst(name: str) -> None:
    lowered = lower_from_tokens(LEFT_TO_LIBCST[name])
    if lowered is not None:
        with pytest.raises(SyntaxError):
            ast.parse(lowered)


def test_older_grammar_is_not_touched() -> None:
    assert lower_from_tokens(PLAIN) is None


def test_parse_source_takes_the_token_path_first(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_libcst(source: str) -> str | None:
        raise AssertionError("libcst's lowering was called")

    monkeypatch.setattr(parsing, "lower_newer_syntax", no_libcst)
    parsed = parsing.parse_source(LOWERED_FROM_TOKENS["all_together"])
    assert isinstance(parsed, parsing.ParsedModule) and parsed.lowered


def test_what_tokens_cannot_lower_still_reaches_libcst() -> None:
    parsed = parsing.parse_source(LEFT_TO_LIBCST["generic_class"] + LOWERED_FROM_TOKENS["except_group"])
    assert isinstance(parsed, parsing.ParsedModule) and parsed.lowered
