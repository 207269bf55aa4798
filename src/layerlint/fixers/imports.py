"""`from module import name` added to a module the way libcst's `AddImportsVisitor` adds it.

The codemod builds two matcher-decorated visitors per call, introspecting every method of each:
about 30 ms of fixed cost, paid once per file that needs an import (800 files of a 100k-line
project: 25 s of `--format json`). The rules it follows are few, so they are written out here on
libcst's nodes; `tests/test_fix_imports.py` holds this module to the codemod's output.

The rules: only the module's leading import lines count (after a docstring or `__strict__`
flag); a name already imported there, or a star import of its module, is not added again; the
first `from module import ...` of a module gets the missing names in front of its own; the
other modules' imports go after the leading imports (`__future__` ones before them), and the
statement after gets a blank line before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement  # what a module's body holds


def with_from_imports(module: cst.Module, imports: Iterable[tuple[str, str]]) -> cst.Module:
    """`module` with `from source import name` for each of `imports` it does not have yet."""
    wanted: dict[str, set[str]] = {}
    for source, name in imports:
        wanted.setdefault(source, set()).add(name)
    body = list(module.body)
    start, end = _leading_imports(body)
    for statement in body[start:end]:
        _drop_imported(wanted, statement)
    if not wanted:
        return module
    for at in range(start, end):
        body[at] = _extended(body[at], wanted)
    if not wanted:
        return module.with_changes(body=body)
    config = module.config_for_parsing
    added = {source: cst.parse_statement(f"from {source} import {', '.join(sorted(names))}", config=config)
             for source, names in sorted(wanted.items())}
    future = [added.pop("__future__")] if "__future__" in added else []
    return module.with_changes(body=[*body[:start], *future, *body[start:end], *added.values(),
                                     *_blank_line_before(body[end:])])


HEAD_END = "pass"  # what stands for the statement after the leading imports, in a module's head


def import_head(module: cst.Module) -> cst.Module | None:
    """The module up to its leading imports, and the next statement's leading lines before a
    `pass`: all that adding an import reads or changes. None when nothing follows the imports
    (then the module is its own head)."""
    body = module.body
    _, end = _leading_imports(body)
    if end >= len(body):
        return None
    stand_in = cst.SimpleStatementLine(body=[cst.Pass()], leading_lines=body[end].leading_lines)
    return module.with_changes(body=(*body[:end], stand_in), footer=())


def _leading_imports(body: Sequence[Statement]) -> tuple[int, int]:
    """Where the module's leading import lines start (after a docstring or `__strict__` flag) and end."""
    start = 1 if _leading_marker(body) else 0
    return start, next((at for at in range(start, len(body)) if not _import_line(body[at])), len(body))


def _leading_marker(body: Sequence[Statement]) -> bool:
    """A docstring or a `__strict__ = ...` flag first: imports never go above it."""
    first = body[0] if body else None
    if not isinstance(first, cst.SimpleStatementLine) or len(first.body) != 1:
        return False
    small = first.body[0]
    if isinstance(small, cst.Expr):
        return isinstance(small.value, cst.SimpleString)
    return isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(
        small.targets[0].target, cst.Name) and small.targets[0].target.value == "__strict__"


def _import_line(statement: Statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and isinstance(
        statement.body[0], (cst.Import, cst.ImportFrom))


def _absolute_from(statement: Statement) -> tuple[cst.ImportFrom, str] | None:
    """The line's `from source import ...` and its source, when absolute (relative ones name no
    module without the package, which fixes do not know)."""
    small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
    if not isinstance(small, cst.ImportFrom) or small.relative or small.module is None:
        return None
    source = get_full_name_for_node(small.module)
    return (small, source) if source is not None else None


def _drop_imported(wanted: dict[str, set[str]], statement: Statement) -> None:
    found = _absolute_from(statement)
    if found is None or found[1] not in wanted:
        return
    node, source = found
    if isinstance(node.names, cst.ImportStar):
        del wanted[source]
        return
    wanted[source] -= {get_full_name_for_node(alias.name) for alias in node.names if alias.asname is None}
    if not wanted[source]:
        del wanted[source]


def _extended(statement: Statement, wanted: dict[str, set[str]]) -> Statement:
    """The first import from a wanted module, with the missing names in front of its own."""
    found = _absolute_from(statement)
    if found is None or found[1] not in wanted or isinstance(found[0].names, cst.ImportStar):
        return statement
    node, source = found
    names = [cst.ImportAlias(name=cst.Name(name)) for name in sorted(wanted.pop(source))]
    assert isinstance(statement, cst.SimpleStatementLine) and not isinstance(node.names, cst.ImportStar)
    return statement.with_changes(body=[node.with_changes(names=[*names, *node.names])])


def _blank_line_before(statements: Sequence[Statement]) -> Sequence[Statement]:
    """The statements after the imports, the first with a blank line above it (unless its first
    leading line is blank already)."""
    if not statements:
        return statements
    first, lines = statements[0], statements[0].leading_lines
    if lines and lines[0].comment is None:
        return statements
    return [first.with_changes(leading_lines=(cst.EmptyLine(), *lines)), *statements[1:]]
