"""The facts of a project's modules, each module's decoded the first time it is read.

A run that reads N modules decodes about N (the cache stores each module's facts readable
alone); iterating the values decodes the rest at once, in one batch (each shard read once).
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    ValuesView,
)

from layerlint.project.reading.facts import ModuleFacts

# Decodes the facts of these files (root-relative paths), by path.
Load = Callable[[list[str]], Mapping[str, ModuleFacts]]


class LazyModules(Mapping[str, ModuleFacts]):
    """Module name -> facts, in project order; `paths` names each module's file."""

    def __init__(self, paths: dict[str, str], load: Load, decoded: Iterable[ModuleFacts] = ()) -> None:
        """`decoded`: facts at hand already (an editor's buffers), after the modules of `paths`."""
        self._paths = dict(paths)
        self._load: Load | None = load
        self._decoded: dict[str, ModuleFacts] = {}
        for facts in decoded:
            if facts.module not in self._paths:
                self._paths[facts.module] = facts.path
                self._decoded[facts.module] = facts
        self._finish()

    @property
    def decoded(self) -> int:
        """How many modules' facts have been decoded so far."""
        return len(self._decoded)

    def path_of(self, module: str) -> str | None:
        """A module's file, known without decoding its facts."""
        return self._paths.get(module)

    def __getitem__(self, module: str) -> ModuleFacts:
        facts = self._decoded.get(module)
        if facts is None:
            if module not in self._paths:
                raise KeyError(module)
            self.load((module,))
            facts = self._decoded[module]
        return facts

    def load(self, modules: Iterable[str]) -> None:
        """Decode these modules' facts in one batch (unknown names are ignored)."""
        wanted = [module for module in modules if module in self._paths and module not in self._decoded]
        if not wanted:
            return
        assert self._load is not None
        found = self._load([self._paths[module] for module in wanted])
        for module in wanted:
            self._decoded[module] = found[self._paths[module]]
        self._finish()

    def load_all(self) -> None:
        self.load(self._paths)

    def _finish(self) -> None:
        if self._load is not None and len(self._decoded) == len(self._paths):
            # All read: kept in project order, and the store that read them is let go.
            self._decoded = {module: self._decoded[module] for module in self._paths}
            self._load = None

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, module: object) -> bool:
        return module in self._paths

    def keys(self) -> KeysView[str]:
        return self._paths.keys()

    def values(self) -> ValuesView[ModuleFacts]:
        self.load_all()
        return self._decoded.values()

    def items(self) -> ItemsView[str, ModuleFacts]:
        self.load_all()
        return self._decoded.items()
