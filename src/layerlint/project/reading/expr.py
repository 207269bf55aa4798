"""Expressions as typed values: what rules need of an expression, built from the tree once.

Each kind is a slotted class with `__match_args__`, so a rule reads `call.func` or matches
`case Call(Attribute(Name("self"), attr)):`; `compact.py` alone knows how they are stored.

    Name(id)  Attribute(value, attr)  Call(func, args, kwargs, span)  Constant(value)
    Subscript(value, slice)  Tuple / List / Set(elts)  Dict(keys, values): a None key is **
    BinOp(op, left, right)  BoolOp(op, values)  UnaryOp(op, operand)  Compare(left, ops, comparators)
    FString(parts): Constant text or FormattedValue(value)   Lambda(body)  Await(value, span)
    IfExp(test, body, orelse)  Starred(value)  NamedExpr(target, value)  Yield(value)
    Comprehension(elts, generators): Generator(target, iter, ifs)   Slice(lower, upper, step)
    Unknown(what): anything else, or too deep to keep
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import NamedTuple, TypeAlias, TypeGuard, overload

from layerlint.core.records import record


class Span(NamedTuple):
    """Where something is written: 1-based, columns in characters."""

    line: int
    column: int
    end_line: int
    end_column: int

SpanOf = Callable[[ast.expr], Span]

MAX_DEPTH = 32
NOWHERE = Span(0, 0, 0, 0)  # a string annotation's parts, the module scope


class Node:
    """What every expression kind shares: its children, in source order, for `walk`."""

    __slots__ = ()

    def children(self) -> list[Expr]:
        return []


@record(slots=True)
class Name(Node):
    id: str


@record(slots=True)
class Attribute(Node):
    value: Expr
    attr: str

    def children(self) -> list[Expr]:
        return [self.value]


@record(slots=True)
class Call(Node):
    func: Expr
    args: list[Expr]
    kwargs: dict[str, Expr]  # "**" for a **mapping
    span: Span

    def children(self) -> list[Expr]:
        return [self.func, *self.args, *self.kwargs.values()]

    @property
    def arguments(self) -> list[Expr]:
        """Positional and keyword arguments."""
        return [*self.args, *self.kwargs.values()]


ConstantValue: TypeAlias = str | int | float | bool | None


@record(slots=True)
class Constant(Node):
    value: ConstantValue  # others (bytes, complex) as their repr; Ellipsis as "..."


@record(slots=True)
class Subscript(Node):
    value: Expr
    slice: Expr

    def children(self) -> list[Expr]:
        return [self.value, self.slice]


@record(slots=True)
class _Elements(Node):
    elts: list[Expr]

    def children(self) -> list[Expr]:
        return list(self.elts)


@record(slots=True)
class Tuple(_Elements):
    """`(a, b)`"""


@record(slots=True)
class List(_Elements):
    """`[a, b]`"""


@record(slots=True)
class Set(_Elements):
    """`{a, b}`"""


@record(slots=True)
class Dict(Node):
    keys: list[Expr | None]  # None for a **mapping
    values: list[Expr]

    def children(self) -> list[Expr]:
        return [*(key for key in self.keys if key is not None), *self.values]


@record(slots=True)
class BinOp(Node):
    op: str  # "+", "|", ...
    left: Expr
    right: Expr

    def children(self) -> list[Expr]:
        return [self.left, self.right]


@record(slots=True)
class BoolOp(Node):
    op: str  # "and", "or"
    values: list[Expr]

    def children(self) -> list[Expr]:
        return list(self.values)


@record(slots=True)
class UnaryOp(Node):
    op: str  # "not", "-", "+", "~"
    operand: Expr

    def children(self) -> list[Expr]:
        return [self.operand]


@record(slots=True)
class Compare(Node):
    left: Expr
    ops: list[str]  # "==", "is not", "in", ...
    comparators: list[Expr]

    def children(self) -> list[Expr]:
        return [self.left, *self.comparators]


@record(slots=True)
class FormattedValue(Node):
    """A `{value}` part of an f-string."""

    value: Expr

    def children(self) -> list[Expr]:
        return [self.value]


@record(slots=True)
class FString(Node):
    parts: list[Constant | FormattedValue]  # text parts are str constants

    def children(self) -> list[Expr]:
        return list(self.parts)


@record(slots=True)
class Lambda(Node):
    body: Expr

    def children(self) -> list[Expr]:
        return [self.body]


@record(slots=True)
class Await(Node):
    value: Expr
    span: Span

    def children(self) -> list[Expr]:
        return [self.value]


@record(slots=True)
class IfExp(Node):
    test: Expr
    body: Expr
    orelse: Expr

    def children(self) -> list[Expr]:
        return [self.test, self.body, self.orelse]


@record(slots=True)
class Starred(Node):
    value: Expr

    def children(self) -> list[Expr]:
        return [self.value]


@record(slots=True)
class NamedExpr(Node):
    target: Expr
    value: Expr

    def children(self) -> list[Expr]:
        return [self.target, self.value]


@record(slots=True)
class Generator:
    """One `for target in iter if ...` of a comprehension."""

    target: Expr
    iter: Expr
    ifs: list[Expr]


@record(slots=True)
class Comprehension(Node):
    """A list, set or generator comprehension (elts: the element), or a dict one (key, value)."""

    elts: list[Expr]
    generators: list[Generator]

    def children(self) -> list[Expr]:
        found = list(self.elts)
        for generator in self.generators:
            found += [generator.target, generator.iter, *generator.ifs]
        return found


@record(slots=True)
class Slice(Node):
    lower: Expr | None
    upper: Expr | None
    step: Expr | None

    def children(self) -> list[Expr]:
        return [part for part in (self.lower, self.upper, self.step) if part is not None]


@record(slots=True)
class Yield(Node):
    value: Expr | None

    def children(self) -> list[Expr]:
        return [] if self.value is None else [self.value]


@record(slots=True)
class Unknown(Node):
    what: str  # the ast class name, or "deep"


Expr: TypeAlias = (
    Name | Attribute | Call | Constant | Subscript | Tuple | List | Set | Dict | BinOp | BoolOp | UnaryOp
    | Compare | FString | FormattedValue | Lambda | Await | IfExp | Starred | NamedExpr | Comprehension
    | Slice | Yield | Unknown
)


_OPS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%", ast.BitOr: "|",
    ast.BitAnd: "&", ast.FloorDiv: "//", ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<",
    ast.RShift: ">>", ast.BitXor: "^", ast.And: "and", ast.Or: "or", ast.Not: "not",
    ast.USub: "-", ast.UAdd: "+", ast.Invert: "~", ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<",
    ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
    ast.NotIn: "not in",
}


def _constant(value: object) -> Constant:
    if value is Ellipsis:
        return Constant("...")
    if value is None or isinstance(value, (str, int, float, bool)):
        return Constant(value)
    return Constant(repr(value))


@overload
def from_ast(node: ast.expr, span_of: SpanOf, depth: int = 0) -> Expr: ...
@overload
def from_ast(node: None, span_of: SpanOf, depth: int = 0) -> None: ...
@overload
def from_ast(node: ast.expr | None, span_of: SpanOf, depth: int = 0) -> Expr | None: ...
def from_ast(node: ast.expr | None, span_of: SpanOf, depth: int = 0) -> Expr | None:
    if node is None:
        return None
    if depth > MAX_DEPTH:
        return Unknown("deep")
    if type(node) is ast.Name:  # a third of all nodes: one per name, shared, without a call of its own
        return _names.get(node.id) or _name(node.id)
    return _from_ast(node, span_of, depth + 1)


# Names and attributes of a name repeat across a module and between modules: a parse worker builds
# each once and shares it, as the cache's decoder does (nodes are never changed after they are built,
# and no reader tells two equal names apart by identity).
_names: dict[str, Name] = {}
_attributes: dict[tuple[str, str], Attribute] = {}


def _name(id: str) -> Name:
    name = _names[id] = Name(id)
    return name


def _attribute(value: ast.Name, attr: str) -> Attribute:
    found = _attributes.get((value.id, attr))
    if found is None:
        found = _attributes[value.id, attr] = Attribute(_names.get(value.id) or _name(value.id), attr)
    return found


def _many(nodes: list[ast.expr], span_of: SpanOf, depth: int) -> list[Expr]:
    return [from_ast(n, span_of, depth) for n in nodes]


def _from_ast(node: ast.expr, span_of: SpanOf, d: int) -> Expr:  # noqa: C901 - one case per node type
    if isinstance(node, ast.Attribute):
        if type(node.value) is ast.Name and d <= MAX_DEPTH:  # as from_ast builds the name
            return _attribute(node.value, node.attr)
        return Attribute(from_ast(node.value, span_of, d), node.attr)
    if isinstance(node, ast.Name):
        return Name(node.id)
    if isinstance(node, ast.Call):
        kwargs = {kw.arg or "**": from_ast(kw.value, span_of, d) for kw in node.keywords}
        return Call(from_ast(node.func, span_of, d), _many(node.args, span_of, d), kwargs, span_of(node))
    if isinstance(node, ast.Constant):
        return _constant(node.value)
    if isinstance(node, ast.Subscript):
        return Subscript(from_ast(node.value, span_of, d), from_ast(node.slice, span_of, d))
    if isinstance(node, ast.Tuple):
        return Tuple(_many(node.elts, span_of, d))
    if isinstance(node, ast.List):
        return List(_many(node.elts, span_of, d))
    if isinstance(node, ast.Set):
        return Set(_many(node.elts, span_of, d))
    if isinstance(node, ast.Dict):
        return Dict([from_ast(k, span_of, d) for k in node.keys], _many(node.values, span_of, d))
    if isinstance(node, ast.BinOp):
        return BinOp(_OPS.get(type(node.op), "?"), from_ast(node.left, span_of, d), from_ast(node.right, span_of, d))
    if isinstance(node, ast.BoolOp):
        return BoolOp(_OPS.get(type(node.op), "?"), _many(node.values, span_of, d))
    if isinstance(node, ast.UnaryOp):
        return UnaryOp(_OPS.get(type(node.op), "?"), from_ast(node.operand, span_of, d))
    if isinstance(node, ast.Compare):
        ops = [_OPS.get(type(op), "?") for op in node.ops]
        return Compare(from_ast(node.left, span_of, d), ops, _many(node.comparators, span_of, d))
    if isinstance(node, ast.JoinedStr):
        return FString([_fstring_part(v, span_of, d) for v in node.values])
    if isinstance(node, ast.Lambda):
        return Lambda(from_ast(node.body, span_of, d))
    if isinstance(node, ast.Await):
        return Await(from_ast(node.value, span_of, d), span_of(node))
    if isinstance(node, ast.IfExp):
        return IfExp(from_ast(node.test, span_of, d), from_ast(node.body, span_of, d),
                     from_ast(node.orelse, span_of, d))
    if isinstance(node, ast.Starred):
        return Starred(from_ast(node.value, span_of, d))
    if isinstance(node, ast.NamedExpr):
        return NamedExpr(from_ast(node.target, span_of, d), from_ast(node.value, span_of, d))
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return Comprehension([from_ast(node.elt, span_of, d)], _generators(node.generators, span_of, d))
    if isinstance(node, ast.DictComp):
        elts = [from_ast(node.key, span_of, d), from_ast(node.value, span_of, d)]
        return Comprehension(elts, _generators(node.generators, span_of, d))
    if isinstance(node, ast.Slice):
        return Slice(from_ast(node.lower, span_of, d), from_ast(node.upper, span_of, d),
                     from_ast(node.step, span_of, d))
    if isinstance(node, ast.Yield | ast.YieldFrom):
        return Yield(from_ast(node.value, span_of, d))
    return Unknown(type(node).__name__)


def parse_expression(text: str) -> Expr | None:
    """A string annotation (`"Item | None"`) as the expression it spells, or None."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return from_ast(node, lambda _: NOWHERE)


def _fstring_part(node: ast.expr, span_of: SpanOf, depth: int) -> Constant | FormattedValue:
    if isinstance(node, ast.FormattedValue):
        return FormattedValue(from_ast(node.value, span_of, depth))
    if isinstance(node, ast.Constant):
        return Constant(node.value if isinstance(node.value, str) else repr(node.value))
    return FormattedValue(from_ast(node, span_of, depth))


def _generators(generators: list[ast.comprehension], span_of: SpanOf, depth: int) -> list[Generator]:
    return [Generator(from_ast(g.target, span_of, depth), from_ast(g.iter, span_of, depth),
                      _many(g.ifs, span_of, depth))
            for g in generators]


# ---------------------------------------------------------------- reading expressions


def self_attribute(expr: Expr) -> str | None:
    """`attr` for `self.attr`."""
    return expr.attr if isinstance(expr, Attribute) and expr.value == Name("self") else None


def dotted(expr: Expr | None) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    parts: list[str] = []
    while type(expr) is Attribute:
        parts.append(expr.attr)
        expr = expr.value
    if type(expr) is not Name:
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def dotted_ends_with(expr: Expr | None, suffix: str) -> bool:
    """`(dotted(expr) or "").endswith(suffix)` for a `suffix` without a dot, building no name for
    the many expressions whose last part does not end so (asked of every call of a function)."""
    last = expr.attr if type(expr) is Attribute else expr.id if type(expr) is Name else None
    return last is not None and last.endswith(suffix) and dotted(expr) is not None


def is_call(expr: Expr | None) -> TypeGuard[Call]:
    return type(expr) is Call


def call_args(expr: Call) -> list[Expr]:
    return expr.args


def call_kwargs(expr: Call) -> dict[str, Expr]:
    return expr.kwargs


def call_arguments(call: Call) -> list[Expr]:
    """Positional and keyword arguments of a call."""
    return call.arguments


def constant(expr: Expr | None) -> ConstantValue:
    return expr.value if type(expr) is Constant else None


def unawait(expr: Expr | None) -> Expr | None:
    while type(expr) is Await:
        expr = expr.value
    return expr


def walk(expr: Expr | None, *, into_lambdas: bool = False) -> Iterator[Expr]:
    """Every sub-expression, depth first, outermost first."""
    if expr is None:
        return
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Attribute):  # the commonest shapes first, without a list of children
            stack.append(node.value)
        elif isinstance(node, Call):
            stack += reversed(node.kwargs.values())
            stack += reversed(node.args)
            stack.append(node.func)
        elif isinstance(node, (Name, Constant)) or (isinstance(node, Lambda) and not into_lambdas):
            continue
        else:
            found = node.children()
            found.reverse()
            stack += found


def calls_in(expr: Expr | None) -> Iterator[Call]:
    """Every call, outermost first, as `walk` orders them (rules ask this of every statement)."""
    if expr is None or type(expr) is Name:  # most assignment targets
        return iter(())
    calls: list[Call] = []
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Attribute):
            stack.append(node.value)
        elif isinstance(node, Call):
            calls.append(node)
            stack += reversed(node.kwargs.values())
            stack += reversed(node.args)
            stack.append(node.func)
        elif isinstance(node, (Name, Constant, Lambda)):
            continue
        else:
            found = node.children()
            found.reverse()
            stack += found
    return iter(calls)


def render(expr: Expr | None) -> str:  # noqa: C901 - one case per kind
    """Readable source-like text for messages."""
    match expr:
        case None:
            return ""
        case Name(name):
            return name
        case Attribute(value, attr):
            return f"{render(value)}.{attr}"
        case Call(func, args, kwargs):
            arguments = [render(a) for a in args] + [f"{k}={render(v)}" for k, v in kwargs.items()]
            return f"{render(func)}({', '.join(arguments)})"
        case Constant(value):
            return repr(value) if isinstance(value, str) else str(value)
        case Subscript(value, Tuple(elts)):
            return f"{render(value)}[{', '.join(render(e) for e in elts)}]"
        case Subscript(value, inner):
            return f"{render(value)}[{render(inner)}]"
        case Tuple(elts):
            return "({})".format(", ".join(render(e) for e in elts))
        case List(elts):
            return "[{}]".format(", ".join(render(e) for e in elts))
        case BinOp(op, left, right):
            return f"{render(left)} {op} {render(right)}"
        case Await(value):
            return f"await {render(value)}"
    return "..."
