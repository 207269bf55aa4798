"""ModuleFacts <-> compact JSON values: every dataclass becomes the list of its field values.

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

from layerlint.project import facts as facts_module
from layerlint.project.facts import ModuleFacts

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
    if dataclasses.is_dataclass(hint):
        return _dataclass_codec(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        inner = _codec_for_type(rest[0]) if len(rest) == 1 else (_same, _same)
        return inner if inner == (_same, _same) else _optional(inner)
    if origin is list and args:
        inner = _codec_for_type(args[0])
        return (_same, _same) if inner == (_same, _same) else _list_of(inner, args[0])
    if origin is dict and len(args) == 2:
        inner = _codec_for_type(args[1])
        return (_same, _same) if inner == (_same, _same) and args[0] is str else _dict_of(args[0], inner)
    return _same, _same  # JSON-native: str, int, bool, spans, encoded expressions


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


# ---------------------------------------------------------------- validation

Check = Callable[[Any], bool]


def _accept(value: Any) -> bool:
    return True


def _check_for_type(hint: Any, deep: bool) -> Check:
    """Whether a compact JSON value has the shape `hint` encodes to (as `_codec_for_type` reads
    it); not `deep`: a list of dataclasses only as a list (the bulk of all facts)."""
    if dataclasses.is_dataclass(hint):
        return _dataclass_check(hint, deep)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
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
