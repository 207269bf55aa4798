"""What default factories make: followed to the body of the lambda or function (in any module).

`id_shape` answers "does this factory return a prefixed ULID, and with which prefix?";
`naive_datetime` answers "does this default produce a naive datetime?". Both follow calls into
project functions a few levels deep, with literal arguments bound to parameters, and read local
variables from the function's assignment events. Anything unresolvable is "unknown".
"""

from __future__ import annotations

from layerlint.core.records import field, record
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.reading.expr import (
    Attribute,
    BinOp,
    Call,
    Constant,
    Expr,
    FString,
    Lambda,
    Name,
    call_args,
    call_kwargs,
    constant,
    walk,
)
from layerlint.project.reading.facts import FunctionFact

MAX_DEPTH = 4
NAIVE_NOW = frozenset({"datetime.datetime.utcnow", "datetime.datetime.today", "datetime.datetime.now",
                       "datetime.datetime.utcfromtimestamp"})
# What gives the current time: Python's clock, or the database's (`func.now()`, `text("now()")`).
PYTHON_NOW = frozenset({"datetime.datetime.utcnow", "datetime.datetime.today", "datetime.datetime.now"})
SQL_NOW = frozenset({"now", "current_timestamp", "localtimestamp", "utc_timestamp", "statement_timestamp",
                     "clock_timestamp", "transaction_timestamp", "sysdate", "getdate", "getutcdate"})
SQL_TEXT = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"})


@record(frozen=True)
class Returned:
    """A value a callable returns, with the module it is written in and the local names it sees."""

    module: str
    value: Expr
    names: dict[str, Expr] = field(default_factory=dict)


@record(frozen=True)
class IdShape:
    known: bool  # False: the factory could not be followed (external, or too deep)
    ulid: bool = False
    prefix: str | None = None  # literal text before the ULID; None when there is none or it is not literal
    written_prefix: bool = False  # something stands before the ULID (literal or not)


def returned_values(index: SymbolIndex, module: str, expr: Expr) -> list[Returned] | None:
    """A lambda's body or the return values of the project function `expr` names; None if unknown."""
    if isinstance(expr, Lambda):
        return [Returned(module, expr.body)]
    if not isinstance(expr, (Name, Attribute)):
        return None
    symbol = index.resolve_expr(module, expr)
    function = index.function_fact(symbol)
    return None if function is None else _returns(symbol, function, {})


def _returns(symbol: Symbol, function: FunctionFact, bound: dict[str, Expr]) -> list[Returned]:
    """The function's return values, seeing its local assignments and the bound parameters."""
    local = dict(bound)
    for event in function.events:
        if event.kind in ("assign", "annassign") and isinstance(event.target, Name) and event.value:
            local[event.target.id] = event.value
    return [Returned(symbol.module, e.value, local) for e in function.events if e.kind == "return" and e.value]


def _call_target(index: SymbolIndex, module: str, call: Call, names: dict[str, Expr]) -> list[Returned] | None:
    """Return values of the project function a call runs, literal arguments bound to its parameters."""
    symbol = index.resolve_expr(module, call.func)
    function = index.function_fact(symbol)
    if function is None:
        return None
    bound: dict[str, Expr] = {}
    params = [p for p in function.params if p.kind in ("posonly", "arg")]
    for param, arg in zip(params, call_args(call)):
        arg = names.get(arg.id, arg) if isinstance(arg, Name) else arg
        if isinstance(arg, Constant):
            bound[param.name] = arg
    for key, arg in call_kwargs(call).items():
        if isinstance(arg, Constant):
            bound[key] = arg
    for param in function.params:
        if param.name not in bound and isinstance(param.default, Constant):
            bound[param.name] = param.default
    return _returns(symbol, function, bound)


def _literal(index: SymbolIndex, module: str, expr: Expr, names: dict[str, Expr]) -> str | None:
    """A string constant, a local name bound to one, or a module-level constant in any module."""
    if isinstance(expr, Constant):
        return expr.value if isinstance(expr.value, str) else None
    if isinstance(expr, Name) and expr.id in names:
        return _literal(index, module, names[expr.id], {})
    if isinstance(expr, (Name, Attribute)):
        symbol = index.resolve_expr(module, expr)
        event = index.assignment(symbol)
        if event is not None and isinstance(event.value, Constant):
            return event.value.value if isinstance(event.value.value, str) else None
    return None


def _pieces(expr: Expr) -> list[Expr]:
    """An f-string or a `+` concatenation as its parts, in order (f-string texts as constants)."""
    if isinstance(expr, FString):
        return [part if isinstance(part, Constant) else part.value for part in expr.parts]
    if isinstance(expr, BinOp) and expr.op == "+":
        return _pieces(expr.left) + _pieces(expr.right)
    return [expr]


class _IdReader:
    def __init__(self, index: SymbolIndex) -> None:
        self.index = index

    def shape_of_callable(self, module: str, expr: Expr) -> IdShape:
        if isinstance(expr, Call) and call_args(expr) and self.index.resolve_expr(module, expr.func).dotted == \
                "functools.partial":  # partial(prefixed_id, "itm_"): the call it will make
            first, *rest = call_args(expr)
            return self._combine(_call_target(self.index, module, Call(first, rest, call_kwargs(expr), expr.span),
                                              {}), 0)
        values = returned_values(self.index, module, expr)
        if values is None and isinstance(expr, (Name, Attribute)):
            symbol = self.index.resolve_expr(module, expr)
            if symbol.kind == "external":  # `uuid.uuid4`, `ulid.new`: known libraries, no prefix possible
                return IdShape(True, "ulid" in symbol.dotted.split(".")[0])
        return self._combine(values, 0)

    def _combine(self, values: list[Returned] | None, depth: int) -> IdShape:
        if values is None or not values or depth > MAX_DEPTH:
            return IdShape(known=False)
        shapes = [self.shape(r.module, r.value, r.names, depth) for r in values]
        known = [s for s in shapes if s.known]
        if not known:
            return IdShape(known=False)
        return next((s for s in known if not s.ulid or not s.prefix), known[0])

    def shape(self, module: str, expr: Expr, names: dict[str, Expr], depth: int) -> IdShape:
        pieces = _pieces(expr)
        prefix: list[str] = []
        literal = True
        unknown = False
        for piece in pieces:
            if self.is_ulid(module, piece, names, depth):
                joined = "".join(prefix)
                return IdShape(True, True, joined if literal and joined else None, bool(prefix) or not literal)
            text = _literal(self.index, module, piece, names)
            if text is None:
                literal = False
                if len(pieces) == 1:
                    return self._single(module, piece, names, depth)
                unknown = unknown or self._unresolved(module, piece)
            else:
                prefix.append(text)
        return IdShape(known=False) if unknown else IdShape(True, False)

    def _unresolved(self, module: str, piece: Expr) -> bool:
        """A call to a name that resolves to nothing: it might make a ULID, so nothing is said."""
        call = piece.func if isinstance(piece, Call) and isinstance(piece.func, (Name, Attribute)) else None
        return call is not None and not self.index.resolve_expr(module, call).known

    def _single(self, module: str, piece: Expr, names: dict[str, Expr], depth: int) -> IdShape:
        """A whole value that is neither literal nor a ULID: a constant, a local name or a call."""
        if isinstance(piece, Constant):
            return IdShape(True, False)
        if isinstance(piece, Name) and piece.id in names and depth < MAX_DEPTH:
            return self.shape(module, names[piece.id], {}, depth + 1)
        if isinstance(piece, Call):
            target = _call_target(self.index, module, piece, names)
            if target is not None:
                return self._combine(target, depth + 1)
            symbol = self.index.resolve_expr(module, piece.func)
            if symbol.dotted == "builtins.str" and call_args(piece):
                return self.shape(module, call_args(piece)[0], names, depth + 1)
            if symbol.kind == "external":  # uuid4(), secrets.token_hex(), ...: known, and not a ULID
                return IdShape(True, False)
        return IdShape(known=False)

    def is_ulid(self, module: str, expr: Expr, names: dict[str, Expr], depth: int) -> bool:
        if depth > MAX_DEPTH:
            return False
        if isinstance(expr, Name) and expr.id in names:
            return self.is_ulid(module, names[expr.id], {}, depth + 1)
        if isinstance(expr, Attribute):  # ULID().str, ULID().hex
            return self.is_ulid(module, expr.value, names, depth)
        if not isinstance(expr, Call):
            return False
        func = expr.func
        symbol = self.index.resolve_expr(module, func)
        if symbol.kind == "external" and "ulid" in symbol.dotted.split(".")[0]:  # ulid, python-ulid, ulid2...
            return True
        if symbol.dotted == "builtins.str" and call_args(expr):
            return self.is_ulid(module, call_args(expr)[0], names, depth)
        if isinstance(func, Attribute) and not call_args(expr):  # str(ULID()).lower()
            return self.is_ulid(module, func.value, names, depth)
        target = _call_target(self.index, module, expr, names)
        if target:
            return any(self.is_ulid(r.module, r.value, r.names, depth + 1) for r in target)
        return False


def id_shape(index: SymbolIndex, module: str, factory: Expr) -> IdShape:
    return _IdReader(index).shape_of_callable(module, factory)


# ---------------------------------------------------------------------------------- datetimes


def naive_datetime(index: SymbolIndex, module: str, default: Expr, depth: int = 0) -> str | None:
    """How `default` (a callable, or a value) makes a naive datetime, for the message; else None."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(default, (Name, Attribute)):
        symbol = index.resolve_expr(module, default)
        if symbol.dotted in NAIVE_NOW:
            return f"`{symbol.dotted.removeprefix('datetime.')}` (no timezone)"
    values = returned_values(index, module, default) if isinstance(default, (Name, Attribute, Lambda)) else None
    if values is None:
        values = [Returned(module, default)]
    for item in values:
        found = _naive_value(index, item, depth)
        if found:
            return found
    return None


def _naive_value(index: SymbolIndex, item: Returned, depth: int) -> str | None:
    for node in walk(item.value, into_lambdas=True):
        if not isinstance(node, Call):
            continue
        if isinstance(node.func, Attribute) and node.func.attr == "replace" and \
                call_kwargs(node).get("tzinfo") == Constant(None):
            return "`.replace(tzinfo=None)`, which drops the timezone"
        symbol = index.resolve_expr(item.module, node.func)
        if symbol.dotted in ("datetime.datetime.utcnow", "datetime.datetime.today"):
            return f"`{symbol.dotted.removeprefix('datetime.')}()` (no timezone)"
        if symbol.dotted == "datetime.datetime.now":
            tz = call_args(node)[0] if call_args(node) else call_kwargs(node).get("tz")
            if tz is None or (isinstance(tz, Constant) and constant(tz) is None):
                return "`datetime.now()` without a timezone"
        elif symbol.kind == "function" and node is item.value:
            target = _call_target(index, item.module, node, item.names)
            for inner in target or ():
                found = _naive_value(index, inner, depth + 1) if depth < MAX_DEPTH else None
                if found:
                    return found
    return None


def makes_current_time(index: SymbolIndex, module: str, default: Expr, depth: int = 0) -> bool:
    """Whether a column default (a callable or a value) is the current time itself: `datetime.now`,
    `datetime.utcnow` (the callable or its call, `.replace(...)`d), `func.now()`,
    `text("CURRENT_TIMESTAMP")`, or a lambda or project function returning one of them. A time
    computed from it (`datetime.now() + timedelta(days=30)`, an expiry) is not."""
    if depth > MAX_DEPTH:
        return False
    values = returned_values(index, module, default) if isinstance(default, (Name, Attribute, Lambda)) else None
    return any(_is_now(index, item.module, item.value, depth) for item in [Returned(module, default), *(values or ())])


def _is_now(index: SymbolIndex, module: str, value: Expr, depth: int) -> bool:
    if isinstance(value, Call):
        func = value.func
        if isinstance(func, Attribute) and func.attr in ("replace", "astimezone"):
            return _is_now(index, module, func.value, depth)
        return _is_sql_text_now(index, module, value) or _is_now(index, module, func, depth)
    if not isinstance(value, (Name, Attribute)):
        return False
    symbol = index.resolve_expr(module, value)
    if symbol.dotted in PYTHON_NOW or _is_sql_now(symbol.dotted):
        return True
    return symbol.kind == "function" and makes_current_time(index, module, value, depth + 1)


def _is_sql_now(dotted: str) -> bool:
    """`sqlalchemy.func.now`, `sqlalchemy.sql.functions.func.current_timestamp`, ..."""
    owner, _, name = dotted.rpartition(".")
    return name.lower() in SQL_NOW and owner.startswith(("sqlalchemy.", "sqlmodel.")) and \
        owner.rsplit(".", 1)[-1] in ("func", "functions")


def _is_sql_text_now(index: SymbolIndex, module: str, call: Call) -> bool:
    """`text("now()")`, `sa.text("CURRENT_TIMESTAMP")`: SQL that reads the clock."""
    if index.resolve_expr(module, call.func).dotted not in SQL_TEXT or not call_args(call):
        return False
    sql = constant(call_args(call)[0])
    return isinstance(sql, str) and any(name in sql.lower() for name in SQL_NOW)
