"""What a fixer is, and the file it works on: `fix(site, diagnostic) -> Fix | None`.

A `FixSite` is one file parsed by libcst, with its nodes found by the lines findings name (a
`def` or `class` keyword's line, a statement's first line). A fixer builds the replacement node
and `site.fix(...)` turns the rewritten module into the smallest text edits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, TypeVar

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider

from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Fix, edits_between

if TYPE_CHECKING:
    from layerlint.project.project import Project

T = TypeVar("T", bound=cst.CSTNode)


class Fixer(Protocol):
    def __call__(self, site: FixSite, diagnostic: Diagnostic) -> Fix | None:
        """The fix of `diagnostic`, a finding in `site`'s file; None when there is no sure one."""


@dataclass
class FixSite:
    path: str  # root-relative, as findings name it
    text: str
    config: Config
    project: Callable[[], Project] = field(repr=False)  # built on first use: most fixers only read syntax

    @cached_property
    def _wrapper(self) -> MetadataWrapper:
        return MetadataWrapper(cst.parse_module(self.text), unsafe_skip_copy=True)

    @property
    def module(self) -> cst.Module:
        return self._wrapper.module

    @cached_property
    def _by_line(self) -> _LineMap:
        lines = _LineMap(self._wrapper.resolve(PositionProvider))
        self.module.visit(lines)
        return lines

    def function_at(self, line: int) -> cst.FunctionDef | None:
        """The function whose `def` keyword (the finding's line for functions) is on `line`."""
        return self._by_line.functions.get(line)

    def class_at(self, line: int) -> cst.ClassDef | None:
        return self._by_line.classes.get(line)

    def statement_at(self, line: int) -> cst.BaseSmallStatement | None:
        """The first simple statement (an assignment, say) that starts on `line`."""
        return self._by_line.statements.get(line)

    def fix(self, message: str, applicability: Applicability, old: cst.CSTNode, new: cst.CSTNode,
            imports: Iterable[tuple[str, str]] = (), unused: Iterable[tuple[str, str]] = ()) -> Fix | None:
        """The fix replacing `old` by `new`, adding `from module import name` for each of `imports`
        not there yet and dropping each of `unused` that nothing uses any more; None when nothing
        would change."""
        rewritten = self.module.deep_replace(old, new)
        assert isinstance(rewritten, cst.Module)
        rewritten = without_unused_imports(with_imports(rewritten, imports), unused)
        edits = edits_between(self.text, rewritten.code)
        return Fix(message, applicability, edits) if edits else None


def with_imports(module: cst.Module, imports: Iterable[tuple[str, str]]) -> cst.Module:
    return _codemod(module, AddImportsVisitor, AddImportsVisitor.add_needed_import, imports)


def without_unused_imports(module: cst.Module, imports: Iterable[tuple[str, str]]) -> cst.Module:
    """`module` without `from source import name` for each of `imports` no longer used (a fix
    that replaces the last use must not leave ruff's F401 behind)."""
    return _codemod(module, RemoveImportsVisitor, RemoveImportsVisitor.remove_unused_import, imports)


def _codemod(module: cst.Module, visitor: type[AddImportsVisitor] | type[RemoveImportsVisitor],
             register: Callable[[CodemodContext, str, str], None], imports: Iterable[tuple[str, str]]) -> cst.Module:
    """`module` through libcst's import codemod `visitor`, after `register`ing each import with it."""
    context = CodemodContext()
    for source, name in imports:
        register(context, source, name)
    if not context.scratch:
        return module
    return visitor(context).transform_module(module)


class _LineMap(cst.CSTVisitor):
    def __init__(self, positions: object) -> None:
        self.positions = positions
        self.functions: dict[int, cst.FunctionDef] = {}
        self.classes: dict[int, cst.ClassDef] = {}
        self.statements: dict[int, cst.BaseSmallStatement] = {}

    def _line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line  # type: ignore[index, no-any-return]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions[self._line(node)] = node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes[self._line(node)] = node

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        for statement in node.body:
            self.statements.setdefault(self._line(statement), statement)


def decorator_names(function: cst.FunctionDef | cst.ClassDef) -> set[str]:
    """The last part of each decorator's name: `overload`, `abstractmethod`, `get` (router.get(...))."""
    names: set[str] = set()
    for decorator in function.decorators:
        node = decorator.decorator
        node = node.func if isinstance(node, cst.Call) else node
        if isinstance(node, cst.Attribute):
            names.add(node.attr.value)
        elif isinstance(node, cst.Name):
            names.add(node.value)
    return names


@dataclass(frozen=True)
class BodyOutcome:
    yields: bool = False  # a generator
    returns_value: bool = False  # a `return` with a value other than `None`


def outcome_of(function: cst.FunctionDef) -> BodyOutcome:
    """What the function's own body does: nested functions, lambdas and classes return for themselves."""
    finder = _OutcomeFinder()
    function.body.visit(finder)
    return BodyOutcome(finder.yields, finder.returns_value)


class _OutcomeFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.yields = self.returns_value = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Yield(self, node: cst.Yield) -> bool:
        self.yields = True
        return False

    def visit_Return(self, node: cst.Return) -> bool:
        value = node.value
        if value is not None and not (isinstance(value, cst.Name) and value.value == "None"):
            self.returns_value = True
        return False


def append_argument(items: Sequence[T], item: T, opening: cst.BaseParenthesizableWhitespace) -> tuple[T, ...]:
    """`items` (call arguments, dict elements) with `item` at the end, in their layout: after a
    trailing comma (one per line) the new item gets one too; otherwise it follows `, `. `opening`
    is the whitespace after the bracket: the indent of a lone item."""
    if not items:
        return (item,)
    last = items[-1]
    comma = getattr(last, "comma", cst.MaybeSentinel.DEFAULT)
    if isinstance(comma, cst.Comma):  # `(\n    a=1,\n)`: the new item on a line of its own, with its comma
        closing = comma.whitespace_after
        indented = comma.with_changes(whitespace_after=_indent_of(items, opening))
        return (*items[:-1], last.with_changes(comma=indented), item.with_changes(
            comma=cst.Comma(whitespace_after=closing)))
    return (*items[:-1], last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            item)


def _indent_of(items: Sequence[object], opening: cst.BaseParenthesizableWhitespace
               ) -> cst.BaseParenthesizableWhitespace:
    """The whitespace between two items of the sequence (a newline and the indent), else the opening's."""
    for item in items[:-1]:
        comma = getattr(item, "comma", None)
        if isinstance(comma, cst.Comma):
            return comma.whitespace_after
    return opening
