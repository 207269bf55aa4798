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

from layerlint.project import expr as x
from layerlint.project import facts as facts_module
from layerlint.project.facts import Expr, ModuleFacts

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
    return _same, _same  # JSON-native: str, int, bool, spans


@lru_cache(maxsize=None)
def _dataclass_codec(cls: type) -> tuple[Encode, Decode]:
    hints = typing.get_type_hints(cls, vars(facts_module))
    names = [f.name for f in dataclasses.fields(cls)]
    codecs = [_codec_for_type(hints[name]) for name in names]
    plain = all(c == (_same, _same) for c in codecs)
    getter = attrgetter(*names) if len(names) > 1 else (lambda value: (getattr(value, names[0]),))
    encoders = [c[0] for c in codecs]

    def encode(value: Any) -> list[Any]:
        if plain:
            return list(getter(value))
        return [code(x) for code, x in zip(encoders, getter(value))]

    def decode(data: list[Any]) -> Any:
        if plain:
            return cls(*data)
        return cls(*[c[1](x) for c, x in zip(codecs, data)])

    return encode, decode


def encode_facts(facts: ModuleFacts) -> list[Any]:
    encoded: list[Any] = _dataclass_codec(ModuleFacts)[0](facts)
    return encoded


def decode_facts(data: list[Any]) -> ModuleFacts:
    decoded: ModuleFacts = _dataclass_codec(ModuleFacts)[1](data)
    return decoded


# ---------------------------------------------------------------- expressions


def encode_expr(node: Expr | None) -> Any:
    return None if node is None else _ENCODERS[type(node)](node)


def _encode_many(nodes: list[Expr]) -> list[Any]:
    return [_ENCODERS[type(node)](node) for node in nodes]


_ENCODERS: dict[type, Callable[[Any], list[Any]]] = {
    x.Name: lambda e: ["n", e.id],
    x.Attribute: lambda e: ["a", encode_expr(e.value), e.attr],
    x.Call: lambda e: ["c", encode_expr(e.func), _encode_many(e.args),
                       {k: encode_expr(v) for k, v in e.kwargs.items()}, e.span],
    x.Constant: lambda e: ["k", e.value],
    x.Subscript: lambda e: ["s", encode_expr(e.value), encode_expr(e.slice)],
    x.Tuple: lambda e: ["t", _encode_many(e.elts)],
    x.List: lambda e: ["l", _encode_many(e.elts)],
    x.Set: lambda e: ["set", _encode_many(e.elts)],
    x.Dict: lambda e: ["d", [encode_expr(k) for k in e.keys], _encode_many(e.values)],
    x.BinOp: lambda e: ["b", e.op, encode_expr(e.left), encode_expr(e.right)],
    x.BoolOp: lambda e: ["bool", e.op, _encode_many(e.values)],
    x.UnaryOp: lambda e: ["u", e.op, encode_expr(e.operand)],
    x.Compare: lambda e: ["cmp", encode_expr(e.left), e.ops, _encode_many(e.comparators)],
    x.FString: lambda e: ["f", _encode_many(e.parts)],
    x.FormattedValue: lambda e: ["v", encode_expr(e.value)],
    x.Lambda: lambda e: ["lam", encode_expr(e.body)],
    x.Await: lambda e: ["aw", encode_expr(e.value), e.span],
    x.IfExp: lambda e: ["if", encode_expr(e.test), encode_expr(e.body), encode_expr(e.orelse)],
    x.Starred: lambda e: ["*", encode_expr(e.value)],
    x.NamedExpr: lambda e: ["walrus", encode_expr(e.target), encode_expr(e.value)],
    x.Comprehension: lambda e: ["comp", _encode_many(e.elts),
                                [[encode_expr(g.target), encode_expr(g.iter), _encode_many(g.ifs)]
                                 for g in e.generators]],
    x.Slice: lambda e: ["slice", encode_expr(e.lower), encode_expr(e.upper), encode_expr(e.step)],
    x.Yield: lambda e: ["yield", encode_expr(e.value)],
    x.Unknown: lambda e: ["?", e.what],
}


def decode_expr(data: Any) -> Any:
    return None if data is None else _DECODERS[data[0]](data)


def _decode_many(data: list[Any]) -> list[Any]:
    return [_DECODERS[item[0]](item) for item in data]


_DECODERS: dict[str, Callable[[list[Any]], Any]] = {
    "n": lambda v: x.Name(v[1]),
    "a": lambda v: x.Attribute(decode_expr(v[1]), v[2]),
    "c": lambda v: x.Call(decode_expr(v[1]), _decode_many(v[2]), {k: decode_expr(e) for k, e in v[3].items()}, v[4]),
    "k": lambda v: x.Constant(v[1]),
    "s": lambda v: x.Subscript(decode_expr(v[1]), decode_expr(v[2])),
    "t": lambda v: x.Tuple(_decode_many(v[1])),
    "l": lambda v: x.List(_decode_many(v[1])),
    "set": lambda v: x.Set(_decode_many(v[1])),
    "d": lambda v: x.Dict([decode_expr(k) for k in v[1]], _decode_many(v[2])),
    "b": lambda v: x.BinOp(v[1], decode_expr(v[2]), decode_expr(v[3])),
    "bool": lambda v: x.BoolOp(v[1], _decode_many(v[2])),
    "u": lambda v: x.UnaryOp(v[1], decode_expr(v[2])),
    "cmp": lambda v: x.Compare(decode_expr(v[1]), v[2], _decode_many(v[3])),
    "f": lambda v: x.FString(_decode_many(v[1])),
    "v": lambda v: x.FormattedValue(decode_expr(v[1])),
    "lam": lambda v: x.Lambda(decode_expr(v[1])),
    "aw": lambda v: x.Await(decode_expr(v[1]), v[2]),
    "if": lambda v: x.IfExp(decode_expr(v[1]), decode_expr(v[2]), decode_expr(v[3])),
    "*": lambda v: x.Starred(decode_expr(v[1])),
    "walrus": lambda v: x.NamedExpr(decode_expr(v[1]), decode_expr(v[2])),
    "comp": lambda v: x.Comprehension(_decode_many(v[1]), [x.Generator(decode_expr(t), decode_expr(i), _decode_many(f))
                                                           for t, i, f in v[2]]),
    "slice": lambda v: x.Slice(decode_expr(v[1]), decode_expr(v[2]), decode_expr(v[3])),
    "yield": lambda v: x.Yield(decode_expr(v[1])),
    "?": lambda v: x.Unknown(v[1]),
}

_EXPR: tuple[Encode, Decode] = (encode_expr, decode_expr)
