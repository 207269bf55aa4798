"""Expressions as small nested lists: what rules need of an expression, JSON-safe.

    ["n", id]                         name
    ["a", value, attr]                attribute
    ["c", func, args, kwargs, span]   call (kwargs: {name or "**": value})
    ["k", constant]                   str/int/float/bool/None constant (others as repr)
    ["s", value, slice]               subscript
    ["t"|"l"|"set", elts]             tuple / list / set
    ["d", keys, values]               dict (a None key is **)
    ["b", op, left, right]            binary operation ("+", "|", ...)
    ["bool", op, values] ["u", op, operand] ["cmp", left, ops, comparators]
    ["f", parts]                      f-string: parts are ["k", text] or ["v", expr]
    ["lam", body]  ["aw", value, span]  ["if", test, body, orelse]  ["*", value]
    ["comp", elts, generators]        comprehension: generators are [target, iter, ifs]
    ["?", what]                       anything else, or too deep to keep
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import Any

Expr = list[Any]
SpanOf = Callable[[ast.expr], list[int]]

MAX_DEPTH = 32

_OPS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%", ast.BitOr: "|",
    ast.BitAnd: "&", ast.FloorDiv: "//", ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<",
    ast.RShift: ">>", ast.BitXor: "^", ast.And: "and", ast.Or: "or", ast.Not: "not",
    ast.USub: "-", ast.UAdd: "+", ast.Invert: "~", ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<",
    ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
    ast.NotIn: "not in",
}


def _constant(value: object) -> Expr:
    if value is Ellipsis:
        return ["k", "..."]
    if value is None or isinstance(value, (str, int, float, bool)):
        return ["k", value]
    return ["k", repr(value)]


def encode(node: ast.expr | None, span_of: SpanOf, depth: int = 0) -> Expr | None:
    if node is None:
        return None
    if depth > MAX_DEPTH:
        return ["?", "deep"]
    return _encode(node, span_of, depth + 1)


def _many(nodes: list[ast.expr], span_of: SpanOf, depth: int) -> list[Expr | None]:
    return [encode(n, span_of, depth) for n in nodes]


def _encode(node: ast.expr, span_of: SpanOf, d: int) -> Expr:  # noqa: C901 - one case per node type
    if isinstance(node, ast.Name):
        return ["n", node.id]
    if isinstance(node, ast.Attribute):
        return ["a", encode(node.value, span_of, d), node.attr]
    if isinstance(node, ast.Call):
        kwargs = {kw.arg or "**": encode(kw.value, span_of, d) for kw in node.keywords}
        return ["c", encode(node.func, span_of, d), _many(node.args, span_of, d), kwargs, span_of(node)]
    if isinstance(node, ast.Constant):
        return _constant(node.value)
    if isinstance(node, ast.Subscript):
        return ["s", encode(node.value, span_of, d), encode(node.slice, span_of, d)]
    if isinstance(node, ast.Tuple):
        return ["t", _many(node.elts, span_of, d)]
    if isinstance(node, ast.List):
        return ["l", _many(node.elts, span_of, d)]
    if isinstance(node, ast.Set):
        return ["set", _many(node.elts, span_of, d)]
    if isinstance(node, ast.Dict):
        return ["d", [encode(k, span_of, d) for k in node.keys], _many(node.values, span_of, d)]
    if isinstance(node, ast.BinOp):
        return ["b", _OPS.get(type(node.op), "?"), encode(node.left, span_of, d), encode(node.right, span_of, d)]
    if isinstance(node, ast.BoolOp):
        return ["bool", _OPS.get(type(node.op), "?"), _many(node.values, span_of, d)]
    if isinstance(node, ast.UnaryOp):
        return ["u", _OPS.get(type(node.op), "?"), encode(node.operand, span_of, d)]
    if isinstance(node, ast.Compare):
        ops = [_OPS.get(type(op), "?") for op in node.ops]
        return ["cmp", encode(node.left, span_of, d), ops, _many(node.comparators, span_of, d)]
    if isinstance(node, ast.JoinedStr):
        return ["f", [_fstring_part(v, span_of, d) for v in node.values]]
    if isinstance(node, ast.Lambda):
        return ["lam", encode(node.body, span_of, d)]
    if isinstance(node, ast.Await):
        return ["aw", encode(node.value, span_of, d), span_of(node)]
    if isinstance(node, ast.IfExp):
        return ["if", encode(node.test, span_of, d), encode(node.body, span_of, d), encode(node.orelse, span_of, d)]
    if isinstance(node, ast.Starred):
        return ["*", encode(node.value, span_of, d)]
    if isinstance(node, ast.NamedExpr):
        return ["walrus", encode(node.target, span_of, d), encode(node.value, span_of, d)]
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return ["comp", [encode(node.elt, span_of, d)], _generators(node.generators, span_of, d)]
    if isinstance(node, ast.DictComp):
        elts = [encode(node.key, span_of, d), encode(node.value, span_of, d)]
        return ["comp", elts, _generators(node.generators, span_of, d)]
    if isinstance(node, ast.Slice):
        return ["slice", encode(node.lower, span_of, d), encode(node.upper, span_of, d), encode(node.step, span_of, d)]
    if isinstance(node, ast.Yield | ast.YieldFrom):
        return ["yield", encode(node.value, span_of, d)]
    return ["?", type(node).__name__]


def parse_expression(text: str) -> Expr | None:
    """A string annotation (`"Item | None"`) as the encoded expression it spells, or None."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return encode(node, lambda _: [0, 0, 0, 0])


def _fstring_part(node: ast.expr, span_of: SpanOf, depth: int) -> Expr:
    if isinstance(node, ast.FormattedValue):
        return ["v", encode(node.value, span_of, depth)]
    if isinstance(node, ast.Constant):
        return ["k", node.value if isinstance(node.value, str) else repr(node.value)]
    return ["v", encode(node, span_of, depth)]


def _generators(generators: list[ast.comprehension], span_of: SpanOf, depth: int) -> list[Expr]:
    return [[encode(g.target, span_of, depth), encode(g.iter, span_of, depth), _many(g.ifs, span_of, depth)]
            for g in generators]


# ---------------------------------------------------------------- reading encoded expressions


def dotted(expr: Expr | None) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    parts: list[str] = []
    while expr is not None and expr[0] == "a":
        parts.append(expr[2])
        expr = expr[1]
    if expr is None or expr[0] != "n":
        return None
    parts.append(expr[1])
    return ".".join(reversed(parts))


def is_call(expr: Expr | None) -> bool:
    return expr is not None and expr[0] == "c"


def call_args(expr: Expr) -> list[Expr]:
    return expr[2]  # type: ignore[no-any-return]


def call_kwargs(expr: Expr) -> dict[str, Expr]:
    return expr[3]  # type: ignore[no-any-return]


def call_arguments(call: Expr) -> list[Expr]:
    """Positional and keyword arguments of an encoded call."""
    return [*call[2], *call[3].values()]


def constant(expr: Expr | None) -> object:
    return expr[1] if expr is not None and expr[0] == "k" else None


def unawait(expr: Expr | None) -> Expr | None:
    while expr is not None and expr[0] == "aw":
        expr = expr[1]
    return expr


def walk(expr: Expr | None, *, into_lambdas: bool = False) -> Iterator[Expr]:
    """Every sub-expression, depth first, outermost first."""
    if expr is None:
        return
    stack = [expr]
    while stack:
        node = stack.pop()
        if not node or type(node[0]) is not str:
            continue
        yield node
        kind = node[0]
        if kind == "a":  # the commonest shapes, without the generic scan
            stack.append(node[1])
            continue
        if kind == "c":
            found = [*node[3].values()][::-1]
            found += reversed(node[2])
            found.append(node[1])
            stack += found
            continue
        if kind == "n" or kind == "k" or (kind == "lam" and not into_lambdas):  # leaves, or not entered
            continue
        found = []
        _collect(node, 1, found)
        found.reverse()
        stack += found


def _collect(items: list[Any], start: int, found: list[Expr]) -> None:
    """`children`, without a generator per level: rules walk every statement of the project."""
    for index in range(start, len(items)):
        item = items[index]
        kind = type(item)
        if kind is list:
            if item and type(item[0]) is str:
                found.append(item)
            elif item and type(item[0]) is not int:  # not a span: a list of expressions
                _collect(item, 0, found)
        elif kind is dict:
            _collect(list(item.values()), 0, found)


def calls_in(expr: Expr | None) -> Iterator[Expr]:
    """Every call, outermost first, as `walk` orders them (rules ask this of every statement)."""
    calls: list[Expr] = []
    stack = [expr] if expr is not None else []
    while stack:
        node = stack.pop()
        if not node or type(node[0]) is not str:
            continue
        kind = node[0]
        if kind == "a":  # the commonest shapes, without the generic scan
            stack.append(node[1])
            continue
        if kind == "c":
            calls.append(node)
            found = [*node[3].values()][::-1]
            found += reversed(node[2])
            found.append(node[1])
            stack += found
            continue
        if kind == "n" or kind == "k" or kind == "lam":
            continue
        found = []
        _collect(node, 1, found)
        found.reverse()
        stack += found
    return iter(calls)


def render(expr: Expr | None) -> str:  # noqa: C901 - one case per kind
    """Readable source-like text for messages."""
    if expr is None:
        return ""
    kind = expr[0]
    if kind == "n":
        return str(expr[1])
    if kind == "a":
        return f"{render(expr[1])}.{expr[2]}"
    if kind == "c":
        args = [render(a) for a in expr[2]] + [f"{k}={render(v)}" for k, v in expr[3].items()]
        return f"{render(expr[1])}({', '.join(args)})"
    if kind == "k":
        return repr(expr[1]) if isinstance(expr[1], str) else str(expr[1])
    if kind == "s":
        inner = expr[2]
        text = ", ".join(render(e) for e in inner[1]) if inner and inner[0] == "t" else render(inner)
        return f"{render(expr[1])}[{text}]"
    if kind in ("t", "l"):
        return ("({})" if kind == "t" else "[{}]").format(", ".join(render(e) for e in expr[1]))
    if kind == "b":
        return f"{render(expr[2])} {expr[1]} {render(expr[3])}"
    if kind == "aw":
        return f"await {render(expr[1])}"
    return "..."
