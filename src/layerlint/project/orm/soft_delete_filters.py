"""Recognising the soft-delete filter in an expression, and the helpers that apply it.

`x.deleted_at.is_(None)`, `col(x.deleted_at).is_(None)`, `x.deleted_at == None`, their negated
opposites (`~x.is_deleted`), and hybrid properties of the model whose SQL expression says one of
these. A helper (a project function, or a method of the repository or its bases) applies the
filter when it is named in `repositories.soft-delete-helpers` or its body visibly does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from layerlint.project.index.symbols import Symbol
from layerlint.project.reading.expr import (
    Attribute,
    Call,
    Compare,
    Constant,
    Expr,
    Name,
    UnaryOp,
    call_args,
    dotted,
    walk,
)
from layerlint.project.reading.facts import FunctionFact

if TYPE_CHECKING:  # the model builds this analysis; the analysis needs only its type
    from layerlint.project.project import Project

_COL_FUNCTIONS = frozenset({"sqlmodel.col", "sqlmodel.sql.expression.col"})


# Only these kinds can be a condition on the column (`_Polarity.of`); callers ask about every node
# of a walk, most of them names and constants, so the others are answered before anything is built.
_CONDITION_KINDS = frozenset({Call, Compare, Attribute, UnaryOp})


def is_deleted_check(project: Project, module: str, node: Expr) -> bool:
    """A filter that keeps rows that are not deleted: `x.deleted_at.is_(None)`, `col(...)`, `== None`,
    `~x.is_deleted` or a hybrid property of the model (`Item.is_live`) whose expression does."""
    return type(node) in _CONDITION_KINDS and _Polarity(project).of(module, node, None, 0) == "live"


def mentions_soft_delete(project: Project, module: str, node: Expr) -> bool:
    """Either polarity: a query for deleted rows (`deleted_at.is_not(None)`) chose them on purpose."""
    return type(node) in _CONDITION_KINDS and _Polarity(project).of(module, node, None, 0) is not None


class FilterHelpers:
    """Project.filter_helpers: what each hybrid property and project function was found to
    filter, decided once per run."""

    def __init__(self) -> None:
        self.properties: dict[tuple[Symbol, str], str | None] = {}  # (class, name) -> a polarity
        self.functions: dict[Symbol, bool] = {}  # applies the filter


class _Polarity:
    """"live" for a condition that keeps undeleted rows, "deleted" for its opposite, else None."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.column = project.config.soft_delete_column

    def of(self, module: str, node: Expr, owner: Symbol | None, depth: int) -> str | None:
        if depth > 4:
            return None
        match node:
            case Call(Attribute(receiver, "is_" | "is_not" | "isnot" as method), args):
                if len(args) == 1 and _is_column(self.project, module, receiver, self.column):
                    return self._compared(module, args[0], method == "is_")
                return None
            case Compare(left, [("==" | "is" | "!=" | "is not") as op], [right]):
                if _is_column(self.project, module, left, self.column):
                    return self._compared(module, right, op in ("==", "is"))
                return None
            case Attribute(_, attr) if attr == self.column:
                return "deleted"  # a boolean flag used as the condition itself: the deleted rows
            case Call(func, [Constant(str(sql)), *_]) if \
                    self.project.index.resolve_expr(module, func).dotted.endswith(".text"):
                return self._sql_text(sql)
        negated = self._negated(module, node)
        if negated is not None:
            inner = self.of(module, negated, owner, depth + 1)
            return {"live": "deleted", "deleted": "live"}.get(inner or "")
        if isinstance(node, Attribute):  # not the column itself: returned above
            return self._hybrid(module, node, owner, depth)
        return None

    def _compared(self, module: str, value: Expr | None, equal: bool) -> str | None:
        """`column == None` / `is_(None)` keeps live rows; so does `== False` for a boolean flag column."""
        if self._null(module, value) or value == Constant(False):
            return "live" if equal else "deleted"
        if value == Constant(True):
            return "deleted" if equal else "live"
        return None

    def _null(self, module: str, expr: Expr | None) -> bool:
        """`None`, or SQLAlchemy's `null()`."""
        if expr == Constant(None):
            return True
        return isinstance(expr, Call) and not call_args(expr) and \
            self.project.index.resolve_expr(module, expr.func).dotted in ("sqlalchemy.null", "sqlalchemy.sql.null",
                                                                         "sqlmodel.null")

    def _sql_text(self, sql: str) -> str | None:
        """`text("items.deleted_at IS NULL")`."""
        words = " ".join(sql.lower().split())
        if f"{self.column} is null" in words:
            return "live"
        return "deleted" if f"{self.column} is not null" in words else None

    def _negated(self, module: str, node: Expr) -> Expr | None:
        """`~x`, `not x`, `not_(x)` -> x."""
        if isinstance(node, UnaryOp) and node.op in ("~", "not"):
            return node.operand
        if isinstance(node, Call) and len(call_args(node)) == 1 and self.project.index.resolve_expr(
                module, node.func).dotted.endswith(".not_"):
            return call_args(node)[0]
        return None

    def _hybrid(self, module: str, node: Attribute, owner: Symbol | None, depth: int) -> str | None:
        """`Item.is_live`: a property of a project class whose (expression) body returns a filter."""
        target = node.value
        symbol = owner if target in (Name("cls"), Name("self")) and owner is not None else \
            self.project.index.resolve_expr(module, target)
        if symbol is None or symbol.kind != "class":
            return None
        cache = self.project.filter_helpers.properties
        key = (symbol, node.attr)
        if key not in cache:
            cache[key] = None  # a property defined through itself resolves to nothing
            cache[key] = self._property(symbol, node.attr, depth)
        return cache[key]

    def _property(self, symbol: Symbol, name: str, depth: int) -> str | None:
        for klass in self.project.index.mro(symbol):
            fact = self.project.index.class_fact(klass)
            for qualname in fact.methods if fact else ():
                function = self.project.index.function_fact(Symbol("function", klass.module, qualname))
                if function is None or not _defines(function, name):
                    continue
                for event in function.events:
                    for part in walk(event.value) if event.kind == "return" else ():
                        found = self.of(klass.module, part, klass, depth + 1)
                        if found:
                            return found
        return None


def _defines(function: FunctionFact, name: str) -> bool:
    """The function is `name` itself or its SQL expression (`@name.expression`, `.inplace.expression`)."""
    if function.name == name:
        return True
    return any((dotted(d) or "").startswith(f"{name}.") and (dotted(d) or "").endswith("expression")
               for d in function.decorators)


def _is_column(project: Project, module: str, expr: Expr, column: str) -> bool:
    if isinstance(expr, Attribute):
        return expr.attr == column
    if isinstance(expr, Call) and len(call_args(expr)) == 1:
        func = project.index.resolve_expr(module, expr.func)
        inner = call_args(expr)[0]
        return func.dotted in _COL_FUNCTIONS and isinstance(inner, Attribute) and inner.attr == column
    return False


def _body_filters(project: Project, module: str, function: FunctionFact) -> bool:
    return any(is_deleted_check(project, module, node) for event in function.events
               for expr in (event.value, event.target) for node in walk(expr, into_lambdas=True))


def function_filters(project: Project, symbol: Symbol) -> bool:
    """A project function named as a soft-delete helper, or whose body visibly applies the filter."""
    cache = project.filter_helpers.functions
    if symbol not in cache:
        function = project.index.function_fact(symbol)
        cache[symbol] = function is not None and (function.name in project.config.soft_delete_helpers
                                                  or _body_filters(project, symbol.module, function))
    return cache[symbol]


def is_filter_helper(project: Project, owner: Symbol, name: str) -> bool:
    """`self.<name>` is a method (of the class or a project base) that adds the soft-delete filter."""
    if name in project.config.soft_delete_helpers:
        return True
    found = project.index.method(owner, name)
    return found is not None and function_filters(project, found[0])
