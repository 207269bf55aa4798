"""ModuleFacts <-> compact JSON values: every dataclass becomes the list of its field values.

Expressions become tagged lists, the one place that knows their stored layout:

    ["n", id]                         Name
    ["a", value, attr]                Attribute
    ["c", func, args, kwargs, span]   Call (kwargs: {name or "**": value})
    ["k", constant]                   Constant (["kf", text]: a float that is not finite)
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

A module is stored as [head, bodies]: its list with every function's events left empty, then
those events, one list per function. The bodies are most of a module's facts, and a run after
an edit reads those of few modules: `split_stored` reads the head from the stored text and
keeps the bodies as text, decoded when a function's events are first read (`decode_unread`).
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from collections.abc import Callable
from functools import lru_cache, partial
from itertools import starmap
from math import isfinite
from typing import Any

from layerlint.project.reading import expr as x
from layerlint.project.reading import facts as facts_module
from layerlint.project.reading.facts import Event, Expr, ModuleFacts, Span
from layerlint.project.reading.json_text import read_json, scan_at

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
    # Only the fields that are not JSON-native are converted (an event: its span and three expressions).
    converted = [(index, codec) for index, codec in enumerate(codecs) if codec != (_same, _same)]

    def decode_any_length(data: list[Any]) -> Any:
        """A stored list without the fields that have defaults (valid_facts accepts one)."""
        for index, (_, code) in converted:
            if index < len(data):
                data[index] = code(data[index])
        return cls(*data)

    return (_compiled_encoder([(name, hints[name]) for name in names]),
            _compiled_decoder(cls, [hints[name] for name in names], decode_any_length))


def _compiled_decoder(cls: type, hints: list[Any], otherwise: Decode) -> Decode:
    """One generated function per dataclass that builds it from its full stored list in a single
    call, each field's conversion written out inline: every event, parameter and import passes
    through here, and a generic loop over the fields made decoding at 100k lines 0.23 s where
    this takes 0.15 s."""
    scope: dict[str, Any] = {"_cls": cls, "_otherwise": otherwise, "_D": _D, "_new_tuple": _new_tuple,
                             "Span": Span, "_names": _names, "_name": _name, "_intern": _intern, "_temporaries": 0,
                             "_EMPTY_LIST": _EMPTY_LIST, "_EMPTY_DICT": _EMPTY_DICT}
    parts = [_field_source(hint, f"d[{index}]", scope) for index, hint in enumerate(hints)]
    source = (f"def decode(d):\n    if len(d) != {len(hints)}:\n        return _otherwise(d)\n"
              f"    return _cls({', '.join(parts)})\n")
    exec(source, scope)  # noqa: S102 -- the text is built above from the dataclasses' own type hints
    decode: Decode = scope["decode"]
    return decode


def _compiled_encoder(fields: list[tuple[str, Any]]) -> Encode:
    """The encoder as one generated function, as `_compiled_decoder` (the parse workers encode every
    module they parse)."""
    scope: dict[str, Any] = {"_E": _E, "_Name": x.Name, "_temporaries": 0}
    parts = [_field_encoding(hint, f"o.{name}", scope) for name, hint in fields]
    exec(f"def encode(o):\n    return [{', '.join(parts)}]\n", scope)  # noqa: S102 -- from the type hints
    encode: Encode = scope["encode"]
    return encode


def _field_encoding(hint: Any, value: str, scope: dict[str, Any]) -> str:
    """Python source that encodes `value`, a field typed `hint` (as `_codec_for_type`)."""
    if hint == Expr:
        t = _temporary(scope)
        return f"(['n', {t}.id] if type({t} := {value}) is _Name else _E[type({t})]({t}))"
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        name = f"_encode_{hint.__name__}"
        scope.setdefault(name, _dataclass_codec(hint)[0])
        return f"{name}({value})"
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if set(rest) == set(typing.get_args(Expr)):
            rest = [Expr]
        inner = _field_encoding(rest[0], "v", scope) if len(rest) == 1 else "v"
        return value if inner == "v" else f"(None if (v := {value}) is None else {inner})"
    if origin is list and args:
        inner = _field_encoding(args[0], "a", scope)
        return value if inner == "a" else f"[{inner} for a in {value}]"
    if origin is dict and len(args) == 2:
        inner = _field_encoding(args[1], "e", scope)
        key = "str(k)" if args[0] is int else "k"
        return value if (inner, key) == ("e", "k") else f"{{{key}: {inner} for k, e in {value}.items()}}"
    return value  # JSON-native, or a Span (a tuple: JSON writes it as the list it is stored as)


def _temporary(scope: dict[str, Any]) -> str:
    scope["_temporaries"] += 1
    return f"_t{scope['_temporaries']}"


def _field_source(hint: Any, value: str, scope: dict[str, Any]) -> str:
    """Python source that decodes the stored `value` of a field typed `hint` (as `_codec_for_type`)."""
    if hint == Expr:
        return _decode_inline(value, _temporary(scope))
    if hint is Span:
        return f"_new_tuple(Span, {value})"
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        name = scope.setdefault(f"_decode_{hint.__name__}", _dataclass_codec(hint)[1]) and f"_decode_{hint.__name__}"
        return f"{name}({value})"
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if set(rest) == set(typing.get_args(Expr)):
            return f"(None if {value} is None else {_decode_inline(value, _temporary(scope))})"
        inner = _field_source(rest[0], "v", scope) if len(rest) == 1 else "v"
        return value if inner == "v" else f"(None if (v := {value}) is None else {inner})"
    if origin is list and args:
        inner = _field_source(args[0], "a", scope)
        return f"([{inner} for a in {value}] if {value} else _EMPTY_LIST)"
    if origin is dict and len(args) == 2:
        inner = _field_source(args[1], "e", scope)
        key = "int(k)" if args[0] is int else "_intern(k)"
        return f"{{{key}: {inner} for k, e in {value}.items()}}"  # few (a class's keywords, noqa): not shared
    return f"_intern({value})" if hint is str else value


# Where a module's functions are in its stored list, and a function's events in its own.
_FUNCTIONS = [f.name for f in dataclasses.fields(ModuleFacts)].index("functions")
_EVENTS = [f.name for f in dataclasses.fields(facts_module.FunctionFact)].index("events")


def encode_facts(facts: ModuleFacts) -> list[Any]:
    """[head, bodies]: the module's list with each function's events left empty, and those events,
    one list per function in order. The bodies come last, so a reader can leave them as text."""
    head: list[Any] = _dataclass_codec(ModuleFacts)[0](facts)
    bodies = []
    for function in head[_FUNCTIONS]:
        bodies.append(function[_EVENTS])
        function[_EVENTS] = []
    return [head, bodies]


def decode_facts(data: list[Any]) -> ModuleFacts:
    """The facts `encode_facts` stored (a shape `valid_facts` accepts), all decoded now."""
    head, bodies = data
    for function, events in zip(head[_FUNCTIONS], bodies):
        function[_EVENTS] = events
    decoded: ModuleFacts = _dataclass_codec(ModuleFacts)[1](head)
    return decoded


def split_stored(text: str) -> tuple[Any, str]:
    """The head of facts stored as this JSON text, decoded from JSON, and their bodies' text."""
    if not (text.startswith("[") and text.endswith("]")):
        raise ValueError("not stored facts")
    head, end = scan_at(text, 1)
    if text[end:end + 1] != ",":
        raise ValueError("not stored facts")
    return head, text[end + 1:-1]


def decode_unread(head: list[Any], bodies: str) -> ModuleFacts:
    """The facts of a stored head (one `valid_head` accepts), each function's events decoded from
    `bodies` (their JSON text) when the first of them is read."""
    decoded: ModuleFacts = _dataclass_codec(ModuleFacts)[1](head)
    if decoded.functions:
        facts_module.leave_unread(decoded.functions, partial(_read_bodies, bodies, len(decoded.functions)))
    return decoded


def _read_bodies(text: str, functions: int) -> list[list[Event]]:
    bodies = read_json(text)
    if not (type(bodies) is list and len(bodies) == functions and all(map(_EVENT_LISTS, bodies))):
        raise ValueError("stored facts whose bodies do not fit their functions")
    decode = _dataclass_codec(Event)[1]
    return [[decode(event) for event in events] if events else _EMPTY_LIST for events in bodies]


# ---------------------------------------------------------------- expressions
# One function per kind, each calling the next kind's function directly: the facts of every module
# pass through here on each cold run and each run after an edit. Only Dict keys, Slice bounds and a
# bare `yield` can be None.


_new_tuple = tuple.__new__  # builds the named tuple without a Python call
# Every string of the facts is shared with its equals: at 100k lines 216k strings held 21k values
# (an import's kind and target, a parameter's name, an event's kind), 13 MB where 1.3 MB will do.
_intern = sys.intern


def _read_only(*_: Any, **__: Any) -> Any:
    raise TypeError("decoded facts are never changed: this empty list or dict is every empty one's")


class _EmptyList(list[Any]):
    """The one empty list every decoded fact shares (at 100k lines 38k lists, 2 MB): facts are not
    changed once built, and this one refuses it loudly."""

    __slots__ = ()
    append = extend = insert = remove = pop = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only


class _EmptyDict(dict[Any, Any]):
    """The one empty dict a decoded call's keywords share (at 100k lines 25k, 1.6 MB)."""

    __slots__ = ()
    update = setdefault = pop = popitem = clear = __setitem__ = __delitem__ = __ior__ = _read_only


_EMPTY_LIST: list[Any] = _EmptyList()
_EMPTY_DICT: dict[Any, Any] = _EmptyDict()


def _span(data: list[int]) -> Span:
    return _new_tuple(Span, data)


def encode_expr(node: Expr | None) -> Any:
    return None if node is None else _E[type(node)](node)


def _encode_child(e: Expr) -> list[Any]:
    return ["n", e.id] if type(e) is x.Name else _E[type(e)](e)


# A Name child (a third of all nodes) is encoded inline where it is commonest: an attribute's value,
# a call's function and arguments; the parse workers encode every node they build.
_E: dict[type, Callable[[Any], list[Any]]] = {
    x.Name: lambda e: ["n", e.id],
    x.Attribute: lambda e: ["a", ["n", v.id] if type(v := e.value) is x.Name else _E[type(v)](v), e.attr],
    x.Call: lambda e: ["c", ["n", f.id] if type(f := e.func) is x.Name else _E[type(f)](f),
                       [["n", a.id] if type(a) is x.Name else _E[type(a)](a) for a in e.args],
                       {k: _encode_child(v) for k, v in e.kwargs.items()}, e.span],
    # A float that is not finite (`1e999`) is stored as its text: JSON has no word for it.
    x.Constant: lambda e: ["k", v] if type(v := e.value) is not float or isfinite(v) else ["kf", repr(v)],
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
    name = _names[id] = x.Name(_intern(id))
    return name


def _constant(value: Any) -> x.Constant:
    constant = _constants[type(value), value] = x.Constant(value)
    return constant


def _attribute(id: str, attr: str) -> x.Attribute:
    found = _attributes.get((id, attr))
    if found is None:
        found = _attributes[id, attr] = x.Attribute(_names.get(id) or _name(id), _intern(attr))
    return found


# Each kind's decoder is generated from the source below, where E(...) stands for decoding a child:
# written out inline, a Name child (half of all nodes) costs a dict lookup instead of a call.
_DECODERS: dict[str, str] = {
    "n": "_names.get(v[1]) or _name(v[1])",
    "a": "_attribute(v[1][1], v[2]) if v[1][0] == 'n' else x.Attribute(E(v[1]), _intern(v[2]))",
    "c": "x.Call(E(v[1]), [E(a) for a in v[2]] if v[2] else _EMPTY_LIST,"
         " {_intern(k): E(e) for k, e in v[3].items()} if v[3] else _EMPTY_DICT,"
         " _new_tuple(Span, v[4]))",
    "k": "_constants.get((type(v[1]), v[1])) or _constant(v[1])",
    "kf": "x.Constant(float(v[1]))",
    "s": "x.Subscript(E(v[1]), E(v[2]))",
    "t": "x.Tuple([E(a) for a in v[1]])",
    "l": "x.List([E(a) for a in v[1]])",
    "set": "x.Set([E(a) for a in v[1]])",
    "d": "x.Dict([None if k is None else E(k) for k in v[1]], [E(a) for a in v[2]])",
    "b": "x.BinOp(_intern(v[1]), E(v[2]), E(v[3]))",
    "bool": "x.BoolOp(_intern(v[1]), [E(a) for a in v[2]])",
    "u": "x.UnaryOp(_intern(v[1]), E(v[2]))",
    "cmp": "x.Compare(E(v[1]), [_intern(o) for o in v[2]], [E(a) for a in v[3]])",
    "f": "x.FString([E(a) for a in v[1]])",
    "v": "x.FormattedValue(E(v[1]))",
    "lam": "x.Lambda(E(v[1]))",
    "aw": "x.Await(E(v[1]), _new_tuple(Span, v[2]))",
    "if": "x.IfExp(E(v[1]), E(v[2]), E(v[3]))",
    "*": "x.Starred(E(v[1]))",
    "walrus": "x.NamedExpr(E(v[1]), E(v[2]))",
    "comp": "x.Comprehension([E(a) for a in v[1]], [x.Generator(E(g[0]), E(g[1]), [E(c) for c in g[2]]) for g in v[2]])",
    "slice": "x.Slice(decode_expr(v[1]), decode_expr(v[2]), decode_expr(v[3]))",
    "yield": "x.Yield(decode_expr(v[1]))",
    "?": "x.Unknown(_intern(v[1]))",
}


def _inline_child(source: str) -> str:
    """Expand every E(...) in a decoder's source (the argument never holds parentheses of its own
    but an index's brackets) into an inline decode through a temporary of its own."""
    parts = source.split("E(")
    out = [parts[0]]
    for number, part in enumerate(parts[1:]):
        argument, rest = part.split(")", 1)
        out.append(_decode_inline(argument, f"_t{number}") + rest)
    return "".join(out)


def _decode_inline(value: str, temporary: str) -> str:
    """Source that decodes the encoded expression `value` (never None), Names without a call."""
    t = temporary
    return f"(_names.get({t}[1]) or _name({t}[1]) if ({t} := {value})[0] == 'n' else _D[{t}[0]]({t}))"


def _compile_decoders() -> None:
    scope: dict[str, Any] = {"x": x, "Span": Span, "_new_tuple": _new_tuple, "_names": _names, "_name": _name,
                             "_constants": _constants, "_constant": _constant, "_attribute": _attribute,
                             "_intern": _intern, "_EMPTY_LIST": _EMPTY_LIST, "_EMPTY_DICT": _EMPTY_DICT,
                             "decode_expr": decode_expr, "_D": _D}
    for tag, source in _DECODERS.items():
        name = f"_decode_{len(_D)}"
        exec(f"def {name}(v):\n    return {_inline_child(source)}\n", scope)  # noqa: S102 -- the table above
        _D[tag] = scope[name]


_D: dict[str, Callable[[list[Any]], Any]] = {}
_compile_decoders()

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
    engine._from_cached_facts)."""
    if not (type(data) is list and len(data) == 2 and valid_head(data[0], deep=deep)):
        return False
    bodies, functions = data[1], data[0][_FUNCTIONS]
    check = _check_for_type(list[Event], True) if deep else _EVENT_LISTS
    return type(bodies) is list and len(bodies) == len(functions) and all(map(check, bodies))


def valid_head(head: Any, *, deep: bool = False) -> bool:
    """Whether `head` has the shape of the first half of what `encode_facts` gives."""
    return _dataclass_check(ModuleFacts, deep)(head) and len(head) > _FUNCTIONS


_EVENT_LISTS = _check_for_type(list[Event], False)  # each function's stored events: a list
