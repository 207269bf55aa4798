"""`record` behaves as `dataclasses.dataclass` for every option layerlint uses.

Each case defines one class body twice, once under each decorator, and holds the two classes'
instances to the same observations: construction, defaults, repr, equality, hashing, ordering,
frozenness, slots, `__match_args__`, `fields`, `replace`, `__post_init__`, pickling, subclasses.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from layerlint.core.records import field, record

Decorate = Callable[..., Any]
OPTIONS = [{}, {"frozen": True}, {"frozen": True, "order": True}, {"order": True}, {"slots": True},
           {"slots": True, "order": True}]


def point_class(decorate: Decorate, options: dict[str, bool]) -> Any:
    @decorate(**options)
    class Point:
        x: int
        y: str = "y"
        tags: list[str] = field(default_factory=list)
        note: str | None = field(default=None, compare=False)
        hidden: int = field(default=7, repr=False)
        cached: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
        late: int | None = field(default=None, init=False)

    return Point


def observe(cls: Any, frozen: bool, order: bool) -> list[object]:
    """What a user of the class can see, as plain values."""
    first, same, other = cls(1, "a", ["t"], note="n"), cls(1, "a", ["t"], note="other note"), cls(2)
    seen: list[object] = [repr(first), repr(other), first == same, first == other, first != other,
                          first == (1, "a"), other.tags, other.cached, other.late, other.hidden,
                          cls(3).tags is not cls(3).tags, cls.__match_args__,
                          [f.name for f in dataclasses.fields(cls)], repr(dataclasses.replace(first, x=5)),
                          hasattr(first, "__dict__"), getattr(cls, "__slots__", None),
                          cls.__hash__ is None]
    seen.append(_raises(lambda: hash(first)))  # a list field: unhashable either way
    seen.append(hash(cls(4, tags=None)) == hash(cls(4, tags=None, note="x")) if frozen else "")
    seen.append(_raises(lambda: setattr(cls(1), "x", 9)))  # fresh instances: these may change them
    seen.append(_raises(lambda: delattr(cls(1), "y")))
    seen.append(_raises(lambda: setattr(cls(1), "unknown", 9)))
    seen.append(_raises(lambda: delattr(cls(1), "unknown")))
    if order:
        seen.extend([first < other, first <= same, other > first, other >= first,
                     [p.x for p in sorted([other, first])], _raises(lambda: first < 3)])
    else:
        seen.append(_raises(lambda: first < other))
    restored = pickle.loads(pickle.dumps(first))
    seen.extend([restored == first, repr(restored)])
    return seen


def _raises(action: Callable[[], object]) -> str:
    try:
        action()
    except Exception as error:  # noqa: BLE001 -- which exception, and its text, is what is compared
        return f"{type(error).__name__}: {error}"
    return "no error"


# The classes must be module attributes for pickle: one per decorator and option set.
CLASSES = {(name, index): point_class(decorate, options)
           for name, decorate in (("dataclass", dataclasses.dataclass), ("record", record))
           for index, options in enumerate(OPTIONS)}
for (_name, _index), _cls in CLASSES.items():
    _cls.__qualname__ = _cls.__name__ = f"Point_{_name}_{_index}"
    globals()[_cls.__name__] = _cls


@pytest.mark.parametrize("index", range(len(OPTIONS)), ids=[str(o) for o in OPTIONS])
def test_record_is_observed_as_dataclass(index: int) -> None:
    options = OPTIONS[index]
    frozen, order = options.get("frozen", False), options.get("order", False)
    expected = observe(CLASSES["dataclass", index], frozen, order)
    seen = observe(CLASSES["record", index], frozen, order)
    normalise = [str(value).replace(f"Point_record_{index}", "Point") for value in seen]
    assert normalise == [str(value).replace(f"Point_dataclass_{index}", "Point") for value in expected]


def both(body: Callable[[Decorate], Any]) -> tuple[Any, Any]:
    return body(dataclasses.dataclass), body(record)


def test_post_init_runs_after_the_fields_are_set() -> None:
    def body(decorate: Decorate) -> Any:
        @decorate
        class Total:
            a: int
            b: int
            total: int = field(init=False)

            def __post_init__(self) -> None:
                self.total = self.a + self.b
        return Total

    for cls in both(body):
        assert cls(2, 3).total == 5
        assert repr(cls(2, 3)).endswith("(a=2, b=3, total=5)")


def test_a_subclass_adds_its_fields_after_the_base() -> None:
    def body(decorate: Decorate) -> Any:
        @decorate(frozen=True)
        class Base:
            name: str

        @decorate(frozen=True)
        class Child(Base):
            size: int = 0
        return Child

    standard, ours = both(body)
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(standard)] == ["name", "size"]
    assert ours("n", 2) == ours("n", 2) and hash(ours("n", 2)) == hash(ours("n", 2))
    assert ours("n") != ours("n", 1)


def test_methods_written_in_the_class_body_win() -> None:
    @record(frozen=True)
    class Shown:
        value: int

        def __repr__(self) -> str:
            return "shown"

        def __hash__(self) -> int:
            return 1

    assert repr(Shown(2)) == "shown" and hash(Shown(2)) == 1
    assert Shown(2) == Shown(2)


def test_a_body_eq_without_hash_is_unhashable_unless_frozen() -> None:
    def body(decorate: Decorate, frozen: bool) -> Any:
        @decorate(frozen=frozen)
        class Compared:
            value: int

            def __eq__(self, other: object) -> bool:
                return True
        return Compared

    for frozen in (False, True):
        standard, ours = body(dataclasses.dataclass, frozen), body(record, frozen)
        assert (ours.__hash__ is None) == (standard.__hash__ is None)
        assert ours(1) == ours(2)


def test_frozen_with_slots_is_refused() -> None:
    with pytest.raises(TypeError, match="frozen and slots"):
        @record(frozen=True, slots=True)
        class Both:
            value: int
