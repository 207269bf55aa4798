"""ModuleFacts <-> compact JSON values: every dataclass becomes the list of its field values.

Expressions become tagged lists, the one place that knows their stored layout:

    ["n", id]                         Name
    ["a", value, attr]                Attribute
    ["c", func, args, kwargs, span]   Call (kwargs: {name or "**": value})
    ["k", constant]                   Constant
    ["s", value, slice]               Subscript
    ["t"|"l"|"set", elts]             Tuple / List / Set
    ["d", keys, values]               Dict (a None key is **)
    ["b", op, left, right]            BinOp
    ["bool", op, values] ["u", op, operand] ["cmp", left, ops, comparators]
    ["f", parts]                      FString: parts are ["k", text] or ["v", expr]
    ["lam", body]  ["aw", value, span]  ["if", test, body, orelse]  ["*", value]
    ["walrus", target, value]  ["slice", lower, upper, step]  ["yield", value]
    ["comp", elts, generators]        Comprehension: generators are [target, iter, ifs]
    ["?", what]                       Unknown

The cache stores facts this way because field names repeated in every event, parameter and
import made the JSON four times the size of the source; positional lists are half the size and
decode faster. The codec is derived from the dataclasses' type hints, so a field added to
`facts.py` is carried without touching this module (the cache key includes layerlint's own
source, so old cache entries are never decoded with a new layout).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import lru_cache
from itertools import starmap
from operator import attrgetter
from typing import Any

from layerlint.project.reading import expr as x
from layerlint.project.reading import facts as facts_module
from layerlint.project.reading.facts import Expr, ModuleFacts, Span

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _optional(inner: tuple[Encode, Decode]) -> tuple[Encode, Decode]:
    encode, decode = inner
    return (lambda v: None if v is None else encode(v)), (lambda v: None if v is None else decode(v))


def _list_of(inner: tuple[Encode, Decode], item_type: Any = None) -> tuple[Encode, Decode]:
    encode, decode = inner
    if item_type is not None and _is_plain(item_type):  # the bulk of all facts: events, params, imports
        return (lambda v: [encode(x) for x in v]), (lambda v: list(starmap(item_type, v)))
    return (lambda v: [encode(x) for x in v]), (lambda v: [decode(x) for x in v])


def _is_plain(cls: Any) -> bool:
    """A dataclass whose fields are all JSON-native: decoded by calling it with the list."""
    if not dataclasses.is_dataclass(cls):
        return False
    hints = typing.get_type_hints(cls, vars(facts_module))
    return all(_codec_for_type(hints[f.name]) == (_same, _same) for f in dataclasses.fields(cls))


def _dict_of(key_type: Any, inner: tuple[Encode, Decode]) -> tuple[Encode, Decode]:
    encode, decode = inner
    if key_type is int:  # JSON object keys are strings
        return (lambda v: {str(k): encode(x) for k, x in v.items()}), (
            lambda v: {int(k): decode(x) for k, x in v.items()})
    return (lambda v: {k: encode(x) for k, x in v.items()}), (lambda v: {k: decode(x) for k, x in v.items()})


def _codec_for_type(hint: Any) -> tuple[Encode, Decode]:
    if hint == Expr:
        return _EXPR
    if hint is Span:  # stored as the list [line, column, end_line, end_column]
        return _same, _span
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_codec(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if set(rest) == set(typing.get_args(Expr)):
            return _optional(_EXPR)
        inner = _codec_for_type(rest[0]) if len(rest) == 1 else (_same, _same)
        return inner if inner == (_same, _same) else _optional(inner)
    if origin is list and args:
        inner = _codec_for_type(args[0])
        return (_same, _same) if inner == (_same, _same) else _list_of(inner, args[0])
    if origin is dict and len(args) == 2:
        inner = _codec_for_type(args[1])
        return (_same, _same) if inner == (_same, _same) and args[0] is str else _dict_of(args[0], inner)
    return _same, _same  # JSON-native: str, int, bool


@lru_cache(maxsize=None)
def _dataclass_codec(cls: type) -> tuple[Encode, Decode]:
    hints = typing.get_type_hints(cls, vars(facts_module))
    names = [f.name for f in dataclasses.fields(cls)]
    codecs = [_codec_for_type(hints[name]) for name in names]
    getter = attrgetter(*names) if len(names) > 1 else (lambda value: (getattr(value, names[0]),))
    # Only the fields that are not JSON-native are converted (an event: its span and three expressions).
    converted = [(index, codec) for index, codec in enumerate(codecs) if codec != (_same, _same)]

    def encode(value: Any) -> list[Any]:
        values = list(getter(value))
        for index, (code, _) in converted:
            values[index] = code(values[index])
        return values

    def decode(data: list[Any]) -> Any:
        for index, (_, code) in converted:  # the list is the JSON parser's own: changed in place
            data[index] = code(data[index])
        return cls(*data)

    return encode, decode


def encode_facts(facts: ModuleFacts) -> list[Any]:
    encoded: list[Any] = _dataclass_codec(ModuleFacts)[0](facts)
    return encoded


def decode_facts(data: list[Any]) -> ModuleFacts:
    decoded: ModuleFacts = _dataclass_codec(ModuleFacts)[1](data)
    return decoded


# ---------------------------------------------------------------- expressions
# One function per kind, each calling the next kind's function directly: the facts of every module
# pass through here on each cold run and each run after an edit. Only Dict keys, Slice bounds and a
# bare `yield` can be None.


_new_tuple = tuple.__new__  # builds the named tuple without a Python call


def _span(data: list[int]) -> Span:
    return _new_tuple(Span, data)


def encode_expr(node: Expr | None) -> Any:
    return None if node is None else _E[type(node)](node)


_E: dict[type, Callable[[Any], list[Any]]] = {
    x.Name: lambda e: ["n", e.id],
    x.Attribute: lambda e: ["a", _E[type(e.value)](e.value), e.attr],
    x.Call: lambda e: ["c", _E[type(e.func)](e.func), [_E[type(a)](a) for a in e.args],
                       {k: _E[type(v)](v) for k, v in e.kwargs.items()}, e.span],
    x.Constant: lambda e: ["k", e.value],
    x.Subscript: lambda e: ["s", _E[type(e.value)](e.value), _E[type(e.slice)](e.slice)],
    x.Tuple: lambda e: ["t", [_E[type(a)](a) for a in e.elts]],
    x.List: lambda e: ["l", [_E[type(a)](a) for a in e.elts]],
    x.Set: lambda e: ["set", [_E[type(a)](a) for a in e.elts]],
    x.Dict: lambda e: ["d", [encode_expr(k) for k in e.keys], [_E[type(v)](v) for v in e.values]],
    x.BinOp: lambda e: ["b", e.op, _E[type(e.left)](e.left), _E[type(e.right)](e.right)],
    x.BoolOp: lambda e: ["bool", e.op, [_E[type(v)](v) for v in e.values]],
    x.UnaryOp: lambda e: ["u", e.op, _E[type(e.operand)](e.operand)],
    x.Compare: lambda e: ["cmp", _E[type(e.left)](e.left), e.ops, [_E[type(c)](c) for c in e.comparators]],
    x.FString: lambda e: ["f", [_E[type(p)](p) for p in e.parts]],
    x.FormattedValue: lambda e: ["v", _E[type(e.value)](e.value)],
    x.Lambda: lambda e: ["lam", _E[type(e.body)](e.body)],
    x.Await: lambda e: ["aw", _E[type(e.value)](e.value), e.span],
    x.IfExp: lambda e: ["if", _E[type(e.test)](e.test), _E[type(e.body)](e.body), _E[type(e.orelse)](e.orelse)],
    x.Starred: lambda e: ["*", _E[type(e.value)](e.value)],
    x.NamedExpr: lambda e: ["walrus", _E[type(e.target)](e.target), _E[type(e.value)](e.value)],
    x.Comprehension: lambda e: ["comp", [_E[type(a)](a) for a in e.elts],
                                [[_E[type(g.target)](g.target), _E[type(g.iter)](g.iter),
                                  [_E[type(c)](c) for c in g.ifs]] for g in e.generators]],
    x.Slice: lambda e: ["slice", encode_expr(e.lower), encode_expr(e.upper), encode_expr(e.step)],
    x.Yield: lambda e: ["yield", encode_expr(e.value)],
    x.Unknown: lambda e: ["?", e.what],
}


def decode_expr(data: Any) -> Any:
    return None if data is None else _D[data[0]](data)


# Names, constants and attributes of a name are most of all nodes (at 100k lines 190k of 240k) and
# repeat across modules: each is built once per process and shared, which halves decoding (each rule
# worker decodes every module). Nodes are never changed after they are built, and no reader tells
# two equal names apart by identity.
_names: dict[str, x.Name] = {}
_constants: dict[tuple[type, Any], x.Constant] = {}  # by type too: 1, 1.0 and True are equal keys
_attributes: dict[tuple[str, str], x.Attribute] = {}


def _name(id: str) -> x.Name:
    name = _names[id] = x.Name(id)
    return name


def _constant(value: Any) -> x.Constant:
    constant = _constants[type(value), value] = x.Constant(value)
    return constant


def _attribute(id: str, attr: str) -> x.Attribute:
    found = _attributes.get((id, attr))
    if found is None:
        found = _attributes[id, attr] = x.Attribute(_names.get(id) or _name(id), attr)
    return found


_D: dict[str, Callable[[list[Any]], Any]] = {
    "n": lambda v: _names.get(v[1]) or _name(v[1]),
    "a": lambda v: _attribute(v[1][1], v[2]) if v[1][0] == "n" else x.Attribute(_D[v[1][0]](v[1]), v[2]),
    "c": lambda v: x.Call(_D[v[1][0]](v[1]), [_D[a[0]](a) for a in v[2]], {k: _D[e[0]](e) for k, e in v[3].items()},
                          _new_tuple(Span, v[4])),
    "k": lambda v: _constants.get((type(v[1]), v[1])) or _constant(v[1]),
    "s": lambda v: x.Subscript(_D[v[1][0]](v[1]), _D[v[2][0]](v[2])),
    "t": lambda v: x.Tuple([_D[a[0]](a) for a in v[1]]),
    "l": lambda v: x.List([_D[a[0]](a) for a in v[1]]),
    "set": lambda v: x.Set([_D[a[0]](a) for a in v[1]]),
    "d": lambda v: x.Dict([decode_expr(k) for k in v[1]], [_D[a[0]](a) for a in v[2]]),
    "b": lambda v: x.BinOp(v[1], _D[v[2][0]](v[2]), _D[v[3][0]](v[3])),
    "bool": lambda v: x.BoolOp(v[1], [_D[a[0]](a) for a in v[2]]),
    "u": lambda v: x.UnaryOp(v[1], _D[v[2][0]](v[2])),
    "cmp": lambda v: x.Compare(_D[v[1][0]](v[1]), v[2], [_D[a[0]](a) for a in v[3]]),
    "f": lambda v: x.FString([_D[a[0]](a) for a in v[1]]),
    "v": lambda v: x.FormattedValue(_D[v[1][0]](v[1])),
    "lam": lambda v: x.Lambda(_D[v[1][0]](v[1])),
    "aw": lambda v: x.Await(_D[v[1][0]](v[1]), _new_tuple(Span, v[2])),
    "if": lambda v: x.IfExp(_D[v[1][0]](v[1]), _D[v[2][0]](v[2]), _D[v[3][0]](v[3])),
    "*": lambda v: x.Starred(_D[v[1][0]](v[1])),
    "walrus": lambda v: x.NamedExpr(_D[v[1][0]](v[1]), _D[v[2][0]](v[2])),
    "comp": lambda v: x.Comprehension([_D[a[0]](a) for a in v[1]],
                                      [x.Generator(_D[t[0]](t), _D[i[0]](i), [_D[c[0]](c) for c in f])
                                       for t, i, f in v[2]]),
    "slice": lambda v: x.Slice(decode_expr(v[1]), decode_expr(v[2]), decode_expr(v[3])),
    "yield": lambda v: x.Yield(decode_expr(v[1])),
    "?": lambda v: x.Unknown(v[1]),
}

_EXPR: tuple[Encode, Decode] = (encode_expr, decode_expr)


# ---------------------------------------------------------------- validation

Check = Callable[[Any], bool]


def _accept(value: Any) -> bool:
    return True


def _is_expr(value: Any) -> bool:
    """An encoded expression at its top: a list with a known tag (the decoder raises KeyError
    on an unknown tag deeper down, which the cache reads as a corrupt entry)."""
    return type(value) is list and len(value) > 0 and type(value[0]) is str and value[0] in _D


def _is_span(value: Any) -> bool:
    return type(value) is list and len(value) == 4 and all(type(n) is int for n in value)


def _check_for_type(hint: Any, deep: bool) -> Check:
    """Whether a compact JSON value has the shape `hint` encodes to (as `_codec_for_type` reads
    it); not `deep`: a list of dataclasses only as a list (the bulk of all facts)."""
    if hint == Expr:
        return _is_expr
    if hint is Span:
        return _is_span
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_check(hint, deep)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if set(rest) == set(typing.get_args(Expr)):
            return lambda v: v is None or _is_expr(v)
        inner = _check_for_type(rest[0], deep) if len(rest) == 1 else _accept
        return lambda v: v is None or inner(v)
    if origin is list:
        item = _check_for_type(args[0], deep) if args and (deep or not dataclasses.is_dataclass(args[0])) else _accept
        if item is _accept:
            return lambda v: type(v) is list
        return lambda v: type(v) is list and all(map(item, v))
    if origin is dict and len(args) == 2:
        value = _check_for_type(args[1], deep)
        if args[0] is int:  # JSON object keys are strings
            return lambda v: type(v) is dict and all(k.isdigit() for k in v) and all(map(value, v.values()))
        return lambda v: type(v) is dict and all(map(value, v.values()))
    if hint in (str, int, bool):
        return lambda v: type(v) is hint
    return _accept


@lru_cache(maxsize=None)
def _dataclass_check(cls: type, deep: bool) -> Check:
    hints = typing.get_type_hints(cls, vars(facts_module))
    fields = dataclasses.fields(cls)
    checks = [_check_for_type(hints[f.name], deep) for f in fields]
    required = sum(1 for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
    most = len(checks)

    def check(value: Any) -> bool:
        return type(value) is list and required <= len(value) <= most and all(
            c(x) for c, x in zip(checks, value))

    return check


def valid_facts(data: Any, *, deep: bool = False) -> bool:
    """Whether `data` has the shape `encode_facts` gives, each field's JSON type down to the
    lists of imports, classes, functions and events, checked only as lists unless `deep` (their
    items are most of the facts: checking them all costs a third of decoding). A tampered entry
    of the right outer shape that this lets through is caught where it breaks a rule (see
    engine._with_cached_facts)."""
    return _dataclass_check(ModuleFacts, deep)(data)
