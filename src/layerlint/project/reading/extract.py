"""One walk over a module's tree produces its ModuleFacts."""

from __future__ import annotations

import ast
import re

from layerlint.core.noqa import noqa_codes
from layerlint.project.reading.expr import Expr, Unknown, from_ast
from layerlint.project.reading.facts import (
    ClassFact,
    Event,
    FieldFact,
    FunctionFact,
    ImportFact,
    ModuleFacts,
    ParamFact,
    Span,
    mentioned,
)

_DEF_NAME = re.compile(r"(?:async\s+)?(?:def|class)\s+(\w+)")
_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_new_span = tuple.__new__  # a span per statement, call and name: without the named tuple's Python __new__


class _Positions:
    """ast columns are UTF-8 byte offsets; diagnostics count characters."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines()
        self.ascii = source.isascii()

    def column(self, line: int, byte_offset: int) -> int:
        if self.ascii or line < 1 or line > len(self.lines):
            return byte_offset + 1
        text = self.lines[line - 1]
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        start = self.column(line, getattr(node, "col_offset", 0))
        end = self.column(end_line, end_col) if end_col is not None else start
        return _new_span(Span, (line, start, end_line, end))

    def name_span(self, node: ast.stmt) -> Span:
        """From the `def`/`class` keyword to the end of the name: where users look."""
        line, column, _, _ = self.span(node)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        match = _DEF_NAME.match(text, column - 1)
        end = match.end(1) + 1 if match else column
        return _new_span(Span, (line, column, line, end))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, target] if target else base)


class _Extractor:
    def __init__(self, facts: ModuleFacts, positions: _Positions) -> None:
        self.facts = facts
        self.pos = positions
        self.type_checking = False
        # Modules named below `src/` (the src layout) while the code imports `from src.app...`,
        # as it runs from the directory above (`src/__init__.py` often makes that work too).
        self.src_named = facts.path.split("/", 1)[0] == "src" and facts.module.split(".", 1)[0] != "src"

    def _named(self, target: str) -> str:
        """An import's target as the project's modules are named: `src.app.db` is `app.db`
        when modules are named below `src/` (see `src_named`)."""
        return target[len("src."):] if self.src_named and target.startswith("src.") else target

    def expr(self, node: ast.expr | None) -> Expr | None:
        return from_ast(node, self.pos.span)

    # ------------------------------------------------------------------ statements

    def body(self, statements: list[ast.stmt], scope: _Scope) -> None:
        for statement in statements:
            self.statement(statement, scope)

    def statement(self, node: ast.stmt, scope: _Scope) -> None:  # noqa: C901 - dispatch
        if scope.loop == 0:
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                scope.exits = _LoopExits().of(node)
            scope.current_exits = 0
        else:
            scope.current_exits = scope.exits.get(id(node), 0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self.imports(node, scope)
        elif isinstance(node, _FunctionNode):
            self.function(node, scope)
        elif isinstance(node, ast.ClassDef):
            self.klass(node, scope)
        elif isinstance(node, ast.If):
            self.event(scope, "test", node.test, node)
            was = self.type_checking
            self.type_checking = was or _is_type_checking(node.test)
            self.body(node.body, scope)
            self.type_checking = was
            self.body(node.orelse, scope)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            if isinstance(node, ast.While):
                self.event(scope, "test", node.test, node)
            else:
                scope.add(Event("for", self.pos.span(node), scope.loop, self.expr(node.target), self.expr(node.iter)))
            scope.loop += 1
            self.body(node.body, scope)
            scope.loop -= 1
            self.body(node.orelse, scope)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                scope.add(Event("with", self.pos.span(item.context_expr), scope.loop,
                                self.expr(item.optional_vars), self.expr(item.context_expr)))
            self.body(node.body, scope)
        elif isinstance(node, (ast.Try, ast.TryStar)):
            self.body(node.body, scope)
            for handler in node.handlers:
                scope.current_exits = scope.exits.get(id(handler), 0)
                self.event(scope, "test", handler.type, handler)
                self.body(handler.body, scope)
            self.body(node.orelse, scope)
            self.body(node.finalbody, scope)
        elif isinstance(node, ast.Match):
            self.event(scope, "test", node.subject, node)
            for case in node.cases:
                self.body(case.body, scope)
        else:
            self.simple(node, scope)

    def simple(self, node: ast.stmt, scope: _Scope) -> None:
        span = self.pos.span(node)
        if isinstance(node, ast.Assign):
            for target in node.targets:
                scope.add(Event("assign", span, scope.loop, self.expr(target), self.expr(node.value)))
                scope.field(target, None, node.value, span, self)
        elif isinstance(node, ast.AnnAssign):
            scope.add(Event("annassign", span, scope.loop, self.expr(node.target), self.expr(node.value),
                            self.expr(node.annotation)))
            scope.field(node.target, node.annotation, node.value, span, self)
        elif isinstance(node, ast.AugAssign):
            scope.add(Event("augassign", span, scope.loop, self.expr(node.target), self.expr(node.value)))
        elif isinstance(node, ast.Return):
            scope.add(Event("return", span, scope.loop, None, self.expr(node.value)))
        elif isinstance(node, ast.Raise):
            scope.add(Event("raise", span, scope.loop, None, self.expr(node.exc)))
        elif isinstance(node, ast.Expr):
            scope.add(Event("expr", span, scope.loop, None, self.expr(node.value)))
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                scope.add(Event("delete", span, scope.loop, self.expr(target)))
        elif isinstance(node, ast.Assert):
            scope.add(Event("test", span, scope.loop, None, self.expr(node.test)))

    def event(self, scope: _Scope, kind: str, value: ast.expr | None, node: ast.AST) -> None:
        if value is not None:
            scope.add(Event(kind, self.pos.span(value if kind == "test" else node), scope.loop,
                            None, self.expr(value)))

    # ------------------------------------------------------------------ definitions

    def imports(self, node: ast.Import | ast.ImportFrom, scope: _Scope) -> None:
        span = self.pos.span(node)
        in_function = scope.function is not None
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                # `import src.app.db` binds `src`, which the code then spells out: kept as written.
                target = self._named(alias.name) if alias.asname else alias.name
                self.facts.imports.append(ImportFact("import", target, None, bound, span, 0,
                                                     self.type_checking, in_function))
            return
        target = resolve_relative(self.facts.module, self.facts.is_package, node.level, node.module)
        target = self._named(target) if node.level == 0 else target
        for alias in node.names:
            self.facts.imports.append(ImportFact("from", target, alias.name, alias.asname or alias.name, span,
                                                 node.level, self.type_checking, in_function))

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope) -> None:
        qualname = f"{scope.prefix}{node.name}"
        fact = FunctionFact(
            name=node.name, qualname=qualname, span=self.pos.name_span(node),
            end_line=node.end_lineno or node.lineno, is_async=isinstance(node, ast.AsyncFunctionDef),
            class_name=scope.class_fact.qualname if scope.class_fact else None,
            nested=scope.function is not None,
            decorators=[e for e in (self.expr(d) for d in node.decorator_list) if e is not None],
            params=self.params(node.args), returns=self.expr(node.returns),
            returns_span=None if node.returns is None else self.pos.span(node.returns),
            decorator_keywords=self.decorator_keywords(node.decorator_list),
        )
        self.facts.functions.append(fact)
        if scope.class_fact is not None:
            scope.class_fact.methods.append(qualname)
        self.body(node.body, _Scope(f"{qualname}.<locals>.", fact.events, function=fact))

    def decorator_keywords(self, decorators: list[ast.expr]) -> list[dict[str, Span]]:
        """Parallel to the decorators; empty when no decorator is a call with keywords (most functions)."""
        keywords = [{kw.arg: self.pos.span(kw) for kw in d.keywords if kw.arg is not None}
                    if isinstance(d, ast.Call) else {} for d in decorators]
        return keywords if any(keywords) else []

    def params(self, arguments: ast.arguments) -> list[ParamFact]:
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
        defaults += arguments.defaults
        result: list[ParamFact] = []
        for index, arg in enumerate(positional):
            kind = "posonly" if index < len(arguments.posonlyargs) else "arg"
            result.append(self.param(arg, kind, defaults[index]))
        if arguments.vararg:
            result.append(self.param(arguments.vararg, "vararg", None))
        for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
            result.append(self.param(arg, "kwonly", default))
        if arguments.kwarg:
            result.append(self.param(arguments.kwarg, "kwarg", None))
        return result

    def param(self, arg: ast.arg, kind: str, default: ast.expr | None) -> ParamFact:
        return ParamFact(arg.arg, kind, self.expr(arg.annotation), self.expr(default), self.pos.span(arg))

    def klass(self, node: ast.ClassDef, scope: _Scope) -> None:
        qualname = f"{scope.prefix}{node.name}"
        fact = ClassFact(
            name=node.name, qualname=qualname, span=self.pos.name_span(node),
            end_line=node.end_lineno or node.lineno,
            bases=[e for e in (self.expr(b) for b in node.bases) if e is not None],
            keywords={kw.arg or "**": self.expr(kw.value) or Unknown("none") for kw in node.keywords},
            decorators=[e for e in (self.expr(d) for d in node.decorator_list) if e is not None],
        )
        self.facts.classes.append(fact)
        self.body(node.body, _Scope(f"{qualname}.", [], function=scope.function, class_fact=fact))


class _Scope:
    """Where statements go: a function's or the module's events, or a class body's fields."""

    def __init__(self, prefix: str, events: list[Event], function: FunctionFact | None = None,
                 class_fact: ClassFact | None = None) -> None:
        self.prefix = prefix
        self.events = events
        self.function = function
        self.class_fact = class_fact
        self.loop = 0
        self.exits: dict[int, int] = {}  # statement (id) in a loop -> the loops it leaves (`_LoopExits`)
        self.current_exits = 0  # the statement being read

    def add(self, event: Event) -> None:
        if self.class_fact is None:
            if self.current_exits and event.loop:
                event.exits = min(self.current_exits, event.loop)
            self.events.append(event)

    def field(self, target: ast.expr, annotation: ast.expr | None, value: ast.expr | None, span: Span,
              extractor: _Extractor) -> None:
        if self.class_fact is not None and isinstance(target, ast.Name):
            self.class_fact.fields.append(
                FieldFact(target.id, extractor.expr(annotation), extractor.expr(value), span))


_ALL_LOOPS = 1 << 20


class _LoopExits:
    """For each statement of an outermost loop (at any depth inside it), how many of its
    enclosing loops are certainly left once it has run: the rest of its block, and of the blocks
    around it, goes on to `return`, `raise` (all of them), or `break` (one, then what follows that
    loop), never to `continue` or back to a loop's header. Where paths join, an `if` leaves what
    both branches leave; a `try` body's statements are judged by the path where they succeed (an
    `except` that continues the loop is a retry after a failure, not the next item)."""

    def __init__(self) -> None:
        self.exits: dict[int, int] = {}

    def of(self, loop: ast.For | ast.AsyncFor | ast.While) -> dict[int, int]:
        self.exits[id(loop)] = self.entry(loop, 0, 0)
        return self.exits

    def block(self, statements: list[ast.stmt], after: int, on_break: int) -> int:
        """The loops left from the block's first statement, given those left after its last."""
        following = after
        for statement in reversed(statements):
            following = self.exits[id(statement)] = self.entry(statement, following, on_break)
        return following

    def entry(self, node: ast.stmt, after: int, on_break: int) -> int:
        if isinstance(node, (ast.Return, ast.Raise)):
            return _ALL_LOOPS
        if isinstance(node, (ast.Break, ast.Continue)):
            return on_break if isinstance(node, ast.Break) else 0
        if isinstance(node, ast.If):
            return min(self.block(node.body, after, on_break), self.block(node.orelse, after, on_break))
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            # its body goes back to its header; a `break` there leaves it, then goes on as after it
            self.block(node.body, 0, after + 1)
            return self.block(node.orelse, after, on_break)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            return self.block(node.body, after, on_break)
        if isinstance(node, (ast.Try, ast.TryStar)):
            finished = self.block(node.finalbody, after, on_break)
            for handler in node.handlers:
                self.exits[id(handler)] = self.block(handler.body, finished, on_break)
            return self.block(node.body, self.block(node.orelse, finished, on_break), on_break)
        if isinstance(node, ast.Match):
            return min([after, *(self.block(case.body, after, on_break) for case in node.cases)])
        return after  # a simple statement, or a definition (its body is its own function's)


def noqa_lines(source: str) -> dict[int, list[str]]:
    if "noqa" not in source and "NOQA" not in source:
        return {}
    result: dict[int, list[str]] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        codes = noqa_codes(line)
        if codes is not None:
            result[number] = list(codes)
    return result


def extract(facts: ModuleFacts, tree: ast.Module, source: str) -> ModuleFacts:
    positions = _Positions(source)
    extractor = _Extractor(facts, positions)
    extractor.body(tree.body, _Scope("", facts.events))
    facts.noqa = noqa_lines(source)
    facts.mentions = mentioned(source)
    return facts
