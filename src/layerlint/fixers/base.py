"""What a fixer is, and the file it works on: `fix(site, diagnostic) -> Fix | None`.

A `FixSite` is one file parsed by libcst, with its nodes found by the lines findings name (a
`def` or `class` keyword's line, a statement's first line). A fixer builds the replacement node
and `site.fix(...)` turns the rewritten module into the smallest text edits; it prints only the
top-level statement the node is in (and the module once per set of imports to add), so a file
with many findings is not printed once per finding.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, TypeVar

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider

from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Edit, Fix, LineIndex, edits_between
from layerlint.core.records import field, record
from layerlint.fixers.imports import HEAD_END, import_head, with_from_imports

if TYPE_CHECKING:
    from layerlint.project.project import Project

T = TypeVar("T", bound=cst.CSTNode)


class Fixer(Protocol):
    def __call__(self, site: FixSite, diagnostic: Diagnostic) -> Fix | None:
        """The fix of `diagnostic`, a finding in `site`'s file; None when there is no sure one."""


@record
class FixSite:
    path: str  # root-relative, as findings name it
    text: str
    config: Config
    project: Callable[[], Project] = field(repr=False)  # built on first use: most fixers only read syntax
    _imports: dict[frozenset[tuple[str, str]], tuple[Edit, ...]] = field(default_factory=dict, repr=False)

    @cached_property
    def _wrapper(self) -> MetadataWrapper:
        return MetadataWrapper(cst.parse_module(self.text), unsafe_skip_copy=True)

    @property
    def module(self) -> cst.Module:
        return self._wrapper.module

    @cached_property
    def _by_line(self) -> _LineMap:
        """The nodes by line. The lines come from Python's own parser where it reads the file
        (libcst's positions print the whole module to count them: most of a fix's time), matched
        to libcst's nodes in source order; from libcst's positions where it does not, or where the
        two disagree on how many nodes there are."""
        found = _NodesInOrder.of(self.module)
        nodes = (found.functions, found.classes, found.statements)
        lines = _ast_lines(self.text)
        if lines is None or [len(kind) for kind in lines] != [len(kind) for kind in nodes]:
            positions = self._wrapper.resolve(PositionProvider)
            lines = tuple([positions[node].start.line for node in kind] for kind in nodes)
        functions, classes, statements = lines
        return _LineMap(dict(zip(functions, found.functions)), dict(zip(classes, found.classes)),
                        _first_each((line, statement) for line, statement in zip(statements, found.statements)
                                    if id(statement) in found.on_own_line), found.top, found.parents)

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
        imports, unused = tuple(imports), tuple(unused)
        edits = None if unused else self._edits_in_definition(old, new, imports)
        if edits is None and not unused:
            edits = self._edits_in_statement(old, new, imports)
        if edits is None:
            edits = self.edits_in_module(old, new, imports, unused)
        return Fix(message, applicability, edits) if edits else None

    def edits_in_module(self, old: cst.CSTNode, new: cst.CSTNode, imports: Sequence[tuple[str, str]] = (),
                        unused: Sequence[tuple[str, str]] = ()) -> tuple[Edit, ...]:
        """The edits of the fix, by rewriting and printing the whole module: sure, and slow (a
        file with a hundred findings was printed a hundred times)."""
        rewritten = self.module.deep_replace(old, new)
        assert isinstance(rewritten, cst.Module)
        rewritten = without_unused_imports(with_imports(rewritten, imports), unused)
        return edits_between(self.text, rewritten.code)

    def _edits_in_statement(self, old: cst.CSTNode, new: cst.CSTNode,
                            imports: Sequence[tuple[str, str]]) -> tuple[Edit, ...] | None:
        """The same edits as `edits_in_module`, printing only the top-level statement that holds
        `old` (and the module once per set of imports); None when that cannot be sure: the
        statement's text is not where the file has it, or the imports' edits touch it."""
        found = self._top_level_statement(old)
        if found is None:
            return None
        before, start = found
        if not self.text.startswith(before, start) or (start and self.text[start - 1] not in "\r\n"):
            return None
        replaced = self._replaced(old, new)
        line = self._lines.position(start)[0]
        edits = tuple(replace(edit, line=edit.line + line - 1, end_line=edit.end_line + line - 1)
                      for edit in edits_between(before, self.module.code_for_node(replaced)))
        return self._with_import_edits(edits, imports)

    def _edits_in_definition(self, old: cst.CSTNode, new: cst.CSTNode,
                             imports: Sequence[tuple[str, str]]) -> tuple[Edit, ...] | None:
        """The same edits, printing only `old` and `new`, a function or class below the top level
        (a method of a class of hundreds: the class printed per fix was most of `--format json`'s
        time on untyped projects, 40 of 42 s on mlrun's). Printed alone, the definition lacks the
        indentation of the block it is in: each printed line must be the file's line without a
        leading run of whitespace, and each new line gets the prefix of the line it replaces, or
        of the `def`/`class` line when it is added. None when the lines do not match so."""
        line = self._definition_lines.get(id(old)) if id(old) in self._by_line.parents else None
        if line is None or not isinstance(new, type(old)):
            return None
        printed = self.module.code_for_node(old).splitlines(keepends=True)
        keyword = next((number for number, text in enumerate(printed)
                        if text.lstrip().startswith(("def ", "async def ", "class "))), None)
        if keyword is None or line - keyword < 1:
            return None
        start = line - keyword - 1  # the 0-based file line printed first
        lines = self._file_lines[start:start + len(printed)]
        prefixes = [file_line[:len(file_line) - len(text)] for file_line, text in zip(lines, printed)]
        if len(lines) != len(printed) or any(not file_line.endswith(text) or prefix.strip()
                                             for file_line, text, prefix in zip(lines, printed, prefixes)):
            return None
        rebuilt = _reindented(printed, self.module.code_for_node(new).splitlines(keepends=True), prefixes,
                              prefixes[keyword])
        edits = tuple(replace(edit, line=edit.line + start, end_line=edit.end_line + start)
                      for edit in edits_between("".join(lines), rebuilt))
        return self._with_import_edits(edits, imports)

    def _with_import_edits(self, edits: tuple[Edit, ...], imports: Sequence[tuple[str, str]]
                           ) -> tuple[Edit, ...] | None:
        """`edits` with those adding `imports`; None when they touch the same text."""
        added = self._import_edits(imports)
        if any(mine.overlaps(theirs) for mine in edits for theirs in added):
            return None
        return tuple(sorted(edits + added))

    @cached_property
    def _definition_lines(self) -> dict[int, int]:
        """The `def` or `class` keyword's line of each function and class node, by the node's id."""
        found = {id(node): line for line, node in self._by_line.functions.items()}
        found.update((id(node), line) for line, node in self._by_line.classes.items())
        return found

    @cached_property
    def _file_lines(self) -> list[str]:
        return self.text.splitlines(keepends=True)

    def _top_level_statement(self, node: cst.CSTNode) -> tuple[str, int] | None:
        """The text of the module's statement that is or holds `node`, and its offset."""
        index = self._by_line.top.get(id(node))
        return self._statements[index] if index is not None else None

    def _replaced(self, old: cst.CSTNode, new: cst.CSTNode) -> cst.CSTNode:
        """The top-level statement holding `old`, with `old` replaced by `new`: rebuilt along the
        path from `old` up (`deep_replace` would visit the whole statement)."""
        parents = self._by_line.parents
        node, replacement = old, new
        while id(node) in parents:
            parent = parents[id(node)]
            replacement = _with_child(parent, node, replacement)
            node = parent
        return replacement

    @cached_property
    def _lines(self) -> LineIndex:
        return LineIndex(self.text)

    @cached_property
    def _statements(self) -> list[tuple[str, int]]:
        """Each top-level statement's text (its leading comments and blank lines included) and
        offset, as the module prints them: printed once, however many fixes a statement has (a
        class with a hundred methods missing `-> None`)."""
        offset = sum(len(self.module.code_for_node(line)) for line in self.module.header)
        found: list[tuple[str, int]] = []
        for statement in self.module.body:
            text = self.module.code_for_node(statement)
            found.append((text, offset))
            offset += len(text)
        return found

    def _import_edits(self, imports: Sequence[tuple[str, str]]) -> tuple[Edit, ...]:
        key = frozenset(imports)
        if key not in self._imports:
            self._imports[key] = self._edits_adding(imports) if imports else ()
        return self._imports[key]

    def _edits_adding(self, imports: Sequence[tuple[str, str]]) -> tuple[Edit, ...]:
        """The edits that add `imports`. Adding them changes only the module's leading imports and
        the blank line after them, so only its head is printed and compared, when the head's
        edits provably stay in the head (not the whole module, once per file)."""
        head = import_head(self.module)
        if head is not None:
            before = head.code
            end = len(before) - len(HEAD_END + head.default_newline)
            if self.text.startswith(before[:end]):
                edits = edits_between(before, with_imports(head, imports).code)
                if all((edit.end_line, edit.end_column) <= LineIndex(before).position(end) for edit in edits):
                    return edits
        return edits_between(self.text, with_imports(self.module, imports).code)


def _reindented(old: list[str], new: list[str], prefixes: list[str], added: str) -> str:
    """`new`'s lines with the indentation the file gives `old`'s: a line kept or replaced one for
    one keeps its prefix, an added line gets `added` (blank lines none)."""
    import difflib

    rebuilt: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        same_shape = tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1)
        for offset, text in enumerate(new[j1:j2]):
            prefix = prefixes[i1 + offset] if same_shape else added if text.strip() else ""
            rebuilt.append(prefix + text)
    return "".join(rebuilt)


def with_imports(module: cst.Module, imports: Iterable[tuple[str, str]]) -> cst.Module:
    """`module` with `from source import name` for each of `imports` not there yet, as libcst's
    `AddImportsVisitor` adds them (`fixers/imports.py`: without its fixed cost per call)."""
    return with_from_imports(module, imports)


def without_unused_imports(module: cst.Module, imports: Iterable[tuple[str, str]]) -> cst.Module:
    """`module` without `from source import name` for each of `imports` no longer used (a fix
    that replaces the last use must not leave ruff's F401 behind)."""
    return _codemod(module, RemoveImportsVisitor, RemoveImportsVisitor.remove_unused_import, imports)


def _codemod(module: cst.Module, visitor: type[RemoveImportsVisitor],
             register: Callable[[CodemodContext, str, str], None], imports: Iterable[tuple[str, str]]) -> cst.Module:
    """`module` through libcst's import codemod `visitor`, after `register`ing each import with it."""
    context = CodemodContext()
    for source, name in imports:
        register(context, source, name)
    if not context.scratch:
        return module
    return visitor(context).transform_module(module)


@record(frozen=True)
class _LineMap:
    functions: dict[int, cst.FunctionDef]
    classes: dict[int, cst.ClassDef]
    statements: dict[int, cst.BaseSmallStatement]
    top: dict[int, int]  # id of a node -> the index of the top-level statement that is or holds it
    parents: dict[int, cst.CSTNode]  # id of a node in a top-level statement -> the node holding it


def _first_each(pairs: Iterable[tuple[int, cst.BaseSmallStatement]]) -> dict[int, cst.BaseSmallStatement]:
    found: dict[int, cst.BaseSmallStatement] = {}
    for line, statement in pairs:
        found.setdefault(line, statement)
    return found


class _NodesInOrder(cst.CSTVisitor):
    """Functions, classes and simple statements in source order, and the top-level statement of every node."""

    def __init__(self) -> None:
        self.functions: list[cst.FunctionDef] = []
        self.classes: list[cst.ClassDef] = []
        self.statements: list[cst.BaseSmallStatement] = []
        self.top: dict[int, int] = {}
        self.on_own_line: set[int] = set()  # ids of the simple statements of a line, not of a `def f(): ...` suite
        self.parents: dict[int, cst.CSTNode] = {}
        self._current = 0
        self._path: list[cst.CSTNode] = []

    @classmethod
    def of(cls, module: cst.Module) -> _NodesInOrder:
        found = cls()
        for index, statement in enumerate(module.body):
            found._current = index
            statement.visit(found)
        return found

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.top[id(node)] = self._current
        if self._path:
            self.parents[id(node)] = self._path[-1]
        self._path.append(node)
        if isinstance(node, cst.FunctionDef):
            self.functions.append(node)
        elif isinstance(node, cst.ClassDef):
            self.classes.append(node)
        elif isinstance(node, cst.BaseSmallStatement):
            self.statements.append(node)
        elif isinstance(node, cst.SimpleStatementLine):
            self.on_own_line.update(map(id, node.body))
        # No statement is inside an expression: not descending into them is most of the walk saved
        # (a fixer's node inside one is found in its statement's text by the whole module's print).
        return not isinstance(node, cst.BaseExpression)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._path.pop()


def _with_child(parent: cst.CSTNode, child: cst.CSTNode, new: cst.CSTNode) -> cst.CSTNode:
    """`parent` with `child`, one of its fields or an item of one, replaced by `new`."""
    for name in (f.name for f in fields(parent)):
        value = getattr(parent, name)
        if value is child:
            return parent.with_changes(**{name: new})
        if isinstance(value, (tuple, list)) and any(item is child for item in value):
            return parent.with_changes(**{name: tuple(new if item is child else item for item in value)})
    raise LookupError(f"{type(child).__name__} is not a child of {type(parent).__name__}")


_SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Pass, ast.Return, ast.Raise, ast.Import,
           ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Assert, ast.Delete, ast.Break, ast.Continue,
           *((ast.TypeAlias,) if hasattr(ast, "TypeAlias") else ()))


_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)  # what holds statements (expressions never do)


def _ast_lines(text: str) -> tuple[list[int], ...] | None:
    """The `def` lines, `class` lines and simple statements' first lines, in source order; None
    when Python's parser does not read the text."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    functions: list[int] = []
    classes: list[int] = []
    statements: list[int] = []
    pending: list[ast.AST] = [tree]
    while pending:  # depth first, in source order: the order libcst visits in
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(node.lineno)
        elif isinstance(node, ast.ClassDef):
            classes.append(node.lineno)
        elif isinstance(node, _SIMPLE):
            statements.append(node.lineno)
        pending.extend(reversed([child for child in ast.iter_child_nodes(node) if isinstance(child, _BLOCKS)]))
    return functions, classes, statements


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


@record(frozen=True)
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
