"""Per-module results a check cache may keep between runs: what a function of one module's facts
alone computes is the same while that module's facts are (`Project.per_module`).

A `Kept` names such a function and says how its result is stored (as JSON); a `KeptResults`
(the check cache's, `cache/kept.py`) holds what earlier runs computed, by the module's facts
digest. The first user is the type-only reading of imports (`type_only.definition_uses`): after an
edit, the dependency graph's chains from the routers ask it of every module on them (321 modules
of polar's server), and computing it reads every function body of those modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from layerlint.core.records import record
from layerlint.project.reading.facts import ModuleFacts

T = TypeVar("T")


@record(frozen=True)
class Kept(Generic[T]):
    """`compute`, a function of one module's facts alone, whose results are kept as `name`:
    `encode` gives the JSON value stored, `decode` takes it back (raising TypeError or
    ValueError on a value it did not give)."""

    name: str
    compute: Callable[[ModuleFacts], T]
    encode: Callable[[T], Any]
    decode: Callable[[Any], T]

    def __call__(self, facts: ModuleFacts) -> T:
        return self.compute(facts)


class KeptResults(Protocol):
    """What earlier runs computed, by name and module path, while the module's facts are the same."""

    def get(self, name: str, path: str) -> Any | None:
        """The stored value of `name` for the module at `path`, if its facts are those it was computed from."""

    def put(self, name: str, path: str, value: Any) -> None:
        """Keep `value`, computed from the current facts of the module at `path`."""

    def take_fresh(self) -> dict[str, dict[str, Any]]:
        """What was put since the last call, by path and name (a rule worker sends it back)."""

    def add(self, fresh: dict[str, dict[str, Any]]) -> None:
        """What another process put (`take_fresh` there)."""
