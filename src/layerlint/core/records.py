"""`record`: `dataclasses.dataclass` for layerlint's value classes, built in a third of the time.

Every `layerlint` process defines about 80 dataclasses before it checks anything (the facts'
expressions and statements, the analyses, the cache's entries). The standard library compiles
each generated method with its own `exec`, and works out a signature for each class without a
docstring: 0.3-0.6 ms a class, half of the whole import (52 of 107 ms for the 81 classes a check
imports, measured here, where a warm run at 100k lines takes about 100 ms in all). Python 3.13
batches the `exec`s and is no faster there. `record` builds the same 81 in 11-17 ms.

`record` lets `dataclass` collect the fields (so `dataclasses.fields`, `replace`, `is_dataclass`
and `__match_args__` are the standard library's) and add slots, compiles `__init__` alone (objects
are built in the hot paths), and gives `__repr__`, `__eq__`, `__hash__`, the ordering and the
frozen methods as closures over the field names, compiled once with this module.
The generated methods are the ones `dataclass` would write for the options it takes (frozen,
order, slots; fields with a default, a default factory, `init=False`, `repr=False`,
`compare=False`; `__post_init__`); tests/test_records.py holds each against `dataclass`. One
difference: a class without a docstring keeps `__doc__` None (dataclass writes its signature there).
"""

from __future__ import annotations

import dataclasses
import operator as _operator
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, field
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["field", "record"]

T = TypeVar("T")


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = False, order: bool = False, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field, Field))
def record(cls: type[T] | None = None, /, *, frozen: bool = False, order: bool = False,
           slots: bool = False) -> type[T] | Callable[[type[T]], type[T]]:
    """As `@dataclass`, `@dataclass(frozen=True, order=True, slots=True)`."""
    def wrap(cls: type[T]) -> type[T]:
        return _build(cls, frozen, order, slots)
    return wrap if cls is None else wrap(cls)


def _build(cls: type[T], frozen: bool, order: bool, slots: bool) -> type[T]:
    if frozen and slots:  # unpickling a frozen slotted class needs the standard library's own state methods
        raise TypeError("record: frozen and slots together are not supported; use dataclasses.dataclass")
    undocumented = cls.__doc__ is None
    if undocumented:  # else dataclass writes the class's signature into its docstring: most of its time
        cls.__doc__ = "-"
    cls = dataclasses.dataclass(init=False, repr=False, eq=False, slots=slots)(cls)
    if undocumented:
        cls.__doc__ = None
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # cls is a dataclass from here on
    compared_names = tuple(item.name for item in fields if item.compare)
    compared = _getter(compared_names)
    methods = {"__init__": _init(cls, fields, frozen), **_value_methods(fields, compared_names, compared, order)}
    if frozen:
        methods.update(_frozen_methods(cls, fields, compared))
    written = {name for name, value in cls.__dict__.items() if value is not None}  # `None`: Python's, for a body's __eq__
    for name, function in methods.items():
        if name in written:
            if frozen and name in ("__setattr__", "__delattr__"):
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
            continue  # a method written in the class body wins, as with dataclass
        function.__name__, function.__qualname__ = name, f"{cls.__qualname__}.{name}"
        setattr(cls, name, function)
    if not frozen and cls.__dict__.get("__hash__") is None:  # dataclass's rule for eq=True without frozen
        cls.__hash__ = None  # type: ignore[assignment]
    return cls


def _init(cls: type, fields: tuple[Field[Any], ...], frozen: bool) -> Callable[..., None]:
    """The one method compiled: objects are built in the hot paths (decoding facts), and a
    generated `__init__` assigns each field directly, as dataclass's does."""
    scope: dict[str, Any] = {"MISSING": MISSING, "object": object}
    parameters, body = ["self"], []
    for index, item in enumerate(fields):
        value = item.name
        if item.default is not MISSING:
            scope[f"_default_{index}"] = item.default
            default = f"_default_{index}"
        elif item.default_factory is not MISSING:
            scope[f"_factory_{index}"] = item.default_factory
            default = "MISSING"
            value = f"_factory_{index}()" if not item.init else f"_factory_{index}() if {item.name} is MISSING else {item.name}"
        else:
            default = ""
        if item.init:
            parameters.append(f"{item.name}={default}" if default else item.name)
        elif item.default is MISSING and item.default_factory is MISSING:
            continue  # set later by the class itself (`__post_init__`), as with dataclass
        elif item.default is not MISSING:
            value = default
        body.append(f"object.__setattr__(self, {item.name!r}, {value})" if frozen else f"self.{item.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    exec(f"def __init__({', '.join(parameters)}):\n    " + "\n    ".join(body or ["pass"]), scope)  # noqa: S102 -- built here from the class's own fields
    init: Callable[..., None] = scope["__init__"]
    return init


def _value_methods(fields: tuple[Field[Any], ...], compared_names: tuple[str, ...],
                   compared: Callable[[object], tuple[Any, ...]], order: bool) -> dict[str, Callable[..., Any]]:
    """`__repr__`, `__eq__` and the ordering, over the fields' values as a tuple, as dataclass's.
    Each reads the fields with one `attrgetter`: rules compare expressions (`func.value ==
    Name("self")`) and the check cache prints whole analyses, so these are hot."""
    shown = _getter(tuple(item.name for item in fields if item.repr))
    template = ", ".join(f"{item.name}={{!r}}" for item in fields if item.repr)

    def __repr__(self: object) -> str:
        return f"{self.__class__.__qualname__}({template.format(*shown(self))})"

    methods: dict[str, Callable[..., Any]] = {
        "__repr__": __repr__, "__eq__": _equality(compared_names, compared)}
    if order:
        methods.update({name: _ordering(compared, operator) for name, operator in
                        (("__lt__", _operator.lt), ("__le__", _operator.le), ("__gt__", _operator.gt),
                         ("__ge__", _operator.ge))})
    return methods


def _equality(names: tuple[str, ...], compared: Callable[[object], tuple[Any, ...]]) -> Callable[[object, object], Any]:
    if len(names) == 1:  # most expression kinds (`Name`, `Constant`): no call to build the tuple
        only = _operator.attrgetter(names[0])

        def one(self: object, other: object) -> Any:
            if other.__class__ is self.__class__:
                return (only(self),) == (only(other),)
            return NotImplemented
        return one

    def each(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented
    return each


def _ordering(compared: Callable[[object], tuple[Any, ...]], operator: Callable[[Any, Any], bool]
              ) -> Callable[[object, object], Any]:
    def compare(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return operator(compared(self), compared(other))
        return NotImplemented
    return compare


def _getter(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    """The named fields' values as a tuple, even for one field or none."""
    if len(names) > 1:
        return _operator.attrgetter(*names)  # a tuple, built in C
    if names:
        only = _operator.attrgetter(names[0])
        return lambda value: (only(value),)
    return lambda _: ()


def _frozen_methods(cls: type[Any], fields: tuple[Field[Any], ...], compared: Callable[[object], tuple[Any, ...]]
                    ) -> dict[str, Callable[..., Any]]:
    names = frozenset(item.name for item in fields)

    def __setattr__(self: Any, name: str, value: object) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    def __hash__(self: object) -> int:
        return hash(compared(self))

    return {"__setattr__": __setattr__, "__delattr__": __delattr__, "__hash__": __hash__}
