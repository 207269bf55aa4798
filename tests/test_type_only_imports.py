"""Which imports a module uses only as types (project/index/type_only.py), read from its facts."""

from __future__ import annotations

import ast
import textwrap

from layerlint.project.index.symbols import SymbolIndex
from layerlint.project.index.type_only import definition_uses, used_only_as_type
from layerlint.project.reading.extract import extract
from layerlint.project.reading.facts import ModuleFacts

DEFINITIONS = """
from typing import Annotated, TypeAlias

from fastapi import Depends

Row = tuple[str, int]
Totals: TypeAlias = dict[str, int]
Either = int | str
LIMIT = 10


class Repository:
    pass


def find_rows() -> list[Row]:
    return []


Guarded = Annotated[int, Depends(find_rows)]
"""


IMPORTS = "from app.repository import Row, Totals, Either, LIMIT, Repository, find_rows, Guarded\n"


def _facts(module: str, source: str) -> ModuleFacts:
    return extract(ModuleFacts(module, f"{module}.py", False), ast.parse(source), source)


def _type_only(body: str) -> set[str]:
    """The names `app.helper` (IMPORTS, then `body`) imports only as types from `app.repository`."""
    helper = _facts("app.helper", IMPORTS + textwrap.dedent(body))
    index = SymbolIndex({"app.repository": _facts("app.repository", DEFINITIONS), "app.helper": helper})
    uses = definition_uses(helper).owners.values()  # by definition, as the dependency graph asks
    return {item.bound for item in helper.imports
            if item.target == "app.repository" and used_only_as_type(index, "app.helper", item, uses)}


def test_annotations_and_type_checking_imports_are_types() -> None:
    assert _type_only("""
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from app.repository import Repository as Checked
        def f(a: Repository, b: "Row | None", c: "Checked") -> list[Totals]:
            local: Either = 1
            return []
        class Holder:
            rows: "list[LIMIT]"
    """) == {"Repository", "Row", "Totals", "Either", "LIMIT", "Checked"}


def test_calls_instances_and_run_time_annotation_parts_are_not() -> None:
    assert _type_only("""
        from typing import Annotated
        from fastapi import Depends
        def f(a: Annotated[Totals, Depends(find_rows)], b: Repository = Depends(), c: Row = 1) -> Guarded:
            return None
    """) == {"Row"}


def test_aliases_go_where_a_type_goes_at_run_time_and_classes_do_not() -> None:
    assert _type_only("""
        from typing import cast
        Grouped = dict[str, Row]
        Maybe = Either | None
        def f(raw: object) -> Totals:
            cast(Repository, raw)
            return cast("Totals", raw)
    """) == {"Row", "Either", "Totals"}
    assert _type_only("ROWS = {}\nROWS[LIMIT]\nRow()\n") == set()


def test_unused_and_exported_imports_keep_their_reach() -> None:
    assert _type_only('__all__ = ["Row"]\ndef f(a: Row, b: Totals) -> None: ...\n') == {"Totals"}


def test_literal_strings_and_ellipses_are_values() -> None:
    assert _type_only("""
        from typing import Literal
        def f(a: Literal["Repository"], b: "tuple[int, ...]", c: "'...'") -> Literal["Row"]:
            return "Row"
    """) == set()


def test_a_module_too_deep_to_read_keeps_every_import() -> None:
    deep = "(" * 40 + "1" + ")" * 40
    nested = "[" * 40 + "]" * 40
    assert _type_only(f"def f(a: Row) -> None:\n    x = {nested}\n    y = {deep}\n") == set()
